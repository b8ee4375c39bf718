"""Assurance scorecards on the public scorecards: a commissioner (or an
admin) publishes a final round's scorecard as a frozen snapshot; later edits
do not change it; withdrawal is public with its reason; 360 results are
published only as already suppressed and never name anyone; the public
list, page and API show both kinds to anyone, and nothing unpublished; the
list and API cost fixed queries with both kinds."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from assurance import services
from assurance.choices import RoundState
from assurance.models import (
    AssessmentRound,
    GovernanceAnswer,
    GovernanceQuestion,
    Measure,
    MeasureRating,
)
from contracts.choices import Role
from contracts.models import Organisation
from core.small_numbers import REASON
from outcomes.models import MetricScore
from reporting import assurance_publishing as publishing
from reporting import contract_publishing
from reporting.models import PublishedScorecard
from reporting.publishing import withdraw
from tests.assurance.test_assurance_outcomes import emadm_fixture, score  # noqa: F401 (fixture)
from tests.assurance_fixtures import (  # noqa: F401 (fixtures)
    assessment_fixture,
    framework_fixture,
    respondents_fixture,
)
from tests.dashboard_data import seed
from tests.factories import MembershipFactory, UserFactory

LIST = reverse("reporting:scorecard-list")
API = reverse("api:scorecard-list")
SUMMARY = "We kept emergency admissions down and our partners rate us better."
WITHHELD = REASON.format(k=3)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(name="other_commissioner")
def other_commissioner_fixture(system):
    user = UserFactory(username="other_commissioner")
    MembershipFactory(user=user, organisation=system.other_commissioner_org, role=Role.COMMISSIONER)
    return user


def make_final(round):
    AssessmentRound.objects.filter(pk=round.pk).update(state=RoundState.FINAL)
    round.refresh_from_db()
    return round


@pytest.fixture(name="assessed")
def assessed_fixture(system, assessment, emadm, respondents):
    """QCOM's 2026 round with an outcome, competency 1 rated by the panel,
    a confirmed governance answer, a closed survey answered by six (one
    statement by two only, so it stays suppressed) and an open survey."""
    score(system.contract_a, emadm, dt.date(2025, 6, 1), 30.0, None)
    services.choose_outcomes(user=system.commissioner, round=assessment, metrics=[emadm])
    for measure, level in zip(Measure.objects.filter(competency__number=1), (2, 3, 3), strict=True):
        MeasureRating.objects.create(
            round=assessment, measure=measure, self_level=3, evidence="Minutes.", final_level=level
        )
    GovernanceAnswer.objects.create(
        round=assessment,
        question=GovernanceQuestion.objects.get(number=1),
        certification="in_place",
        evidence="Strategy approved by the board (see Dr Jane Smith's paper).",
        certified_by=system.commissioner,
        certified_at=timezone.now(),
        panel_result="confirmed",
        panel_reason="Seen the minutes.",
    )
    closed = services.open_feedback_survey(
        user=system.commissioner,
        round=assessment,
        title="360 feedback 2026",
        closes_at=timezone.now() + dt.timedelta(days=1),
    )
    for number, person in enumerate(respondents):
        agreements = {1: 4 if number % 2 else 2}
        if number < 2:
            agreements[2] = 5
        services.answer_feedback_survey(
            user=person, survey=closed, agreements=agreements, comment=f"Comment {number}"
        )
    closed.closes_at = timezone.now() - dt.timedelta(minutes=1)
    closed.save()
    services.open_feedback_survey(
        user=system.commissioner,
        round=assessment,
        title="Still open",
        closes_at=timezone.now() + dt.timedelta(days=7),
    )
    return make_final(assessment)


@pytest.fixture(name="published")
def published_fixture(system, assessed):
    return publishing.publish(user=system.commissioner, round=assessed, summary=SUMMARY)


def test_publishing_freezes_the_assessment(system, assessed, published):
    assert (published.kind, published.contract, published.assessment_round) == (
        "assurance",
        None,
        assessed,
    )
    assert published.organisation == system.commissioner_org
    assert published.period_start == dt.date(2026, 1, 1)
    assert published.title == "Test ICB: commissioner assurance 2026"
    assert published.published_by == system.commissioner
    snapshot = published.snapshot
    [outcome] = snapshot["outcomes"]
    assert (outcome["code"], outcome["value"], outcome["rank"], outcome["peers"]) == (
        "EMADM",
        25.0,
        3,
        5,
    )
    assert outcome["trend"] == "improving" and len(outcome["months"]) == 24
    assert outcome["withheld"] is None
    assert outcome["months"][17] == {
        "period_start": "2026-06-01",
        "value": 25.0,
        "national_average": pytest.approx(26.4),
        "withheld": None,
    }
    first = snapshot["competencies"][0]
    assert (first["number"], first["level"]) == (1, pytest.approx(2.7))
    assert snapshot["competencies"][1]["level"] is None and snapshot["overall"] is None
    strategy = snapshot["governance"][0]
    assert strategy["certification_label"] == "In place"
    assert strategy["panel_result"] == "confirmed"
    [survey] = snapshot["feedback"]  # the open survey is left out
    assert survey["respondents"] == 6 and not survey["suppressed"]
    one, two = survey["statements"][:2]
    assert (one["responses"], one["share_agreeing"]) == (6, 50.0)
    assert (two["responses"], two["share_agreeing"]) == (2, None)  # below the minimum
    # Comments are counted, never quoted: free text can identify its writer.
    assert survey["comment_count"] == 6 and "comments" not in survey
    # Evidence, reasons and people stay private.
    text = str(snapshot)
    for private in (
        "Jane Smith",
        "Minutes.",
        "Seen the minutes",
        "commissioner@",
        "provider_a",
        "Comment 0",
    ):
        assert private not in text
    assert PublishedScorecard.history.filter(id=published.pk).count() == 1


def test_comments_of_a_survey_below_the_minimum_are_never_published(
    system, assessment, respondents
):
    survey = services.open_feedback_survey(
        user=system.commissioner,
        round=assessment,
        title="Few answers",
        closes_at=timezone.now() + dt.timedelta(days=1),
    )
    for person in respondents[:4]:
        services.answer_feedback_survey(
            user=person, survey=survey, agreements={1: 5}, comment="I run the only clinic."
        )
    survey.closes_at = timezone.now() - dt.timedelta(minutes=1)
    survey.save()
    scorecard = publishing.publish(
        user=system.admin, round=make_final(assessment), summary="Summary."
    )
    [results] = scorecard.snapshot["feedback"]
    assert results["suppressed"] and results["comment_count"] is None
    assert all(s["share_agreeing"] is None for s in results["statements"])
    assert "only clinic" not in str(scorecard.snapshot)


def test_snapshot_does_not_change_after_later_edits(system, assessed, published, emadm):
    before = published.snapshot
    GovernanceAnswer.objects.filter(round=assessed).update(certification="not_in_place")
    MeasureRating.objects.filter(round=assessed).update(final_level=1)
    emadm.name = "Renamed"
    emadm.save()
    score(system.contract_a, emadm, dt.date(2026, 7, 1), 10.0, None)
    published.refresh_from_db()
    assert published.snapshot == before
    with pytest.raises(ValueError):
        published.save()


def test_only_the_commissioner_or_an_admin_publishes_a_final_round_once(
    system, assessment, other_commissioner
):
    with pytest.raises(ValidationError) as error:
        publishing.publish(user=system.commissioner, round=assessment, summary="Summary.")
    assert "Only a final assessment" in error.value.message_dict["round"][0]
    make_final(assessment)
    for outsider in (system.network_manager_a, other_commissioner):
        with pytest.raises(PermissionDenied):
            publishing.publish(user=outsider, round=assessment, summary="Summary.")
    with pytest.raises(ValidationError) as error:
        publishing.publish(user=system.commissioner, round=assessment, summary="  ")
    assert "summary" in error.value.message_dict
    publishing.publish(user=system.admin, round=assessment, summary="Summary.")
    with pytest.raises(ValidationError) as error:
        publishing.publish(user=system.commissioner, round=assessment, summary="Again.")
    assert "already published" in error.value.message_dict["round"][0]
    assert PublishedScorecard.objects.count() == 1


def test_withdrawal_is_public_with_its_reason(
    client, api_client, system, published, other_commissioner
):
    with pytest.raises(PermissionDenied):
        withdraw(user=other_commissioner, scorecard=published, reason="No.")
    client.force_login(system.commissioner)
    url = reverse("reporting:scorecard-withdraw", args=[published.pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    assert client.post(url, {"reason": "A survey answer was counted twice."}).status_code == 302
    client.logout()
    html = client.get(published.get_absolute_url()).content.decode()
    assert "This scorecard has been withdrawn" in html
    assert "Reason: A survey answer was counted twice." in html
    assert SUMMARY not in html and "Comment 1" not in html
    assert "A survey answer was counted twice." in client.get(LIST).content.decode()
    data = api_client.get(f"{API}{published.pk}/").json()
    assert data["withdrawn"] and data["snapshot"] is None and data["summary"] is None
    # Once withdrawn it can be published again.
    publishing.publish(user=system.commissioner, round=published.assessment_round, summary="New.")


def test_anonymous_reader_sees_the_lay_page(client, published):
    assert published.get_absolute_url() in client.get(LIST).content.decode()
    html = client.get(published.get_absolute_url()).content.decode()
    assert SUMMARY in html
    assert "Overall, Test ICB" not in html  # no overall level: not every competency is rated
    assert "The four levels" in html and "World class" in html
    assert "2.7 (baseline)" in html
    assert "3 of 5 commissioners" in html and "Lower is better." in html
    assert 'data-chart="trend-emadm-data"' in html and "improving on the year before" in html
    assert "Strategy" in html and "Confirmed" in html
    # The outcomes are cards, not a table, and the download links say so.
    assert "Download these health outcomes:" in html
    assert "Download the health outcomes by month:" in html
    assert "Too few responses" in html and "Comment 3" not in html
    assert "Respondents also wrote 6 comments" in html
    assert "Still open" not in html and "Jane Smith" not in html
    assert "plotly/plotly.min.js" in html
    # The services scorecard's tables do not exist for an assurance scorecard.
    download = reverse("reporting:scorecard-download", args=[published.pk, "trend", "csv"])
    assert client.get(download).status_code == 404


def test_lay_page_links_to_the_glossary(client, published):
    html = client.get(published.get_absolute_url()).content.decode()
    glossary = reverse("reporting:scorecard-glossary")
    assert f'<a href="{glossary}">What the words on this page mean</a>' in html


def test_publish_page(client, system, assessment, other_commissioner):
    url = reverse("reporting:assurance-publish", args=[assessment.pk])
    client.force_login(system.commissioner)
    assert "The assessment is not final yet" in client.get(url).content.decode()
    assert client.post(url, {"title": "T", "summary": "S"}).status_code == 200
    assert not PublishedScorecard.objects.exists()
    make_final(assessment)
    page = client.get(url).content.decode()
    assert "What readers will be told" in page
    response = client.post(url, {"title": "Our assessment 2026", "summary": SUMMARY})
    scorecard = PublishedScorecard.objects.get()
    assert response.url == scorecard.get_absolute_url()
    assert "already published" in client.get(url).content.decode()
    client.force_login(system.network_manager_a)
    assert client.get(url).status_code == 403
    client.force_login(other_commissioner)
    assert client.get(url).status_code == 404


def test_nothing_unpublished_is_public(client, api_client, assessed):
    assert "No scorecards have been published yet" in client.get(LIST).content.decode()
    assert api_client.get(API).json()["count"] == 0


def test_api_round_trip(api_client, system, published):
    data = api_client.get(API, {"kind": "assurance"}).json()
    [row] = data["results"]
    assert (row["kind"], row["contract"], row["organisation"]) == ("assurance", None, "QCOM")
    assert row["summary"] == SUMMARY and row["period_start"] == "2026-01-01"
    assert row["snapshot"] == published.snapshot
    assert api_client.get(API, {"kind": "contract"}).json()["count"] == 0
    assert api_client.get(API, {"organisation": "QCOM"}).json()["count"] == 1
    api_client.force_authenticate(system.commissioner)
    assert api_client.delete(f"{API}{published.pk}/").status_code == 405


@pytest.mark.parametrize("months, metrics", [(6, 2), (18, 6)])
def test_public_list_and_api_queries_with_both_kinds(
    client,
    api_client,
    system,
    contract,
    assessment,
    django_assert_max_num_queries,
    months,
    metrics,
):
    _, periods = seed(system, contract, metrics=metrics, months=months)
    for period in periods[-2:]:
        contract_publishing.publish(
            user=system.commissioner,
            contract=contract,
            organisation=system.network_a,
            period=period,
            summary="Summary.",
        )
    publishing.publish(user=system.commissioner, round=make_final(assessment), summary="S.")
    with django_assert_max_num_queries(1):
        html = client.get(LIST).content.decode()
    assert "Commissioner assurance: how Test ICB was assessed for 2026" in html
    with django_assert_max_num_queries(2):
        assert {row["kind"] for row in api_client.get(API).json()["results"]} == {
            "contract",
            "assurance",
        }
    assurance = PublishedScorecard.objects.get(kind="assurance")
    with django_assert_max_num_queries(1):
        assert client.get(assurance.get_absolute_url()).status_code == 200


def test_comment_text_of_an_older_snapshot_is_never_shown(client, api_client, system, published):
    """Snapshots published before comments were left out (version 1) keep
    them, frozen; the public page and the API show only how many there were."""
    old = dict(published.snapshot, version=1)
    old["feedback"] = [
        {**{k: v for k, v in survey.items() if k != "comment_count"}, "comments": ["I run RVZ."]}
        for survey in old["feedback"]
    ]
    PublishedScorecard.objects.filter(pk=published.pk).update(snapshot=old)
    published.refresh_from_db()
    html = client.get(published.get_absolute_url()).content.decode()
    assert "RVZ" not in html and "Respondents also wrote 1 comment." in html
    data = api_client.get(f"{API}{published.pk}/").json()
    assert "RVZ" not in str(data) and data["snapshot"]["feedback"][0]["comment_count"] == 1
    published.refresh_from_db()
    assert published.snapshot == old  # the stored snapshot is not rewritten


def test_the_commissioner_still_reads_the_comments(client, system, assessed):
    client.force_login(system.commissioner)
    html = client.get(reverse("assurance:scorecard", args=[assessed.pk])).content.decode()
    assert "Comment 3" in html


def test_two_commissioners_give_nothing_away(client, api_client, system, assessed, emadm):
    """With only this commissioner and one other reporting, the national
    average would be the other's value given away: not on the page, the
    downloads or the API, nor in the private scorecard."""
    MetricScore.objects.filter(organisation__code__in=["PB1", "PD1", "PE1"]).delete()
    scorecard = publishing.publish(user=system.commissioner, round=assessed, summary=SUMMARY)
    [outcome] = scorecard.snapshot["outcomes"]
    assert (outcome["rank"], outcome["peers"], outcome["national_average"]) == (None, None, None)
    assert outcome["upper_quartile"] is None and outcome["withheld"] == WITHHELD
    assert all(month["national_average"] is None for month in outcome["months"])
    html = client.get(scorecard.get_absolute_url()).content.decode()
    assert f"Not compared. {WITHHELD}" in html
    assert "Not shown to protect other commissioners' figures" in html
    assert "national average 2" not in html
    data = api_client.get(f"{API}{scorecard.pk}/").json()["snapshot"]["outcomes"][0]
    assert (data["rank"], data["national_average"], data["upper_quartile"]) == (None, None, None)
    client.force_login(system.commissioner)
    private = client.get(reverse("assurance:scorecard", args=[assessed.pk])).content.decode()
    assert f"Not compared. {WITHHELD}" in private


def test_a_published_figure_suits_every_reader(client, system, assessed, emadm):
    """Four commissioners report June 2026 (QFFT's PE1 does not). QCOM's
    people see three of them unseen: shown on the round's page. But someone
    working for PB1 and PD1 sees QTHD's and QFTH's values (each has that
    provider alone), and the published scorecard is theirs to read too:
    with QCOM's own, published, only QOTH's would be left. Withheld there."""
    MetricScore.objects.filter(organisation__code="PE1").delete()
    client.force_login(system.commissioner)
    private = client.get(reverse("assurance:scorecard", args=[assessed.pk])).content.decode()
    assert "2 of 4" in private and "Not compared" not in private
    scorecard = publishing.publish(user=system.commissioner, round=assessed, summary=SUMMARY)
    assert scorecard.snapshot["outcomes"][0]["withheld"] is None  # nobody sees two others
    withdraw(user=system.commissioner, scorecard=scorecard, reason="Republished.")
    both = UserFactory(username="both")
    for code in ("PB1", "PD1"):
        MembershipFactory(
            user=both, organisation=Organisation.objects.get(code=code), role=Role.PROVIDER_USER
        )
    scorecard = publishing.publish(user=system.commissioner, round=assessed, summary=SUMMARY)
    [outcome] = scorecard.snapshot["outcomes"]
    assert outcome["withheld"] == WITHHELD and outcome["national_average"] is None


def test_national_figures_of_an_older_snapshot_from_too_few_are_not_shown(
    client, api_client, published
):
    """Version 2 froze national figures whatever the number of commissioners."""
    old = dict(published.snapshot, version=2)
    [outcome] = old["outcomes"]
    old["outcomes"] = [{**outcome, "peers": 2, "rank": 1, "national_average": 26.0}]
    PublishedScorecard.objects.filter(pk=published.pk).update(snapshot=old)
    published.refresh_from_db()
    html = client.get(published.get_absolute_url()).content.decode()
    assert "Not compared. Fewer than 5 commissioners had a value" in html and "26.0" not in html
    data = api_client.get(f"{API}{published.pk}/").json()["snapshot"]["outcomes"][0]
    assert data["national_average"] is None and data["rank"] is None
    assert all(month["national_average"] is None for month in data["months"])
    published.refresh_from_db()
    assert published.snapshot == old  # the stored snapshot is not rewritten
