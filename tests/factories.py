import datetime as dt

import factory
from django.contrib.auth import get_user_model

from contracts.choices import ContractStatus, OrganisationKind, Role
from contracts.models import Contract, ContractYear, Membership, NetworkMember, Organisation
from outcomes.choices import Direction, Frequency, MetricType
from outcomes.models import ContractMetric, Dimension, Metric


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"ORG{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Organisation {o.code}")
    kind = OrganisationKind.PROVIDER


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.nhs.uk")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.PROVIDER_USER


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    reference = factory.Sequence(lambda n: f"CON-{n:04d}")
    title = "Community services"
    commissioner = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.COMMISSIONER)
    provider = factory.SubFactory(OrganisationFactory)
    service = "Community services for older people"
    start_date = dt.date(2024, 4, 1)
    end_date = dt.date(2029, 3, 31)
    payment_model = Contract.PaymentModel.CAPITATED_OUTCOMES
    # Most tests are about contracts in force; agreement tests start drafts.
    status = ContractStatus.ACCEPTED


def add_member(network, provider):
    return NetworkMember.objects.create(network=network, provider=provider)


def single_provider_contracts(commissioner, metric, codes) -> dict:
    """A contract of its own with `commissioner` for each provider code
    (CON-S for PS, ...), each holding `metric` from April 2024 with
    EMADM-like thresholds: code -> contract. For peer comparisons."""
    contracts = {}
    for code in codes:
        provider = OrganisationFactory(code=code, name=f"Provider {code[1:]}")
        contracts[code] = ContractFactory(
            reference=f"CON-{code[1:]}", commissioner=commissioner, provider=provider
        )
        ContractMetric.objects.create(
            contract=contracts[code],
            metric=metric,
            effective_from=dt.date(2024, 4, 1),
            minimum_threshold=30,
            target=22,
            baseline=31,
        )
    return contracts


class DimensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dimension
        django_get_or_create = ["name"]

    name = "Quality of care"
    description = "Whether care is safe, effective and joined up."


class MetricFactory(factory.django.DjangoModelFactory):
    """By default the emergency-admissions rate: lower is better."""

    class Meta:
        model = Metric
        django_get_or_create = ["code"]

    code = "EMADM"
    name = "Emergency admissions per 1,000 people aged 75+"
    description = "How many older people are admitted to hospital in an emergency."
    dimension = factory.SubFactory(DimensionFactory)
    metric_type = MetricType.RATE
    factor = 1000
    direction = Direction.LOWER_IS_BETTER
    frequency = Frequency.MONTHLY
    data_source = "SUS"


def add_contract_years(contract, values, planned_budget=None):
    """Give `contract` one year per 12 months with the given contract values."""
    from contracts.services import contract_year_bounds

    bounds = contract_year_bounds(contract.start_date, contract.end_date)
    return [
        ContractYear.objects.create(
            contract=contract,
            number=number,
            start_date=start,
            end_date=end,
            contract_value=value,
            planned_budget=value if planned_budget is None else planned_budget,
        )
        for number, ((start, end), value) in enumerate(zip(bounds, values, strict=True), start=1)
    ]


# The people of the `system` fixture (tests/conftest.py), for tests that try
# a permission as each of them.
SYSTEM_PEOPLE = (
    "admin",
    "commissioner",
    "network_manager_a",
    "provider_a",
    "provider_b",
    "lay_partner",
    "outsider",
)
