"""Writes for commissioner assurance, with their rules. Each is one
transaction; bad input raises ValidationError naming the field, with nothing
saved, and acting for someone without the right (assurance.permissions)
raises PermissionDenied."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assurance import cycle, framework, permissions
from assurance.choices import Agreement, Certification, Level, PanelResult, RoundState
from assurance.models import (
    AssessmentRound,
    Competency,
    FeedbackSurvey,
    GovernanceAnswer,
    GovernanceQuestion,
    Measure,
    MeasureRating,
    OutcomeChoice,
    SurveyAnswer,
    SurveyRespondent,
    SurveyResponse,
    SurveyStatement,
)
from contracts.choices import OrganisationKind
from contracts.models import Organisation
from core.history import delete_as, save_as
from outcomes.models import ContractMetric


@transaction.atomic
def load_default_framework() -> int:
    """Create the World Class Commissioning defaults that are missing, and
    return how many rows were created. Rows that exist (matched by number)
    are left alone, so an admin's edits survive a rerun."""
    created = 0
    for number, (name, description, measures) in enumerate(framework.COMPETENCIES, start=1):
        competency, made = Competency.objects.get_or_create(
            number=number, defaults={"name": name, "description": description}
        )
        created += made
        for measure_number, (title, method, evidence, statement, levels) in enumerate(
            measures, start=1
        ):
            _, made = Measure.objects.get_or_create(
                competency=competency,
                number=measure_number,
                defaults={
                    "name": title,
                    "method": method,
                    "evidence_expected": evidence,
                    "statement": statement,
                    **{f"level_{level}": text for level, text in enumerate(levels, start=1)},
                },
            )
            created += made
    for number, (title, question, evidence) in enumerate(framework.GOVERNANCE_QUESTIONS, start=1):
        _, made = GovernanceQuestion.objects.get_or_create(
            number=number,
            defaults={"title": title, "question": question, "evidence_expected": evidence},
        )
        created += made
    return created


@transaction.atomic
def open_assessment_round(*, user, commissioner: Organisation, year: int) -> AssessmentRound:
    """Start a commissioner's assessment for `year` (its commissioners or an
    admin). Rounds follow one another: each is for a later year than the
    last, which must be final. The kind is derived (assurance.cycle)."""
    permissions.require_round_opener(user, commissioner)
    if commissioner.kind != OrganisationKind.COMMISSIONER:
        raise ValidationError({"commissioner": f"{commissioner.name} is not a commissioner."})
    year = int(year)
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": f"{year} is not a plausible assessment year."})
    # Lock the commissioner so two rounds cannot open at once.
    Organisation.objects.select_for_update().get(pk=commissioner.pk)
    earlier = list(AssessmentRound.objects.filter(commissioner=commissioner).order_by("year"))
    if any(r.year == year for r in earlier):
        raise ValidationError(
            {"year": f"{commissioner.name} already has an assessment for {year}."}
        )
    if earlier and year < earlier[0].year:
        raise ValidationError(
            {
                "year": f"{year} is before {commissioner.name}'s baseline assessment "
                f"({earlier[0].year}); later rounds follow the baseline."
            }
        )
    if earlier and year < earlier[-1].year:
        raise ValidationError(
            {"year": f"{commissioner.name}'s latest assessment is for {earlier[-1].year}."}
        )
    if earlier and earlier[-1].state != RoundState.FINAL:
        raise ValidationError(
            {
                "year": f"{commissioner.name}'s assessment {earlier[-1].year} is not final "
                f"yet ({earlier[-1].get_state_display().lower()}); finish it first."
            }
        )
    kind = cycle.round_kind(year, [r.year for r in earlier], cycle.full_review_every(commissioner))
    return save_as(
        AssessmentRound(commissioner=commissioner, year=year, kind=kind, created_by=user), user
    )


def lock_round(round: AssessmentRound, state: str, what: str) -> AssessmentRound:
    """Re-read the round under a row lock (so edits queue behind a state
    change) and refuse `what` unless the round is in `state`."""
    locked = AssessmentRound.objects.select_for_update().get(pk=round.pk)
    if locked.state != state:
        raise ValidationError(
            {
                "state": [
                    f"{what}: the assessment {locked.year} is "
                    f"{cycle.STATE_PHRASES[RoundState(locked.state)]}."
                ]
            }
        )
    return locked


@transaction.atomic
def certify_governance(
    *, user, round: AssessmentRound, question: GovernanceQuestion, certification: str, evidence: str
) -> GovernanceAnswer:
    """The board's self-certification against a governance question, with its
    evidence. Certifying again replaces the answer and clears the panel's
    review, which must look again (the earlier answer stays in history)."""
    permissions.require_commissioner_member(user, round.commissioner)
    lock_round(round, RoundState.SELF_ASSESSMENT, "The board's certification cannot change")
    errors = {}
    if certification not in Certification.values:
        errors["certification"] = [
            f"Choose one of: {', '.join(str(label) for label in Certification.labels)}."
        ]
    if not (evidence or "").strip():
        errors["evidence"] = ["Give the evidence for the board's certification."]
    if errors:
        raise ValidationError(errors)
    answer = GovernanceAnswer.objects.select_for_update().filter(
        round=round, question=question
    ).first() or GovernanceAnswer(round=round, question=question)
    answer.certification = certification
    answer.evidence = evidence.strip()
    answer.certified_by = user
    answer.certified_at = timezone.now()
    answer.panel_result, answer.panel_reason = "", ""
    answer.reviewed_by, answer.reviewed_at = None, None
    return save_as(answer, user)


@transaction.atomic
def review_governance(*, user, answer: GovernanceAnswer, result: str, reason: str = ""):
    """The panel confirms the self-certification, or challenges it with a reason."""
    permissions.require_panel(user)
    lock_round(answer.round, RoundState.PANEL_REVIEW, "The panel cannot review now")
    reason = (reason or "").strip()
    if result not in PanelResult.values:
        raise ValidationError({"result": ["Choose Confirmed or Challenged."]})
    if result == PanelResult.CHALLENGED and not reason:
        raise ValidationError(
            {"reason": ["Say why the panel challenges the board's self-certification."]}
        )
    answer = GovernanceAnswer.objects.select_for_update().get(pk=answer.pk)
    answer.panel_result = result
    answer.panel_reason = reason
    answer.reviewed_by = user
    answer.reviewed_at = timezone.now()
    return save_as(answer, user)


# Fewer respondents than this would let a commissioner pick out individuals.
LOWEST_MINIMUM_RESPONDENTS = 3


@transaction.atomic
def open_feedback_survey(
    *, user, round: AssessmentRound, title: str, closes_at, minimum_respondents: int = 5
) -> FeedbackSurvey:
    """Open a 360 feedback survey with the framework's current statements
    (one per measure that uses 360 feedback), copied so later framework edits
    leave the survey as respondents saw it."""
    permissions.require_commissioner_member(user, round.commissioner)
    lock_round(round, RoundState.SELF_ASSESSMENT, "No survey can be opened")
    errors = {}
    if not (title or "").strip():
        errors["title"] = ["Give the survey a title."]
    if closes_at is None or closes_at <= timezone.now():
        errors["closes_at"] = ["The closing time must be in the future."]
    if minimum_respondents is None or minimum_respondents < LOWEST_MINIMUM_RESPONDENTS:
        errors["minimum_respondents"] = [
            f"At least {LOWEST_MINIMUM_RESPONDENTS} respondents are needed to keep answers "
            "anonymous."
        ]
    measures = list(Measure.objects.exclude(statement="").order_by("competency__number", "number"))
    if not measures:
        errors["statements"] = ["No framework measure has a 360 feedback statement."]
    if errors:
        raise ValidationError(errors)
    survey = save_as(
        FeedbackSurvey(
            round=round,
            title=title.strip(),
            closes_at=closes_at,
            minimum_respondents=minimum_respondents,
            opened_by=user,
        ),
        user,
    )
    SurveyStatement.objects.bulk_create(
        SurveyStatement(survey=survey, number=number, measure=measure, text=measure.statement)
        for number, measure in enumerate(measures, start=1)
    )
    return survey


def lock_survey(survey: FeedbackSurvey) -> FeedbackSurvey:
    """The survey's row, locked until the transaction ends and read afresh:
    answering and closing take this lock, so an answer is either stored
    before the survey closes or refused, and results read once it has
    closed (assurance.selectors.results_of, which waits for this lock) are
    final."""
    return FeedbackSurvey.objects.select_for_update().get(pk=survey.pk)


@transaction.atomic
def close_feedback_survey(*, user, survey: FeedbackSurvey) -> FeedbackSurvey:
    """Close a survey now. Its results are released from then on, once and
    for all: nothing ever reopens a survey or moves its closing time, and no
    answer is taken after it, so the released results never change and no
    later reading can be compared with them to single out an answer."""
    permissions.require_commissioner_member(user, survey.round.commissioner)
    survey = lock_survey(survey)
    now = timezone.now()
    if not survey.is_open(now):
        raise ValidationError({"closes_at": ["The survey has already closed."]})
    survey.closes_at = now
    return save_as(survey, user)


@transaction.atomic
def answer_feedback_survey(
    *, user, survey: FeedbackSurvey, agreements: dict[int, int], comment: str = ""
) -> SurveyResponse:
    """Record one person's answers. `agreements` maps statement numbers to
    1 (strongly disagree) .. 5 (strongly agree); statements left out are ones
    the person could not judge. The respondent row (who) and the response
    (what) are stored apart, so the answers cannot be traced to the person."""
    permissions.require_respondent(user, survey)
    survey = lock_survey(survey)  # held until the answer is stored
    if not survey.is_open(timezone.now()):
        raise ValidationError(
            {"survey": [f"The survey closed at {survey.closes_at:%d %B %Y %H:%M}."]}
        )
    statements = {s.number: s for s in survey.statements.all()}
    errors = {}
    for number, agreement in agreements.items():
        if number not in statements:
            errors.setdefault("answers", []).append(f"Statement {number} is not in this survey.")
        elif agreement not in Agreement.values:
            errors[f"statement_{number}"] = [
                f"Statement {number}: choose from strongly disagree to strongly agree."
            ]
    if not agreements:
        errors["answers"] = ["Answer at least one statement."]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            SurveyRespondent.objects.create(survey=survey, user=user)
    except IntegrityError:
        raise ValidationError({"survey": ["You have already answered this survey."]}) from None
    response = SurveyResponse.objects.create(survey=survey, comment=(comment or "").strip())
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(response=response, statement=statements[number], agreement=agreement)
        for number, agreement in agreements.items()
    )
    return response


def _check_level(errors, name, level) -> None:
    if level not in Level.values:
        errors[name] = ["Choose a level from 1 (below baseline) to 4 (world class)."]


@transaction.atomic
def rate_measure(
    *, user, round: AssessmentRound, measure: Measure, level: int, evidence: str
) -> MeasureRating:
    """The commissioner's self assessment of a measure, with its evidence.
    Rating again replaces it and clears the panel's final level."""
    permissions.require_commissioner_member(user, round.commissioner)
    lock_round(round, RoundState.SELF_ASSESSMENT, "The self assessment cannot change")
    errors = {}
    _check_level(errors, "level", level)
    if not (evidence or "").strip():
        errors["evidence"] = [f"Give the evidence for {measure.code}: {measure.evidence_expected}"]
    if errors:
        raise ValidationError(errors)
    rating = MeasureRating.objects.select_for_update().filter(
        round=round, measure=measure
    ).first() or MeasureRating(round=round, measure=measure)
    rating.self_level = level
    rating.evidence = evidence.strip()
    rating.rated_by = user
    rating.final_level, rating.panel_reason, rating.reviewed_by = None, "", None
    return save_as(rating, user)


@transaction.atomic
def set_final_level(*, user, rating: MeasureRating, level: int, reason: str = "") -> MeasureRating:
    """The panel's final level for a measure; a reason is needed when it
    differs from the commissioner's own."""
    permissions.require_panel(user)
    lock_round(rating.round, RoundState.PANEL_REVIEW, "The panel cannot set final levels now")
    reason = (reason or "").strip()
    errors = {}
    _check_level(errors, "level", level)
    if not errors and level != rating.self_level and not reason:
        errors["reason"] = [
            f"Say why the panel's level {level} differs from the self assessment "
            f"({rating.self_level})."
        ]
    if errors:
        raise ValidationError(errors)
    rating = MeasureRating.objects.select_for_update().get(pk=rating.pk)
    rating.final_level = level
    rating.panel_reason = reason
    rating.reviewed_by = user
    return save_as(rating, user)


# Outcome metrics assessed per round: this many locally chosen and this many
# nationally set (World Class Commissioning's default of five and five).
OUTCOMES_PER_KIND = 5


@transaction.atomic
def choose_outcomes(*, user, round: AssessmentRound, metrics) -> list[OutcomeChoice]:
    """Set the round's outcome metrics to `metrics`: each must be measured in
    one of the commissioner's contracts, and at most OUTCOMES_PER_KIND of each
    kind (local, national). Removed choices stay in history."""
    permissions.require_commissioner_member(user, round.commissioner)
    lock_round(round, RoundState.SELF_ASSESSMENT, "The outcome metrics cannot change")
    metrics = list(dict.fromkeys(metrics))
    contracted = set(
        ContractMetric.objects.filter(
            contract__commissioner=round.commissioner, metric__in=metrics
        ).values_list("metric_id", flat=True)
    )
    errors = [
        f"{m.code} is not measured in any of {round.commissioner.name}'s contracts."
        for m in metrics
        if m.pk not in contracted
    ]
    for national, kind in ((False, "locally chosen"), (True, "national")):
        count = sum(m.is_national == national for m in metrics)
        if count > OUTCOMES_PER_KIND:
            errors.append(f"Choose at most {OUTCOMES_PER_KIND} {kind} metrics ({count} chosen).")
    if errors:
        raise ValidationError({"metrics": errors})
    for choice in round.outcomes.exclude(metric__in=metrics):
        delete_as(choice, user)
    kept = set(round.outcomes.values_list("metric_id", flat=True))
    for metric in metrics:
        if metric.pk not in kept:
            save_as(OutcomeChoice(round=round, metric=metric), user)
    return list(round.outcomes.select_related("metric"))
