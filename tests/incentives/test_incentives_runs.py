"""Settlement runs: the support plan raised as a dialogue action, a run that
fails part-way leaves nothing half-written, the Celery task (eager and on a
real worker), the beat entry and `manage.py run_settlements YEAR`."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from config.beat import beat_schedule
from contracts.models import Membership
from dialogues.models import Action
from incentives import services
from incentives.models import Settlement, SettlementLine
from incentives.tasks import run_settlements
from tests.incentives_fixtures import (  # noqa: F401 (fixtures)
    rescore_year,
    submit_rates,
    year_one_fixture,
)


def score_low(system, contract):
    """29.6 per 1,000 every month: aggregate score 5."""
    submit_rates(system.network_manager_a, [system.pa1, system.pa2], "29.6")
    rescore_year(contract)


def test_a_low_score_raises_a_support_plan_in_the_networks_dialogues(system, contract, year_one):
    score_low(system, contract)
    settlement = services.compute_settlement(contract_year=year_one, user=system.commissioner)
    action = settlement.support_action
    assert action is not None
    assert action.provider == system.network_a
    assert action.owner == system.network_manager_a
    assert action.title == "Support plan: CON-A year 1"
    assert "a score of 5.00, below the support threshold of 50" in action.detail
    assert settlement.support_plan_note == ""
    # A recomputed draft does not raise it twice.
    submit_rates(system.network_manager_a, [system.pa1, system.pa2], "29.2")
    rescore_year(contract)
    again = services.compute_settlement(contract_year=year_one)
    assert again.score != settlement.score
    assert again.support_action_id == action.pk
    assert Action.objects.count() == 1


def test_without_a_network_manager_the_support_plan_is_recorded_on_the_settlement(
    system, contract, year_one
):
    score_low(system, contract)
    Membership.objects.filter(user=system.network_manager_a).delete()
    settlement = services.compute_settlement(contract_year=year_one)
    assert settlement.support_plan and settlement.support_plan_raised_at
    assert settlement.support_action is None
    assert "has no network manager to own the support plan" in settlement.support_plan_note
    assert not Action.objects.exists()


def test_a_good_score_raises_no_support_plan(system, year_one):
    settlement = services.compute_settlement(contract_year=year_one)
    assert settlement.support_action is None and not settlement.support_plan
    assert not Action.objects.exists()


def test_a_run_failing_part_way_leaves_nothing_half_written(system, year_one, monkeypatch):
    first = services.compute_settlement(contract_year=year_one)
    lines = list(first.lines.values_list("key", "amount"))
    submit_rates(system.network_manager_a, [system.pa1, system.pa2], "22.0")
    rescore_year(year_one.contract)

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(SettlementLine.objects, "bulk_create", crash)
    with pytest.raises(RuntimeError):
        services.compute_settlement(contract_year=year_one)
    kept = Settlement.objects.get()
    assert kept.inputs_digest == first.inputs_digest
    assert kept.net_transfer == first.net_transfer
    assert list(kept.lines.values_list("key", "amount")) == lines


def test_the_task_settles_ended_years_once(system, year_one):
    assert run_settlements.delay(2025).get() == {"computed": 1}
    assert run_settlements.delay(2025).get() == {"unchanged": 1}
    services.sign_off(user=system.commissioner, settlement=Settlement.objects.get())
    assert run_settlements.delay(2025).get() == {"signed off": 1}


def test_the_command_reports_each_contract_year(system, year_one):
    out = StringIO()
    call_command("run_settlements", "2025", stdout=out)
    assert "CON-A year 1: computed" in out.getvalue()
    assert "1 contract year(s) ending in 2025; 0 skipped." in out.getvalue()
    assert Settlement.objects.get().contract_year == year_one


def test_the_command_says_why_a_year_was_skipped(system, year_one):
    year_one.contract.actual_costs.filter(month=dt.date(2025, 3, 1)).delete()
    out = StringIO()
    call_command("run_settlements", "2025", stdout=out)
    assert "CON-A year 1: skipped: Year 1 has no actual cost for March 2025." in out.getvalue()
    assert "1 skipped" in out.getvalue()


def test_the_beat_entry_runs_monthly():
    entry = beat_schedule()["run-settlements"]
    assert entry["task"] == "incentives.run_settlements"
    assert entry["schedule"].day_of_month == {1}


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_settlements(celery_worker_process, system, year_one):
    result = run_settlements.apply_async(args=[2025], queue=celery_worker_process)
    assert result.get(timeout=60) == {"computed": 1}
    assert Settlement.objects.get().net_transfer == 378000
