"""Meeting series: the list, a series' page, and setting one up or changing it."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import DetailView, ListView, TemplateView

from contracts.access import PRIVATE_DATA_ROLES
from core.forms import add_service_errors
from core.views import ScopedViewMixin, error_summary
from dialogues import permissions
from dialogues.forms import (
    SeriesForm,
)
from dialogues.models import (
    Meeting,
    MeetingSeries,
)
from dialogues.services import meetings


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
        context["can_edit"] = permissions.can_manage_series(self.request.user, self.object)
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
        permissions.require_series_manager(self.request.user, series)
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
        form = SeriesForm(initial=self.initial(series), user=request.user, series=series)
        return self.render_to_response(self.get_context_data(form=form, series=series))

    def post(self, request, *args, **kwargs):
        series = self.get_series()
        form = SeriesForm(request.POST, user=request.user, series=series)
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
