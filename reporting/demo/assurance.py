"""Demo commissioner assurance for seed_demo: the World Class Commissioning
framework defaults and North Wessex ICB's (QNW) assessments, taken through
the real services so the demo follows the cycle's rules.

- The year before the demo year: the **baseline**, with a self assessment of
  every measure, the board's certifications, outcome metrics, a 360 survey
  answered by seven of the people QNW works with and closed, the panel's
  final levels (three differ from the self assessment) and reviews (one
  challenge), **finalised** and **published** to the public scorecards.
- The demo year: the **annual review**, still in self assessment, with the
  board's certifications, outcome metrics and a few measures rated again;
  the rest are carried forward from the baseline.

Idempotent and deterministic: each step runs only while its round is in the
state that step needs, so a rerun changes nothing."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from assurance import cycle, services
from assurance.choices import RoundState
from assurance.models import (
    AssessmentRound,
    GovernanceAnswer,
    GovernanceQuestion,
    Measure,
    MeasureRating,
)
from assurance.services import OUTCOMES_PER_KIND
from contracts.models import Organisation
from core.history import delete_as
from outcomes.models import ContractMetric, Metric
from reporting import assurance_publishing as publishing
from reporting.demo.outcomes import REFERENCE_DATE
from reporting.models import PublishedScorecard

YEAR = REFERENCE_DATE.year
BASELINE_YEAR = YEAR - 1

# Question number: (certification, evidence).
GOVERNANCE = {
    1: (
        "in_place",
        "Five-year strategy approved by the board in March, with outcome ambitions "
        "for older people and people with long-term conditions.",
    ),
    2: (
        "partly",
        "Medium-term financial plan to 2028 approved; the years after are not yet modelled.",
    ),
    3: (
        "in_place",
        "Board assurance framework and risk register reviewed monthly; integrated "
        "performance report to every board meeting.",
    ),
    4: (
        "partly",
        "Organisational development plan drafted; the procurement skills gap is not yet addressed.",
    ),
}

# The baseline's self assessment: the levels of each competency's measures
# a, b, c, competency 1 first.
BASELINE_LEVELS = ["232", "322", "223", "332", "222", "233", "112", "232", "122", "323", "232"]
# Where the panel's final level differs from the self assessment: (level, reason).
PANEL_LEVELS = {
    "3b": (1, "The engagement plan exists, but there is no evidence it changed a decision yet."),
    "7a": (2, "The market position statement is thorough: baseline, not below it."),
    "10c": (2, "Commitments to the network on sharing data slipped twice in the year."),
}
# The panel's review of the baseline's governance answers: question number ->
# reason for a challenge (the others are confirmed).
CHALLENGES = {
    2: "The plan balances only by assuming savings the board has not agreed.",
}

# The baseline's 360 survey: who answers, and how (a digit per statement in
# order: 1 strongly disagree .. 5 strongly agree, 0 when the person cannot
# judge it; the last statement is answered by three only, so it stays
# suppressed), with a comment.
SURVEY_TITLE = f"360 feedback {BASELINE_YEAR}"
RESPONDENTS = [
    ("network_manager", "4435424343440", "Meetings are open and we see the papers in time."),
    ("network_manager_downland", "3424324233320", ""),
    ("provider", "4544435444444", ""),
    ("provider_downland", "2324313223220", "Contract changes reach us late in the year."),
    ("provider_rvb", "4445434444342", ""),
    ("provider_rve", "5444544454440", ""),
    ("lay_partner", "4353433303004", "We are asked for patients' views and told what changed."),
]
MINIMUM_RESPONDENTS = 5

# What the commissioner writes for lay readers. Every claim must match the
# published page: competencies 7 and 9 are the two below baseline and 3
# (engaging the public) is at baseline; the finance statement is the one
# challenged; care plans (a deterministic rise in reporting.demo.outcomes.CHANGES)
# improve on the year before while emergency admissions show no change; the
# 360 statement on listening is the most agreed with and the one on clinical
# evidence the least. tests/reporting/test_seed_demo.py checks each against the snapshot.
SUMMARY = (
    "This is our first assessment, the baseline for the years to come. The panel "
    "found us at baseline or above in nine of the eleven competencies and below it in "
    "two: stimulating the market and securing procurement skills. In engaging the "
    "public we are at baseline: we have a plan, but cannot yet show it changed a "
    "decision. The board's financial plan was challenged and is being redone. More "
    "people have a care plan they helped write than the year before, while emergency "
    "admissions of older people have not changed. Most of the providers and partners "
    "who answered our survey agree that we listen to patients and the public; few agree "
    "that our decisions about services are based on clinical evidence."
)

# The annual review's measures rated again: code -> (level, evidence).
ANNUAL_RATINGS = {
    "3a": (3, "Citizens' panel met six times; its advice changed the falls service design."),
    "3b": (2, "Engagement plan followed for every service change; decisions minuted."),
    "10c": (2, "Notices answered within the contract's deadlines; one still open."),
}


def seed_assurance() -> None:
    services.load_default_framework()
    people = {user.username: user for user in get_user_model().objects.all()}
    commissioner, panel = people["commissioner"], people["admin"]
    qnw = Organisation.objects.get(code="QNW")
    _drop_round_from_before_the_cycle(qnw, panel)

    baseline = _round(commissioner, qnw, BASELINE_YEAR)
    if baseline.state == RoundState.SELF_ASSESSMENT:
        levels = {
            f"{number}{'abc'[index]}": int(level)
            for number, measures in enumerate(BASELINE_LEVELS, start=1)
            for index, level in enumerate(measures)
        }
        for measure in Measure.objects.select_related("competency"):
            services.rate_measure(
                user=commissioner,
                round=baseline,
                measure=measure,
                level=levels[measure.code],
                evidence=f"Evidence pack {BASELINE_YEAR}, section {measure.code}.",
            )
        _certify(commissioner, baseline)
        _choose_outcomes(commissioner, baseline, qnw)
        _survey(commissioner, baseline, people)
        baseline = cycle.submit(user=commissioner, round=baseline)
    if baseline.state == RoundState.PANEL_REVIEW:
        for rating in MeasureRating.objects.filter(round=baseline).select_related(
            "measure__competency"
        ):
            level, reason = PANEL_LEVELS.get(rating.measure.code, (rating.self_level, ""))
            services.set_final_level(user=panel, rating=rating, level=level, reason=reason)
        for answer in GovernanceAnswer.objects.filter(round=baseline).select_related("question"):
            reason = CHALLENGES.get(answer.question.number, "")
            services.review_governance(
                user=panel,
                answer=answer,
                result="challenged" if reason else "confirmed",
                reason=reason,
            )
        baseline = cycle.finalise(user=panel, round=baseline)
    if not PublishedScorecard.objects.filter(assessment_round=baseline).exists():
        publishing.publish(user=commissioner, round=baseline, summary=SUMMARY)

    annual = _round(commissioner, qnw, YEAR)
    if annual.state == RoundState.SELF_ASSESSMENT:
        _certify(commissioner, annual)
        _choose_outcomes(commissioner, annual, qnw)
        rated = set(annual.ratings.values_list("measure_id", flat=True))
        for measure in Measure.objects.select_related("competency"):
            if measure.code in ANNUAL_RATINGS and measure.pk not in rated:
                level, evidence = ANNUAL_RATINGS[measure.code]
                services.rate_measure(
                    user=commissioner, round=annual, measure=measure, level=level, evidence=evidence
                )


def _drop_round_from_before_the_cycle(qnw, panel) -> None:
    """Demo databases seeded before the baseline was added have the demo
    year's round as QNW's first (so its baseline); remove it so the rounds
    can be opened in year order."""
    rounds = AssessmentRound.objects.filter(commissioner=qnw)
    if not rounds.filter(year=BASELINE_YEAR).exists():
        for round in rounds.filter(year=YEAR, state=RoundState.SELF_ASSESSMENT):
            delete_as(round, panel)


def _round(commissioner, qnw, year) -> AssessmentRound:
    round = AssessmentRound.objects.filter(commissioner=qnw, year=year).first()
    return round or services.open_assessment_round(user=commissioner, commissioner=qnw, year=year)


def _certify(commissioner, round) -> None:
    answered = set(round.governance_answers.values_list("question__number", flat=True))
    for question in GovernanceQuestion.objects.filter(number__in=GOVERNANCE):
        if question.number not in answered:
            certification, evidence = GOVERNANCE[question.number]
            services.certify_governance(
                user=commissioner,
                round=round,
                question=question,
                certification=certification,
                evidence=evidence,
            )


def _choose_outcomes(commissioner, round, qnw) -> None:
    """Up to five national and five local metrics from QNW's contracts."""
    if round.outcomes.exists():
        return
    contracted = ContractMetric.objects.filter(contract__commissioner=qnw)
    metrics = Metric.objects.filter(pk__in=contracted.values("metric_id")).order_by("code")
    chosen = [m for m in metrics if m.is_national][:OUTCOMES_PER_KIND] + [
        m for m in metrics if not m.is_national
    ][:OUTCOMES_PER_KIND]
    services.choose_outcomes(user=commissioner, round=round, metrics=chosen)


def _survey(commissioner, round, people) -> None:
    """Open the survey, have the respondents answer it, and close it."""
    if round.surveys.exists():
        return
    survey = services.open_feedback_survey(
        user=commissioner,
        round=round,
        title=SURVEY_TITLE,
        closes_at=timezone.now() + dt.timedelta(days=14),
        minimum_respondents=MINIMUM_RESPONDENTS,
    )
    for username, digits, comment in RESPONDENTS:
        agreements = {
            number: int(digit) for number, digit in enumerate(digits, start=1) if digit != "0"
        }
        services.answer_feedback_survey(
            user=people[username], survey=survey, agreements=agreements, comment=comment
        )
    services.close_feedback_survey(user=commissioner, survey=survey)
