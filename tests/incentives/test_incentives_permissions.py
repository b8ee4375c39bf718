"""incentives.permissions: what each can_ function grants, and on which
contract: the commissioner of contract A writes A's scheme, settles and signs
off A's settlement and nothing of contract B's; both parties comment on their
own contract's settlement only."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from contracts.choices import Role
from incentives import permissions, services
from incentives.choices import SettlementStatus
from incentives.models import IncentiveScheme, Settlement, SettlementComment
from outcomes.models import ContractMetric
from tests.contract_fixtures import YEAR_VALUE
from tests.factories import SYSTEM_PEOPLE as PEOPLE
from tests.factories import MembershipFactory, UserFactory, add_contract_years
from tests.incentives_fixtures import scheme_fields, year_one_fixture  # noqa: F401 (fixture)


@pytest.fixture
def contract_b(system, metric):
    """CON-B with its commissioner (QOTH), network B's manager, a scheme and
    a draft settlement of year 1 (figures made up: only who may act matters)."""
    commissioner_b = UserFactory(username="commissioner_b")
    MembershipFactory(
        user=commissioner_b, organisation=system.other_commissioner_org, role=Role.COMMISSIONER
    )
    manager_b = UserFactory(username="nm_b")
    MembershipFactory(user=manager_b, organisation=system.network_b, role=Role.NETWORK_MANAGER)
    contract = system.contract_b
    add_contract_years(contract, [YEAR_VALUE] * 5)
    ContractMetric.objects.create(
        contract=contract,
        metric=metric,
        effective_from=dt.date(2024, 4, 1),
        minimum_threshold=30,
        target=22,
        baseline=31,
    )
    scheme = services.create_scheme_version(
        user=commissioner_b, contract=contract, **scheme_fields(metric)
    )
    settlement = Settlement.objects.create(
        contract=contract,
        contract_year=contract.years.get(number=1),
        scheme=scheme,
        inputs={},
        inputs_digest="",
        rule_version="test",
        savings=0,
        net_transfer=0,
        computed_at=timezone.now(),
    )
    return dict(
        commissioner_b=commissioner_b, manager_b=manager_b, contract=contract, settlement=settlement
    )


@pytest.fixture
def settlement_a(system, year_one):
    return services.compute_settlement(contract_year=year_one, user=system.commissioner)


def who(system, contract_b, check) -> set[str]:
    people = {name: getattr(system, name) for name in PEOPLE} | {
        "commissioner_b": contract_b["commissioner_b"],
        "nm_b": contract_b["manager_b"],
    }
    return {name for name, person in people.items() if check(person)}


def test_each_contracts_commissioner_writes_its_scheme_and_settles_it(
    system, contract_b, settlement_a
):
    a, b = system.contract_a, contract_b["contract"]
    for check in (permissions.can_write_scheme, permissions.can_settle):
        assert who(system, contract_b, lambda p, c=check: c(p, a)) == {"admin", "commissioner"}
        assert who(system, contract_b, lambda p, c=check: c(p, b)) == {"admin", "commissioner_b"}


def test_the_commissioner_of_a_cannot_sign_off_bs_settlement(system, contract_b, settlement_a):
    theirs = contract_b["settlement"]
    assert who(system, contract_b, lambda p: permissions.can_sign_off(p, settlement_a)) == {
        "admin",
        "commissioner",
    }
    assert who(system, contract_b, lambda p: permissions.can_sign_off(p, theirs)) == {
        "admin",
        "commissioner_b",
    }
    with pytest.raises(PermissionDenied, match="Only the commissioner of this contract"):
        services.sign_off(user=system.commissioner, settlement=theirs)
    theirs.refresh_from_db()
    assert theirs.status == SettlementStatus.DRAFT and theirs.signed_off_by is None
    services.sign_off(user=system.commissioner, settlement=settlement_a)
    settlement_a.refresh_from_db()
    assert settlement_a.signed_off_by == system.commissioner


def test_the_commissioner_of_a_cannot_add_a_version_of_bs_scheme(system, contract_b, metric):
    with pytest.raises(PermissionDenied, match="Only the commissioner of this contract"):
        services.create_scheme_version(
            user=system.commissioner,
            contract=contract_b["contract"],
            **scheme_fields(metric, effective_from_year=2),
        )
    assert IncentiveScheme.objects.filter(contract=contract_b["contract"]).count() == 1


def test_the_commissioner_of_a_cannot_recompute_bs_settlement(system, contract_b):
    theirs = contract_b["settlement"]
    with pytest.raises(PermissionDenied, match="Only the commissioner of this contract"):
        services.compute_settlement(contract_year=theirs.contract_year, user=system.commissioner)
    theirs.refresh_from_db()
    assert theirs.inputs == {} and theirs.computed_by is None


def test_the_parties_comment_on_their_own_contracts_settlement(system, contract_b, settlement_a):
    theirs = contract_b["settlement"]
    # A member provider of network A is no party to its network's contract,
    # nor are admins and lay partners.
    assert who(system, contract_b, lambda p: permissions.can_comment(p, settlement_a)) == {
        "commissioner",
        "network_manager_a",
    }
    assert who(system, contract_b, lambda p: permissions.can_comment(p, theirs)) == {
        "commissioner_b",
        "nm_b",
    }
    assert permissions.commenting_organisation(system.network_manager_a, settlement_a) == (
        system.network_a
    )
    assert permissions.commenting_organisation(system.commissioner, settlement_a) == (
        system.commissioner_org
    )
    with pytest.raises(PermissionDenied, match="Only the parties to the contract"):
        services.add_comment(user=system.network_manager_a, settlement=theirs, text="Ours")
    assert not SettlementComment.objects.filter(settlement=theirs).exists()


def test_a_provider_user_of_the_contracts_provider_comments(system, contract_b):
    """A provider user of the organisation holding the contract is a party."""
    theirs = contract_b["settlement"]
    clinician = UserFactory(username="clinician_b")
    MembershipFactory(user=clinician, organisation=system.network_b, role=Role.PROVIDER_USER)
    assert permissions.can_comment(clinician, theirs)
    assert not permissions.can_comment(clinician, Settlement(contract=system.contract_a))


def test_what_ifs_are_for_commissioners_and_network_managers(system, contract_b):
    assert who(system, contract_b, permissions.can_try_what_if) == {
        "admin",
        "commissioner",
        "network_manager_a",
        "commissioner_b",
        "nm_b",
    }
