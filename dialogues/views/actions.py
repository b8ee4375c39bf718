"""The action log: the list, an action's page (edit, status, milestones,
evidence) and its evidence files."""

from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, ListView

from contracts.access import PRIVATE_DATA_ROLES
from core.forms import add_service_errors
from core.views import ScopedViewMixin, error_summary
from dialogues import permissions
from dialogues.choices import LIVE_ACTION_STATUSES
from dialogues.forms import (
    ActionFilterForm,
    EditActionForm,
    EvidenceForm,
    MilestoneForm,
    StatusForm,
)
from dialogues.models import (
    Action,
    ActionEvidence,
)
from dialogues.services import actions, evidence
from dialogues.views.common import ACTION_RELATED, action_tag, posted_id, with_tags


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
