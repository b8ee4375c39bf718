"""API viewsets for meeting series, meetings and actions.

Reads are scoped by the base classes (rows outside scope are 404); each write
validates the request with an input serializer, calls one service in
dialogues.services and answers with the row read back through the scoped
queryset. Services raise ValidationError (400, keyed by field) and
PermissionDenied (403); where the body must not be read from someone who may
not write, the view asks dialogues.permissions first."""

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from contracts.access import PRIVATE_DATA_ROLES
from core.api import ScopedReadOnlyViewSet
from dialogues import agenda, permissions
from dialogues.api.filters import ActionFilter, MeetingFilter, MeetingSeriesFilter
from dialogues.api.serializers import (
    ActionCreateSerializer,
    ActionDetailSerializer,
    ActionEditSerializer,
    ActionSerializer,
    ActionStatusSerializer,
    AttendanceListSerializer,
    DecisionInputSerializer,
    MeetingDetailSerializer,
    MeetingSerializer,
    MeetingSeriesInputSerializer,
    MeetingSeriesSerializer,
    MinutesSerializer,
)
from dialogues.models import Action, AgendaItem, AttendanceRecord, Decision, Meeting, MeetingSeries
from dialogues.services import actions, meetings, minutes

ACTION_RELATED = ("owner", "owner_organisation", "provider", "organisation", "metric")


class TodayContextMixin:
    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}


class MeetingSeriesViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    """Meeting series the user can see. Network managers and commissioners
    create them; the network's managers and the commissioner of the
    series' contract change them (PATCH; never the contract); a change to
    the schedule regenerates future meetings, never past ones."""

    queryset = MeetingSeries.objects.select_related("provider", "chair").prefetch_related(
        "organisations", "participants"
    )
    serializer_class = MeetingSeriesSerializer
    filterset_class = MeetingSeriesFilter
    write_roles = permissions.SERIES_MANAGER_ROLES
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return MeetingSeriesInputSerializer
        return MeetingSeriesSerializer

    def series_response(self, pk, status_code=status.HTTP_200_OK) -> Response:
        return Response(
            MeetingSeriesSerializer(self.get_queryset().get(pk=pk)).data, status=status_code
        )

    @extend_schema(request=MeetingSeriesInputSerializer, responses={201: MeetingSeriesSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        series = meetings.save_series(user=request.user, **serializer.validated_data)
        return self.series_response(series.pk, status.HTTP_201_CREATED)

    @extend_schema(request=MeetingSeriesInputSerializer, responses=MeetingSeriesSerializer)
    def partial_update(self, request, *args, **kwargs):
        series = self.get_object()
        permissions.require_series_manager(request.user, series)
        serializer = self.get_serializer(series, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        fields.setdefault("organisations", list(series.organisations.all()))
        fields.setdefault("participants", list(series.participants.all()))
        meetings.save_series(user=request.user, series=series, **fields)
        return self.series_response(series.pk)


class MeetingViewSet(TodayContextMixin, ScopedReadOnlyViewSet):
    """Meetings of the series the user can see, with (one by one) the agenda,
    attendance, minutes, decisions and actions. Meetings come from their
    series, so there is no POST here; attendance, minutes and decisions are
    recorded through the actions below."""

    queryset = Meeting.objects.select_related("series__provider", "series__chair", "chair")
    filterset_class = MeetingFilter
    write_roles = PRIVATE_DATA_ROLES

    def get_serializer_class(self):
        return MeetingSerializer if self.action == "list" else MeetingDetailSerializer

    def scoped_queryset(self, queryset):
        if self.action == "list":
            return queryset
        return queryset.prefetch_related(
            Prefetch("agenda_items", AgendaItem.objects.select_related("metric", "organisation")),
            Prefetch(
                "attendance", AttendanceRecord.objects.select_related("person", "organisation")
            ),
            Prefetch("decisions", Decision.objects.select_related("recorded_by")),
            Prefetch("actions", Action.objects.select_related(*ACTION_RELATED)),
        )

    def meeting_response(self, pk) -> Response:
        meeting = self.get_queryset().get(pk=pk)
        return Response(
            MeetingDetailSerializer(meeting, context=self.get_serializer_context()).data
        )

    def parsed(self, serializer_class) -> dict:
        """The body, read only once the user's right to send it is checked."""
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=AttendanceListSerializer, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None, format=None):
        """Record who was present, sent apologies or was absent (before the
        meeting starts, apologies only)."""
        meeting = self.get_object()
        permissions.require_attendance_recorder(request.user, meeting)
        rows = self.parsed(AttendanceListSerializer)["attendance"]
        minutes.record_attendance(
            user=request.user,
            meeting=meeting,
            entries=[(row["person"], row["status"]) for row in rows],
        )
        return self.meeting_response(meeting.pk)

    @extend_schema(request=MinutesSerializer, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def minutes(self, request, pk=None, format=None):
        """Replace the minutes (the chair, or someone recorded as present),
        once the meeting has started."""
        meeting = self.get_object()
        permissions.require_recorder(request.user, meeting, "edit the minutes")
        minutes.save_minutes(user=request.user, meeting=meeting, **self.parsed(MinutesSerializer))
        return self.meeting_response(meeting.pk)

    @extend_schema(request=DecisionInputSerializer, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def decisions(self, request, pk=None, format=None):
        """Record a decision (the chair, or someone recorded as present), once
        the meeting has started."""
        meeting = self.get_object()
        permissions.require_recorder(request.user, meeting, "record decisions")
        minutes.add_decision(
            user=request.user, meeting=meeting, **self.parsed(DecisionInputSerializer)
        )
        return self.meeting_response(meeting.pk)

    @extend_schema(request=None, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"], url_path="draft-agenda")
    def draft_agenda(self, request, pk=None, format=None):
        """Redraft the agenda from the data as it stands now (the chair).
        Items the chair added by hand are kept."""
        meeting = self.get_object()
        agenda.draft_agenda(meeting, user=request.user)
        return self.meeting_response(meeting.pk)


class ActionViewSet(
    TodayContextMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet
):
    """The action log: actions the user can see, filtered by owner, status,
    due dates and organisation. Actions are logged at a meeting (POST),
    changed while open (PATCH; there is no PUT) and move through their
    statuses with `status` (history keeps each change)."""

    queryset = Action.objects.select_related(*ACTION_RELATED)
    filterset_class = ActionFilter
    write_roles = PRIVATE_DATA_ROLES
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        if self.action == "create":
            return ActionCreateSerializer
        if self.action == "partial_update":
            return ActionEditSerializer
        if self.action == "retrieve":
            return ActionDetailSerializer
        return ActionSerializer

    def scoped_queryset(self, queryset):
        if self.action == "retrieve":
            return queryset.prefetch_related("milestones")
        return queryset

    def action_response(self, pk, status_code=status.HTTP_200_OK) -> Response:
        row = self.get_queryset().prefetch_related("milestones").get(pk=pk)
        data = ActionDetailSerializer(row, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    @extend_schema(request=ActionCreateSerializer, responses={201: ActionDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        meeting_id = data.pop("meeting")
        meeting = Meeting.objects.visible_to(request.user).filter(pk=meeting_id).first()
        if meeting is None:
            raise serializers.ValidationError({"meeting": [f"There is no meeting {meeting_id}."]})
        logged = actions.log_action(user=request.user, meeting=meeting, **data)
        return self.action_response(logged.pk, status.HTTP_201_CREATED)

    def editable_action(self):
        """The action, if the user may change it: someone who may not is
        refused (403) before what they sent is read."""
        row = self.get_object()
        permissions.require_action_editor(self.request.user, row)
        return row

    @extend_schema(request=ActionEditSerializer, responses=ActionDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Change the fields sent, under the rules the action was logged with
        (who may: as for `status`). A done or dropped action is reopened first."""
        row = self.editable_action()
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        actions.edit_action(user=request.user, action=row, **serializer.validated_data)
        return self.action_response(row.pk)

    @extend_schema(request=ActionStatusSerializer, responses=ActionDetailSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None, format=None):
        """Move the action to a status: dropping or reopening needs a reason."""
        row = self.editable_action()
        serializer = ActionStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actions.set_action_status(user=request.user, action=row, **serializer.validated_data)
        return self.action_response(row.pk)
