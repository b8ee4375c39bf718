"""A meeting's page (agenda, attendance, minutes, decisions, actions raised)
and the chair's agenda editor. Every write calls one service and shows its
errors on the form."""

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView

from contracts.access import PRIVATE_DATA_ROLES
from core.forms import add_service_errors
from core.views import ScopedViewMixin, error_summary
from dialogues import agenda, permissions
from dialogues.choices import ActionStatus
from dialogues.forms import (
    ActionForm,
    AgendaItemForm,
    AttendanceForm,
    DecisionForm,
    MinutesForm,
    StatusForm,
)
from dialogues.models import (
    Action,
    AgendaItem,
    Meeting,
)
from dialogues.services import actions, common, minutes
from dialogues.views.common import ACTION_RELATED, posted_id, with_tags


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
