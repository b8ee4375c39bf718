"""Choices for performance dialogues: one spelling each (docs/dialogues.md),
with the colour a status is shown in (core.choices)."""

from django.db import models

from core.choices import ColourTextChoices


class SeriesLevel(models.TextChoices):
    """The two levels of dialogue in NW London's WSIC model."""

    COMMISSIONER_NETWORK = "commissioner_network", "Commissioner with network"
    NETWORK_MEMBERS = "network_members", "Network with its members"


class MeetingType(models.TextChoices):
    ANNUAL = "annual", "Annual strategic review"
    QUARTERLY = "quarterly", "Quarterly performance review"
    MONTHLY = "monthly", "Monthly performance and effectiveness meeting"
    WEEKLY = "weekly", "Weekly tactical meeting"
    CONTRACT_MANAGEMENT = "contract_management", "Contract management meeting"
    CUSTOM = "custom", "Custom"


# Late actions move up one forum at a time; the quarterly review is the top.
ESCALATES_TO = {
    MeetingType.WEEKLY: MeetingType.MONTHLY,
    MeetingType.MONTHLY: MeetingType.QUARTERLY,
}
# An action raised outside a meeting (e.g. an incentive support plan) escalates
# as if it came from the weekly meeting: first to the monthly meeting.
UNPLACED_ESCALATES_TO = MeetingType.MONTHLY


class ActionStatus(ColourTextChoices):
    OPEN = "open", "Open", "blue"
    IN_PROGRESS = "in_progress", "In progress", "yellow"
    DONE = "done", "Done", "green"
    DROPPED = "dropped", "Dropped", "grey"


LIVE_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class Attendance(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Sent apologies"
    ABSENT = "absent", "Absent"


class AgendaSource(models.TextChoices):
    """Why an item is on an agenda: drafted from the data, or added by hand."""

    SPC_CONCERN = "spc_concern", "Special-cause concern"
    BELOW_MINIMUM = "below_minimum", "Below the minimum threshold"
    MISSING_DATA = "missing_data", "Missing data"
    LATE_DATA = "late_data", "Late data"
    OVERDUE_ACTION = "overdue_action", "Overdue action"
    DUE_SOON_ACTION = "due_soon_action", "Action due soon"
    ESCALATED_ACTION = "escalated_action", "Escalated action"
    OPEN_NOTICE = "open_notice", "Open performance notice"
    MILESTONE = "milestone", "Remedial plan milestone"
    MANUAL = "manual", "Added by hand"


class ReminderKind(models.TextChoices):
    ACTION_DUE_SOON = "action_due_soon", "An action of mine is due soon"
    ACTION_OVERDUE = "action_overdue", "An action of mine is overdue"
    AGENDA_READY = "agenda_ready", "An agenda for a meeting I chair is ready"
    DATA_DUE = "data_due", "Data my organisation submits is due soon"
    DATA_LATE = "data_late", "Data my organisation submits is late"
