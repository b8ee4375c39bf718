"""Querysets whose `visible_to(user)` applies the permission layer.

A meeting series is visible to everyone whose data scope includes its
network (its network managers, the commissioners contracting with it), to
people of its participating organisations, and to its named participants
and chair. Lay partners see none of it: dialogues are private data.
Meetings follow their series; actions follow the series of the meeting that
raised them and of the meeting they were escalated to (so those at that
meeting can open what its agenda lists), and also their owner."""

from django.db import models
from django.db.models import Q

from contracts.access import PRIVATE_DATA_ROLES, data_scope
from core.roles import is_admin


def _my_organisations(user):
    from contracts.models import Membership

    return Membership.objects.filter(user=user, role__in=PRIVATE_DATA_ROLES).values(
        "organisation_id"
    )


def _visible_series_ids(user):
    from dialogues.models import MeetingSeries

    through_orgs = MeetingSeries.organisations.through.objects.filter(
        organisation_id__in=_my_organisations(user)
    ).values("meetingseries_id")
    named = MeetingSeries.participants.through.objects.filter(user=user).values("meetingseries_id")
    return MeetingSeries.objects.filter(
        Q(provider__in=data_scope(user).values("id"))
        | Q(pk__in=through_orgs)
        | Q(pk__in=named)
        | Q(chair=user)
    ).values("pk")


class MeetingSeriesQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if is_admin(user):
            return self
        return self.filter(pk__in=_visible_series_ids(user))

    def active(self):
        return self.filter(is_active=True)


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if is_admin(user):
            return self
        return self.filter(series_id__in=_visible_series_ids(user))

    def for_person(self, user):
        """Meetings the person is invited to: they chair it or its series, or
        are a named participant of its series."""
        return self.filter(
            Q(chair=user) | Q(series__chair=user) | Q(series__participants=user)
        ).distinct()


class ActionQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if is_admin(user):
            return self
        scope = data_scope(user).values("id")
        series = _visible_series_ids(user)
        return self.filter(
            Q(provider__in=scope)
            | Q(owner_organisation__in=scope)
            | Q(owner=user)
            | Q(meeting__series_id__in=series)
            | Q(escalated_to__series_id__in=series)
        )

    def live(self):
        from dialogues.choices import LIVE_ACTION_STATUSES

        return self.filter(status__in=LIVE_ACTION_STATUSES)

    def overdue(self, today):
        return self.live().filter(due_on__lt=today)


class ActionEvidenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        from dialogues.models import Action

        return self.filter(action__in=Action.objects.visible_to(user).values("pk"))
