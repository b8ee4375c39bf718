"""Health outcomes in the assessment: peer position arithmetic on
hand-computed cases and as properties; choosing five local and five national
metrics from the commissioner's contracts; the scorecard reading the stored
scores of every commissioner (value, rank, national average, upper
quartile, improvement); page and API."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from assurance import services
from assurance.benchmark import MIN_PEERS, position
from assurance.models import OutcomeChoice
from assurance.selectors import outcome_rows
from outcomes.models import ContractMetric, MetricScore, ScoreRun
from tests.assurance_fixtures import (  # noqa: F401 (fixtures)
    assessment_fixture,
    framework_fixture,
)
from tests.factories import ContractFactory, MetricFactory, OrganisationFactory

MAY = dt.date(2026, 5, 1)
JUNE = dt.date(2026, 6, 1)


def test_position_hand_computed():
    values = {1: 10.0, 2: 20.0, 3: 30.0, 4: 40.0, 5: 50.0}
    higher = position(values, 2, "higher")
    # Inclusive quartiles of 10..50: 20 and 40. Three commissioners do better than 20.
    assert (higher.value, higher.rank, higher.peers) == (20.0, 4, 5)
    assert (higher.national_average, higher.upper_quartile) == (30.0, 40.0)
    lower = position(values, 2, "lower")
    assert (lower.rank, lower.upper_quartile) == (2, 20.0)
    tied = {1: 5.0, 2: 5.0, 3: 1.0, 4: 2.0, 5: 3.0}
    assert position(tied, 2, "higher").rank == 1  # ties share the better rank
    neutral = position(values, 2, "neutral")
    assert (neutral.rank, neutral.upper_quartile, neutral.national_average) == (None, None, 30.0)
    missing = position({1: 3.0, 3: 1.0, 4: 2.0, 5: 4.0, 6: 5.0}, 2, "higher")
    assert (missing.value, missing.rank, missing.peers) == (None, None, 5)
    two = position({1: 3.0, 2: 4.0}, 2, "higher")
    assert (two.value, two.rank, two.peers, two.national_average, two.upper_quartile) == (
        4.0,
        None,
        2,
        None,
        None,
    )


@given(
    st.dictionaries(st.integers(1, 20), st.floats(-1e6, 1e6), min_size=1),
    st.sampled_from(["higher", "lower"]),
)
def test_position_properties(values, direction):
    commissioner = next(iter(values))
    result = position(values, commissioner, direction)
    assert result.peers == len(values)
    if len(values) < MIN_PEERS:
        assert (result.rank, result.national_average, result.upper_quartile) == (None, None, None)
        return
    assert 1 <= result.rank <= result.peers
    assert min(values.values()) - 1e-6 <= result.upper_quartile <= max(values.values()) + 1e-6
    best = max(values.values()) if direction == "higher" else min(values.values())
    assert (result.rank == 1) == (values[commissioner] == best)


def attach(contract, metric):
    ContractMetric.objects.create(
        contract=contract,
        metric=metric,
        effective_from=dt.date(2024, 4, 1),
        minimum_threshold=30,
        target=22,
        baseline=31,
    )


def score(contract, metric, period, value, improvement, organisation=None):
    run = ScoreRun.objects.create(
        contract=contract,
        period_start=period,
        trigger="manual",
        rule_version="test",
        inputs_digest=f"{contract.pk}-{period}",
        is_current=True,
    )
    MetricScore.objects.create(
        run=run,
        contract_metric=contract.metric_versions.get(metric=metric),
        metric=metric,
        organisation=organisation or contract.provider,
        period_start=period,
        value=value,
        improvement=improvement,
    )


def commissioner_with_contract(code: str, provider) -> object:
    """Another commissioner, holding one contract with `provider`."""
    commissioner = OrganisationFactory(code=code, name=f"{code} ICB", kind="commissioner")
    return ContractFactory(reference=f"CON-{code}", commissioner=commissioner, provider=provider)


@pytest.fixture(name="emadm")
def emadm_fixture(system):
    """Emergency admissions (lower is better) in five commissioners'
    contracts (benchmark.MIN_PEERS: fewer give no national figures)."""
    metric = MetricFactory()
    contract_c = commissioner_with_contract("QTHD", system.pb1)
    contract_d = commissioner_with_contract("QFTH", OrganisationFactory(code="PD1"))
    contract_e = commissioner_with_contract("QFFT", OrganisationFactory(code="PE1"))
    for contract in (system.contract_a, system.contract_b, contract_c, contract_d, contract_e):
        attach(contract, metric)
    score(system.contract_a, metric, MAY, 28.0, 0.2)
    score(system.contract_a, metric, JUNE, 25.0, 0.6)
    score(system.contract_b, metric, JUNE, 20.0, 0.9)
    score(contract_c, metric, JUNE, 33.0, None)
    score(contract_d, metric, JUNE, 30.0, 0.1)
    score(contract_e, metric, JUNE, 24.0, 0.5)
    return metric


def test_outcomes_show_value_rank_average_and_quartile(system, assessment, emadm):
    services.choose_outcomes(user=system.commissioner, round=assessment, metrics=[emadm])
    [row] = outcome_rows(assessment)
    p = row["position"]
    assert row["period"] == JUNE
    assert (p.value, p.rank, p.peers) == (25.0, 3, 5)  # QOTH's 20 and QFFT's 24 are better
    assert p.national_average == pytest.approx(26.4)  # (25 + 20 + 33 + 30 + 24) / 5
    assert p.upper_quartile == pytest.approx(24.0)  # inclusive quartiles of 5: the 2nd and 4th
    assert row["improvement"] == pytest.approx(0.6)


def test_fewer_than_five_commissioners_give_no_national_figures(system, assessment, emadm):
    """With four, the average and one's own value would give away the sum of
    the other three; with two, the other's value exactly."""
    MetricScore.objects.filter(organisation__code="PE1").delete()
    services.choose_outcomes(user=system.commissioner, round=assessment, metrics=[emadm])
    [row] = outcome_rows(assessment)
    p = row["position"]
    assert (p.value, p.peers) == (25.0, 4)
    assert (p.rank, p.national_average, p.upper_quartile) == (None, None, None)
    june = next(m for m in row["months"] if m["period_start"] == JUNE)
    assert june == {"period_start": JUNE, "value": 25.0, "national_average": None}


def test_a_metric_the_commissioner_reports_is_read_from_its_own_scores(system, assessment):
    """Demand plan accuracy is the commissioner's obligation: its value is
    stored against the commissioner, not the contract holder."""
    demand = MetricFactory(code="FIN-DEMAND", submitted_by="commissioner", direction="higher")
    attach(system.contract_a, demand)
    score(system.contract_a, demand, JUNE, 87.8, None, organisation=system.commissioner_org)
    services.choose_outcomes(user=system.commissioner, round=assessment, metrics=[demand])
    [row] = outcome_rows(assessment)
    assert (row["period"], row["position"].value, row["position"].peers) == (JUNE, 87.8, 1)


def test_outcomes_read_no_month_after_the_assessed_year(system, assessment, emadm):
    """A 2026 assessment is not moved by January 2027's figures, however late
    it is looked at; months before the year before are outside its window too."""
    score(system.contract_a, emadm, dt.date(2027, 1, 1), 40.0, 0.1)
    score(system.contract_a, emadm, dt.date(2024, 12, 1), 10.0, 0.9)
    services.choose_outcomes(user=system.commissioner, round=assessment, metrics=[emadm])
    [row] = outcome_rows(assessment)
    assert row["period"] == JUNE
    assert (row["position"].value, row["position"].rank) == (25.0, 3)
    assert row["improvement"] == pytest.approx(0.6)


def test_choosing_outcomes_checks_contracts_and_the_limit(system, assessment, emadm):
    other = MetricFactory(code="OTHER", name="Not contracted")
    with pytest.raises(ValidationError) as error:
        services.choose_outcomes(user=system.commissioner, round=assessment, metrics=[other])
    assert "not measured in any of Test ICB's contracts" in error.value.message_dict["metrics"][0]
    local = [MetricFactory(code=f"LOC{n}", name=f"Local {n}") for n in range(6)]
    for metric in local:
        attach(system.contract_a, metric)
    with pytest.raises(ValidationError) as error:
        services.choose_outcomes(user=system.commissioner, round=assessment, metrics=local)
    assert "at most 5 locally chosen" in error.value.message_dict["metrics"][0]
    assert not OutcomeChoice.objects.exists()
    with pytest.raises(PermissionDenied):
        services.choose_outcomes(user=system.admin, round=assessment, metrics=[emadm])
    services.choose_outcomes(user=system.commissioner, round=assessment, metrics=local[:5])
    services.choose_outcomes(user=system.commissioner, round=assessment, metrics=[emadm])
    assert list(assessment.outcomes.values_list("metric__code", flat=True)) == ["EMADM"]
    assert OutcomeChoice.history.filter(history_type="-").count() == 5


def test_outcomes_page_and_scorecard(client, system, assessment, emadm):
    url = reverse("assurance:outcomes", args=[assessment.pk])
    client.force_login(system.commissioner)
    assert "EMADM Emergency admissions" in client.get(url).content.decode()
    response = client.post(url, {"metrics": [emadm.pk]})
    assert response.status_code == 302
    content = client.get(reverse("assurance:scorecard", args=[assessment.pk])).content.decode()
    assert "3 of 5" in content and "26.4" in content and "60% of the gap closed" in content
    client.force_login(system.network_manager_a)
    assert client.get(url).status_code == 403


def test_api_choose_outcomes_and_read_the_scorecard(api_client, system, assessment, emadm):
    api_client.force_authenticate(system.commissioner)
    url = f"/api/v1/assessment-rounds/{assessment.pk}/outcomes/"
    bad = api_client.post(url, {"metrics": ["NOPE"]}, format="json")
    assert bad.status_code == 400 and "Unknown metric NOPE." in bad.json()["metrics"]
    card = api_client.post(url, {"metrics": ["EMADM"]}, format="json").json()
    [row] = card["outcomes"]
    assert (row["metric"], row["rank"], row["peers"], row["value"]) == ("EMADM", 3, 5, 25.0)
    api_client.force_authenticate(system.network_manager_a)
    assert api_client.post(url, {"metrics": ["EMADM"]}, format="json").status_code == 403
