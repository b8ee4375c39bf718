"""Reminders by email (Django's email backend; the console by default):
- action owners, a few days before the due date and once it is overdue;
- chairs, when their meeting's agenda has been drafted;
- data submitters, when their organisation's data is due soon or late.

Each reminder is claimed before it is sent (a unique ReminderSent row per
kind, person and subject), so running the job twice, or two at once, sends
nothing twice. An email that fails is logged and its claim released, so the
next run tries it again; the others are sent all the same. A person's
ReminderPreference says what they receive."""

import datetime as dt
import logging
from collections import Counter

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from contracts.choices import Role
from contracts.models import Contract, Membership, Organisation
from core.inputs import one_line
from dialogues.choices import ReminderKind
from dialogues.models import Action, Meeting, ReminderPreference, ReminderSent
from outcomes.selectors import completeness, contract_months

logger = logging.getLogger(__name__)

MAX_DAYS_BEFORE = 14
DATA_MONTHS = 3
DATA_SUBMITTER_ROLES = (Role.PROVIDER_USER, Role.COMMISSIONER)
# What became of one reminder; each job counts them.
SENT, SKIPPED, FAILED = "sent", "skipped", "failed"


def preference_of(person) -> ReminderPreference:
    """The person's choices, or the defaults (everything) if never changed."""
    pref = ReminderPreference.objects.filter(person=person).first()
    return pref or ReminderPreference(person=person)


def link(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def send(kind: str, person, key: str, subject: str, body: str, prefs=None) -> str:
    """Send one reminder unless the person opted out, has no email address, or
    was sent it already: SENT, SKIPPED or FAILED. The claim and the email are
    undone together: if the email fails, the claim is removed so the next run
    tries again, and the failure is logged for the rest of the run to go on."""
    prefs = prefs or preference_of(person)
    if not prefs.wants(kind) or not person.email:
        return SKIPPED
    try:
        with transaction.atomic():
            ReminderSent.objects.create(kind=kind, recipient=person, key=key)
            send_mail(
                # One line: a title with a line break would make every send
                # fail (an email header cannot hold one).
                f"Concord: {one_line(subject)}",
                f"{body}\n\nChange what you receive: {link(reverse('dialogues:preferences'))}\n",
                None,
                [person.email],
            )
    except IntegrityError:
        return SKIPPED  # already sent (or being sent by another run)
    except Exception:
        # Any mail error (SMTP, connection, a bad address): one person's
        # failure must not stop everyone else's reminders.
        logger.exception("Reminder %s about %s to user %s failed", kind, key, person.pk)
        return FAILED
    return SENT


def _name(person) -> str:
    return person.get_full_name() or person.username


def action_reminders(today: dt.date) -> Counter:
    """Owners: due within their notice period, and overdue (once per due date)."""
    outcomes = Counter()
    actions = (
        Action.objects.live()
        .filter(due_on__lte=today + dt.timedelta(days=MAX_DAYS_BEFORE))
        .select_related("owner", "provider")
        .order_by("due_on", "pk")
    )
    prefs: dict[int, ReminderPreference] = {}
    for action in actions:
        owner = action.owner
        pref = prefs.setdefault(owner.pk, preference_of(owner))
        url = link(reverse("dialogues:action-detail", args=[action.pk]))
        due = f"{action.due_on.day} {action.due_on:%B %Y}"
        if action.due_on < today:
            kind, subject = ReminderKind.ACTION_OVERDUE, f"overdue action: {action.title}"
            body = f'{_name(owner)}, your action "{action.title}" was due on {due}.'
        elif action.due_on <= today + dt.timedelta(days=pref.days_before):
            kind, subject = ReminderKind.ACTION_DUE_SOON, f"action due {due}: {action.title}"
            body = f'{_name(owner)}, your action "{action.title}" is due on {due}.'
        else:
            continue
        body += f"\nUpdate it (status, milestones, evidence): {url}"
        key = f"action:{action.pk}:{action.due_on:%Y-%m-%d}"
        outcomes[send(kind, owner, key, subject, body, pref)] += 1
    return outcomes


def agenda_reminders(now: dt.datetime) -> Counter:
    """Chairs of coming meetings whose agenda has been drafted."""
    outcomes = Counter()
    meetings = Meeting.objects.filter(
        agenda_drafted_at__isnull=False, is_cancelled=False, starts_at__gt=now
    ).select_related("series__chair", "chair")
    for meeting in meetings:
        chair = meeting.chaired_by
        when = timezone.localtime(meeting.starts_at)
        body = (
            f"{_name(chair)}, the agenda for {meeting.title} on {when:%-d %B %Y at %H:%M} has "
            "been drafted from the latest data. Review and edit it: "
            f"{link(reverse('dialogues:agenda-edit', args=[meeting.pk]))}"
        )
        subject = f"agenda ready for {meeting.title}, {when:%-d %B}"
        outcomes[
            send(ReminderKind.AGENDA_READY, chair, f"meeting:{meeting.pk}", subject, body)
        ] += 1
    return outcomes


def data_reminders(today: dt.date) -> Counter:
    """Submitters of each organisation expected to send data for an active
    contract: values due within their notice period, and values missing past
    their due date, for the last three months."""
    outcomes = Counter()
    submitters: dict[int, list] = {}
    for membership in Membership.objects.filter(role__in=DATA_SUBMITTER_ROLES).select_related(
        "user"
    ):
        submitters.setdefault(membership.organisation_id, []).append(membership.user)
    prefs: dict[int, ReminderPreference] = {}
    contracts = Contract.objects.binding().filter(start_date__lte=today, end_date__gte=today)
    for contract in contracts:
        for result in completeness(contract, contract_months(contract, today)[:DATA_MONTHS], today):
            waiting = [item for item in result.items if not item.arrived]
            if not waiting:
                continue
            month = f"{result.period_start:%B %Y}"
            for person in submitters.get(result.organisation.pk, []):
                pref = prefs.setdefault(person.pk, preference_of(person))
                late = [i.metric.code for i in waiting if i.due < today]
                soon = [
                    i.metric.code
                    for i in waiting
                    if today <= i.due <= today + dt.timedelta(days=pref.days_before)
                ]
                base = f"data:{contract.pk}:{result.organisation.pk}:{result.period_start:%Y-%m}"
                url = link(reverse("outcomes:submission-create"))
                if late:
                    body = (
                        f"{result.organisation.name}'s data for {month} on {contract.reference} "
                        f"is late: {', '.join(late)}.\nSubmit it: {url}"
                    )
                    subject = f"data late for {month} ({contract.reference})"
                    outcomes[send(ReminderKind.DATA_LATE, person, base, subject, body, pref)] += 1
                if soon:
                    due = min(i.due for i in waiting if i.metric.code in soon)
                    body = (
                        f"{result.organisation.name}'s data for {month} on {contract.reference} "
                        f"is due by {due.day} {due:%B %Y}: {', '.join(soon)}.\nSubmit it: {url}"
                    )
                    subject = f"data due {due.day} {due:%B} ({contract.reference})"
                    outcomes[send(ReminderKind.DATA_DUE, person, base, subject, body, pref)] += 1
    return outcomes


def send_reminders(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The daily job. Returns how many of each were sent, and how many failed
    (to be tried again on the next run)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    runs = {
        "actions": action_reminders(today),
        "agendas": agenda_reminders(now),
        "data": data_reminders(today),
    }
    counts = {name: outcomes[SENT] for name, outcomes in runs.items()}
    counts["failed"] = sum(outcomes[FAILED] for outcomes in runs.values())
    return counts


def recent_for(person, limit: int = 20) -> list[ReminderSent]:
    """The reminders sent to `person` lately, newest first, each with `about`
    (which action, meeting or month's data it was about) and `url` (its page,
    when the person may still open it). A fixed number of queries: the
    actions, meetings, contracts and organisations named are read at once."""
    sent = list(ReminderSent.objects.filter(recipient=person).order_by("-sent_at")[:limit])
    parts = {row.pk: row.key.split(":") for row in sent}

    def ids(prefix, index=1):
        return {
            int(p[index])
            for p in parts.values()
            if p[0] == prefix and len(p) > index and p[index].isdigit()
        }

    actions = Action.objects.visible_to(person).in_bulk(ids("action"))
    meetings = Meeting.objects.visible_to(person).in_bulk(ids("meeting"))
    contracts = Contract.objects.in_bulk(ids("data")) if ids("data") else {}
    organisations = Organisation.objects.in_bulk(ids("data", 2)) if ids("data") else {}
    for row in sent:
        key = parts[row.pk]
        row.about, row.url = "", None
        number = int(key[1]) if len(key) > 1 and key[1].isdigit() else None
        if key[0] == "action":
            action = actions.get(number)
            if action is not None:
                row.about = f"{action.title}, due {action.due_on.day} {action.due_on:%B %Y}"
                row.url = reverse("dialogues:action-detail", args=[action.pk])
            else:
                row.about = "An action you can no longer see"
        elif key[0] == "meeting":
            meeting = meetings.get(number)
            if meeting is not None:
                when = timezone.localtime(meeting.starts_at)
                row.about = f"{meeting.title}, {when.day} {when:%B %Y}"
                row.url = reverse("dialogues:meeting-detail", args=[meeting.pk])
            else:
                row.about = "A meeting you can no longer see"
        elif key[0] == "data" and len(key) > 3:
            contract = contracts.get(number)
            org = organisations.get(int(key[2])) if key[2].isdigit() else None
            try:
                month = dt.datetime.strptime(key[3], "%Y-%m").strftime("%B %Y")
            except ValueError:
                month = key[3]
            if contract is not None and org is not None:
                row.about = f"{org.name}'s data for {month} ({contract.reference})"
    return sent
