"""Dialogue pages: the overview, meeting series, the meeting page (agenda,
attendance, minutes, decisions, actions), the agenda editor, the action log
and an action's page. Every view scopes its rows through ScopedViewMixin;
every write calls one service and shows its errors on the form."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, ListView, TemplateView

from contracts.access import PRIVATE_DATA_ROLES
from core.forms import add_service_errors
from core.permissions import require
from core.views import ScopedViewMixin, error_summary, tag
from dialogues import agenda, permissions
from dialogues.choices import LIVE_ACTION_STATUSES, ActionStatus
from dialogues.forms import (
    ActionFilterForm,
    ActionForm,
    AgendaItemForm,
    AttendanceForm,
    DecisionForm,
    EditActionForm,
    EvidenceForm,
    MilestoneForm,
    MinutesForm,
    SeriesForm,
    StatusForm,
)
from dialogues.models import (
    Action,
    ActionEvidence,
    AgendaItem,
    Meeting,
    MeetingSeries,
)
from dialogues.services import actions, common, evidence, meetings, minutes

ACTION_RELATED = ("owner", "owner_organisation", "provider")


def posted_id(request, name: str) -> int | None:
    """The id posted as `name`, or None when it is missing or not a number
    (a tampered form is then "not found", not a server error)."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else None


def action_tag(action: Action, today: dt.date) -> dict:
    """Overdue stands out in red; otherwise the status colour."""
    if action.is_overdue(today):
        return tag("Overdue", "red")
    return ActionStatus(action.status).tag


def with_tags(actions, today):
    actions = list(actions)
    for action in actions:
        action.tag = action_tag(action, today)
        action.overdue = action.is_overdue(today)
    return actions


class OverviewView(ScopedViewMixin, ListView):
    """`/dialogues/`: this week's and coming meetings, and my live actions."""

    model = Meeting
    template_name = "dialogues/overview.html"
    allowed_roles = PRIVATE_DATA_ROLES

    def scoped_queryset(self, queryset):
        today = timezone.localdate()
        monday = today - dt.timedelta(days=today.weekday())
        self.week = (monday, monday + dt.timedelta(days=6))
        return (
            queryset.filter(
                is_cancelled=False,
                starts_at__date__gte=monday,
                starts_at__date__lte=monday + dt.timedelta(days=34),
            )
            .select_related("series__provider")
            .order_by("starts_at")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        meetings = list(context["object_list"])
        end_of_week = self.week[1]
        context["this_week"] = [
            m for m in meetings if timezone.localdate(m.starts_at) <= end_of_week
        ]
        context["coming"] = [m for m in meetings if timezone.localdate(m.starts_at) > end_of_week]
        mine = (
            Action.objects.visible_to(self.request.user)
            .live()
            .filter(owner=self.request.user)
            .select_related(*ACTION_RELATED)
            .order_by("due_on")
        )
        context["my_actions"] = with_tags(mine[:20], today)
        context["can_manage"] = permissions.can_set_up_series(self.request.user)
        return context


class SeriesListView(ScopedViewMixin, ListView):
    """`/dialogues/series/`: the meeting series the person can see."""

    model = MeetingSeries
    template_name = "dialogues/series_list.html"
    allowed_roles = PRIVATE_DATA_ROLES
    paginate_by = 50

    def scoped_queryset(self, queryset):
        upcoming = Meeting.objects.filter(
            series=OuterRef("pk"), is_cancelled=False, starts_at__gte=timezone.now()
        ).order_by("starts_at")
        return queryset.select_related("provider", "chair").annotate(
            next_meeting=Subquery(upcoming.values("starts_at")[:1]),
            next_meeting_id=Subquery(upcoming.values("pk")[:1]),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = permissions.can_set_up_series(self.request.user)
        return context


class SeriesDetailView(ScopedViewMixin, DetailView):
    """`/dialogues/series/<id>/`: a series, its coming and recent meetings."""

    model = MeetingSeries
    template_name = "dialogues/series_detail.html"
    allowed_roles = PRIVATE_DATA_ROLES

    def scoped_queryset(self, queryset):
        return queryset.select_related("provider", "contract", "chair").prefetch_related(
            "organisations", "participants"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        meetings = self.object.meetings.order_by("starts_at")
        context["upcoming"] = meetings.filter(starts_at__gte=now)[:12]
        context["recent"] = meetings.filter(starts_at__lt=now).order_by("-starts_at")[:12]
        context["can_edit"] = permissions.can_manage_series(self.request.user, self.object.provider)
        return context


class SeriesFormView(ScopedViewMixin, TemplateView):
    """`/dialogues/series/new/` and `/dialogues/series/<id>/edit/`."""

    model = MeetingSeries
    template_name = "dialogues/series_form.html"
    allowed_roles = permissions.SERIES_MANAGER_ROLES

    def get_series(self):
        if "pk" not in self.kwargs:
            return None
        series = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if series is None:
            raise Http404("No such meeting series.")
        require(
            permissions.can_manage_series(self.request.user, series.provider),
            "You cannot change this series.",
        )
        return series

    def initial(self, series):
        if series is None:
            return {"start_time": dt.time(10, 0), "level": "network_members"}
        fields = [f for f in SeriesForm.base_fields if f not in ("organisations", "participants")]
        initial = {name: getattr(series, name) for name in fields}
        initial["organisations"] = list(series.organisations.all())
        initial["participants"] = list(series.participants.all())
        return initial

    def get(self, request, *args, **kwargs):
        series = self.get_series()
        form = SeriesForm(initial=self.initial(series), user=request.user)
        return self.render_to_response(self.get_context_data(form=form, series=series))

    def post(self, request, *args, **kwargs):
        series = self.get_series()
        form = SeriesForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                saved = meetings.save_series(user=request.user, series=series, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                verb = "saved" if series else "set up"
                messages.success(request, f"Meeting series {verb}. Its meetings are in the diary.")
                return redirect("dialogues:series-detail", pk=saved.pk)
        return self.render_to_response(
            self.get_context_data(form=form, series=series, errors=error_summary(form))
        )


class MeetingDetailView(ScopedViewMixin, DetailView):
    """`/dialogues/meetings/<id>/`: the agenda, attendance, minutes, decisions
    and actions of one meeting, with the quick action log. Each form posts
    here with a `form` field naming it."""

    model = Meeting
    template_name = "dialogues/meeting_detail.html"
    allowed_roles = PRIVATE_DATA_ROLES
    FORMS = ("attendance", "minutes", "decision", "action", "status")

    def scoped_queryset(self, queryset):
        return queryset.select_related(
            "series__provider", "series__chair", "series__contract", "chair", "notice"
        )

    def expected_people(self, meeting):
        """Named participants and the chair, then anyone already recorded."""
        people = {p.pk: p for p in meeting.series.participants.all()}
        chair = meeting.chaired_by
        people.setdefault(chair.pk, chair)
        for record in meeting.attendance.select_related("person"):
            people.setdefault(record.person_id, record.person)
        return sorted(people.values(), key=lambda p: (p.last_name, p.first_name, p.username))

    def forms(self, meeting, data=None, which=None):
        def bound(name):
            return data if which == name else None

        recorded = dict(meeting.attendance.values_list("person_id", "status"))
        people = self.expected_people(meeting)
        return {
            "attendance_form": AttendanceForm(
                bound("attendance"),
                people=people,
                initial={f"person_{pk}": status for pk, status in recorded.items()},
            ),
            "minutes_form": MinutesForm(bound("minutes"), initial={"minutes": meeting.minutes}),
            "decision_form": DecisionForm(bound("decision")),
            "action_form": ActionForm(
                bound("action"), provider=meeting.series.provider, meeting=meeting
            ),
            "status_form": StatusForm(bound("status")),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meeting, user = self.object, self.request.user
        today = timezone.localdate()
        for name, form in self.forms(meeting).items():
            context.setdefault(name, form)
        raised_here = Action.objects.filter(meeting=meeting).select_related(
            *ACTION_RELATED, "meeting__series"
        )
        earlier = (
            Action.objects.visible_to(user)
            .live()
            .filter(provider_id=meeting.series.provider_id)
            .exclude(meeting=meeting)
            .filter(Q(meeting__starts_at__lt=meeting.starts_at) | Q(meeting__isnull=True))
            .select_related(*ACTION_RELATED, "meeting__series")
            .order_by("due_on")
        )
        actions, earlier = with_tags(raised_here, today), with_tags(earlier, today)
        # A status form only on the rows the person may change (as the POST checks).
        may_update = permissions.action_updater(user)
        for action in actions + earlier:
            action.can_update = may_update(action)
        context.update(
            series=meeting.series,
            chair=meeting.chaired_by,
            agenda_items=self.agenda_items(meeting, user),
            attendance=meeting.attendance.select_related("person", "organisation"),
            decisions=meeting.decisions.select_related("recorded_by"),
            actions=actions,
            earlier_actions=earlier,
            status_forms=any(action.can_update for action in actions),
            earlier_status_forms=any(action.can_update for action in earlier),
            can_edit_agenda=permissions.can_edit_agenda(user, meeting),
            can_contribute=permissions.can_contribute(user, meeting),
            can_record_attendance=permissions.can_record_attendance(user, meeting),
            can_record=permissions.can_record_minutes(user, meeting),
            has_started=common.has_started(meeting),
            held_on=timezone.localdate(meeting.starts_at),
            status_choices=ActionStatus.choices,
        )
        return context

    def agenda_items(self, meeting, user) -> list[AgendaItem]:
        """The agenda, each item marked `can_open` when it links an action the
        person may open (one query for the lot): a due-soon action of the
        network can be on a members' meeting agenda that a member cannot open."""
        items = list(
            meeting.agenda_items.select_related("action", "notice").order_by("position", "pk")
        )
        linked = {item.action_id for item in items if item.action_id}
        visible = (
            set(Action.objects.visible_to(user).filter(pk__in=linked).values_list("pk", flat=True))
            if linked
            else set()
        )
        for item in items:
            item.can_open = item.action_id in visible
        return items

    def post(self, request, *args, **kwargs):
        self.object = meeting = self.get_object()
        which = request.POST.get("form")
        if which not in self.FORMS:
            raise BadRequest("Unknown form.")
        forms = self.forms(meeting, request.POST, which)
        form = forms[f"{which}_form"]
        if form.is_valid():
            try:
                message, anchor = self.save(which, form, meeting)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, message)
                return redirect(
                    f"{reverse('dialogues:meeting-detail', args=[meeting.pk])}#{anchor}"
                )
        errors = error_summary(form)
        if which == "status":
            # The status forms sit in the actions tables: link to the row's reason.
            target = f"#reason-{request.POST.get('action_id')}"
            errors = [(target, message) for _, message in errors]
        context = self.get_context_data(**forms, errors=errors)
        return self.render_to_response(context)

    def save(self, which, form, meeting) -> tuple[str, str]:
        user, data = self.request.user, form.cleaned_data
        if which == "attendance":
            minutes.record_attendance(user=user, meeting=meeting, entries=form.entries())
            return "Attendance saved.", "attendance"
        if which == "minutes":
            minutes.save_minutes(user=user, meeting=meeting, minutes=data["minutes"])
            return "Minutes saved.", "minutes"
        if which == "decision":
            minutes.add_decision(user=user, meeting=meeting, text=data["text"])
            return "Decision recorded.", "decisions"
        if which == "action":
            action = actions.log_action(user=user, meeting=meeting, **form.service_fields())
            return f"Action logged: {action.title}.", "log-action"
        action = self.action_from_post(meeting)
        actions.set_action_status(
            user=user, action=action, status=data["status"], reason=data["reason"]
        )
        return f"{action.title}: now {action.get_status_display().lower()}.", "actions"

    def action_from_post(self, meeting) -> Action:
        action = (
            Action.objects.visible_to(self.request.user)
            .filter(pk=posted_id(self.request, "action_id"), provider_id=meeting.series.provider_id)
            .select_related("meeting__series", "meeting__chair")
            .first()
        )
        if action is None:
            raise Http404("No such action.")
        return action


class AgendaEditView(ScopedViewMixin, DetailView):
    """`/dialogues/meetings/<id>/agenda/`: the chair edits, reorders, removes
    and adds items, or redrafts from the data."""

    model = Meeting
    template_name = "dialogues/agenda_form.html"
    allowed_roles = PRIVATE_DATA_ROLES

    def scoped_queryset(self, queryset):
        return queryset.select_related("series", "chair")

    def get_object(self, queryset=None):
        meeting = super().get_object(queryset)
        permissions.require_agenda_editor(self.request.user, meeting)
        return meeting

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        items = list(self.object.agenda_items.order_by("position", "pk"))
        failed = kwargs.get("failed_item")
        context["item_forms"] = [
            (
                item,
                failed
                if failed is not None and failed.prefix == f"item{item.pk}"
                else AgendaItemForm(
                    prefix=f"item{item.pk}", initial={"title": item.title, "detail": item.detail}
                ),
            )
            for item in items
        ]
        context.setdefault("add_form", AgendaItemForm(prefix="new"))
        return context

    def post(self, request, *args, **kwargs):
        self.object = meeting = self.get_object()
        user, op = request.user, request.POST.get("op")
        url = reverse("dialogues:agenda-edit", args=[meeting.pk])
        if op == "redraft":
            agenda.draft_agenda(meeting, user=user)
            messages.success(request, "Agenda redrafted from the data as it stands now.")
            return redirect(url)
        if op == "add":
            form = AgendaItemForm(request.POST, prefix="new")
            if form.is_valid():
                agenda.add_item(user=user, meeting=meeting, **form.cleaned_data)
                messages.success(request, "Item added.")
                return redirect(f"{url}#add-item")
            return self.render_to_response(
                self.get_context_data(add_form=form, errors=error_summary(form))
            )
        item = AgendaItem.objects.filter(meeting=meeting, pk=posted_id(request, "item")).first()
        if item is None:
            raise Http404("No such agenda item.")
        if op == "remove":
            agenda.remove_item(user=user, item=item)
            messages.success(request, f"Removed: {item.title}")
            return redirect(url)
        if op == "up":
            items = list(meeting.agenda_items.order_by("position", "pk"))
            index = items.index(item)
            if index:
                items[index - 1], items[index] = items[index], items[index - 1]
                for position, row in enumerate(items, start=1):
                    if row.position != position:
                        agenda.edit_item(
                            user=user,
                            item=row,
                            title=row.title,
                            detail=row.detail,
                            position=position,
                        )
            return redirect(f"{url}#item-{item.pk}")
        form = AgendaItemForm(request.POST, prefix=f"item{item.pk}")
        if form.is_valid():
            agenda.edit_item(user=user, item=item, **form.cleaned_data)
            messages.success(request, "Item saved.")
            return redirect(f"{url}#item-{item.pk}")
        return self.render_to_response(
            self.get_context_data(failed_item=form, errors=error_summary(form))
        )


class ActionListView(ScopedViewMixin, ListView):
    """`/dialogues/actions/`: the action log with filters; overdue in red."""

    model = Action
    template_name = "dialogues/action_list.html"
    allowed_roles = PRIVATE_DATA_ROLES
    paginate_by = 50

    def scoped_queryset(self, queryset):
        # The page number is not a filter: page 2 of the default list is
        # still open and in-progress actions only.
        params = self.request.GET.copy()
        params.pop("page", None)
        self.filters = ActionFilterForm(params or None, user=self.request.user)
        today = timezone.localdate()
        queryset = queryset.select_related(*ACTION_RELATED, "meeting").order_by("due_on", "pk")
        if not params:
            return queryset.filter(status__in=LIVE_ACTION_STATUSES)
        if not self.filters.is_valid():
            return queryset.none()
        data = self.filters.cleaned_data
        if data["status"] == "live":
            queryset = queryset.filter(status__in=LIVE_ACTION_STATUSES)
        elif data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["mine"]:
            queryset = queryset.filter(owner=self.request.user)
        if data["owner"]:
            queryset = queryset.filter(owner=data["owner"])
        if data["overdue"]:
            queryset = queryset.overdue(today)
        if data["organisation"]:
            org = data["organisation"]
            queryset = queryset.filter(
                Q(owner_organisation=org) | Q(provider=org) | Q(organisation=org)
            )
        if data["due_after"]:
            queryset = queryset.filter(due_on__gte=data["due_after"])
        if data["due_before"]:
            queryset = queryset.filter(due_on__lte=data["due_before"])
        return queryset

    def paginate_queryset(self, queryset, page_size):
        """A page past the end shows the last page, and one that is not a
        number the first, keeping the filters, instead of a 404."""
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["actions"] = with_tags(context["object_list"], timezone.localdate())
        context["filters"] = self.filters
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
        return context


class ActionDetailView(ScopedViewMixin, DetailView):
    """`/dialogues/actions/<id>/`: its details (editable while it is open),
    status, milestones, evidence and history."""

    model = Action
    template_name = "dialogues/action_detail.html"
    allowed_roles = PRIVATE_DATA_ROLES
    FORMS = {
        "edit": EditActionForm,
        "status": StatusForm,
        "milestone": MilestoneForm,
        "evidence": EvidenceForm,
    }

    def scoped_queryset(self, queryset):
        return queryset.select_related(
            *ACTION_RELATED,
            "meeting__series",
            "meeting__chair",
            "escalated_to",
            "metric",
            "organisation",
            "notice",
        ).prefetch_related(
            "milestones", Prefetch("evidence", ActionEvidence.objects.select_related("added_by"))
        )

    def make_form(self, which, data=None, files=None):
        if which == "edit":
            return EditActionForm(data, action=self.object, user=self.request.user)
        return self.FORMS[which](data, files)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        action, today = self.object, timezone.localdate()
        for name in self.FORMS:
            if f"{name}_form" not in context:
                context[f"{name}_form"] = self.make_form(name)
        can_edit = permissions.can_update_action(self.request.user, action)
        context.update(
            status_tag=action_tag(action, today),
            can_edit=can_edit,
            # Done and dropped actions are reopened before they are edited.
            can_edit_details=can_edit and action.is_live,
            changes=action.history.select_related("history_user").order_by("-history_date"),
        )
        return context

    def post(self, request, *args, **kwargs):
        self.object = action = self.get_object()
        permissions.require_action_editor(request.user, action)
        which = request.POST.get("form")
        if which == "complete":
            milestone = action.milestones.filter(pk=posted_id(request, "milestone")).first()
            if milestone is None:
                raise Http404("No such milestone.")
            try:
                actions.complete_milestone(user=request.user, milestone=milestone)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, f"Milestone complete: {milestone.description}")
            return redirect(reverse("dialogues:action-detail", args=[action.pk]) + "#milestones")
        if which not in self.FORMS:
            raise BadRequest("Unknown form.")
        form = self.make_form(which, request.POST, request.FILES)
        if form.is_valid():
            data, user = form.cleaned_data, request.user
            try:
                if which == "edit":
                    actions.edit_action(user=user, action=action, **form.service_fields())
                    message = "Action saved."
                elif which == "status":
                    actions.set_action_status(user=user, action=action, **data)
                    message = f"Now {action.get_status_display().lower()}."
                elif which == "milestone":
                    actions.add_milestone(user=user, action=action, **data)
                    message = "Milestone added."
                else:
                    evidence.add_evidence(
                        user=user, action=action, note=data["note"], upload=data["file"]
                    )
                    message = "Evidence added."
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, message)
                return redirect("dialogues:action-detail", pk=action.pk)
        return self.render_to_response(
            self.get_context_data(**{f"{which}_form": form}, errors=error_summary(form))
        )


class EvidenceFileView(ScopedViewMixin, DetailView):
    """`/dialogues/evidence/<id>/`: an evidence file, to those who can see its action."""

    model = ActionEvidence
    allowed_roles = PRIVATE_DATA_ROLES

    def get(self, request, *args, **kwargs):
        evidence = self.get_object()
        if not evidence.file:
            raise Http404("This evidence has no file.")
        response = FileResponse(
            evidence.file.open("rb"), as_attachment=True, filename=evidence.file_name
        )
        # Always a download, never rendered or its type guessed by the browser.
        response["X-Content-Type-Options"] = "nosniff"
        return response
