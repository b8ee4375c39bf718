"""Downloads of the assurance scorecard's tables as CSV and Excel: a round's
tables (`/assurance/rounds/<id>/<table>.<format>`) for its commissioner and
the panel only, a published one's (`/scorecards/<id>/<table>.<format>`) for
anyone and from the snapshot only; rows hand-checked against the fixture,
360 results suppressed as on the pages and no comment text published,
formula-leading cells escaped, and a fixed number of queries."""

import csv
import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assurance import services
from assurance.downloads import NOT_YET, ROUND_TABLES
from assurance.models import GovernanceAnswer
from contracts import notices
from reporting import assurance_publishing as publishing
from reporting.models import PublishedScorecard
from tests.assurance.test_assurance_outcomes import emadm_fixture  # noqa: F401 (fixture)
from tests.assurance_fixtures import (  # noqa: F401 (fixtures)
    assessment_fixture,
    framework_fixture,
    respondents_fixture,
)
from tests.reporting.test_scorecards_assurance import (  # noqa: F401 (fixtures)
    SUMMARY,
    assessed_fixture,
    other_commissioner_fixture,
    published_fixture,
)

EMADM = "Emergency admissions per 1,000 people aged 75+"
STRATEGY = "Strategy"  # governance question 1's title


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def round_url(round, table, format="csv"):
    return reverse(
        "assurance:scorecard-download", kwargs={"pk": round.pk, "table": table, "format": format}
    )


def public_url(scorecard, table, format="csv"):
    return reverse(
        "reporting:scorecard-download",
        kwargs={"pk": scorecard.pk, "table": table, "format": format},
    )


def csv_rows(response):
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_rows(response):
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_round_tables_hold_what_the_scorecard_page_shows(client, system, assessed):
    client.force_login(system.commissioner)
    [header, outcome] = csv_rows(client.get(round_url(assessed, "outcomes")))
    assert header[:5] == ["Code", "Metric", "National or local", "Month", "Value"]
    # 25 in June 2026, third of five (20, 24, 25, 30, 33), mean 26.4, quartile 24, 60% closed.
    assert outcome == [
        "EMADM",
        EMADM,
        "Local",
        "2026-06-01",
        "25.0",
        "",
        "3",
        "5",
        "26.4",
        "24.0",
        "60.0",
        "improving",
        "",  # not withheld
    ]
    trends = csv_rows(client.get(round_url(assessed, "trends")))
    assert len(trends) == 1 + 24
    assert trends[18] == ["EMADM", EMADM, "2026-06-01", "25.0", "26.4", ""]
    assert trends[1] == ["EMADM", EMADM, "2025-01-01", "", "", ""]

    competencies = csv_rows(client.get(round_url(assessed, "competencies")))
    assert competencies[0][6:] == ["Last final", "Change"]  # no earlier final round
    first, measure_1a = competencies[1], competencies[2]
    assert first[1:] == ["", "", "", "2.7", "", "", ""]  # the mean of 2, 3 and 3
    assert measure_1a[1].startswith("1a ") and measure_1a[3:6] == ["3", "2", ""]
    assert competencies[-1] == ["Overall", "", "", "", "", "", "", ""]  # not every one rated
    assert len(competencies) == 1 + 11 * 4 + 1

    governance = csv_rows(client.get(round_url(assessed, "governance")))
    assert governance[1][0] == STRATEGY
    assert governance[1][2:] == [
        "In place",
        "Strategy approved by the board (see Dr Jane Smith's paper).",
        "Confirmed",
        "Seen the minutes.",
    ]
    assert governance[2][2:] == ["Not answered", "", "", ""]


def test_round_360_download_is_suppressed_as_on_the_page(client, system, assessed):
    client.force_login(system.admin)  # the panel
    rows = csv_rows(client.get(round_url(assessed, "feedback")))
    assert rows[0][5:] == ["Statement", "Agree or strongly agree (%)", "Responses"]
    still_open = [row for row in rows[1:] if row[0] == "Still open"]
    closed = [row for row in rows[1:] if row[0] == "360 feedback 2026"]
    assert rows[1][0] == "Still open"  # newest first, as on the page
    assert {row[1] for row in still_open} == {"Open"} and {row[1] for row in closed} == {"Closed"}
    # Open: one row with the number of responses so far, nothing of the answers.
    assert still_open == [["Still open", "Open", still_open[0][2], "0", "5", NOT_YET, "", ""]]
    # Six answered; statement 1: three of six agree; statement 2: two answers only.
    assert closed[0][3:5] == ["6", "5"]
    assert closed[0][6:] == ["50", "6"] and closed[1][6:] == ["Too few responses", "2"]
    assert all(row[6] == "Too few responses" for row in closed[2:])
    text = str(rows)
    assert "Comment" not in text  # comments are not a table
    workbook = xlsx_rows(client.get(round_url(assessed, "feedback", "xlsx")))
    closed_row = next(row for row in workbook if row[0] == "360 feedback 2026")
    assert closed_row[6:] == [50, 6]  # typed numbers


def test_round_downloads_escape_formulas(client, system, assessed):
    formula = '=HYPERLINK("http://evil.example","click")'
    GovernanceAnswer.objects.filter(round=assessed).update(evidence=formula)
    client.force_login(system.commissioner)
    assert csv_rows(client.get(round_url(assessed, "governance")))[1][3] == "'" + formula
    sheet = load_workbook(
        io.BytesIO(client.get(round_url(assessed, "governance", "xlsx")).content)
    ).active
    cell = sheet.cell(row=2, column=4)
    assert (cell.value, cell.data_type) == ("'" + formula, "s")


def test_round_downloads_follow_the_page_access(client, system, assessed, other_commissioner):
    url = round_url(assessed, "governance")
    assert client.get(url).status_code == 302  # sign in first
    for outsider in (system.network_manager_a, system.lay_partner, other_commissioner):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.force_login(system.admin)
    assert client.get(url).status_code == 200
    client.force_login(system.commissioner)
    assert client.get(url).status_code == 200
    assert client.get(round_url(assessed, "unknown")).status_code == 404
    assert client.get(round_url(assessed, "governance", "pdf")).status_code == 404
    page = client.get(reverse("assurance:scorecard", args=[assessed.pk])).content.decode()
    for table in ROUND_TABLES:
        if table != "notices":  # listed only when there are notices
            assert round_url(assessed, table, "xlsx") in page


def add_survey(system, round, respondents, title):
    survey = services.open_feedback_survey(
        user=system.commissioner,
        round=round,
        title=title,
        closes_at=timezone.now() + dt.timedelta(days=1),
    )
    for person in respondents:
        services.answer_feedback_survey(
            user=person, survey=survey, agreements={1: 4, 2: 2}, comment="Fine."
        )
    return survey


@pytest.mark.parametrize("extra", [0, 3])
def test_round_downloads_cost_fixed_queries(
    client, system, assessment, emadm, respondents, django_assert_max_num_queries, extra
):
    services.choose_outcomes(user=system.commissioner, round=assessment, metrics=[emadm])
    for number in range(1 + extra):
        survey = add_survey(system, assessment, respondents[: 2 + number], f"Survey {number}")
        if number % 2 == 0:  # closed ones have their answers read
            services.close_feedback_survey(user=system.commissioner, survey=survey)
        notices.raise_notice(
            user=system.network_manager_a,
            contract=system.contract_a,
            title=f"Late payment {number}",
            concern="Payments are late.",
            raised_on=dt.date(2026, 3, 2 + number),
            obligations="Payment terms",
        )
    client.force_login(system.commissioner)
    # The session and user, the round, then the table's reads (for 360 feedback: the
    # counts, the wait for answers being stored, statements, answers, comments; for
    # outcomes and trends, the person's data scope for the small-numbers rule too).
    for table in ROUND_TABLES:
        with django_assert_max_num_queries(10):
            response = client.get(round_url(assessment, table))
            assert len(csv_rows(response)) > 1


def test_published_tables_come_from_the_snapshot(client, system, assessed, published):
    # Later changes to the round never reach the published downloads.
    GovernanceAnswer.objects.filter(round=assessed).update(certification="not_in_place")
    outcomes = csv_rows(client.get(public_url(published, "outcomes")))
    assert outcomes[1][:2] == ["EMADM", EMADM]
    assert outcomes[1][4:] == [
        "No",
        "2026-06-01",
        "25.0",
        "",
        "3",
        "5",
        "26.4",
        "24.0",
        "60.0",
        "improving",
        "",  # not withheld for any reader
    ]
    trends = csv_rows(client.get(public_url(published, "trends")))
    assert trends[18] == ["EMADM", EMADM, "2026-06-01", "25.0", "26.4", ""]
    competencies = csv_rows(client.get(public_url(published, "competencies")))
    assert competencies[1][2:] == ["2.7", ""] and competencies[-1] == ["Overall", "", "", ""]
    governance = csv_rows(client.get(public_url(published, "governance")))
    assert governance[1][2:] == ["In place", "Confirmed"]
    assert governance[2][2:] == ["Not answered", "Not reviewed"]
    feedback = csv_rows(client.get(public_url(published, "feedback")))
    assert {row[0] for row in feedback[1:]} == {"360 feedback 2026"}  # the open one left out
    assert feedback[1][2:5] == ["6", "5", "6"]  # responses, minimum, comments written
    assert feedback[1][6:] == ["50", "6"] and feedback[2][6:] == ["Too few responses", "2"]
    for table in ("outcomes", "trends", "competencies", "governance", "feedback"):
        text = b"".join(client.get(public_url(published, table)).streaming_content).decode()
        for private in ("Jane Smith", "Seen the minutes", "Comment 1", "Minutes."):
            assert private not in text
    workbook = xlsx_rows(client.get(public_url(published, "feedback", "xlsx")))
    closed_on = dt.date.fromisoformat(published.snapshot["feedback"][0]["closed_on"])
    assert workbook[1][1] == dt.datetime.combine(closed_on, dt.time())  # a typed date
    html = client.get(published.get_absolute_url()).content.decode()
    for table in ("outcomes", "trends", "competencies", "governance", "feedback"):
        assert public_url(published, table, "xlsx") in html


def test_published_downloads_escape_formulas(client, system, assessed):
    assessed.surveys.update(title="=1+2")
    published = publishing.publish(user=system.commissioner, round=assessed, summary=SUMMARY)
    assert csv_rows(client.get(public_url(published, "feedback")))[1][0] == "'=1+2"
    workbook = xlsx_rows(client.get(public_url(published, "feedback", "xlsx")))
    assert workbook[1][0] == "'=1+2"


def test_published_downloads_refused_once_withdrawn_or_unknown(client, system, published):
    assert client.get(public_url(published, "nothing")).status_code == 404
    assert client.get(public_url(published, "feedback", "pdf")).status_code == 404
    assert client.get(public_url(published, "trend")).status_code == 404  # a services table
    from reporting.publishing import withdraw

    withdraw(user=system.commissioner, scorecard=published, reason="Wrong.")
    assert client.get(public_url(published, "feedback")).status_code == 404


def test_published_download_of_an_older_snapshot_has_no_comment_text(client, published):
    old = dict(published.snapshot, version=1)
    old["feedback"] = [
        {**{k: v for k, v in s.items() if k != "comment_count"}, "comments": ["I run RVZ."]}
        for s in old["feedback"]
    ]
    PublishedScorecard.objects.filter(pk=published.pk).update(snapshot=old)
    rows = csv_rows(client.get(public_url(published, "feedback")))
    assert "RVZ" not in str(rows) and rows[1][4] == "1"


def test_published_downloads_cost_one_query(client, published, django_assert_max_num_queries):
    for table in ("outcomes", "trends", "competencies", "governance", "feedback"):
        with django_assert_max_num_queries(1):
            assert client.get(public_url(published, table, "xlsx")).status_code == 200
