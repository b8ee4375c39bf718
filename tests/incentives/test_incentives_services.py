"""Incentive schemes and settlements through the services: inputs gathered
from real finances and stored scores, hand-checked figures, versioning,
idempotent runs, sign-off against changed inputs, comments, scoping and
bad input (a clear error naming the field, nothing saved)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contracts.models import ActualCost
from incentives import services
from incentives.choices import SettlementStatus
from incentives.models import IncentiveScheme, Settlement, SettlementComment
from outcomes.choices import Channel, RunTrigger, SubmissionStatus
from outcomes.services import rescore
from outcomes.services.submissions import submit
from tests.factories import MetricFactory
from tests.incentives_fixtures import (  # noqa: F401 (fixtures)
    DEFAULT_BANDS,
    DEFAULT_CORRIDORS,
    HEADER,
    YEAR_ONE,
    rescore_year,
    scheme_fields,
    submit_rates,
    year_one_fixture,
)

D = Decimal


def amounts(settlement):
    return {line.key: line.amount for line in settlement.lines.all()}


def test_a_settlement_from_real_finances_and_scores(system, year_one):
    settlement = services.compute_settlement(contract_year=year_one, user=system.commissioner)
    assert settlement.status == SettlementStatus.DRAFT
    assert settlement.inputs["budget"] == "12000000.00"
    assert settlement.inputs["actual_cost"] == "11400000.00"  # 12 x £950,000
    assert settlement.inputs["score"] == "65.00"
    assert settlement.inputs["coverage"] == "100.00"
    assert settlement.inputs["performance"] == {"EMADM": "24.8000"}
    assert len(settlement.inputs["monthly_scores"]) == 12
    lines = amounts(settlement)
    assert lines["savings"] == D("600000.00")
    assert lines["gain_share_network"] == D("300000.00")  # band 60-75: 50%
    assert lines["gain_share_commissioner"] == D("300000.00")
    # EMADM 24.8 between minimum 30 and maximum 20: 52% of 1.25% of £12m.
    assert lines["quality_EMADM"] == D("78000.00")
    assert "outcome_payment" not in lines  # 0% at risk in year 1
    assert "penalty" not in lines
    assert settlement.net_transfer == lines["net_transfer"] == D("378000.00")
    assert settlement.support_plan is False
    assert settlement.scheme.version == 1
    line = settlement.lines.get(key="gain_share_network")
    assert line.rule_version.startswith("scheme v1 / settlement-")
    assert line.inputs["network_share_percent"] == "50"


def test_running_twice_changes_nothing(system, year_one):
    first = services.compute_settlement(contract_year=year_one)
    again = services.compute_settlement(contract_year=year_one)
    assert again.pk == first.pk
    assert again.computed_at == first.computed_at
    assert again.history.count() == 1
    assert again.lines.count() == len(amounts(first))


def test_a_missing_months_cost_is_an_error_and_nothing_is_saved(system, year_one):
    ActualCost.objects.filter(month=dt.date(2025, 2, 1)).delete()
    with pytest.raises(ValidationError) as error:
        services.compute_settlement(contract_year=year_one)
    assert "no actual cost for February 2025" in str(error.value.message_dict["actual_cost"])
    assert not Settlement.objects.exists()


def test_a_year_without_a_scheme_cannot_be_settled(system, contract):
    with pytest.raises(ValidationError) as error:
        services.compute_settlement(contract_year=contract.years.get(number=1))
    assert "No incentive scheme applies to year 1" in str(error.value)


def test_low_scores_raise_a_support_plan_and_a_capped_penalty(system, contract, year_one):
    # 29.6 per 1,000: metric score 10 x 0.4 / 8 = 0.5, aggregate 5: 25 points below 30.
    submit_rates(system.network_manager_a, [system.pa1, system.pa2], "29.6")
    rescore_year(contract)
    settlement = services.compute_settlement(contract_year=year_one)
    assert settlement.score == D("5.00")
    assert settlement.support_plan is True
    assert settlement.support_plan_raised_at is not None
    lines = amounts(settlement)
    assert lines["gain_share_network"] == D("0.00")  # below the quality gateway
    assert lines["penalty"] == D("240000.00")  # 2.5% capped at 2% of £12m
    assert lines["quality_EMADM"] == D("6000.00")  # (30 - 29.6) / 10 = 4% of £150,000


def test_too_few_scored_months_leave_the_year_without_a_score(system, contract):
    from contracts.models import ActualCost

    for month in YEAR_ONE:
        ActualCost.objects.create(contract=contract, month=month, amount=D("950000.00"))
    submit_rates(system.network_manager_a, [system.pa1, system.pa2], "24.8", months=YEAR_ONE[:8])
    rescore_year(contract)
    services.create_scheme_version(
        user=system.commissioner,
        contract=contract,
        **scheme_fields(contract.metric_versions.get().metric),
    )
    settlement = services.compute_settlement(contract_year=contract.years.get(number=1))
    assert settlement.inputs["coverage"] == "66.67"  # 8 of 12 months, under 75%
    assert settlement.inputs["mean_score"] == "65.00"
    assert settlement.score is None
    assert amounts(settlement)["gain_share_network"] == D("0.00")
    assert settlement.support_plan is True


def test_a_settled_year_keeps_its_scheme_version_after_the_scheme_is_edited(
    system, contract, year_one
):
    settlement = services.compute_settlement(contract_year=year_one)
    services.sign_off(user=system.commissioner, settlement=settlement)
    metric = contract.metric_versions.get().metric
    generous = [dict(band, network_share=band["network_share"] + 10) for band in DEFAULT_BANDS]
    with pytest.raises(ValidationError) as error:
        services.create_scheme_version(
            user=system.commissioner,
            contract=contract,
            reason="More generous bands",
            **scheme_fields(metric, bands=generous),
        )
    assert "signed off and keeps its scheme version" in str(
        error.value.message_dict["effective_from_year"]
    )
    v2 = services.create_scheme_version(
        user=system.commissioner,
        contract=contract,
        reason="More generous bands",
        **scheme_fields(metric, bands=generous, effective_from_year=2),
    )
    assert v2.version == 2
    settlement.refresh_from_db()
    assert settlement.scheme.version == 1
    assert amounts(settlement)["gain_share_network"] == D("300000.00")
    with pytest.raises(ValidationError):
        services.compute_settlement(contract_year=year_one)
    assert services.scheme_in_force(contract, 1).version == 1
    assert services.scheme_in_force(contract, 2).version == 2


def test_a_draft_is_recomputed_under_a_new_version_for_its_year(system, contract, year_one):
    services.compute_settlement(contract_year=year_one)
    generous = [dict(band, network_share=band["network_share"] + 10) for band in DEFAULT_BANDS]
    services.create_scheme_version(
        user=system.commissioner,
        contract=contract,
        reason="More generous bands",
        **scheme_fields(contract.metric_versions.get().metric, bands=generous),
    )
    settlement = services.compute_settlement(contract_year=year_one)
    assert settlement.scheme.version == 2
    assert amounts(settlement)["gain_share_network"] == D("360000.00")  # 60%


YEAR_TWO = [dt.date(2025 + (m + 3) // 12, (m + 3) % 12 + 1, 1) for m in range(12)]


def cost_year_two(contract):
    for month in YEAR_TWO:
        ActualCost.objects.create(contract=contract, month=month, amount=D("950000.00"))
    return contract.years.get(number=2)


def test_no_new_version_may_reach_back_over_a_signed_off_later_year(system, contract, year_one):
    # Year 2 signed off (costed, unscored) while year 1 is still a draft.
    draft = services.compute_settlement(contract_year=year_one)
    year_two = cost_year_two(contract)
    signed = services.sign_off(
        user=system.commissioner, settlement=services.compute_settlement(contract_year=year_two)
    )
    metric = contract.metric_versions.get().metric
    generous = [dict(band, network_share=band["network_share"] + 10) for band in DEFAULT_BANDS]
    for start in (1, 2):
        with pytest.raises(ValidationError) as error:
            services.create_scheme_version(
                user=system.commissioner,
                contract=contract,
                reason="More generous bands",
                **scheme_fields(metric, bands=generous, effective_from_year=start),
            )
        assert error.value.message_dict["effective_from_year"] == [
            "Year 2 is signed off and keeps its scheme version: "
            "a new version can apply from year 3 at the earliest."
        ]
    assert IncentiveScheme.objects.count() == 1
    assert services.scheme_in_force(contract, 1).version == 1
    assert services.scheme_in_force(contract, 2).version == 1
    v2 = services.create_scheme_version(
        user=system.commissioner,
        contract=contract,
        reason="More generous bands",
        **scheme_fields(metric, bands=generous, effective_from_year=3),
    )
    assert services.scheme_in_force(contract, 2).version == 1
    assert services.scheme_in_force(contract, 3) == v2
    # The year-1 draft is still recomputed under version 1, unchanged.
    assert services.compute_settlement(contract_year=year_one).computed_at == draft.computed_at
    signed.refresh_from_db()
    assert signed.scheme.version == 1


def test_year_two_pays_its_own_percent_at_risk_on_the_outcome(system, contract, year_one):
    year_two = cost_year_two(contract)
    submission = submit(
        user=system.network_manager_a,
        channel=Channel.COMMAND,
        name="year2.csv",
        content=(
            HEADER
            + "".join(
                f"EMADM,{org.code},{month},248,10000,\n"
                for month in YEAR_TWO
                for org in (system.pa1, system.pa2)
            )
        ).encode(),
        today=dt.date(2026, 4, 20),
    )
    assert submission.status == SubmissionStatus.STORED, submission.errors
    rescore.rescore_contract(contract.pk, RunTrigger.MANUAL, today=dt.date(2026, 4, 20))
    settlement = services.compute_settlement(contract_year=year_two)
    scheme = settlement.scheme
    assert scheme.at_risk_for(1) == 0 and scheme.at_risk_for(2) == 10
    assert year_two.contract_value == D("12001200.00")
    assert settlement.score == D("65.00")
    lines = amounts(settlement)
    # 10% of £12,001,200 is £1,200,120 at risk; a score of 65 earns 65% of it.
    assert lines["outcome_payment"] == D("780078.00")
    assert lines["outcome_payment_retained"] == D("420042.00")
    line = settlement.lines.get(key="outcome_payment")
    assert line.inputs["at_risk"] == "1200120.00"
    assert line.rule.startswith("10% of contract value")
    # Savings £12m - £11.4m at band 60-75 (50%), 52% of 1.25% of £12,001,200.
    assert lines["quality_EMADM"] == D("78007.80")
    assert settlement.net_transfer == D("300000.00") + D("78007.80") + D("780078.00")


def test_sign_off_refused_when_inputs_changed_since_computed(system, contract, year_one):
    settlement = services.compute_settlement(contract_year=year_one)
    cost = ActualCost.objects.get(month=dt.date(2025, 3, 1))
    cost.amount = D("1000000.00")
    cost.save()
    with pytest.raises(ValidationError) as error:
        services.sign_off(user=system.commissioner, settlement=settlement)
    assert "inputs have changed" in str(error.value.message_dict["inputs_digest"])
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.DRAFT
    settlement = services.compute_settlement(contract_year=year_one)  # late data accepted
    assert amounts(settlement)["savings"] == D("550000.00")
    signed = services.sign_off(user=system.commissioner, settlement=settlement)
    assert signed.status == SettlementStatus.SIGNED_OFF
    assert signed.signed_off_by == system.commissioner
    with pytest.raises(ValidationError):
        services.sign_off(user=system.commissioner, settlement=signed)


def test_only_the_commissioner_signs_off(system, year_one):
    settlement = services.compute_settlement(contract_year=year_one)
    for user in (system.network_manager_a, system.provider_a, system.outsider):
        with pytest.raises(PermissionDenied):
            services.sign_off(user=user, settlement=settlement)
    with pytest.raises(PermissionDenied):
        services.compute_settlement(contract_year=year_one, user=system.network_manager_a)


def test_the_network_comments_before_sign_off(system, year_one):
    settlement = services.compute_settlement(contract_year=year_one)
    comment = services.add_comment(
        user=system.network_manager_a, settlement=settlement, text="  March costs include Q4.  "
    )
    assert comment.organisation == system.network_a
    assert comment.text == "March costs include Q4."
    with pytest.raises(ValidationError):
        services.add_comment(user=system.network_manager_a, settlement=settlement, text=" ")
    for user in (system.provider_a, system.provider_b, system.lay_partner, system.outsider):
        with pytest.raises(PermissionDenied):
            services.add_comment(user=user, settlement=settlement, text="Hello")
    services.sign_off(user=system.commissioner, settlement=settlement)
    with pytest.raises(ValidationError) as error:
        services.add_comment(user=system.network_manager_a, settlement=settlement, text="Late")
    assert "comments are closed" in str(error.value)
    assert SettlementComment.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("admin", True),
        ("commissioner", True),
        ("network_manager_a", True),
        ("provider_a", False),  # a member provider, not a party to the contract
        ("provider_b", False),
        ("lay_partner", False),
        ("outsider", False),
    ],
)
def test_settlements_and_schemes_are_seen_by_the_parties(system, year_one, who, sees):
    services.compute_settlement(contract_year=year_one)
    user = getattr(system, who)
    assert Settlement.objects.visible_to(user).exists() is sees
    assert IncentiveScheme.objects.visible_to(user).exists() is sees


def test_what_if_recomputes_without_saving(system, year_one):
    settlement = services.compute_settlement(contract_year=year_one)
    better = services.what_if(settlement=settlement, score=95)
    assert better.network_savings_share == D("480000.00")  # 80% of £600,000
    over = services.what_if(settlement=settlement, actual_cost="12300000.00")
    assert over.savings == D("-300000.00")
    # 2.5% of budget: 2% (£240,000) at 50% and 0.5% (£60,000) at 25%.
    assert over.network_overspend_share == D("120000.00") + D("15000.00")
    settlement.refresh_from_db()
    assert settlement.net_transfer == D("378000.00")
    assert settlement.history.count() == 1


def test_run_settlements_for_a_year_is_idempotent(system, year_one):
    report = services.run_settlements(2025, today=dt.date(2025, 5, 1))
    assert [(year.pk, outcome) for year, outcome in report] == [(year_one.pk, "computed")]
    report = services.run_settlements(2025, today=dt.date(2025, 5, 1))
    assert [outcome for _, outcome in report] == ["unchanged"]
    assert Settlement.objects.count() == 1
    early = services.run_settlements(2025, today=dt.date(2025, 3, 1))
    assert [outcome for _, outcome in early] == ["not ended yet"]


def test_run_settlements_reports_a_skipped_year(system, year_one):
    ActualCost.objects.filter(month=dt.date(2025, 3, 1)).delete()
    report = services.run_settlements(2025, today=dt.date(2025, 5, 1))
    assert report[0][1] == "skipped: Year 1 has no actual cost for March 2025."


# --- Bad input: a clear error naming the field, nothing saved ---------------


def bad(**changes):
    return changes


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        (
            bad(bands=[{"lower": 40, "upper": 70, "network_share": 25}, *DEFAULT_BANDS[1:]]),
            "bands",
            "overlaps",
        ),
        (
            bad(bands=[{"lower": 40, "upper": 55, "network_share": 25}, *DEFAULT_BANDS[1:]]),
            "bands",
            "gap",
        ),
        (
            bad(bands=[*DEFAULT_BANDS[:3], {"lower": 90, "upper": 100, "network_share": 120}]),
            "bands",
            "between 0% and 100%",
        ),
        (
            bad(corridors=[DEFAULT_CORRIDORS[1], DEFAULT_CORRIDORS[0], DEFAULT_CORRIDORS[2]]),
            "corridors",
            "in order",
        ),
        (bad(penalty_cap=-1), "penalty_cap", "below zero"),
        (bad(quality_pot=2), "indicators", "not the pot of 2%"),
        (bad(at_risk_percents=["0", "10", "10", "15", "15", "20"]), "at_risk_percents", "5 year"),
        (bad(effective_from_year=6), "effective_from_year", "years 1 to 5"),
        (bad(gateway_score="forty"), "gateway_score", "not a number"),
    ],
)
def test_bad_schemes_are_refused_and_nothing_saved(system, contract, changes, field, words):
    metric = contract.metric_versions.get().metric
    with pytest.raises(ValidationError) as error:
        services.create_scheme_version(
            user=system.commissioner, contract=contract, **scheme_fields(metric, **changes)
        )
    messages = error.value.message_dict
    assert field in messages, messages
    assert any(words in message for message in messages[field]), messages[field]
    assert not IncentiveScheme.objects.exists()


def test_more_than_five_indicators_are_refused(system, contract):
    from outcomes.models import ContractMetric

    metrics = []
    for n in range(6):
        metric = MetricFactory(code=f"QI{n}", direction="higher")
        ContractMetric.objects.create(
            contract=contract,
            metric=metric,
            effective_from=dt.date(2024, 4, 1),
            minimum_threshold=50,
            target=90,
        )
        metrics.append(metric)
    indicators = [{"metric": m, "minimum": 50, "maximum": 90, "weight": "0.25"} for m in metrics]
    with pytest.raises(ValidationError) as error:
        services.create_scheme_version(
            user=system.commissioner,
            contract=contract,
            **scheme_fields(metrics[0], indicators=indicators, quality_pot="1.5"),
        )
    assert "At most 5 quality indicators" in str(error.value.message_dict["indicators"])
    assert not IncentiveScheme.objects.exists()


def test_indicators_must_be_contract_metrics_in_the_right_direction(system, contract):
    metric = contract.metric_versions.get().metric  # lower is better
    stranger = MetricFactory(code="OTHER")
    with pytest.raises(ValidationError) as error:
        services.create_scheme_version(
            user=system.commissioner,
            contract=contract,
            **scheme_fields(
                metric,
                indicators=[
                    {"metric": metric, "minimum": 20, "maximum": 30, "weight": "0.5"},
                    {"metric": stranger, "minimum": 30, "maximum": 20, "weight": "0.75"},
                ],
            ),
        )
    messages = error.value.message_dict["indicators"]
    assert any("lower is better for EMADM" in m for m in messages)
    assert any("OTHER is not one of this contract's metrics" in m for m in messages)


def test_a_new_version_needs_a_reason_and_only_the_commissioner_makes_one(system, contract):
    metric = contract.metric_versions.get().metric
    services.create_scheme_version(
        user=system.commissioner, contract=contract, **scheme_fields(metric)
    )
    with pytest.raises(ValidationError) as error:
        services.create_scheme_version(
            user=system.commissioner, contract=contract, **scheme_fields(metric)
        )
    assert "reason" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.create_scheme_version(
            user=system.network_manager_a, contract=contract, reason="x", **scheme_fields(metric)
        )
    assert IncentiveScheme.objects.count() == 1
    assert IncentiveScheme.objects.get().history.count() == 1


def test_a_reason_longer_than_the_version_keeps_is_an_error_naming_it(system, contract):
    """The model keeps 300 characters: a longer reason is refused by the
    service, for the page and the API alike (PostgreSQL answered 500)."""
    metric = contract.metric_versions.get().metric
    with pytest.raises(ValidationError) as error:
        services.create_scheme_version(
            user=system.commissioner, contract=contract, reason="x" * 301, **scheme_fields(metric)
        )
    assert error.value.message_dict["reason"] == ["Keep the reason to 300 characters (it has 301)."]
    assert not IncentiveScheme.objects.exists()
