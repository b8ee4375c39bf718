from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from contracts.choices import ContractStatus, NoticeStatus, OrganisationKind, Role
from contracts.models import Contract, Membership, Organisation, PerformanceNotice
from outcomes.models import ContractMetric, Dimension


def row_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module (it takes a while), twice to prove idempotence;
    the database is flushed afterwards for the other tests."""
    with django_db_blocker.unblock():
        out = StringIO()
        call_command("seed_demo", stdout=out)
        first = row_counts()
        call_command("seed_demo", stdout=StringIO())
        yield {"printed": out.getvalue(), "first": first, "second": row_counts()}
        call_command("flush", "--noinput", verbosity=0)


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_log_ins(seeded):
    assert seeded["second"] == seeded["first"]
    printed = seeded["printed"]
    for role in Role:
        assert role.label in printed
    assert "admin" in printed


@pytest.mark.django_db
def test_seed_demo_builds_a_plausible_system(seeded):
    assert Organisation.objects.filter(kind=OrganisationKind.COMMISSIONER).count() == 2
    networks = Organisation.objects.networks()
    assert networks.count() == 2
    for network in networks:
        assert 5 <= network.members.count() <= 6
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    agreed = Contract.objects.binding()
    outcomes_based = agreed.get(payment_model=Contract.PaymentModel.CAPITATED_OUTCOMES)
    assert outcomes_based.provider.kind == OrganisationKind.NETWORK
    assert outcomes_based.years.count() == 5
    activity = agreed.get(payment_model=Contract.PaymentModel.ACTIVITY)
    assert activity.provider.kind == OrganisationKind.PROVIDER
    # One contract is offered to a network and waits for its managers: it
    # carries its terms, but no data, scores or money yet.
    offer = Contract.objects.get(status=ContractStatus.OFFERED)
    assert offer.provider.kind == OrganisationKind.NETWORK and offer.offered_at
    assert offer.metric_versions.exists() and not offer.score_runs.exists()
    assert Dimension.objects.count() == 5
    # Every dimension is measured, and one metric's terms changed mid-year.
    assert ContractMetric.objects.values("metric__dimension").distinct().count() == 5
    assert ContractMetric.objects.filter(reason__gt="").exists()
    # Notices run both ways: one mid-process, one raised by the network.
    statuses = dict(PerformanceNotice.objects.values_list("raised_by_organisation__kind", "status"))
    assert statuses == {
        OrganisationKind.COMMISSIONER: NoticeStatus.PLAN_AGREED,
        OrganisationKind.NETWORK: NoticeStatus.RAISED,
    }


@pytest.mark.django_db
def test_seed_demo_adds_three_years_of_submitted_measurements(seeded):
    import datetime as dt

    from django.db.models import Count, Min

    from outcomes.choices import ReviewStatus, SubmissionStatus
    from outcomes.models import Measurement, PeriodReview, Submission
    from reporting.demo import outcomes as demo

    months = demo.demo_months()
    assert len(months) == 36
    assert (months[0], months[-1]) == (dt.date(2023, 11, 1), dt.date(2026, 10, 1))
    contracts = {c.reference: c for c in Contract.objects.all()}
    series = demo.expected_series(contracts)
    # Every member of both networks, the sole provider and the ICB (FIN-DEMAND) submit.
    assert len({org for _, org in series}) == 6 + 5 + 1 + 1
    current = Measurement.objects.filter(is_current=True)
    found = {
        (row["metric__code"], row["organisation__code"]): (row["n"], row["first"])
        for row in current.values("metric__code", "organisation__code").annotate(
            n=Count("id"), first=Min("period_start")
        )
    }
    assert set(found) == set(series)
    assert all(found[key] == (36, months[0]) for key in series)

    # One submission per organisation per month, sent by a person of that organisation.
    submissions = Submission.objects.annotate(
        orgs=Count("measurements__organisation", distinct=True)
    )
    assert submissions.count() == len({org for _, org in series}) * 36
    assert set(submissions.values_list("status", flat=True)) == {SubmissionStatus.STORED}
    assert set(submissions.values_list("orgs", flat=True)) == {1}
    for submission in Submission.objects.prefetch_related("measurements")[:50]:
        organisation = submission.measurements.all()[0].organisation
        assert submission.submitted_by.memberships.filter(organisation=organisation).exists()

    # Submitted after the month ends; most before the due date, a few late.
    late = on_time = 0
    for submission in Submission.objects.prefetch_related("measurements"):
        period = submission.measurements.all()[0].period_start
        month_end = (period + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        submitted = submission.created_at.date()
        assert submitted > month_end
        if submitted > month_end + dt.timedelta(days=20):
            late += 1
        else:
            on_time += 1
    assert 0 < late < on_time / 5

    # Commissioners accepted older periods and queried a few recent ones.
    reviews = PeriodReview.objects
    assert reviews.filter(status=ReviewStatus.ACCEPTED).count() > 100
    queried = reviews.filter(status=ReviewStatus.QUERIED)
    assert 3 <= queried.count() <= 10
    assert all(r.comment and r.reviewed_by.username.endswith("commissioner") for r in queried)

    # A visible step change: the community trust's urgent response drops in mid-2026.
    resp = current.filter(metric__code="OPS-RESP2H", organisation__code="RVA")
    before = [m.value for m in resp if m.period_start < dt.date(2026, 6, 1)]
    after = [m.value for m in resp if m.period_start >= dt.date(2026, 6, 1)]
    assert sum(after) / len(after) < sum(before) / len(before) - 7


@pytest.mark.django_db
def test_seed_demo_publishes_a_scorecard_per_network(seeded):
    from reporting.models import PublishedScorecard

    for contract in Contract.objects.binding().filter(provider__kind=OrganisationKind.NETWORK):
        scorecards = PublishedScorecard.objects.filter(contract=contract)
        assert scorecards.live().count() == 1
        withdrawn = scorecards.filter(withdrawn_at__isnull=False).get()
        assert withdrawn.withdrawal_reason
        live = scorecards.live().get()
        assert live.snapshot["aggregate"]["score"] is not None
        assert live.snapshot["metrics"] and all(m["description"] for m in live.snapshot["metrics"])


@pytest.mark.django_db
def test_seed_demo_takes_a_baseline_through_the_cycle_and_publishes_it(seeded):
    from assurance.choices import RoundAction, RoundKind, RoundState
    from assurance.models import AssessmentRound, FeedbackSurvey, Measure, SurveyRespondent
    from assurance.selectors import survey_results
    from reporting.models import PublishedScorecard

    baseline = AssessmentRound.objects.get(commissioner__code="QNW", year=2025)
    assert (baseline.kind, baseline.state) == (RoundKind.BASELINE, RoundState.FINAL)
    assert list(baseline.transitions.values_list("action", "by__username")) == [
        (RoundAction.SUBMIT, "commissioner"),
        (RoundAction.FINALISE, "admin"),
    ]
    ratings = baseline.ratings.all()
    assert ratings.count() == Measure.objects.count() == 33
    assert all(r.evidence and r.final_level for r in ratings)
    differing = {r.measure.code: r.panel_reason for r in ratings if r.final_level != r.self_level}
    assert set(differing) == {"3b", "7a", "10c"} and all(differing.values())
    results = dict(baseline.governance_answers.values_list("question__number", "panel_result"))
    assert results == {1: "confirmed", 2: "challenged", 3: "confirmed", 4: "confirmed"}
    assert baseline.outcomes.count() >= 2
    [survey] = baseline.surveys.all()
    assert not survey.is_open(timezone.now())
    results = survey_results(survey)
    assert results.respondents == 7 >= survey.minimum_respondents and not results.suppressed
    assert [s.suppressed for s in results.statements].count(True) == 1  # answered by three
    for respondent in SurveyRespondent.objects.filter(survey=survey).select_related("user"):
        assert FeedbackSurvey.objects.answerable_by(respondent.user).filter(pk=survey.pk).exists()

    published = PublishedScorecard.objects.live().get(assessment_round=baseline)
    assert published.kind == "assurance" and published.summary
    assert published.snapshot["overall"] == pytest.approx(2.2)
    assert published.snapshot["outcomes"] and len(published.snapshot["feedback"]) == 1


@pytest.mark.django_db
def test_seed_demo_leaves_the_annual_review_in_self_assessment(seeded):
    from assurance.choices import RoundKind, RoundState
    from assurance.models import AssessmentRound
    from assurance.selectors import carried_forward, competency_rows

    annual = AssessmentRound.objects.get(commissioner__code="QNW", year=2026)
    assert (annual.kind, annual.state) == (RoundKind.ANNUAL, RoundState.SELF_ASSESSMENT)
    assert annual.previous_final.year == 2025
    rated = {r.measure.code: r.self_level for r in annual.ratings.select_related("measure")}
    assert rated == {"3a": 3, "3b": 2, "10c": 2}
    carried = carried_forward(annual)
    assert len(carried) == 33 and {year for _, year in carried.values()} == {2025}
    rows, overall, overall_before = competency_rows(annual)
    by_number = {row["competency"].number: row for row in rows}
    # Competency 1 is carried forward whole: its level, the baseline's and no change.
    assert by_number[1]["level"] == by_number[1]["last_year"] == pytest.approx(2.3)
    assert by_number[1]["change"] == 0.0 and len(by_number[1]["carried_forward"]) == 3
    # Competency 3 is being rated again, so has no level until the panel's.
    assert by_number[3]["level"] is None and by_number[3]["last_year"] is not None
    assert overall is None and overall_before == pytest.approx(2.2)
    assert annual.governance_answers.count() == 4 and annual.outcomes.exists()


@pytest.mark.django_db
def test_seed_demo_replaces_the_round_of_a_demo_seeded_before_the_baseline(seeded):
    """Older demo databases hold the demo year's round as QNW's baseline; a
    rerun replaces it so the rounds open in year order."""
    from assurance import services
    from assurance.choices import RoundKind
    from assurance.models import AssessmentRound
    from reporting.demo import assurance as demo
    from reporting.models import PublishedScorecard

    PublishedScorecard.objects.filter(kind="assurance").delete()
    AssessmentRound.objects.filter(commissioner__code="QNW").delete()
    old = services.open_assessment_round(
        user=Membership.objects.get(user__username="commissioner").user,
        commissioner=Organisation.objects.get(code="QNW"),
        year=2026,
    )
    assert old.kind == RoundKind.BASELINE
    demo.seed_assurance()
    kinds = dict(
        AssessmentRound.objects.filter(commissioner__code="QNW").values_list("year", "kind")
    )
    assert kinds == {2025: RoundKind.BASELINE, 2026: RoundKind.ANNUAL}
    assert not AssessmentRound.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db
def test_seed_demo_sets_up_the_four_default_series_per_network(seeded):
    from dialogues.choices import MeetingType
    from dialogues.models import MeetingSeries
    from reporting.demo.dialogues import DEFAULT_SERIES

    expected = sorted((meeting_type, level) for meeting_type, level, *_ in DEFAULT_SERIES)
    assert len(expected) == 4
    for network in Organisation.objects.networks():
        # Contract management series come from notices, not the defaults.
        series = MeetingSeries.objects.filter(provider=network).exclude(
            meeting_type=MeetingType.CONTRACT_MANAGEMENT
        )
        assert sorted(series.values_list("meeting_type", "level")) == expected, network.code
        assert all(one.meetings.exists() for one in series), network.code


@pytest.mark.django_db
def test_seed_demo_scorecard_summaries_match_their_published_figures(seeded, client):
    """Each network scorecard's summary says only what its figures show: every
    claim (reporting.demo.outcomes.SCORECARD_CLAIMS) holds in the live and the withdrawn
    month, and the live page shows the summary beside those figures."""
    from reporting.demo import outcomes as demo
    from reporting.models import PublishedScorecard

    networks = Contract.objects.binding().filter(provider__kind=OrganisationKind.NETWORK)
    assert set(networks.values_list("reference", flat=True)) == set(demo.SCORECARD_CLAIMS)
    for contract in networks:
        summary, _ = demo.SCORECARD_TEXT[contract.reference]
        scorecards = PublishedScorecard.objects.filter(contract=contract)
        assert scorecards.count() == 2
        for scorecard in scorecards:
            assert scorecard.summary == summary
            metrics = {m["code"]: m for m in scorecard.snapshot["metrics"]}
            for code, claims in demo.SCORECARD_CLAIMS[contract.reference].items():
                for field, allowed in claims.items():
                    assert metrics[code][field] in allowed, (scorecard.title, code, field)
        live = scorecards.live().get()
        html = client.get(live.get_absolute_url()).content.decode()
        assert summary.replace("'", "&#x27;") in html


@pytest.mark.django_db
def test_seed_demo_assurance_summary_matches_its_published_page(seeded, client):
    """Every claim of the published assurance summary (reporting.demo.assurance.SUMMARY)
    against the snapshot its page shows."""
    from reporting.demo import assurance as demo
    from reporting.models import PublishedScorecard

    published = PublishedScorecard.objects.live().get(kind="assurance")
    assert published.summary == demo.SUMMARY
    snapshot = published.snapshot
    levels = {c["number"]: c["level"] for c in snapshot["competencies"]}
    # "at baseline or above in nine of the eleven ... below it in two:
    # stimulating the market and securing procurement skills"
    below = {c["name"] for c in snapshot["competencies"] if c["level"] < 2}
    assert below == {"Stimulate the market", "Secure procurement skills"}
    assert len(levels) == 11
    # "In engaging the public we are at baseline"
    assert int(levels[3]) == 2
    # "The board's financial plan was challenged"
    panel = {g["title"]: g["panel_result"] for g in snapshot["governance"]}
    assert [title for title, result in panel.items() if result == "challenged"] == ["Finance"]
    # "More people have a care plan ... while emergency admissions ... have not changed"
    trends = {o["code"]: o["trend"] for o in snapshot["outcomes"]}
    assert trends["QOC-CAREPLAN"] == "improving"
    assert trends["QOC-EMADM"] == "no change"
    # "Most ... agree that we listen to patients ...; few agree that our decisions
    # about services are based on clinical evidence"
    [survey] = snapshot["feedback"]
    shares = {
        s["text"]: s["share_agreeing"]
        for s in survey["statements"]
        if s["share_agreeing"] is not None
    }
    listens = next(share for text, share in shares.items() if "listens to patients" in text)
    evidence = next(share for text, share in shares.items() if "clinical evidence" in text)
    assert listens > 50 and listens == max(shares.values())
    assert evidence < 50 and evidence == min(shares.values())
    html = client.get(published.get_absolute_url()).content.decode()
    assert demo.SUMMARY.replace("'", "&#x27;") in html
    assert "3. Engage with public and patients" in html
