"""Performance dialogues (docs/dialogues.md): meeting series and the
meetings generated from them, agendas, attendance, minutes, decisions and the
action log. Writes with business rules go through dialogues.services."""

import secrets
from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from dialogues.choices import (
    LIVE_ACTION_STATUSES,
    ActionStatus,
    AgendaSource,
    Attendance,
    MeetingType,
    ReminderKind,
    SeriesLevel,
)
from dialogues.querysets import (
    ActionEvidenceQuerySet,
    ActionQuerySet,
    MeetingQuerySet,
    MeetingSeriesQuerySet,
)

TIME_ZONE = "Europe/London"
User = settings.AUTH_USER_MODEL


class MeetingSeries(models.Model):
    """A schedule of performance dialogues: who meets (organisations and
    people), how often (an RFC 5545 recurrence rule, in Europe/London wall
    time), who chairs, and which network (or provider) and contract it is about."""

    title = models.CharField(max_length=200)
    level = models.CharField(max_length=30, choices=SeriesLevel.choices)
    meeting_type = models.CharField(max_length=30, choices=MeetingType.choices)
    provider = models.ForeignKey(
        "contracts.Organisation",
        on_delete=models.PROTECT,
        related_name="meeting_series",
        verbose_name="network or provider",
        help_text="The provider network (or provider) whose performance is discussed.",
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.PROTECT,
        related_name="meeting_series",
        null=True,
        blank=True,
    )
    rrule = models.CharField(
        "recurrence rule",
        max_length=300,
        blank=True,
        help_text="An RFC 5545 rule, e.g. FREQ=WEEKLY;BYDAY=TU. Empty only for "
        "contract management series, whose meetings come from performance notices.",
    )
    starts_on = models.DateField(help_text="The date of the first meeting.")
    start_time = models.TimeField(help_text="Local time in Europe/London.")
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(5), MaxValueValidator(8 * 60)]
    )
    ends_on = models.DateField(null=True, blank=True, help_text="No meetings after this date.")
    time_zone = models.CharField(max_length=40, default=TIME_ZONE, editable=False)
    location = models.CharField(max_length=200, blank=True)
    organisations = models.ManyToManyField(
        "contracts.Organisation", related_name="meeting_series_joined", blank=True
    )
    participants = models.ManyToManyField(User, related_name="meeting_series_joined", blank=True)
    chair = models.ForeignKey(User, on_delete=models.PROTECT, related_name="series_chaired")
    agenda_days_before = models.PositiveSmallIntegerField(
        default=5,
        validators=[MaxValueValidator(60)],
        help_text="Concord drafts the agenda this many days before each meeting.",
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(m2m_fields=[organisations, participants])

    objects = MeetingSeriesQuerySet.as_manager()

    class Meta:
        ordering = ["provider__name", "meeting_type", "title"]
        verbose_name_plural = "meeting series"

    def __str__(self):
        return self.title


class Meeting(models.Model):
    """One meeting of a series: generated from its recurrence, or (contract
    management) created from a Contract Performance Notice on its due date."""

    series = models.ForeignKey(MeetingSeries, on_delete=models.PROTECT, related_name="meetings")
    occurrence = models.DateTimeField(
        null=True, blank=True, help_text="The recurrence instance this meeting was generated for."
    )
    notice = models.OneToOneField(
        "contracts.PerformanceNotice",
        on_delete=models.PROTECT,
        related_name="dialogue_meeting",
        null=True,
        blank=True,
    )
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    chair = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="meetings_chaired",
        null=True,
        blank=True,
        help_text="Only when someone other than the series' chair chairs this meeting.",
    )
    is_cancelled = models.BooleanField(default=False)
    agenda_drafted_at = models.DateTimeField(null=True, blank=True)
    minutes = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "occurrence"],
                condition=models.Q(occurrence__isnull=False),
                name="one_meeting_per_occurrence",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.title}, {self.starts_at:%d %b %Y}"

    @property
    def time_range(self) -> str:
        """'Tuesday 3 March 2026, 10:00 to 11:00' in UK time; with BST or
        GMT on each time when the clocks change during the meeting ('01:30
        BST to 01:30 GMT'), which would otherwise read as no time at all."""
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        zones = start.utcoffset() != end.utcoffset()
        first = f"{start:%H:%M} {start.tzname()}" if zones else f"{start:%H:%M}"
        last = f"{end:%H:%M} {end.tzname()}" if zones else f"{end:%H:%M}"
        if start.date() != end.date():
            last = f"{end:%A} {end.day} {end:%B %Y}, {last}"
        return f"{start:%A} {start.day} {start:%B %Y}, {first} to {last}"

    @property
    def chair_id_effective(self):
        return self.chair_id or self.series.chair_id

    @property
    def chaired_by(self):
        return self.chair or self.series.chair


class AgendaItem(models.Model):
    """An item on a meeting's agenda, drafted from the data (with the row it
    came from) or added by the chair."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    source = models.CharField(max_length=30, choices=AgendaSource.choices)
    metric = models.ForeignKey(
        "outcomes.Metric", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "contracts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.ForeignKey(
        "Action", on_delete=models.SET_NULL, null=True, blank=True, related_name="agenda_items"
    )
    notice = models.ForeignKey(
        "contracts.PerformanceNotice",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "position", "pk"]

    def __str__(self):
        return self.title


class AttendanceRecord(models.Model):
    """Whether a person attended a meeting, and for which organisation."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "contracts.Organisation", on_delete=models.PROTECT, related_name="+", null=True
    )
    status = models.CharField(max_length=12, choices=Attendance.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "person__last_name", "person__username"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="one_attendance_per_person")
        ]

    def __str__(self):
        return f"{self.person} {self.get_status_display().lower()}"


class Decision(models.Model):
    """A decision recorded at a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "recorded_at", "pk"]

    def __str__(self):
        return self.text[:80]


class Action(models.Model):
    """An action from the action log: an owner (a person for an organisation),
    a due date and a status, tracked to closure. Raised at a meeting, or by
    another part of Concord (an incentive support plan) for a network. Late
    actions escalate to the next meeting up (`escalated_to`)."""

    title = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    provider = models.ForeignKey(
        "contracts.Organisation",
        on_delete=models.PROTECT,
        related_name="dialogue_actions",
        help_text="The network (or provider) whose dialogues track this action.",
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        related_name="actions",
        null=True,
        blank=True,
        help_text="The meeting that raised it.",
    )
    escalated_to = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        related_name="escalated_actions",
        null=True,
        blank=True,
    )
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="dialogue_actions")
    owner_organisation = models.ForeignKey(
        "contracts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField()
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    status_reason = models.TextField(blank=True)
    completed_on = models.DateField(null=True, blank=True)
    metric = models.ForeignKey(
        "outcomes.Metric", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "contracts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The organisation the action is about, if not the owner's.",
    )
    notice = models.ForeignKey(
        "contracts.PerformanceNotice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dialogue_actions",
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return self.title

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_ACTION_STATUSES

    def is_overdue(self, today) -> bool:
        return self.is_live and self.due_on < today


class ActionMilestone(models.Model):
    """A step towards an action, with its own date."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="milestones")
    description = models.CharField(max_length=300)
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "due_on", "pk"]

    def __str__(self):
        return self.description


def evidence_path(instance, filename):
    # A random folder: an evidence file's URL cannot be guessed from another's.
    return f"dialogues/evidence/{secrets.token_hex(8)}/{Path(filename).name}"


class ActionEvidence(models.Model):
    """Evidence that an action is progressing or done: a note, a file, or both."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="evidence")
    note = models.TextField(blank=True)
    file = models.FileField(upload_to=evidence_path, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file_size = models.PositiveIntegerField(null=True, blank=True)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ActionEvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["action", "added_at", "pk"]

    def __str__(self):
        return self.file_name or self.note[:80]


class ReminderPreference(models.Model):
    """What reminders a person receives. No row means every reminder, with the
    default notice period."""

    person = models.OneToOneField(User, on_delete=models.CASCADE, related_name="reminder_pref")
    action_due_soon = models.BooleanField(default=True)
    action_overdue = models.BooleanField(default=True)
    agenda_ready = models.BooleanField(default=True)
    data_due = models.BooleanField(default=True)
    data_late = models.BooleanField(default=True)
    days_before = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(14)],
        help_text="How many days before a due date to remind you.",
    )
    history = HistoricalRecords()

    def __str__(self):
        return f"Reminders for {self.person}"

    def wants(self, kind: str) -> bool:
        return getattr(self, ReminderKind(kind).value)


class ReminderSent(models.Model):
    """A reminder sent: the claim that stops the same reminder going twice."""

    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120, help_text="What the reminder was about.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recipient", "key"], name="one_reminder_per_subject"
            )
        ]

    def __str__(self):
        return f"{self.kind} to {self.recipient_id} about {self.key}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A person's private calendar feed URL. Revoking replaces the token, so
    the old URL stops working at once."""

    person = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Calendar feed of {self.person}"
