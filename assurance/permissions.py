"""Who may change what in commissioner assurance (docs/permissions.md).

Two sides: a commissioner's own people speak for it (open its rounds,
rate its measures, certify its governance, choose its outcomes, run its 360
surveys, submit its self assessment), and admins sit as the assessment
panel (review, set final levels, return or finalise a round). Admins do not
speak for a commissioner, except that they may open its round. Reads are
scoped by assurance.querysets; these functions decide writes. Services call
the require_ functions before changing anything; views and API views call
the can_ functions to decide what to offer."""

from assurance.choices import RoundAction
from assurance.models import AssessmentRound, FeedbackSurvey
from contracts.choices import Role
from contracts.models import Organisation
from contracts.permissions import is_commissioner_member
from core.permissions import require
from core.roles import is_admin

# Who makes each move of the assessment cycle (assurance.cycle): the
# commissioner's own people, or the panel.
COMMISSIONER, PANEL = "commissioner", "panel"
MADE_BY = {
    RoundAction.SUBMIT: COMMISSIONER,
    RoundAction.RETURN: PANEL,
    RoundAction.FINALISE: PANEL,
}


def commissioners_spoken_for(user):
    """The commissioners whose people `user` is (what they may open
    assessments for), by name."""
    return Organisation.objects.filter(
        memberships__user=user, memberships__role=Role.COMMISSIONER
    ).order_by("name")


def can_speak_for(user, commissioner) -> bool:
    """`user` is one of `commissioner`'s own people: they rate its measures,
    certify its governance, choose its outcome metrics, open and close its
    360 surveys, submit its round. Admins are not: they are the panel."""
    return is_commissioner_member(user, commissioner.pk)


def can_review(user) -> bool:
    """The assessment panel (admins) reviews governance answers and sets
    measures' final levels, for every commissioner."""
    return is_admin(user)


def can_open_round(user, commissioner) -> bool:
    """Open `commissioner`'s assessment for a year: its people, or an admin."""
    return is_admin(user) or can_speak_for(user, commissioner)


def can_make(user, round: AssessmentRound, action: str) -> bool:
    """Whether `user` is the kind of person who makes `action` on `round`
    (whether the round's state allows it now is assurance.cycle's)."""
    if MADE_BY[action] == PANEL:
        return can_review(user)
    return is_commissioner_member(user, round.commissioner_id)


def can_answer_survey(user, survey: FeedbackSurvey) -> bool:
    """People the survey's commissioner works with (providers and networks
    it contracts with, its lay partners), never its own people."""
    return FeedbackSurvey.objects.answerable_by(user).filter(pk=survey.pk).exists()


def can_see_results(user, survey: FeedbackSurvey) -> bool:
    """A survey's results: its commissioner's people and the panel, those who
    can see its round (respondents cannot)."""
    return AssessmentRound.objects.visible_to(user).filter(pk=survey.round_id).exists()


# --- Refusals: the can_ functions above, with what the person is told --------


def require_commissioner_member(user, commissioner) -> None:
    require(
        can_speak_for(user, commissioner),
        f"Only {commissioner.name}'s commissioners can do that.",
    )


def require_panel(user) -> None:
    require(can_review(user), "Only the assessment panel (administrators) can review.")


def require_round_opener(user, commissioner) -> None:
    require(
        can_open_round(user, commissioner),
        f"Only {commissioner.name}'s commissioners can do that.",
    )


def require_move(user, round: AssessmentRound, action: str) -> None:
    who = (
        "the assessment panel (administrators)"
        if MADE_BY[action] == PANEL
        else f"{round.commissioner.name}'s commissioners"
    )
    require(can_make(user, round, action), f"Only {who} can do that.")


def require_respondent(user, survey: FeedbackSurvey) -> None:
    require(
        can_answer_survey(user, survey),
        "Only people this commissioner works with answer its survey.",
    )
