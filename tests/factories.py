import datetime as dt

import factory
from django.contrib.auth import get_user_model

from contracts.choices import OrganisationKind, Role
from contracts.models import Contract, Membership, NetworkMember, Organisation


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


def add_member(network, provider):
    return NetworkMember.objects.create(network=network, provider=provider)
