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
from assurance.benchmark import position
from assurance.models import OutcomeChoice
from assurance.selectors import outcome_rows
from contracts.access import organisations_seen
from core.small_numbers import EVERYONE, REASON
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
    # Whoever may be shown it: the small-numbers rule decides (outcome_rows).
    two = position({1: 3.0, 2: 4.0}, 2, "higher")
    assert (two.value, two.rank, two.peers, two.national_average) == (4.0, 1, 2, 3.5)
    assert two.upper_quartile == pytest.approx(3.75)
    alone = position({2: 4.0}, 2, "lower")
    assert (alone.rank, alone.national_average, alone.upper_quartile) == (1, 4.0, 4.0)
    withheld = two.withhold("why")
    assert (withheld.value, withheld.withheld) == (4.0, "why")
    assert (withheld.rank, withheld.peers, withheld.national_average) == (None, None, None)
    assert withheld.upper_quartile is None


@given(
    st.dictionaries(st.integers(1, 20), st.floats(-1e6, 1e6), min_size=1),
    st.sampled_from(["higher", "lower"]),
)
def test_position_properties(values, direction):
    commissioner = next(iter(values))
    result = position(values, commissioner, direction)
    assert result.peers == len(values)
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


def as_commissioner(system) -> list:
    """outcome_rows' readers for a person of QCOM (its data scope)."""
    return [organisations_seen(system.commissioner)]


def commissioner_with_contract(code: str, provider) -> object:
    """Another commissioner, holding one contract with `provider`."""
    commissioner = OrganisationFactory(code=code, name=f"{code} ICB", kind="commissioner")
    return ContractFactory(reference=f"CON-{code}", commissioner=commissioner, provider=provider)


@pytest.fixture(name="emadm")
def emadm_fixture(system):
    """Emergency admissions (lower is better) in five commissioners'
    contracts: QCOM's network A (25 in June 2026), QOTH's network B (20),
    QTHD's PB1 (33), QFTH's PD1 (30) and QFFT's PE1 (24)."""
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
    [row] = outcome_rows(assessment, as_commissioner(system))
    p = row["position"]
    assert row["period"] == JUNE
    assert (p.value, p.rank, p.peers) == (25.0, 3, 5)  # QOTH's 20 and QFFT's 24 are better
    assert p.national_average == pytest.approx(26.4)  # (25 + 20 + 33 + 30 + 24) / 5
    assert p.upper_quartile == pytest.approx(24.0)  # inclusive quartiles of 5: the 2nd and 4th
    assert row["improvement"] == pytest.approx(0.6)


def test_two_other_commissioners_are_too_few(system, assessment, emadm):
    """QCOM with QOTH (20) and QTHD (33) only: the national average, 26,
    and QCOM's own 25 give the other two's total (3 x 26 - 25 = 53), the
    upper quartile and rank narrow it further; two are too few to show."""
    MetricScore.objects.filter(organisation__code__in=["PD1", "PE1"]).delete()
    services.choose_outcomes(user=system.commissioner, round=assessment, metrics=[emadm])
    [row] = outcome_rows(assessment, as_commissioner(system))
    p = row["position"]
    assert p.value == 25.0 and p.withheld == REASON.format(k=3)
    assert (p.rank, p.peers, p.national_average, p.upper_quartile) == (None, None, None, None)
    june = next(m for m in row["months"] if m["period_start"] == JUNE)
    assert june == {
        "period_start": JUNE,
        "value": 25.0,
        "national_average": None,
        "withheld": REASON.format(k=3),
    }
    # The panel (admins) sees every commissioner: shown.
    [row] = outcome_rows(assessment, [EVERYONE])
    assert (row["position"].rank, row["position"].peers) == (2, 3)
    assert row["position"].national_average == pytest.approx(26.0)


def test_three_other_commissioners_are_enough(system, assessment, emadm):
    """Four commissioners (PE1's QFFT gone): QCOM learns the other three's
    total (4 x 27 - 25 = 83), not whose is which."""
    MetricScore.objects.filter(organisation__code="PE1").delete()
    services.choose_outcomes(user=system.commissioner, round=assessment, metrics=[emadm])
    [row] = outcome_rows(assessment, as_commissioner(system))
    p = row["position"]
    assert (p.value, p.rank, p.peers, p.withheld) == (25.0, 2, 4, None)
    assert p.national_average == pytest.approx(27.0)  # (25 + 20 + 33 + 30) / 4


def test_a_commissioner_whose_providers_another_holds_counts_as_seen(system, assessment, emadm):
    """QCOM also contracts PB1, QTHD's only provider: QCOM sees QTHD's value
    (PB1's 33) as its own provider's. Of four, two others are left unseen."""
    MetricScore.objects.filter(organisation__code="PE1").delete()
    ContractFactory(reference="CON-PB1", commissioner=system.commissioner_org, provider=system.pb1)
    services.choose_outcomes(user=system.commissioner, round=assessment, metrics=[emadm])
    [row] = outcome_rows(assessment, as_commissioner(system))
    assert row["position"].withheld == REASON.format(k=3)


def test_others_all_the_same_are_withheld(system, assessment, emadm):
    """QOTH, QTHD, QFTH and QFFT all at 30: their total gives each."""
    MetricScore.objects.exclude(organisation__code="NETA").update(value=30.0)
    services.choose_outcomes(user=system.commissioner, round=assessment, metrics=[emadm])
    [row] = outcome_rows(assessment, as_commissioner(system))
    assert row["position"].withheld == REASON.format(k=3)


def test_a_metric_the_commissioner_reports_is_read_from_its_own_scores(system, assessment):
    """Demand plan accuracy is the commissioner's obligation: its value is
    stored against the commissioner, not the contract holder."""
    demand = MetricFactory(code="FIN-DEMAND", submitted_by="commissioner", direction="higher")
    attach(system.contract_a, demand)
    score(system.contract_a, demand, JUNE, 87.8, None, organisation=system.commissioner_org)
    services.choose_outcomes(user=system.commissioner, round=assessment, metrics=[demand])
    [row] = outcome_rows(assessment, as_commissioner(system))
    assert (row["period"], row["position"].value, row["position"].peers) == (JUNE, 87.8, 1)


def test_outcomes_read_no_month_after_the_assessed_year(system, assessment, emadm):
    """A 2026 assessment is not moved by January 2027's figures, however late
    it is looked at; months before the year before are outside its window too."""
    score(system.contract_a, emadm, dt.date(2027, 1, 1), 40.0, 0.1)
    score(system.contract_a, emadm, dt.date(2024, 12, 1), 10.0, 0.9)
    services.choose_outcomes(user=system.commissioner, round=assessment, metrics=[emadm])
    [row] = outcome_rows(assessment, as_commissioner(system))
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


def test_api_withholds_with_the_reason(api_client, system, assessment, emadm):
    """Three commissioners: QCOM's people get no rank or national figures,
    and why; the panel (admins) sees every commissioner, so gets them."""
    MetricScore.objects.filter(organisation__code__in=["PD1", "PE1"]).delete()
    services.choose_outcomes(user=system.commissioner, round=assessment, metrics=[emadm])
    url = f"/api/v1/assessment-rounds/{assessment.pk}/scorecard/"
    api_client.force_authenticate(system.commissioner)
    [row] = api_client.get(url).json()["outcomes"]
    assert row["value"] == 25.0 and row["withheld"] == REASON.format(k=3)
    assert [row[name] for name in ("rank", "peers", "national_average", "upper_quartile")] == [
        None
    ] * 4
    assert row["months"][17]["national_average"] is None
    assert row["months"][17]["withheld"] == REASON.format(k=3)
    api_client.force_authenticate(system.admin)
    [row] = api_client.get(url).json()["outcomes"]
    assert (row["rank"], row["peers"], row["withheld"]) == (2, 3, None)
    assert row["months"][17]["national_average"] == pytest.approx(26.0)
