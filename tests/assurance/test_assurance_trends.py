"""Outcome trends on the assurance scorecard: the trend word on hand-worked
cases, the monthly values of the year before and the assessed year with the
national average, the chart with its text alternative and table on the
page, the API, and a fixed number of queries whatever the metrics and months."""

import datetime as dt

import pytest
from django.urls import reverse

from assurance import services
from assurance.benchmark import trend
from assurance.selectors import outcome_rows
from outcomes.models import MetricScore, ScoreRun
from tests.assurance.test_assurance_outcomes import (  # noqa: F401 (fixture)
    as_commissioner,
    attach,
    emadm_fixture,
    score,
)
from tests.assurance_fixtures import (  # noqa: F401 (fixtures)
    assessment_fixture,
    framework_fixture,
)
from tests.factories import MetricFactory


def test_trend_word():
    assert trend([30.0, 28.0], [25.0], "lower") == "improving"  # 29 -> 25
    assert trend([30.0, 28.0], [25.0], "higher") == "worsening"
    assert trend([100.0], [104.0, 105.0], "higher") == "no change"  # 4.5% < 5%
    assert trend([100.0], [106.0], "higher") == "improving"
    assert trend([0.0], [0.0], "lower") == "no change"
    assert trend([], [25.0], "lower") is None
    assert trend([30.0], [25.0], "neutral") is None


def test_months_cover_two_years_with_the_national_average(system, assessment, emadm):
    score(system.contract_a, emadm, dt.date(2025, 6, 1), 30.0, None)
    services.choose_outcomes(user=system.commissioner, round=assessment, metrics=[emadm])
    [row] = outcome_rows(assessment, as_commissioner(system))
    months = row["months"]
    assert [m["period_start"] for m in (months[0], months[-1])] == [
        dt.date(2025, 1, 1),
        dt.date(2026, 12, 1),
    ]
    assert len(months) == 24
    june_2026 = months[17]
    assert june_2026["value"] == 25.0
    assert june_2026["national_average"] == pytest.approx(26.4)  # (25 + 20 + 33 + 30 + 24) / 5
    # QCOM alone has a value: its own, which it sees (published, withheld).
    assert months[5] == {
        "period_start": dt.date(2025, 6, 1),
        "value": 30.0,
        "national_average": 30.0,
        "withheld": None,
    }
    assert months[0]["value"] is None and months[0]["national_average"] is None
    # 2025: 30; 2026: mean of 28 and 25 = 26.5, lower is better.
    assert row["trend"] == "improving"


def test_page_shows_chart_text_table_and_trend(client, system, assessment, emadm):
    score(system.contract_a, emadm, dt.date(2025, 6, 1), 30.0, None)
    services.choose_outcomes(user=system.commissioner, round=assessment, metrics=[emadm])
    client.force_login(system.commissioner)
    content = client.get(reverse("assurance:scorecard", args=[assessment.pk])).content.decode()
    assert 'data-chart="trend-emadm-data"' in content
    assert 'id="trend-emadm-data"' in content  # the figure as JSON, not a script to run
    assert "aged 75+ from Jan 2025 to Dec 2026: 25.0 in Jun 2026, national average 26.4" in content
    assert "improving on the year before" in content
    assert "nhsuk-tag--blue" in content
    assert "plotly/plotly.min.js" in content
    assert '<td class="nhsuk-table__cell">Jun 2025</td>' in content


def test_api_has_months_and_trend(api_client, system, assessment, emadm):
    services.choose_outcomes(user=system.commissioner, round=assessment, metrics=[emadm])
    api_client.force_authenticate(system.commissioner)
    card = api_client.get(f"/api/v1/assessment-rounds/{assessment.pk}/scorecard/").json()
    [row] = card["outcomes"]
    assert row["trend"] is None  # nothing in 2025
    assert len(row["months"]) == 24
    assert row["months"][17] == {
        "period_start": "2026-06-01",
        "value": 25.0,
        "national_average": pytest.approx(26.4),
        "withheld": None,
    }


def many_outcomes(system, assessment, metrics: int, months: int):
    chosen = []
    for n in range(metrics):
        metric = MetricFactory(code=f"LOC{n}", name=f"Local {n}")
        attach(system.contract_a, metric)
        attach(system.contract_b, metric)
        chosen.append(metric)
    for month in range(months):
        period = dt.date(2025 + month // 12, month % 12 + 1, 1)
        for contract, base in ((system.contract_a, 20.0 + month), (system.contract_b, 25.0)):
            run = ScoreRun.objects.create(
                contract=contract,
                period_start=period,
                trigger="manual",
                rule_version="test",
                inputs_digest=f"{contract.pk}-{period}",
                is_current=True,
            )
            MetricScore.objects.bulk_create(
                MetricScore(
                    run=run,
                    contract_metric=contract.metric_versions.get(metric=metric),
                    metric=metric,
                    organisation=contract.provider,
                    period_start=period,
                    value=base + n,
                )
                for n, metric in enumerate(chosen)
            )
    services.choose_outcomes(user=system.commissioner, round=assessment, metrics=chosen)


@pytest.mark.parametrize("metrics,months", [(1, 2), (5, 24)])
def test_scorecard_queries_do_not_grow(
    client, api_client, system, assessment, django_assert_max_num_queries, metrics, months
):
    many_outcomes(system, assessment, metrics, months)
    client.force_login(system.commissioner)
    api_client.force_authenticate(system.commissioner)
    # Each count includes the person's data scope, once, for the
    # small-numbers rule.
    with django_assert_max_num_queries(18):
        page = client.get(reverse("assurance:scorecard", args=[assessment.pk]))
    assert page.content.decode().count("data-chart=") == metrics
    with django_assert_max_num_queries(12):
        card = api_client.get(f"/api/v1/assessment-rounds/{assessment.pk}/scorecard/")
    assert len(card.json()["outcomes"]) == metrics
