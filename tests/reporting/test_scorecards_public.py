"""Public scorecards: the list, a page for lay readers, the glossary and
/api/v1/scorecards/, all without signing in; unpublished data never reaches
them; fixed query counts."""

import datetime as dt
import io
import json
import re
from html import unescape

import pytest
from django.core.cache import cache
from django.urls import reverse

from assurance import benchmark
from outcomes.choices import Rating
from reporting import contract_publishing, publishing
from reporting.models import PublishedScorecard
from tests.dashboard_data import seed

D = dt.date
LIST = reverse("reporting:scorecard-list")
API = reverse("api:scorecard-list")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def scored(system, contract):
    return seed(system, contract, metrics=3, months=14, twins=True)


@pytest.fixture
def published(system, contract, scored):
    return contract_publishing.publish(
        user=system.commissioner,
        contract=contract,
        organisation=system.network_a,
        period=D(2025, 5, 1),
        summary="Fewer older people were admitted to hospital in an emergency.",
    )


def test_anonymous_visitor_reads_the_list_and_the_scorecard(client, published):
    html = client.get(LIST).content.decode()
    assert published.title in html and published.get_absolute_url() in html
    response = client.get(published.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fewer older people were admitted" in html
    assert "In May 2025 Network A scored 54 out of 100 overall." in html
    assert "How many older people are admitted to hospital in an emergency." in html
    assert "Lower is better." in html and "Improving" in html
    assert "Quality of care" in html and "What it means" in html
    charts = dict(
        re.findall(
            r'<script id="(chart-[a-z]+)-data" type="application/json">(.*?)</script>', html, re.S
        )
    )
    assert set(charts) == {"chart-trend", "chart-dimensions", "chart-members"}
    members = json.loads(charts["chart-members"])["data"][0]
    assert members["y"] == ["Provider A1", "Provider A2", "Provider A3", "Provider A4"]
    assert (
        "Overall score of each member, May 2025. Provider A1: 46; Provider A2: 75; "
        "Provider A3: 46; Provider A4: 75." in html
    )
    assert "What the words on this page mean" in html


def test_glossary_is_public(client, published):
    html = client.get(reverse("reporting:scorecard-glossary")).content.decode()
    assert "Coverage" in html and "Making Data Count" in html and "Quality of care" in html


GLOSSARY_TERMS = [
    "Accepted",
    "Not accepted",
    "Approaching target",
    "Member",
    "Competency",
    "Governance",
    "360 feedback",
    "Upper quartile",
    "Gap closed",
    "National average",
]


def test_glossary_explains_every_word_the_public_pages_use(client, db):
    html = client.get(reverse("reporting:scorecard-glossary")).content.decode()
    terms = re.findall(r'<dt class="nhsuk-summary-list__key">(.*?)</dt>', html)
    for word in GLOSSARY_TERMS:
        assert word in html, word
    assert {"Approaching target", "Member", "Competency", "Governance", "360 feedback"} <= set(
        terms
    )
    assert {"National average", "Upper quartile", "Gap closed"} <= set(terms)
    # The rating words are the ones the pages show.
    for label in Rating.labels:
        assert label in html, label


def test_glossary_gives_both_meanings_of_improving(client, db):
    html = unescape(client.get(reverse("reporting:scorecard-glossary")).content.decode())
    # Services scorecards: statistical process control.
    assert "statistical process control" in html and "'No significant change'" in html
    # Assurance scorecards: the yearly means, with the no-change band of benchmark.trend.
    assert "'Worsening' and 'No change'" in html
    assert f"{benchmark.NO_CHANGE_WITHIN:.0%} of the year before's average or less" in html


def test_glossary_says_when_pooled_figures_are_shown(client, db, settings):
    """The small-numbers rule in words, with K as configured."""
    settings.SMALL_NUMBERS_MIN_OTHERS = 4
    html = unescape(client.get(reverse("reporting:scorecard-glossary")).content.decode())
    assert "It is shown, with the commissioner's rank, only when no one who reads it" in html
    assert "at least 4 of those organisations are ones whose figures they cannot see" in html


def test_withdrawn_scorecard_shows_the_reason_not_the_figures(client, system, published):
    client.get(published.get_absolute_url())  # cached while live
    publishing.withdraw(user=system.commissioner, scorecard=published, reason="Wrong March data")
    html = client.get(published.get_absolute_url()).content.decode()
    assert "This scorecard has been withdrawn" in html and "Wrong March data" in html
    assert "scored 54 out of 100" not in html and "chart-trend" not in html
    listing = client.get(LIST).content.decode()
    assert "Withdrawn scorecards" in listing and "Wrong March data" in listing


def test_nothing_unpublished_is_public(client, api_client, system, contract, scored):
    assert "No scorecards have been published yet" in client.get(LIST).content.decode()
    assert api_client.get(API).json()["results"] == []
    assert client.get(reverse("reporting:scorecard-detail", args=[999])).status_code == 404
    # A lay partner sees the same as the public, and no private pages.
    client.force_login(system.lay_partner)
    assert "No scorecards have been published yet" in client.get(LIST).content.decode()
    assert client.get(reverse("reporting:dashboard")).status_code == 403


def test_api_serves_the_published_snapshot_anonymously(api_client, published):
    response = api_client.get(API)
    assert response.status_code == 200
    [item] = response.json()["results"]
    assert item["id"] == published.pk and item["organisation"] == "NETA"
    assert item["period_start"] == "2025-05-01" and item["withdrawn"] is False
    assert item["snapshot"] == json.loads(json.dumps(published.snapshot))
    assert item["url"].endswith(published.get_absolute_url())
    detail = api_client.get(reverse("api:scorecard-detail", args=[published.pk])).json()
    assert detail["snapshot"]["aggregate"]["score"] == pytest.approx(54.375)


def test_api_is_read_only(api_client, system, published):
    api_client.force_authenticate(system.commissioner)
    assert api_client.post(API, {"title": "x"}, format="json").status_code in (401, 403, 405)
    url = reverse("api:scorecard-detail", args=[published.pk])
    assert api_client.delete(url).status_code in (401, 403, 405)
    assert PublishedScorecard.objects.count() == 1


def test_api_hides_withdrawn_figures_and_filters(api_client, system, published):
    publishing.withdraw(user=system.commissioner, scorecard=published, reason="Wrong data")
    [item] = api_client.get(API).json()["results"]
    assert item["withdrawn"] is True and item["withdrawal_reason"] == "Wrong data"
    assert item["snapshot"] is None and item["summary"] is None
    assert api_client.get(API, {"withdrawn": "false"}).json()["results"] == []
    assert len(api_client.get(API, {"organisation": "NETA"}).json()["results"]) == 1


def test_api_schema_lists_scorecards(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "/api/v1/scorecards/" in schema["paths"]
    assert "/api/v1/scorecards/{id}/" in schema["paths"]


@pytest.mark.parametrize("months, metrics", [(6, 2), (18, 6)])
def test_scorecard_page_and_api_queries_are_fixed(
    client, api_client, system, contract, django_assert_max_num_queries, months, metrics
):
    _, periods = seed(system, contract, metrics=metrics, months=months)
    for period in periods[-3:]:
        contract_publishing.publish(
            user=system.commissioner,
            contract=contract,
            organisation=system.network_a,
            period=period,
            summary="Summary.",
        )
    scorecard = PublishedScorecard.objects.first()
    # The scorecard (1); its page's charts and text come from the snapshot.
    with django_assert_max_num_queries(1):
        assert client.get(scorecard.get_absolute_url()).status_code == 200
    # The list (1).
    with django_assert_max_num_queries(1):
        assert client.get(LIST).status_code == 200
    # The count and the page (2).
    with django_assert_max_num_queries(2):
        assert len(api_client.get(API).json()["results"]) == 3


@pytest.mark.parametrize("table", ["trend", "dimensions", "members", "measures"])
def test_every_scorecard_table_downloads_for_anyone(client, published, table):
    from openpyxl import load_workbook

    url = reverse(
        "reporting:scorecard-download", kwargs={"pk": published.pk, "table": table, "format": "csv"}
    )
    assert url in client.get(published.get_absolute_url()).content.decode()
    response = client.get(url)
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    response = client.get(url.replace(".csv", ".xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == len(lines) > 1


def test_withdrawn_scorecard_tables_are_gone(client, system, published):
    publishing.withdraw(user=system.commissioner, scorecard=published, reason="Wrong data")
    url = reverse(
        "reporting:scorecard-download",
        kwargs={"pk": published.pk, "table": "measures", "format": "csv"},
    )
    assert client.get(url).status_code == 404


def test_lay_partner_reads_published_scorecards_but_no_scores(api_client, system, published):
    api_client.force_authenticate(system.lay_partner)
    assert [item["id"] for item in api_client.get(API).json()["results"]] == [published.pk]
    scores = api_client.get(reverse("api:score-list"), {"level": "metric"})
    assert scores.status_code == 200 and scores.json()["results"] == []
