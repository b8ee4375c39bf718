"""The notices API: either party raises a Contract Performance Notice against
the other and both take it through the contract-management process, one
dated, reasoned step at a time; nobody else sees or touches it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts import notices
from contracts.calendar import add_operational_days
from contracts.choices import NoticeStatus, Role
from contracts.models import NoticeEvent, PerformanceNotice, Withholding
from outcomes.models import ContractMetric
from tests.factories import ContractFactory, MembershipFactory, UserFactory, add_contract_years

D = dt.date
NOTICES = "/api/v1/notices/"
# Year 2 of CON-A (April 2025 to March 2026): £102,880.6575 a month, so 2% is
# £2,057.61315 and 1.5% is £1,543.2098625, to the penny £2,057.61 and £1,543.21.
YEAR_2_VALUE = Decimal("1234567.89")


@pytest.fixture
def con_a(system, metric):
    """CON-A (network A, April 2024 to March 2029) with its five years."""
    values = [Decimal("1200000.00")] * 5
    values[1] = YEAR_2_VALUE
    add_contract_years(system.contract_a, values, Decimal("1000000.00"))
    ContractMetric.objects.create(
        contract=system.contract_a,
        metric=metric,
        effective_from=D(2024, 4, 1),
        minimum_threshold=30,
        target=22,
        baseline=31,
    )
    return system.contract_a


def raise_by(api_client, user, on_contract, **overrides):
    api_client.force_authenticate(user)
    payload = {
        "contract": on_contract.pk,
        "title": "Emergency admissions above threshold",
        "concern": "Three months above the minimum threshold.",
        "raised_on": "2025-06-02",
        "metrics": ["EMADM"],
        **overrides,
    }
    return api_client.post(NOTICES, payload, format="json")


@pytest.fixture
def notice(system, con_a, metric):
    """A commissioner's notice on CON-A, raised on Monday 2 June 2025."""
    return notices.raise_notice(
        user=system.commissioner,
        contract=con_a,
        title="Emergency admissions above threshold",
        concern="Three months above the minimum threshold.",
        raised_on=D(2025, 6, 2),
        metrics=[metric],
    )


def step(api_client, user, notice, name, **data):
    api_client.force_authenticate(user)
    return api_client.post(f"{NOTICES}{notice.pk}/{name}/", data, format="json")


# --- Raising ---


def test_commissioner_raises_a_notice_against_the_network(system, api_client, con_a):
    response = raise_by(api_client, system.commissioner, con_a)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["raised_by_organisation"], body["against_organisation"]) == ("QCOM", "NETA")
    assert body["raised_by"] == "commissioner"
    assert body["contract_reference"] == "CON-A"
    assert body["metrics"] == ["EMADM"]
    assert body["status"] == "raised"
    # Ten operational days after Monday 2 June 2025.
    assert body["meeting_due"] == "2025-06-16"
    assert body["deadlines"]["meeting"] == {"due_on": "2025-06-16", "state": "overdue"}
    assert body["deadlines"]["plan"] == {"due_on": None, "state": None}
    assert body["events"] == [
        {
            "step": "raised",
            "on": "2025-06-02",
            "author": "commissioner",
            "reason": "Three months above the minimum threshold.",
            "status_after": "raised",
        }
    ]
    assert body["milestones"] == body["withholdings"] == []


def test_the_network_raises_a_notice_against_the_commissioner(system, api_client, con_a):
    response = raise_by(
        api_client,
        system.network_manager_a,
        con_a,
        metrics=[],
        obligations="SC28: information requirements not shared on time.",
        raised_on=str(timezone.localdate()),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["raised_by_organisation"], body["against_organisation"]) == ("NETA", "QCOM")
    assert body["obligations"].startswith("SC28")
    assert body["deadlines"]["meeting"]["state"] == "due"  # raised today


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"metrics": [], "obligations": ""}, "metrics"),  # the service needs one or the other
        ({"metrics": ["NOPE"]}, "metrics"),
        ({"title": ""}, "title"),
        ({"raised_on": "soon"}, "raised_on"),
        ({"contract": 999999}, "contract"),
    ],
)
def test_raising_errors_name_the_field(system, api_client, con_a, overrides, field):
    response = raise_by(api_client, system.commissioner, con_a, **overrides)
    assert response.status_code == 400
    assert field in response.json()
    assert not PerformanceNotice.objects.exists()


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("provider_a", 403),  # sees the network's contract but is not a party to it
        ("provider_b", 400),  # cannot see CON-A: "contract does not exist"
        ("lay_partner", 403),
        ("outsider", 403),
    ],
)
def test_only_the_parties_raise_notices(system, api_client, con_a, person, status):
    response = raise_by(api_client, getattr(system, person), con_a)
    assert response.status_code == status
    assert not PerformanceNotice.objects.exists()


def test_anonymous_visitors_get_nothing(system, api_client, notice):
    assert api_client.get(NOTICES).status_code in (401, 403)
    assert api_client.get(f"{NOTICES}{notice.pk}/").status_code in (401, 403)
    assert api_client.post(NOTICES, {}, format="json").status_code in (401, 403)
    response = api_client.post(f"{NOTICES}{notice.pk}/withdraw/", {"reason": "x"}, format="json")
    assert response.status_code in (401, 403)
    assert PerformanceNotice.objects.get().status == NoticeStatus.RAISED


# --- The whole process, through the API ---


def test_every_step_to_remedied_with_withholding(system, api_client, notice):
    commissioner, network = system.commissioner, system.network_manager_a

    response = step(
        api_client,
        commissioner,
        notice,
        "record-meeting",
        held_on="2025-06-12",
        outcome="joint_investigation",
        reason="Causes unclear: investigate jointly",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "investigating"
    assert response.json()["deadlines"]["meeting"]["state"] is None  # held

    response = step(
        api_client,
        network,
        notice,
        "conclude-investigation",
        on="2025-06-20",
        plan_needed=True,
        reason="Care-home falls drive admissions",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "plan_due"
    assert body["plan_due"] == str(add_operational_days(D(2025, 6, 20), 5))
    assert body["deadlines"]["plan"] == {"due_on": body["plan_due"], "state": "overdue"}

    milestones = [
        {
            "description": "Falls service in every care home",
            "owner": "Nadia Network",
            "owner_organisation": "NETA",
            "due_on": "2025-07-31",
        },
        {
            "description": "Monthly admissions review",
            "owner": "Colin Commissioner",
            "owner_organisation": "QCOM",
            "due_on": "2025-07-15",
        },
    ]
    response = step(
        api_client,
        network,
        notice,
        "agree-plan",
        agreed_on="2025-06-26",
        milestones=milestones,
        reason="Plan agreed",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "plan_agreed"
    assert body["deadlines"]["plan"]["state"] is None
    review, falls = body["milestones"]  # ordered by due date
    assert (review["owner_organisation"], falls["owner_organisation"]) == ("QCOM", "NETA")

    response = step(
        api_client,
        commissioner,
        notice,
        "complete-milestone",
        milestone=review["id"],
        completed_on="2025-07-14",
        reason="Review running",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["milestones"][0]["completed_on"] == "2025-07-14"

    response = step(
        api_client, commissioner, notice, "raise-exception", on="2025-08-05", reason="Falls missed"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "exception"

    response = step(
        api_client,
        commissioner,
        notice,
        "withhold",
        on="2025-08-05",
        month="2025-08-01",
        percent="2",
        reason="Falls milestone missed",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["withholdings"] == [
        {
            "id": Withholding.objects.get().pk,
            "month": "2025-08-01",
            "percent": "2.00",
            "amount": "2057.61",
            "status": "withheld",
            "settled_on": None,
        }
    ]

    # Above the contract's 2% cap: refused, naming the field, nothing saved.
    events_before = NoticeEvent.objects.count()
    response = step(
        api_client,
        commissioner,
        notice,
        "withhold",
        on="2025-09-05",
        month="2025-09-15",
        percent="2.01",
        reason="Still missed",
    )
    assert response.status_code == 400
    assert "percent" in response.json()
    assert (Withholding.objects.count(), NoticeEvent.objects.count()) == (1, events_before)

    response = step(
        api_client,
        commissioner,
        notice,
        "withhold",
        on="2025-09-05",
        month="2025-09-15",
        percent="1.5",
        reason="Still missed",
    )
    assert response.status_code == 200, response.json()
    assert [w["amount"] for w in response.json()["withholdings"]] == ["2057.61", "1543.21"]

    # Three months on, August's sum is retained for good; September's is not yet due.
    response = step(api_client, commissioner, notice, "retain", today="2025-11-03")
    assert response.status_code == 200, response.json()
    assert [w["status"] for w in response.json()["withholdings"]] == ["retained", "withheld"]

    response = step(
        api_client, commissioner, notice, "escalate", on="2025-11-10", reason="No progress"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["escalated"] is True

    response = step(
        api_client, commissioner, notice, "remedied", on="2025-12-01", reason="Falls service live"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["is_open"], body["closed_on"]) == ("remedied", False, "2025-12-01")
    assert [(w["status"], w["settled_on"]) for w in body["withholdings"]] == [
        ("retained", "2025-11-03"),
        ("repaid", "2025-12-01"),
    ]
    assert [(e["step"], e["author"], e["status_after"]) for e in body["events"]] == [
        ("raised", "commissioner", "raised"),
        ("meeting_held", "commissioner", "investigating"),
        ("investigation_concluded", "nm_a", "plan_due"),
        ("plan_agreed", "nm_a", "plan_agreed"),
        ("milestone_completed", "commissioner", "plan_agreed"),
        ("exception_raised", "commissioner", "exception"),
        ("withheld", "commissioner", "exception"),
        ("withheld", "commissioner", "exception"),
        ("retained", "commissioner", "exception"),
        ("escalated", "commissioner", "exception"),
        ("remedied", "commissioner", "remedied"),
    ]
    assert body["events"][6]["reason"] == "£2057.61 for August 2025: Falls milestone missed"


def test_the_raising_party_withdraws(system, api_client, notice):
    response = step(
        api_client, system.commissioner, notice, "withdraw", on="2025-06-03", reason="Data error"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["closed_on"]) == ("withdrawn", "2025-06-03")


# --- Refusals: order, reasons, inputs, parties ---


def test_a_step_out_of_order_is_refused(system, api_client, notice):
    response = step(
        api_client, system.commissioner, notice, "raise-exception", on="2025-06-10", reason="x"
    )
    assert response.status_code == 400
    assert "step" in response.json()
    response = step(api_client, system.commissioner, notice, "remedied", reason="Too soon")
    assert response.status_code == 400
    assert "step" in response.json()
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.RAISED
    assert notice.events.count() == 1


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("record-meeting", {"outcome": "remedial_plan"}),
        ("escalate", {}),
        ("withdraw", {"reason": "   "}),
        ("remedied", {"reason": ""}),
    ],
)
def test_every_step_needs_a_reason(system, api_client, notice, name, data):
    response = step(api_client, system.commissioner, notice, name, **data)
    assert response.status_code == 400
    assert "reason" in response.json()
    assert notice.events.count() == 1


def test_milestone_and_withholding_steps_need_a_reason_too(system, api_client, notice):
    # Their services prefix the reason with the milestone or the sum, so the
    # API insists on one itself.
    notices.record_meeting(
        user=system.commissioner,
        notice=notice,
        held_on=D(2025, 6, 12),
        outcome="remedial_plan",
        reason="Plan needed",
    )
    response = step(
        api_client,
        system.network_manager_a,
        notice,
        "agree-plan",
        milestones=[
            {
                "description": "Falls service",
                "owner": "Nadia",
                "owner_organisation": "NETA",
                "due_on": "2025-07-31",
            }
        ],
    )
    assert response.status_code == 400
    assert "reason" in response.json()
    response = step(
        api_client, system.commissioner, notice, "withhold", month="2025-08-01", percent="1"
    )
    assert "reason" in response.json()


def test_plan_errors_name_the_milestone_field(system, api_client, notice):
    notices.record_meeting(
        user=system.commissioner,
        notice=notice,
        held_on=D(2025, 6, 12),
        outcome="remedial_plan",
        reason="Plan needed",
    )
    milestone = {
        "description": "Falls service",
        "owner": "Nadia",
        "owner_organisation": "NETB",  # not a party to CON-A
        "due_on": "2025-07-31",
    }
    response = step(
        api_client,
        system.network_manager_a,
        notice,
        "agree-plan",
        agreed_on="2025-06-18",
        milestones=[milestone],
        reason="Plan",
    )
    assert response.status_code == 400
    assert "milestones[1].owner_organisation" in response.json()
    response = step(
        api_client,
        system.network_manager_a,
        notice,
        "agree-plan",
        milestones=[{**milestone, "owner_organisation": "NOPE"}],
        reason="Plan",
    )
    assert response.status_code == 400
    assert response.json()["milestones[1].owner_organisation"] == [
        "Object with code=NOPE does not exist."
    ]
    response = step(
        api_client,
        system.network_manager_a,
        notice,
        "agree-plan",
        milestones=[milestone, {**milestone, "owner_organisation": "NETA", "due_on": "later"}],
        reason="Plan",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["milestones[2].due_on"]
    response = step(
        api_client, system.network_manager_a, notice, "agree-plan", milestones=[], reason="Plan"
    )
    assert "milestones" in response.json()
    notice.refresh_from_db()
    assert (notice.status, notice.milestones.count()) == (NoticeStatus.PLAN_DUE, 0)


def test_a_milestone_must_belong_to_the_notice(system, api_client, notice, con_a, metric):
    other = notices.raise_notice(
        user=system.commissioner,
        contract=con_a,
        title="Another",
        concern="Another concern",
        raised_on=D(2025, 6, 2),
        metrics=[metric],
    )
    for each in (notice, other):
        notices.record_meeting(
            user=system.commissioner,
            notice=each,
            held_on=D(2025, 6, 12),
            outcome="remedial_plan",
            reason="Plan needed",
        )
        notices.agree_plan(
            user=system.commissioner,
            notice=each,
            agreed_on=D(2025, 6, 18),
            milestones=[
                {
                    "description": "Falls service",
                    "owner": "Nadia",
                    "owner_organisation": system.network_a,
                    "due_on": D(2025, 7, 31),
                }
            ],
            reason="Plan",
        )
    response = step(
        api_client,
        system.commissioner,
        notice,
        "complete-milestone",
        milestone=other.milestones.get().pk,
        reason="Done",
    )
    assert response.status_code == 400
    assert "milestone" in response.json()
    assert other.milestones.get().completed_on is None


def test_withholding_needs_the_commissioner_on_its_own_notice(system, api_client, con_a):
    body = raise_by(api_client, system.network_manager_a, con_a, raised_on="2025-06-02").json()
    notice = PerformanceNotice.objects.get(pk=body["id"])
    response = step(
        api_client,
        system.commissioner,
        notice,
        "withhold",
        month="2025-08-01",
        percent="1",
        reason="Not on their notice",
    )
    assert response.status_code == 403
    response = step(api_client, system.network_manager_a, notice, "retain", today="2025-12-01")
    assert response.status_code == 403
    assert not Withholding.objects.exists()


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("provider_a", 403),  # sees CON-A through network A, but is not a party
        ("provider_b", 404),  # network B: cannot see the notice at all
        ("lay_partner", 403),  # no writing role
        ("outsider", 403),
    ],
)
def test_a_non_party_cannot_take_a_step(system, api_client, notice, person, status):
    for name, data in [
        ("record-meeting", {"outcome": "withdrawn", "reason": "x"}),
        ("withdraw", {"reason": "x"}),
        ("escalate", {"reason": "x"}),
    ]:
        response = step(api_client, getattr(system, person), notice, name, **data)
        assert response.status_code == status, (person, name)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.RAISED
    assert notice.events.count() == 1


def test_only_the_raising_party_withdraws(system, api_client, notice):
    response = step(api_client, system.network_manager_a, notice, "withdraw", reason="No")
    assert response.status_code == 403
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.RAISED


# --- Reading ---


NOTICES_VISIBLE = {
    "admin": True,
    "commissioner": True,
    "network_manager_a": True,
    "provider_a": True,
    "provider_b": False,
    "lay_partner": False,
    "outsider": False,
}


@pytest.mark.parametrize("person", NOTICES_VISIBLE)
def test_notices_are_scoped(system, api_client, notice, person):
    api_client.force_authenticate(getattr(system, person))
    listed = [row["id"] for row in api_client.get(NOTICES).json()["results"]]
    detail = api_client.get(f"{NOTICES}{notice.pk}/")
    if NOTICES_VISIBLE[person]:
        assert listed == [notice.pk]
        assert detail.status_code == 200
    else:
        assert listed == []
        assert detail.status_code == 404
        assert notice.title not in detail.content.decode()


def test_network_b_cannot_see_network_a_notices(system, api_client, notice):
    contract_b_notice = notices.raise_notice(
        user=system.admin,  # acts for CON-B's commissioner
        contract=system.contract_b,
        title="Network B notice",
        concern="Concern",
        raised_on=D(2025, 6, 2),
        obligations="SC28",
    )
    api_client.force_authenticate(system.provider_b)
    assert [r["id"] for r in api_client.get(NOTICES).json()["results"]] == [contract_b_notice.pk]
    assert api_client.get(f"{NOTICES}{notice.pk}/").status_code == 404
    assert api_client.get(NOTICES, {"contract": system.contract_a.pk}).json()["results"] == []


def test_notice_filters(system, api_client, notice, con_a):
    theirs = notices.raise_notice(
        user=system.network_manager_a,
        contract=con_a,
        title="Commissioner late with data",
        concern="Activity data shared late",
        raised_on=D(2025, 7, 1),
        obligations="SC28",
    )
    closed = notices.raise_notice(
        user=system.commissioner,
        contract=con_a,
        title="Withdrawn one",
        concern="Mistake",
        raised_on=D(2025, 5, 1),
        obligations="SC1",
    )
    notices.withdraw(user=system.commissioner, notice=closed, on=D(2025, 5, 2), reason="Mistake")
    other = ContractFactory(commissioner=system.commissioner_org, provider=system.network_b)
    elsewhere = notices.raise_notice(
        user=system.commissioner,
        contract=other,
        title="Elsewhere",
        concern="Concern",
        raised_on=D(2025, 8, 1),
        obligations="SC2",
    )
    api_client.force_authenticate(system.commissioner)

    def ids(**params):
        response = api_client.get(NOTICES, params)
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {notice.pk, theirs.pk, closed.pk, elsewhere.pk}
    assert ids(contract=con_a.pk) == {notice.pk, theirs.pk, closed.pk}
    assert ids(status="withdrawn") == {closed.pk}
    assert ids(open="true") == {notice.pk, theirs.pk, elsewhere.pk}
    assert ids(open="false") == {closed.pk}
    assert ids(raised_by_organisation="NETA") == {theirs.pk}
    assert ids(raised_by_organisation="QCOM", contract=con_a.pk) == {notice.pk, closed.pk}
    assert api_client.get(NOTICES, {"status": "lost"}).status_code == 400


def test_notice_list_costs_a_fixed_number_of_queries(
    system, api_client, notice, con_a, metric, django_assert_max_num_queries
):
    api_client.force_authenticate(system.network_manager_a)
    with django_assert_max_num_queries(3):  # count, page with contract and parties, metrics
        assert api_client.get(NOTICES).json()["count"] == 1
    for n in range(12):
        user = system.commissioner if n % 2 else system.network_manager_a
        notices.raise_notice(
            user=user,
            contract=con_a,
            title=f"Notice {n}",
            concern="Concern",
            raised_on=D(2025, 6, 2) + dt.timedelta(days=n),
            metrics=[metric],
        )
    with django_assert_max_num_queries(3):
        assert api_client.get(NOTICES).json()["count"] == 13


def test_notice_detail_costs_a_fixed_number_of_queries(
    system, api_client, notice, django_assert_max_num_queries
):
    api_client.force_authenticate(system.commissioner)
    # notice with contract and parties, metrics, events with authors,
    # milestones with owners, withholdings
    with django_assert_max_num_queries(5):
        assert api_client.get(f"{NOTICES}{notice.pk}/").status_code == 200


def test_a_second_commissioner_of_another_contract_sees_nothing(system, api_client, notice):
    other = UserFactory(username="other_commissioner")
    MembershipFactory(
        user=other, organisation=system.other_commissioner_org, role=Role.COMMISSIONER
    )
    api_client.force_authenticate(other)
    assert api_client.get(NOTICES).json()["results"] == []
    response = step(api_client, other, notice, "withdraw", reason="Not mine")
    assert response.status_code == 404
