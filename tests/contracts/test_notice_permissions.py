"""contracts.permissions for notices: whom each person acts for on which
contract, and the one table of who takes each step (NOTICE_STEP_TAKERS),
read by the services and by the notice page alike."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from contracts import notices
from contracts.choices import NoticeStatus, NoticeStep, Role
from contracts.models import NoticeEvent
from contracts.permissions import (
    NOTICE_STEP_TAKERS,
    acting_party,
    party_may_take,
    require_notice_step,
)
from contracts.views.notices import STEPS
from outcomes.models import ContractMetric
from tests.contract_fixtures import YEAR_VALUE
from tests.factories import SYSTEM_PEOPLE as PEOPLE
from tests.factories import MembershipFactory, UserFactory, add_contract_years

RAISED_ON = dt.date(2026, 3, 2)


def raise_on(contract, user, metric):
    return notices.raise_notice(
        user=user,
        contract=contract,
        title="Emergency admissions above threshold",
        concern="Three months above the minimum threshold.",
        raised_on=RAISED_ON,
        metrics=[metric],
    )


@pytest.fixture
def notice_b(system, metric):
    """A notice QOTH's commissioner raised on CON-B."""
    commissioner_b = UserFactory(username="commissioner_b")
    MembershipFactory(
        user=commissioner_b, organisation=system.other_commissioner_org, role=Role.COMMISSIONER
    )
    add_contract_years(system.contract_b, [YEAR_VALUE] * 5)
    ContractMetric.objects.create(
        contract=system.contract_b,
        metric=metric,
        effective_from=dt.date(2024, 4, 1),
        minimum_threshold=30,
        target=22,
        baseline=31,
    )
    return raise_on(system.contract_b, commissioner_b, metric)


def test_whom_each_person_acts_for_on_each_contract(system):
    parties = {
        name: (
            acting_party(getattr(system, name), system.contract_a),
            acting_party(getattr(system, name), system.contract_b),
        )
        for name in PEOPLE
    }
    assert parties == {
        "admin": (system.commissioner_org, system.other_commissioner_org),
        "commissioner": (system.commissioner_org, None),
        "network_manager_a": (system.network_a, None),
        # A member provider is no party to its network's contract.
        "provider_a": (None, None),
        "provider_b": (None, None),
        "lay_partner": (None, None),
        "outsider": (None, None),
    }


def test_who_takes_each_step_of_a_notice_the_commissioner_raised(system, notice_in):
    notice = notice_in(NoticeStatus.RAISED)
    commissioner, network = system.commissioner_org, system.network_a
    takers = {
        step: {
            side
            for side, party in (("commissioner", commissioner), ("network", network))
            if party_may_take(party, notice, step)
        }
        for step in NoticeStep
    }
    both = {"commissioner", "network"}
    assert takers == {
        NoticeStep.RAISED: both,
        NoticeStep.MEETING_HELD: both,
        NoticeStep.INVESTIGATION_CONCLUDED: both,
        NoticeStep.PLAN_AGREED: both,
        NoticeStep.MILESTONE_COMPLETED: both,
        NoticeStep.EXCEPTION_RAISED: both,
        NoticeStep.WITHHELD: {"commissioner"},
        NoticeStep.RETAINED: {"commissioner"},
        NoticeStep.ESCALATED: {"commissioner"},
        NoticeStep.REMEDIED: {"commissioner"},
        NoticeStep.WITHDRAWN: {"commissioner"},
    }
    assert not any(party_may_take(None, notice, step) for step in NoticeStep)


def test_who_takes_each_step_of_a_notice_the_network_raised(system, contract, metric):
    notice = raise_on(contract, system.network_manager_a, metric)
    commissioner, network = system.commissioner_org, system.network_a
    raiser_only = {NoticeStep.ESCALATED, NoticeStep.REMEDIED, NoticeStep.WITHDRAWN}
    for step in raiser_only:
        assert party_may_take(network, notice, step)
        assert not party_may_take(commissioner, notice, step)
    # The commissioner withholds only on a notice it raised; it alone retains.
    assert not party_may_take(commissioner, notice, NoticeStep.WITHHELD)
    assert not party_may_take(network, notice, NoticeStep.WITHHELD)
    assert party_may_take(commissioner, notice, NoticeStep.RETAINED)
    assert not party_may_take(network, notice, NoticeStep.RETAINED)
    with pytest.raises(PermissionDenied, match="Only the party that raised the notice can"):
        notices.withdraw(user=system.commissioner, notice=notice, on=RAISED_ON, reason="r")


def test_the_refusal_says_who_may_take_the_step(system, notice_in):
    notice = notice_in(NoticeStatus.RAISED)  # by the commissioner
    for step, (_, message) in NOTICE_STEP_TAKERS.items():
        with pytest.raises(PermissionDenied) as refused:
            require_notice_step(system.network_manager_a, notice, step)
        assert refused.value.args[0] == message
    assert require_notice_step(system.commissioner, notice, NoticeStep.WITHHELD) == (
        system.commissioner_org
    )
    assert require_notice_step(system.network_manager_a, notice, NoticeStep.MEETING_HELD) == (
        system.network_a
    )


def test_the_commissioner_of_a_takes_no_step_on_bs_notice(system, notice_b):
    for step in NoticeStep:
        with pytest.raises(PermissionDenied, match="Only the parties to this contract"):
            require_notice_step(system.commissioner, notice_b, step)
    with pytest.raises(PermissionDenied):
        notices.withdraw(user=system.commissioner, notice=notice_b, on=RAISED_ON, reason="r")
    notice_b.refresh_from_db()
    assert notice_b.status == NoticeStatus.RAISED
    assert NoticeEvent.objects.filter(notice=notice_b).count() == 1  # raised only


def test_the_page_offers_the_steps_the_table_allows(system, client, notice_in):
    """The notice page asks the same table: the network is not offered
    withdrawing the commissioner's notice, the commissioner is."""
    notice = notice_in(NoticeStatus.RAISED)
    assert {"meeting", "withdraw"} <= set(STEPS)
    for person, offered in (
        (system.commissioner, {"meeting", "withdraw"}),
        (system.network_manager_a, {"meeting"}),
    ):
        client.force_login(person)
        context = client.get(f"/notices/{notice.pk}/").context
        assert {form["action"] for form in context["step_forms"]} == offered
