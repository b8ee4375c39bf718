"""The contract-management state machine: every allowed and forbidden step,
deadlines, withholding and repayment, and who may do what."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contracts import notices
from contracts.choices import MeetingOutcome, NoticeStatus, NoticeStep, WithholdingStatus
from contracts.models import NoticeEvent, PerformanceNotice
from tests.contract_fixtures import RAISED_ON

D = dt.date


def do_step(step, system, notice):
    """Attempt `step` on `notice` as the commissioner with plausible inputs."""
    user = system.commissioner
    on = D(2026, 5, 6)
    match step:
        case NoticeStep.MEETING_HELD:
            return notices.record_meeting(
                user=user,
                notice=notice,
                held_on=on,
                outcome=MeetingOutcome.REMEDIAL_PLAN,
                reason="r",
            )
        case NoticeStep.INVESTIGATION_CONCLUDED:
            return notices.conclude_investigation(
                user=user, notice=notice, on=on, plan_needed=True, reason="r"
            )
        case NoticeStep.PLAN_AGREED:
            return notices.agree_plan(
                user=user,
                notice=notice,
                agreed_on=on,
                reason="r",
                milestones=[
                    {
                        "description": "m",
                        "owner": "o",
                        "owner_organisation": system.network_a,
                        "due_on": D(2026, 6, 1),
                    }
                ],
            )
        case NoticeStep.MILESTONE_COMPLETED:
            milestone = notice.milestones.first()
            if milestone is None:  # no plan yet: the step is out of order all the same
                raise ValidationError({"step": "no milestone"})
            return notices.complete_milestone(
                user=user, milestone=milestone, completed_on=on, reason="r"
            )
        case NoticeStep.EXCEPTION_RAISED:
            return notices.raise_exception(user=user, notice=notice, on=on, reason="r")
        case NoticeStep.WITHHELD:
            return notices.withhold(
                user=user,
                notice=notice,
                on=on,
                month=D(2026, 5, 1),
                percent=Decimal("2"),
                reason="r",
            )
        case NoticeStep.RETAINED:
            return notices.retain_overdue_withholdings(user=user, notice=notice, today=on)
        case NoticeStep.ESCALATED:
            return notices.escalate(user=user, notice=notice, on=on, reason="r")
        case NoticeStep.REMEDIED:
            return notices.mark_remedied(user=user, notice=notice, on=on, reason="r")
        case NoticeStep.WITHDRAWN:
            return notices.withdraw(user=user, notice=notice, on=on, reason="r")
    raise AssertionError(step)


STEPS = [s for s in NoticeStep if s != NoticeStep.RAISED]
CASES = [(status, step) for status in NoticeStatus for step in STEPS]


@pytest.mark.parametrize("status,step", CASES)
def test_every_step_from_every_status(system, notice_in, status, step):
    notice = notice_in(status)
    events_before = NoticeEvent.objects.filter(notice=notice).count()
    allowed = step in notices.ALLOWED_STEPS[status]
    if allowed:
        do_step(step, system, notice)
        notice.refresh_from_db()
        if step != NoticeStep.RETAINED:  # nothing to retain yet: a no-op, no event
            assert NoticeEvent.objects.filter(notice=notice).count() == events_before + 1
    else:
        with pytest.raises(ValidationError):
            do_step(step, system, notice)
        notice.refresh_from_db()
        assert notice.status == status
        assert NoticeEvent.objects.filter(notice=notice).count() == events_before


def test_meeting_and_plan_deadlines_count_operational_days(system, notice_in):
    notice = notice_in(NoticeStatus.RAISED)
    assert notice.meeting_due == D(2026, 3, 16)  # 10 operational days after Mon 2 March
    notice = notices.record_meeting(
        user=system.commissioner,
        notice=notice,
        held_on=D(2026, 3, 31),
        outcome=MeetingOutcome.REMEDIAL_PLAN,
        reason="Agreed a plan is needed",
    )
    # 5 operational days after Tue 31 March, skipping Good Friday and Easter Monday.
    assert notice.plan_due == D(2026, 4, 9)
    assert notice.status == NoticeStatus.PLAN_DUE


def test_deadlines_follow_the_contracts_own_terms(system, contract, metric):
    contract.meeting_due_days = 15
    contract.save()
    notice = notices.raise_notice(
        user=system.commissioner,
        contract=contract,
        title="t",
        concern="c",
        raised_on=RAISED_ON,
        metrics=[metric],
    )
    assert notice.meeting_due == D(2026, 3, 23)


def test_withholding_amount_repayment_and_retention(system, notice_in, contract):
    notice = notice_in(NoticeStatus.EXCEPTION)
    # Contract year 3 (April 2026 on) is worth £12,002,400: a month is £1,000,200.
    first = notices.withhold(
        user=system.commissioner,
        notice=notice,
        on=D(2026, 5, 6),
        month=D(2026, 5, 1),
        percent=Decimal("2"),
        reason="Unremedied",
    )
    assert first.amount == Decimal("20004.00")
    second = notices.withhold(
        user=system.commissioner,
        notice=notice,
        on=D(2026, 6, 2),
        month=D(2026, 6, 1),
        percent=Decimal("1.5"),
        reason="Unremedied",
    )
    assert second.amount == Decimal("15003.00")
    # Three months after May, May's sum is retained; June's is not yet.
    assert (
        notices.retain_overdue_withholdings(user=system.admin, notice=notice, today=D(2026, 8, 1))
        == 1
    )
    assert (
        notices.retain_overdue_withholdings(user=system.admin, notice=notice, today=D(2026, 8, 1))
        == 0
    )
    notices.mark_remedied(user=system.commissioner, notice=notice, on=D(2026, 8, 20), reason="Done")
    statuses = dict(notice.withholdings.values_list("month", "status"))
    assert statuses == {
        D(2026, 5, 1): WithholdingStatus.RETAINED,
        D(2026, 6, 1): WithholdingStatus.REPAID,
    }


def test_withholding_above_the_cap_is_refused(system, notice_in):
    notice = notice_in(NoticeStatus.EXCEPTION)
    with pytest.raises(ValidationError) as error:
        notices.withhold(
            user=system.commissioner,
            notice=notice,
            on=D(2026, 5, 6),
            month=D(2026, 5, 1),
            percent=Decimal("2.01"),
            reason="Too much",
        )
    assert "percent" in error.value.message_dict
    assert not notice.withholdings.exists()


def test_one_withholding_a_month(system, notice_in):
    notice = notice_in(NoticeStatus.EXCEPTION)
    kwargs = dict(
        user=system.commissioner,
        notice=notice,
        on=D(2026, 5, 6),
        month=D(2026, 5, 1),
        percent=Decimal("1"),
        reason="r",
    )
    notices.withhold(**kwargs)
    with pytest.raises(ValidationError):
        notices.withhold(**{**kwargs, "month": D(2026, 5, 20)})


def test_exception_needs_a_missed_milestone(system, notice_in):
    notice = notice_in(NoticeStatus.PLAN_AGREED)
    with pytest.raises(ValidationError):
        notices.raise_exception(
            user=system.commissioner, notice=notice, on=D(2026, 4, 1), reason="r"
        )
    milestone = notice.milestones.get()
    notices.complete_milestone(
        user=system.network_manager_a,
        milestone=milestone,
        completed_on=D(2026, 4, 20),
        reason="Done early",
    )
    with pytest.raises(ValidationError):
        notices.raise_exception(
            user=system.commissioner, notice=notice, on=D(2026, 5, 5), reason="r"
        )


def test_network_raises_a_notice_against_the_commissioner(system, contract, metric):
    notice = notices.raise_notice(
        user=system.network_manager_a,
        contract=contract,
        title="Decisions late",
        concern="Funding decisions taken after the agreed 20 days.",
        raised_on=RAISED_ON,
        obligations="Timely commissioning decisions (schedule 2)",
    )
    assert notice.raised_by_organisation == system.network_a
    assert notice.against_organisation == system.commissioner_org
    # A provider-side notice cannot lead to the provider withholding payment.
    notices.record_meeting(
        user=system.commissioner,
        notice=notice,
        held_on=D(2026, 3, 10),
        outcome=MeetingOutcome.REMEDIAL_PLAN,
        reason="r",
    )
    notices.agree_plan(
        user=system.commissioner,
        notice=notice,
        agreed_on=D(2026, 3, 12),
        reason="r",
        milestones=[
            {
                "description": "Decision panel weekly",
                "owner": "Carys",
                "owner_organisation": system.commissioner_org,
                "due_on": D(2026, 3, 31),
            }
        ],
    )
    notices.raise_exception(
        user=system.network_manager_a, notice=notice, on=D(2026, 4, 2), reason="r"
    )
    with pytest.raises(PermissionDenied):
        notices.withhold(
            user=system.network_manager_a,
            notice=notice,
            on=D(2026, 4, 2),
            month=D(2026, 4, 1),
            percent=Decimal(1),
            reason="r",
        )


@pytest.mark.parametrize("person", ["provider_b", "lay_partner", "outsider"])
def test_non_parties_cannot_raise_or_step(system, contract, metric, notice_in, person):
    user = getattr(system, person)
    with pytest.raises(PermissionDenied):
        notices.raise_notice(
            user=user,
            contract=contract,
            title="t",
            concern="c",
            raised_on=RAISED_ON,
            metrics=[metric],
        )
    notice = notice_in(NoticeStatus.RAISED)
    with pytest.raises(PermissionDenied):
        notices.withdraw(user=user, notice=notice, on=D(2026, 3, 3), reason="r")


def test_only_the_raiser_withdraws_or_declares_remedied(system, notice_in):
    notice = notice_in(NoticeStatus.RAISED)
    with pytest.raises(PermissionDenied):
        notices.withdraw(user=system.network_manager_a, notice=notice, on=D(2026, 3, 3), reason="r")


def test_a_notice_names_metrics_or_obligations(system, contract):
    with pytest.raises(ValidationError) as error:
        notices.raise_notice(
            user=system.commissioner, contract=contract, title="t", concern="c", raised_on=RAISED_ON
        )
    assert "metrics" in error.value.message_dict
    assert not PerformanceNotice.objects.exists()


def test_every_step_needs_a_reason_and_a_date_after_raising(system, notice_in):
    notice = notice_in(NoticeStatus.RAISED)
    with pytest.raises(ValidationError) as error:
        notices.withdraw(user=system.commissioner, notice=notice, on=D(2026, 3, 3), reason=" ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        notices.withdraw(user=system.commissioner, notice=notice, on=D(2026, 3, 1), reason="r")
    assert "on" in error.value.message_dict


def test_plan_milestones_are_validated_each_by_row(system, notice_in):
    notice = notice_in(NoticeStatus.PLAN_DUE)
    with pytest.raises(ValidationError) as error:
        notices.agree_plan(
            user=system.commissioner,
            notice=notice,
            agreed_on=D(2026, 3, 18),
            reason="r",
            milestones=[
                {
                    "description": "ok",
                    "owner": "o",
                    "owner_organisation": system.network_a,
                    "due_on": D(2026, 4, 1),
                },
                {
                    "description": "bad",
                    "owner": "o",
                    "owner_organisation": system.network_b,
                    "due_on": D(2026, 3, 1),
                },
            ],
        )
    assert set(error.value.message_dict) == {
        "milestones[2].owner_organisation",
        "milestones[2].due_on",
    }
    assert not notice.milestones.exists()


def test_timeline_records_every_step_with_author_and_reason(system, notice_in):
    notice = notice_in(NoticeStatus.REMEDIED)
    timeline = list(notice.events.values_list("step", "author__username"))
    assert [step for step, _ in timeline] == [
        NoticeStep.RAISED,
        NoticeStep.MEETING_HELD,
        NoticeStep.PLAN_AGREED,
        NoticeStep.EXCEPTION_RAISED,
        NoticeStep.REMEDIED,
    ]
    assert ("plan_agreed", "nm_a") in timeline
    assert notice.history.count() >= 5  # simple_history kept every saved state


def test_a_notice_names_only_the_contracts_metrics_and_is_not_future_dated(system, contract):
    from outcomes.models import Metric

    stranger = Metric.objects.create(
        code="OTHER",
        name="Other",
        description="d",
        dimension=contract.metric_versions.get().metric.dimension,
        metric_type="count",
        aggregation="sum",
        direction="higher",
        frequency="monthly",
        data_source="x",
    )
    with pytest.raises(ValidationError) as error:
        notices.raise_notice(
            user=system.commissioner,
            contract=contract,
            title="t",
            concern="c",
            raised_on=RAISED_ON,
            metrics=[stranger],
        )
    assert "metrics" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        notices.raise_notice(
            user=system.commissioner,
            contract=contract,
            title="t",
            concern="c",
            raised_on=D(2099, 1, 1),
            obligations="o",
        )
    assert "raised_on" in error.value.message_dict


def test_only_the_commissioner_retains_withheld_payments(system, notice_in):
    notice = notice_in(NoticeStatus.EXCEPTION)
    with pytest.raises(PermissionDenied):
        notices.retain_overdue_withholdings(
            user=system.network_manager_a, notice=notice, today=D(2026, 9, 1)
        )
