"""The assessment cycle (issue 9): what kind of round a year's assessment is,
and the moves between its states. Every state change goes through
`transition`, which checks the move against TRANSITIONS, the person's right
to make it (assurance.permissions) and what the round still lacks, then records a dated, authored
step. Nothing is saved when a check fails.

Kinds: a commissioner's first round is its baseline; every
`full_review_every` years after the baseline year (3 unless an admin sets
another interval in ReviewCycle) is a full review; the years between are
annual reviews. Baseline and full reviews rate every measure and certify
every governance question afresh; an annual review may carry forward a
measure's latest final level from an earlier final round."""

from django.core.exceptions import ValidationError
from django.db import transaction

from assurance import permissions
from assurance.choices import RoundAction, RoundKind, RoundState
from assurance.models import (
    FULL_REVIEW_EVERY,
    AssessmentRound,
    GovernanceQuestion,
    Measure,
    ReviewCycle,
    RoundTransition,
)
from assurance.selectors import carried_forward
from core.history import save_as

# From each state, the moves allowed and the state each leads to. Anything
# else is refused.
TRANSITIONS = {
    RoundState.SELF_ASSESSMENT: {RoundAction.SUBMIT: RoundState.PANEL_REVIEW},
    RoundState.PANEL_REVIEW: {
        RoundAction.RETURN: RoundState.SELF_ASSESSMENT,
        RoundAction.FINALISE: RoundState.FINAL,
    },
    RoundState.FINAL: {},
}
REASON_NEEDED = {RoundAction.RETURN}
# How each state reads in "the assessment 2026 is ...".
STATE_PHRASES = {
    RoundState.SELF_ASSESSMENT: "still in self assessment",
    RoundState.PANEL_REVIEW: "with the panel for review",
    RoundState.FINAL: "final",
}


def round_kind(year: int, earlier_years, full_review_every: int) -> RoundKind:
    """The kind of a round for `year`, given the years of the commissioner's
    rounds before it."""
    earlier_years = list(earlier_years)
    if not earlier_years:
        return RoundKind.BASELINE
    if (year - min(earlier_years)) % full_review_every == 0:
        return RoundKind.FULL
    return RoundKind.ANNUAL


def full_review_every(commissioner) -> int:
    cycle = ReviewCycle.objects.filter(commissioner=commissioner).first()
    return cycle.full_review_every if cycle else FULL_REVIEW_EVERY


def actions_for(user, round: AssessmentRound) -> list[str]:
    """The moves `user` may offer on `round` now (the page's buttons)."""
    return [
        action
        for action in TRANSITIONS[RoundState(round.state)]
        if permissions.can_make(user, round, action)
    ]


def _names(items) -> str:
    return ", ".join(items)


def missing_for_submit(round: AssessmentRound) -> list[str]:
    """What the commissioner still has to do before the panel can review."""
    rated = set(round.ratings.values_list("measure_id", flat=True))
    carried = {} if round.is_full else carried_forward(round)
    unrated = [m.code for m in _measures() if m.pk not in rated and m.pk not in carried]
    problems = []
    if unrated:
        problems.append(f"Give a self assessment for {_names(unrated)}.")
    if round.is_full:
        answered = set(round.governance_answers.values_list("question_id", flat=True))
        uncertified = [q.title for q in GovernanceQuestion.objects.exclude(pk__in=answered)]
        if uncertified:
            problems.append(f"Certify the governance questions: {_names(uncertified)}.")
    return problems


def missing_for_finalise(round: AssessmentRound) -> list[str]:
    """What the panel still has to do before the round is final."""
    finals = dict(round.ratings.values_list("measure_id", "final_level"))
    carried = {} if round.is_full else carried_forward(round)
    problems = []
    unrated = [m.code for m in _measures() if m.pk not in finals and m.pk not in carried]
    if unrated:
        problems.append(f"These measures have no self assessment: {_names(unrated)}.")
    no_final = [m.code for m in _measures() if m.pk in finals and finals[m.pk] is None]
    if no_final:
        problems.append(f"Set the final level of {_names(no_final)}.")
    answers = dict(round.governance_answers.values_list("question_id", "panel_result"))
    if round.is_full:
        uncertified = [q.title for q in GovernanceQuestion.objects.exclude(pk__in=answers)]
        if uncertified:
            problems.append(f"The board has not certified: {_names(uncertified)}.")
    unreviewed = [
        q.title for q in GovernanceQuestion.objects.filter(pk__in=answers) if not answers[q.pk]
    ]
    if unreviewed:
        problems.append(f"Review the governance answers: {_names(unreviewed)}.")
    return problems


def _measures():
    return Measure.objects.select_related("competency").order_by("competency__number", "number")


CHECKS = {
    RoundAction.SUBMIT: missing_for_submit,
    RoundAction.RETURN: lambda round: [],
    RoundAction.FINALISE: missing_for_finalise,
}


@transaction.atomic
def transition(*, user, round: AssessmentRound, action: str, reason: str = "") -> AssessmentRound:
    """Move `round` by `action` (RoundAction), under a row lock so moves and
    edits of the same round queue up."""
    round = (
        AssessmentRound.objects.select_for_update().select_related("commissioner").get(pk=round.pk)
    )
    action = RoundAction(action)
    permissions.require_move(user, round, action)
    target = TRANSITIONS[RoundState(round.state)].get(action)
    if target is None:
        raise ValidationError(
            {
                "state": [
                    f"The assessment {round.year} is {STATE_PHRASES[RoundState(round.state)]}: "
                    f"it cannot be {action.label.lower()}."
                ]
            }
        )
    reason = (reason or "").strip()
    if action in REASON_NEEDED and not reason:
        raise ValidationError({"reason": ["Say why the assessment goes back to the commissioner."]})
    problems = CHECKS[action](round)
    if problems:
        raise ValidationError({"state": problems})
    RoundTransition.objects.create(
        round=round, action=action, from_state=round.state, to_state=target, by=user, reason=reason
    )
    round.state = target
    return save_as(round, user)


def submit(*, user, round, reason=""):
    """The commissioner hands its self assessment to the panel; its edits lock."""
    return transition(user=user, round=round, action=RoundAction.SUBMIT, reason=reason)


def return_to_commissioner(*, user, round, reason):
    """The panel sends the round back for the commissioner to change, with a reason."""
    return transition(user=user, round=round, action=RoundAction.RETURN, reason=reason)


def finalise(*, user, round, reason=""):
    """The panel makes the round final: everything locks and its levels become
    the commissioner's result for the year."""
    return transition(user=user, round=round, action=RoundAction.FINALISE, reason=reason)
