"""A draft settlement is recomputed when late data is accepted: once a rescore
commits months of a contract year with a draft, the draft is recomputed by
a Celery task enqueued on commit; signed-off settlements are never touched.

Year 1 of CON-A scores 65 every month (incentives_fixtures). Late data for
February 2025 at 29.6 per 1,000 scores that month 5, so the year's mean is
(11 x 65 + 5) / 12 = 60 (still band 60-75: £300,000 of the £600,000), and
the pooled EMADM value (11 x 248 + 296) / 120,000 x 1,000 = 25.2 earns
(30 - 25.2) / 10 = 48% of £150,000 = £72,000: a net transfer of £372,000."""

import datetime as dt
from decimal import Decimal

import pytest

from incentives import services
from incentives.choices import SettlementStatus
from incentives.tasks import recompute_draft, recompute_drafts_after_rescore
from outcomes.choices import Channel, RunTrigger, SubmissionStatus
from outcomes.services.submissions import receive
from outcomes.tasks import enqueue_processing, rescore_contract
from tests.incentives_fixtures import (  # noqa: F401 (fixture)
    HEADER,
    submit_rates,
    year_one_fixture,
)

D = Decimal
FEBRUARY = dt.date(2025, 2, 1)


def late_data(system, django_capture_on_commit_callbacks):
    """February 2025 revised to 29.6 per 1,000 for both members, through the
    submission pipeline: processed, rescored, and whatever that enqueues."""
    lines = "".join(f"EMADM,{org.code},{FEBRUARY},296,10000,\n" for org in (system.pa1, system.pa2))
    with django_capture_on_commit_callbacks(execute=True):
        submission = receive(
            user=system.network_manager_a,
            channel=Channel.API,
            name="late.csv",
            content=(HEADER + lines).encode(),
        )
        enqueue_processing(submission)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.STORED, submission.errors


def amounts(settlement):
    return {line.key: line.amount for line in settlement.lines.all()}


def test_late_data_recomputes_the_draft(system, year_one, django_capture_on_commit_callbacks):
    draft = services.compute_settlement(contract_year=year_one, user=system.commissioner)
    assert draft.score == D("65.00") and draft.net_transfer == D("378000.00")
    late_data(system, django_capture_on_commit_callbacks)
    draft.refresh_from_db()
    assert draft.status == SettlementStatus.DRAFT
    assert draft.score == D("60.00")
    february = next(m for m in draft.inputs["monthly_scores"] if m["month"] == str(FEBRUARY))
    assert float(february["score"]) == pytest.approx(5)
    assert draft.inputs["performance"] == {"EMADM": "25.2000"}
    lines = amounts(draft)
    assert lines["gain_share_network"] == D("300000.00")
    assert lines["quality_EMADM"] == D("72000.00")
    assert draft.net_transfer == lines["net_transfer"] == D("372000.00")
    assert draft.computed_by is None  # an automatic run, like the scheduled one
    assert draft.history.count() == 2
    # The recomputed draft matches the current inputs, so it can be signed off.
    services.sign_off(user=system.commissioner, settlement=draft)


def test_a_signed_off_settlement_is_never_touched(
    system, year_one, django_capture_on_commit_callbacks
):
    settlement = services.compute_settlement(contract_year=year_one)
    services.sign_off(user=system.commissioner, settlement=settlement)
    before = amounts(settlement)
    late_data(system, django_capture_on_commit_callbacks)
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.SIGNED_OFF
    assert settlement.score == D("65.00") and amounts(settlement) == before
    assert settlement.history.count() == 2  # computed, signed off: nothing since
    assert recompute_drafts_after_rescore(settlement.contract_id, [FEBRUARY]) == []
    assert recompute_draft(settlement.pk) == "signed off"


def test_only_drafts_of_years_holding_the_months_are_recomputed(
    system, contract, year_one, django_capture_on_commit_callbacks
):
    draft = services.compute_settlement(contract_year=year_one)
    with django_capture_on_commit_callbacks() as callbacks:
        assert recompute_drafts_after_rescore(contract.pk, [dt.date(2025, 4, 1)]) == []
        assert recompute_drafts_after_rescore(system.contract_b.pk, [FEBRUARY]) == []
        assert recompute_drafts_after_rescore(contract.pk, []) == []
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks:
        assert recompute_drafts_after_rescore(contract.pk, [dt.date(2024, 4, 1), FEBRUARY]) == [
            draft.pk
        ]
    assert len(callbacks) == 1  # enqueued once the rescore's transaction commits


def test_a_draft_signed_off_before_the_task_runs_is_left_alone(system, year_one):
    settlement = services.compute_settlement(contract_year=year_one)
    assert recompute_draft(settlement.pk) == "unchanged"
    services.sign_off(user=system.commissioner, settlement=settlement)
    assert recompute_draft(settlement.pk) == "signed off"
    assert recompute_draft(settlement.pk + 1000) == "gone"


def test_the_nightly_rescore_recomputes_drafts_too(
    system, contract, year_one, django_capture_on_commit_callbacks
):
    draft = services.compute_settlement(contract_year=year_one)
    submit_rates(system.network_manager_a, [system.pa1, system.pa2], "29.6", months=[FEBRUARY])
    with django_capture_on_commit_callbacks(execute=True):
        assert rescore_contract(contract.pk, RunTrigger.NIGHTLY)["written"] >= 1
    draft.refresh_from_db()
    assert draft.score == D("60.00") and draft.net_transfer == D("372000.00")


def test_a_recalculation_asked_for_recomputes_drafts_too(
    system, contract, year_one, django_capture_on_commit_callbacks
):
    from outcomes.services import rescore_requests

    draft = services.compute_settlement(contract_year=year_one)
    submit_rates(system.network_manager_a, [system.pa1, system.pa2], "29.6", months=[FEBRUARY])
    with django_capture_on_commit_callbacks(execute=True):
        rescore_requests.request_rescore(system.commissioner, contract)
    draft.refresh_from_db()
    assert draft.score == D("60.00") and draft.net_transfer == D("372000.00")
