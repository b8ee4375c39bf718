"""Agendas drafted from the data at the time of drafting (docs/dialogues.md),
and the chair's edits.

A meeting's agenda brings in, for the network (or provider) it is about, its
member providers and (when taking part) the commissioner:
- metrics whose SPC chart shows special-cause concern at the latest point;
- metrics below the contract's minimum threshold in the latest scored month;
- data missing or late in the last three months (outcomes.selectors);
- open Contract Performance Notices and their remedial-plan milestones
  missed or due within a month;
- actions escalated to this meeting, overdue, or due within two weeks.
Redrafting replaces the drafted items and keeps those the chair added."""

import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from contracts.models import Contract, PerformanceNotice, RemedialMilestone
from core.history import bulk_create_as, save_as
from dialogues import permissions
from dialogues.choices import AgendaSource
from dialogues.models import Action, AgendaItem, Meeting
from outcomes import scoring
from outcomes.models import ContractMetric, Measurement, MetricScore, SpcRebase
from outcomes.selectors import completeness, contract_months
from outcomes.series import analyse_rows

DUE_SOON = dt.timedelta(days=14)
MILESTONE_WINDOW = dt.timedelta(days=31)
DATA_MONTHS = 3
MIN_SPC_POINTS = 2


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def subject_organisations(meeting: Meeting) -> set[int]:
    """Organisations whose data the meeting looks at: the network, its
    members, and the commissioner when it takes part."""
    series = meeting.series
    subjects = {series.provider_id}
    subjects |= set(series.provider.member_links.values_list("provider_id", flat=True))
    participating = set(series.organisations.values_list("pk", flat=True))
    if series.contract_id and series.contract.commissioner_id in participating:
        subjects.add(series.contract.commissioner_id)
    return subjects


def meeting_contracts(meeting: Meeting, today: dt.date) -> list[Contract]:
    series = meeting.series
    if series.contract_id:
        return [series.contract]
    return list(
        Contract.objects.binding().filter(
            provider_id=series.provider_id, start_date__lte=today, end_date__gte=today
        )
    )


def _item(source, title, detail="", **links) -> AgendaItem:
    return AgendaItem(source=source, title=title, detail=detail, **links)


def spc_concerns(contracts, subjects, today, charted_by=None) -> list[AgendaItem]:
    """Metrics in special-cause concern at their latest point: all series read
    in one query, then analysed without queries. The charts are those of
    `charted_by` (the series' contract): the revisions it scores, split at
    its rebases; a network's own series, about no contract, reads the
    current values without any contract's rebases."""
    metrics = {
        version.metric_id: version.metric
        for version in ContractMetric.objects.filter(contract__in=contracts)
        .in_force_on(today)
        .select_related("metric")
    }
    series = defaultdict(list)
    measurements = (
        Measurement.objects.scored_by(charted_by.pk)
        if charted_by
        else Measurement.objects.current()
    )
    for metric_id, organisation_id, period, value in (
        measurements.filter(
            metric_id__in=metrics, organisation_id__in=subjects, value__isnull=False
        )
        .order_by("metric_id", "organisation_id", "period_start")
        .values_list("metric_id", "organisation_id", "period_start", "value")
    ):
        series[metric_id, organisation_id].append((period, value))
    rebases = defaultdict(list)
    for metric_id, organisation_id, period in (
        SpcRebase.objects.filter(
            contract=charted_by, metric_id__in=metrics, organisation_id__in=subjects
        )
        .order_by("period_start")
        .values_list("metric_id", "organisation_id", "period_start")
    ):
        rebases[metric_id, organisation_id].append(period)
    names = _organisation_names(subjects)
    items = []
    for (metric_id, organisation_id), rows in sorted(series.items()):
        if len(rows) < MIN_SPC_POINTS:
            continue
        metric = metrics[metric_id]
        summary = analyse_rows(rows, rebases[metric_id, organisation_id], metric.direction, None)[
            "summary"
        ]
        if (summary["variation"] or "").startswith("concern"):
            period, value = rows[-1]
            items.append(
                _item(
                    AgendaSource.SPC_CONCERN,
                    f"{metric.code} {metric.name}: special-cause concern at "
                    f"{names[organisation_id]}",
                    f"Latest value {show(value, metric.unit)} for {period:%B %Y}.",
                    metric=metric,
                    organisation_id=organisation_id,
                )
            )
    return items


def _organisation_names(ids) -> dict[int, str]:
    from contracts.models import Organisation

    return dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))


def show(value, unit: str) -> str:
    """A value with its unit as people write it: 58.5%, £1,461.7, 13.3 per 1,000."""
    number = f"{float(value):,.1f}".removesuffix(".0")
    if unit == "£":
        return f"£{number}"
    if not unit or unit == "%":
        return f"{number}{unit}"
    return f"{number} {unit}"


def below_minimum(contracts, subjects) -> list[AgendaItem]:
    """Metrics rated worse than the minimum threshold in each contract's latest
    scored month (the current score runs), one item per metric naming each
    organisation below it."""
    current = MetricScore.objects.current().filter(
        run__contract_id__in=[c.pk for c in contracts], value__isnull=False
    )
    latest = dict(
        current.values("run__contract_id")
        .annotate(last=Max("period_start"))
        .values_list("run__contract_id", "last")
    )
    items = []
    for contract_id, period in latest.items():
        rows = (
            current.filter(
                run__contract_id=contract_id,
                period_start=period,
                organisation_id__in=subjects,
                rating=scoring.INADEQUATE,
            )
            .select_related("metric", "organisation", "contract_metric")
            .order_by("metric__code", "organisation__name")
        )
        by_metric = defaultdict(list)
        for row in rows:
            by_metric[row.metric].append(row)
        for metric, below in by_metric.items():
            unit = metric.unit
            where = below[0].organisation.name if len(below) == 1 else f"{len(below)} organisations"
            values = "; ".join(f"{row.organisation.name}: {show(row.value, unit)}" for row in below)
            minimum = show(below[0].contract_metric.minimum_threshold, unit)
            items.append(
                _item(
                    AgendaSource.BELOW_MINIMUM,
                    # "Worse", not "below": for lower-is-better metrics the
                    # value is above the threshold.
                    f"{metric.code} {metric.name}: worse than the minimum threshold at {where}",
                    f"{values} in {period:%B %Y}, against a minimum threshold of {minimum} "
                    f"({metric.get_direction_display().lower()}).",
                    metric=metric,
                    organisation=below[0].organisation if len(below) == 1 else None,
                )
            )
    return items


def data_exceptions(contracts, subjects, today) -> list[AgendaItem]:
    """Values missing past their due date, or that arrived late, in the last
    three months, one item per organisation and month."""
    items = []
    for contract in contracts:
        periods = contract_months(contract, today)[:DATA_MONTHS]
        for result in completeness(contract, periods, today):
            organisation = result.organisation
            if organisation.pk not in subjects:
                continue
            month = f"{result.period_start:%B %Y}"
            missing = [i.metric.code for i in result.items if not i.arrived and i.due < today]
            late = [i.metric.code for i in result.items if i.late]
            if missing:
                items.append(
                    _item(
                        AgendaSource.MISSING_DATA,
                        f"Missing data from {organisation.name} for {month}",
                        f"Not received by the due date: {', '.join(missing)}.",
                        organisation=organisation,
                    )
                )
            if late:
                items.append(
                    _item(
                        AgendaSource.LATE_DATA,
                        f"Late data from {organisation.name} for {month}",
                        f"Received after the due date: {', '.join(late)}.",
                        organisation=organisation,
                    )
                )
    return items


def notices_and_milestones(contracts, today) -> list[AgendaItem]:
    items = []
    notices = (
        PerformanceNotice.objects.open()
        .filter(contract__in=contracts)
        .select_related("contract")
        .order_by("raised_on", "pk")
    )
    for notice in notices:
        items.append(
            _item(
                AgendaSource.OPEN_NOTICE,
                f"Performance notice: {notice.title}",
                f"Raised {long_date(notice.raised_on)} on {notice.contract.reference}; "
                f"{notice.get_status_display()}.",
                notice=notice,
            )
        )
    milestones = RemedialMilestone.objects.filter(
        notice__in=notices, completed_on__isnull=True, due_on__lte=today + MILESTONE_WINDOW
    ).select_related("notice", "owner_organisation")
    for milestone in milestones:
        state = "missed" if milestone.is_missed(today) else "due"
        items.append(
            _item(
                AgendaSource.MILESTONE,
                f"Remedial plan milestone {state}: {milestone.description}",
                f"{milestone.owner} ({milestone.owner_organisation.name}), "
                f"due {long_date(milestone.due_on)}.",
                notice=milestone.notice,
                organisation=milestone.owner_organisation,
            )
        )
    return items


def action_items(meeting: Meeting, today: dt.date) -> list[AgendaItem]:
    actions = (
        Action.objects.live()
        .filter(provider_id=meeting.series.provider_id, due_on__lte=today + DUE_SOON)
        .select_related("owner", "owner_organisation")
        .order_by("due_on", "pk")
    )
    items = []
    for action in actions:
        owner = action.owner.get_full_name() or action.owner.username
        if action.escalated_to_id == meeting.pk:
            source, prefix = AgendaSource.ESCALATED_ACTION, "Escalated"
        elif action.due_on < today:
            source, prefix = AgendaSource.OVERDUE_ACTION, "Overdue"
        else:
            source, prefix = AgendaSource.DUE_SOON_ACTION, "Due soon"
        items.append(
            _item(
                source,
                f"{prefix}: {action.title}",
                f"{owner} ({action.owner_organisation.name}), due {long_date(action.due_on)}.",
                action=action,
                organisation=action.owner_organisation,
            )
        )
    return items


@transaction.atomic
def draft_agenda(
    meeting: Meeting, *, user=None, today: dt.date | None = None, now: dt.datetime | None = None
) -> list[AgendaItem]:
    """Draft (or redraft) the agenda from the data now. `user` is the chair
    asking for a redraft, or None when the scheduled job drafts it."""
    if user is not None:
        permissions.require_agenda_editor(user, meeting)
    today = today or timezone.localdate()
    contracts = meeting_contracts(meeting, today)
    subjects = subject_organisations(meeting)
    drafted = [
        *spc_concerns(contracts, subjects, today, meeting.series.contract),
        *below_minimum(contracts, subjects),
        *data_exceptions(contracts, subjects, today),
        *notices_and_milestones(contracts, today),
        *action_items(meeting, today),
    ]
    meeting.agenda_items.exclude(source=AgendaSource.MANUAL).delete()
    kept = list(meeting.agenda_items.order_by("position", "pk"))
    for position, item in enumerate(drafted, start=1):
        item.meeting, item.position = meeting, position
    bulk_create_as(AgendaItem, drafted, user)
    for position, item in enumerate(kept, start=len(drafted) + 1):
        if item.position != position:
            item.position = position
            save_as(item, user)
    meeting.agenda_drafted_at = now or timezone.now()
    meeting.save(update_fields=["agenda_drafted_at"])
    return list(meeting.agenda_items.order_by("position", "pk"))


@transaction.atomic
def add_item(*, user, meeting: Meeting, title: str, detail: str = "") -> AgendaItem:
    """The chair adds an item by hand (at the end)."""
    permissions.require_agenda_editor(user, meeting)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Enter the agenda item."})
    position = (meeting.agenda_items.aggregate(last=Max("position"))["last"] or 0) + 1
    item = AgendaItem(
        meeting=meeting,
        position=position,
        title=title,
        detail=(detail or "").strip(),
        source=AgendaSource.MANUAL,
    )
    return save_as(item, user)


@transaction.atomic
def edit_item(
    *, user, item: AgendaItem, title: str, detail: str = "", position: int | None = None
) -> AgendaItem:
    permissions.require_agenda_editor(user, item.meeting)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Enter the agenda item."})
    item.title, item.detail = title, (detail or "").strip()
    if position is not None:
        if position < 1:
            raise ValidationError({"position": "The position must be 1 or more."})
        item.position = position
    return save_as(item, user)


@transaction.atomic
def remove_item(*, user, item: AgendaItem) -> None:
    permissions.require_agenda_editor(user, item.meeting)
    item._history_user = user
    item.delete()


def meetings_due_a_draft(now: dt.datetime):
    """Meetings whose agenda is due to be drafted: not cancelled, not drafted
    yet, starting within their series' `agenda_days_before`."""
    candidates = Meeting.objects.filter(
        is_cancelled=False,
        agenda_drafted_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + dt.timedelta(days=60),
    ).select_related("series")
    return [
        m for m in candidates if m.starts_at <= now + dt.timedelta(days=m.series.agenda_days_before)
    ]


def draft_due_agendas(*, now=None) -> list[Meeting]:
    """The scheduled job: draft each agenda that is due, once. A meeting is
    claimed with a conditional update, so two runs at once draft it once.
    Returns the meetings drafted (their chairs are told: dialogues.reminders)."""
    now = now or timezone.now()
    drafted = []
    for meeting in meetings_due_a_draft(now):
        with transaction.atomic():
            claimed = Meeting.objects.filter(pk=meeting.pk, agenda_drafted_at__isnull=True).update(
                agenda_drafted_at=now
            )
            if not claimed:
                continue
            draft_agenda(meeting, today=timezone.localdate(now), now=now)
        drafted.append(meeting)
    return drafted
