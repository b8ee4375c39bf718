"""Publishing and withdrawing scorecards: the only writes of
PublishedScorecard, one mechanism for both kinds.

A kind says what is its own through a `Subject`: what one of its scorecards
is of, whose commissioner publishes it, what must be true before it is
published, the snapshot it freezes and its title by default
(reporting.contract_publishing: a contract's network or provider for a
month; reporting.assurance_publishing: a commissioner's assessment for a
year). The rest is here, once for both:

- who may publish and withdraw: the commissioner's people and admins
  (reporting.permissions.can_publish, asked by the pages to decide what to offer and required
  by `publish` and `withdraw`);
- a summary for lay readers, and one live scorecard a subject;
- freezing the snapshot: plain values that the public page and the API
  render as they are, forever (the model refuses any later save but the
  withdrawal);
- withdrawal with a public reason, after which the subject may be
  published again;
- history: who published or withdrew it is the history record's user.

Nothing is invalidated on a write: the public page's cache key holds the
scorecard's id, publication time and withdrawal state
(reporting.views.scorecards.cached_context)."""

from abc import ABC, abstractmethod

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.permissions import require
from reporting.choices import ScorecardKind
from reporting.models import PublishedScorecard
from reporting.permissions import can_publish


class Subject(ABC):
    """What one scorecard is of, and what its kind decides. A kind sets the
    attributes (`field`: the form field a refusal about the subject names)
    and implements the abstract methods."""

    kind: ScorecardKind
    field: str
    # How its summary for lay readers starts: "how the services are doing".
    summary_hint: str

    @property
    @abstractmethod
    def commissioner_id(self) -> int:
        """The commissioner whose people (and admins) publish it."""

    @property
    @abstractmethod
    def name(self) -> str:
        """How a sentence names it: "The scorecard for May 2025"."""

    @abstractmethod
    def identity(self) -> dict:
        """The PublishedScorecard fields a live scorecard is unique on."""

    @abstractmethod
    def scorecard_fields(self) -> dict:
        """Every PublishedScorecard field the subject decides."""

    @abstractmethod
    def default_title(self) -> str:
        """The title when the commissioner gives none."""

    def lock(self) -> None:
        """Lock (and reread) what `problems` decides on, inside `publish`'s
        transaction. Nothing by default."""
        return None

    @abstractmethod
    def problems(self) -> dict[str, str]:
        """What stops it being published now, by field ({} when nothing
        does): what must be true before publishing. The publish page shows
        the same words before anyone tries."""

    @abstractmethod
    def build_snapshot(self, user) -> dict:
        """The frozen content: plain JSON values only."""


def snapshot_number(value) -> float | None:
    """A number as a snapshot keeps it: a plain JSON number to six decimal
    places, None when missing."""
    return None if value is None else round(float(value), 6)


def live_scorecard(subject: Subject) -> PublishedScorecard | None:
    """The subject's published scorecard that is not withdrawn, if any."""
    return PublishedScorecard.objects.live().filter(**subject.identity()).first()


@transaction.atomic
def publish(subject: Subject, *, user, summary: str, title: str = "") -> PublishedScorecard:
    """Freeze and publish the subject's scorecard."""
    require(
        can_publish(user, subject.commissioner_id),
        "Only the commissioner's people or an admin can publish its scorecard.",
    )
    subject.lock()
    problems = subject.problems()
    if problems:
        raise ValidationError(problems)
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError(
            {"summary": f"Enter a summary for lay readers: {subject.summary_hint} and why."}
        )
    if live_scorecard(subject) is not None:
        raise ValidationError(
            {
                subject.field: f"{subject.name} is already published: withdraw it first "
                "to publish a new one."
            }
        )
    scorecard = PublishedScorecard(
        kind=subject.kind,
        **subject.scorecard_fields(),
        title=(title or "").strip() or subject.default_title(),
        summary=summary,
        snapshot=subject.build_snapshot(user),
        published_by=user,
    )
    scorecard._history_user = user
    try:
        with transaction.atomic():
            scorecard.save()
    except IntegrityError as exc:  # published by someone else meanwhile
        raise ValidationError({subject.field: f"{subject.name} has just been published."}) from exc
    return scorecard


@transaction.atomic
def withdraw(*, user, scorecard: PublishedScorecard, reason: str) -> PublishedScorecard:
    """Withdraw a published scorecard (of either kind); the reason is shown
    publicly."""
    require(
        can_publish(user, scorecard.publisher_id),
        "Only the commissioner's people or an admin can withdraw its scorecard.",
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "Enter the reason for withdrawing: it is shown to the public."}
        )
    locked = PublishedScorecard.objects.select_for_update().get(pk=scorecard.pk)
    if locked.is_withdrawn:
        raise ValidationError({"reason": "This scorecard has already been withdrawn."})
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by = user
    locked.withdrawal_reason = reason
    locked._history_user = user
    locked.save(update_fields=list(PublishedScorecard.WITHDRAWAL_FIELDS))
    return locked
