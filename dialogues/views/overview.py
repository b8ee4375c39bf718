"""`/dialogues/`: the person's next meetings and their own actions."""

import datetime as dt

from django.utils import timezone
from django.views.generic import ListView

from contracts.access import PRIVATE_DATA_ROLES
from core.views import ScopedViewMixin
from dialogues import permissions
from dialogues.models import (
    Action,
    Meeting,
)
from dialogues.views.common import ACTION_RELATED, with_tags


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
