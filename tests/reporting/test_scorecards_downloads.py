"""Public scorecard downloads carry what the page shows: figures rounded as
the page rounds them (one decimal place, money two, halves up) and the
words the page uses, not the snapshot's codes; formula-leading text is
still escaped. Contract scorecards and published assurance scorecards."""

import csv
import datetime as dt
import io
import re
from html import unescape

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from core import numbers
from reporting import contract_publishing
from reporting.models import PublishedScorecard
from tests.assurance.test_assurance_outcomes import emadm_fixture  # noqa: F401 (fixture)
from tests.assurance_fixtures import (  # noqa: F401 (fixtures)
    assessment_fixture,
    framework_fixture,
    respondents_fixture,
)
from tests.dashboard_data import seed
from tests.reporting.test_scorecards_assurance import (  # noqa: F401 (fixtures)
    assessed_fixture,
    published_fixture,
)

MEASURE_WORDS = {
    "Which way is better": {
        "Higher is better",
        "Lower is better",
        "Shown for context: neither higher nor lower is better",
    },
    "Improving?": {
        "Improving",
        "Getting worse",
        "No significant change",
        "Changed (higher)",
        "Changed (lower)",
        "Too little data to tell",
    },
}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def scorecard(system, contract):
    seed(system, contract, metrics=3, months=14, twins=True)
    return contract_publishing.publish(
        user=system.commissioner,
        contract=contract,
        organisation=system.network_a,
        period=dt.date(2025, 5, 1),
        summary="How the network is doing.",
    )


def url(scorecard, table, format="csv"):
    return reverse(
        "reporting:scorecard-download",
        kwargs={"pk": scorecard.pk, "table": table, "format": format},
    )


def csv_dicts(client, scorecard, table):
    response = client.get(url(scorecard, table))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def xlsx_dicts(client, scorecard, table):
    response = client.get(url(scorecard, table, "xlsx"))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def page_text(client, scorecard):
    return unescape(client.get(scorecard.get_absolute_url()).content.decode())


def set_metric(scorecard, index, **changes):
    """Change one measure of the stored snapshot, as if published so."""
    snapshot = scorecard.snapshot
    snapshot["metrics"][index].update(changes)
    PublishedScorecard.objects.filter(pk=scorecard.pk).update(snapshot=snapshot)
    scorecard.refresh_from_db()


def test_measures_download_shows_the_figures_and_words_of_the_page(client, scorecard):
    page = page_text(client, scorecard)
    rows = csv_dicts(client, scorecard, "measures")
    assert len(rows) == len(scorecard.snapshot["metrics"]) > 0
    for row in rows:
        for column, words in MEASURE_WORDS.items():
            assert row[column] in words, row
        assert row["Improving?"] in page
        assert row["Rating"] in page
        # "Latest" is the number the card shows, to one decimal place.
        assert len(row["Latest"].split(".")[1]) == 1, row
        assert numbers.fmt(float(row["Latest"]), 1, row["Unit"]) in page
        assert numbers.fmt(float(row["Target"]), 1, row["Unit"]) in page
    # The workbook holds the same rounded figures, as numbers.
    for row, cells in zip(rows, xlsx_dicts(client, scorecard, "measures"), strict=True):
        assert isinstance(cells["Latest"], int | float)
        assert cells["Latest"] == pytest.approx(float(row["Latest"]), abs=1e-9)
        assert cells["Improving?"] == row["Improving?"]
        assert cells["Which way is better"] == row["Which way is better"]


def test_measures_download_rounds_halves_up_and_money_to_pence(client, scorecard):
    set_metric(scorecard, 0, value=91.35)  # 91.34999... as a float: round() gives 91.3
    set_metric(scorecard, 1, value=1416.1, unit="£", target=1150.0)
    page = page_text(client, scorecard)
    assert "91.4" in page and "£1,416.10" in page and "£1,150.00" in page
    rows = csv_dicts(client, scorecard, "measures")
    assert (rows[0]["Latest"], rows[1]["Latest"], rows[1]["Target"]) == (
        "91.4",
        "1416.10",
        "1150.00",
    )
    cells = xlsx_dicts(client, scorecard, "measures")
    assert (cells[0]["Latest"], cells[1]["Latest"]) == (pytest.approx(91.4), pytest.approx(1416.1))


def test_measures_download_words_for_missing_figures(client, scorecard):
    set_metric(scorecard, 0, value=None, rating=None, trend=None)
    page = page_text(client, scorecard)
    assert "Not rated" in page and "Too little data to tell" in page
    [row, *_] = csv_dicts(client, scorecard, "measures")
    assert (row["Latest"], row["Rating"], row["Improving?"]) == (
        "",
        "Not rated",
        "Too little data to tell",
    )


def test_measures_download_still_escapes_formulas(client, scorecard):
    set_metric(scorecard, 0, name='=HYPERLINK("http://evil.example","x")')
    [row, *_] = csv_dicts(client, scorecard, "measures")
    assert row["Measure"].startswith("'=HYPERLINK")
    [cells, *_] = xlsx_dicts(client, scorecard, "measures")
    assert cells["Measure"].startswith("'=HYPERLINK")


def test_score_tables_round_as_the_page_does(client, scorecard):
    snapshot = scorecard.snapshot
    snapshot["trend"][-1]["score"] = 54.25  # 54.2499... as a float
    snapshot["dimensions"][0]["score"] = 6.05
    PublishedScorecard.objects.filter(pk=scorecard.pk).update(snapshot=snapshot)
    trend = csv_dicts(client, scorecard, "trend")
    assert trend[-1]["Score (0-100)"] == "54.3"
    dimensions = csv_dicts(client, scorecard, "dimensions")
    assert dimensions[0]["Score (0-10)"] == "6.1"
    assert "6.1" in page_text(client, scorecard)
    for row in csv_dicts(client, scorecard, "members"):
        assert len(row["Score (0-100)"].split(".")[1]) == 1, row


def test_published_assurance_outcomes_download_as_the_page_shows_them(client, published):
    snapshot = published.snapshot
    snapshot["outcomes"][0]["value"] = 74.358974
    snapshot["outcomes"][0]["months"][17]["value"] = 25.05  # 25.0499... as a float
    PublishedScorecard.objects.filter(pk=published.pk).update(snapshot=snapshot)
    page = page_text(client, published)
    assert "74.4" in page and "Lower is better." in page
    [outcome] = csv_dicts(client, published, "outcomes")
    assert outcome["Which way is better"] == "Lower is better"
    assert outcome["Latest"] == "74.4"
    assert outcome["On the year before"] in page
    trends = csv_dicts(client, published, "trends")
    assert trends[17]["Value"] == "25.1"
    [cells] = xlsx_dicts(client, published, "outcomes")
    assert cells["Latest"] == pytest.approx(74.4)


def test_measures_link_is_worded_for_cards_not_a_table(client, scorecard):
    html = client.get(scorecard.get_absolute_url()).content.decode()
    measures = html[html.index("<h2>Each measure</h2>") :]
    link = re.search(r"<p[^>]*>([^<:]+):\s*<a href=\"([^\"]+)\"", measures)
    assert link.groups() == ("Download these measures", url(scorecard, "measures"))
    assert "Download this table" not in measures
    # The tables above keep theirs.
    assert html.count("Download this table") == 3
