"""Serializers for the dialogues API. Output serializers describe rows; input
serializers only validate a request's shape and look up what it names
(organisations by code, people by user name, metrics by code); a view hands
the result to one service in dialogues.services, which applies the rules."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from contracts.api.serializers import ScopedContractField, enum_field, organisation_by_code
from contracts.models import PerformanceNotice
from core.api import DateField, ModelSerializer, PrimaryKeyRelatedField
from dialogues.choices import ActionStatus, AgendaSource, Attendance, MeetingType, SeriesLevel
from dialogues.models import (
    Action,
    ActionMilestone,
    AgendaItem,
    AttendanceRecord,
    Decision,
    Meeting,
    MeetingSeries,
)
from outcomes.api.serializers import metric_by_code


def person_by_username(**kwargs):
    return serializers.SlugRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), slug_field="username", **kwargs
    )


def username(**kwargs):
    return serializers.SlugRelatedField(read_only=True, slug_field="username", **kwargs)


def code(**kwargs):
    return serializers.SlugRelatedField(read_only=True, slug_field="code", **kwargs)


class MeetingSeriesSerializer(ModelSerializer):
    provider = code()
    organisations = code(many=True)
    participants = username(many=True)
    chair = username()
    level = enum_field("SeriesLevelEnum", SeriesLevel.choices)
    meeting_type = enum_field("MeetingTypeEnum", MeetingType.choices)

    class Meta:
        model = MeetingSeries
        fields = [
            "id",
            "title",
            "level",
            "meeting_type",
            "provider",
            "contract",
            "rrule",
            "starts_on",
            "start_time",
            "duration_minutes",
            "ends_on",
            "time_zone",
            "location",
            "organisations",
            "participants",
            "chair",
            "agenda_days_before",
            "is_active",
        ]


class MeetingSeriesInputSerializer(ModelSerializer):
    """Create (all required fields) or change (partial) a series."""

    provider = organisation_by_code(help_text="The network's (or provider's) code.")
    contract = ScopedContractField(
        agreements=True,
        allow_null=True,
        required=False,
        help_text="The agreed contract the series is about (id). Set when the series is "
        "set up; it never changes.",
    )
    organisations = organisation_by_code(many=True, help_text="Participating organisations.")
    participants = person_by_username(many=True, required=False)
    chair = person_by_username()
    level = enum_field("SeriesLevelEnum", SeriesLevel.choices)
    meeting_type = enum_field("MeetingTypeEnum", MeetingType.choices)

    class Meta:
        model = MeetingSeries
        fields = [
            "title",
            "level",
            "meeting_type",
            "provider",
            "contract",
            "rrule",
            "starts_on",
            "start_time",
            "duration_minutes",
            "ends_on",
            "location",
            "organisations",
            "participants",
            "chair",
            "agenda_days_before",
            "is_active",
        ]
        # The service validates the model; the serializer only parses.
        validators = []


class MeetingSerializer(ModelSerializer):
    series_title = serializers.CharField(source="series.title", read_only=True)
    meeting_type = enum_field("MeetingTypeEnum", MeetingType.choices, source="series.meeting_type")
    provider = serializers.CharField(source="series.provider.code", read_only=True)
    chair = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "series",
            "series_title",
            "meeting_type",
            "provider",
            "title",
            "starts_at",
            "ends_at",
            "location",
            "chair",
            "notice",
            "is_cancelled",
            "agenda_drafted_at",
        ]

    def get_chair(self, meeting) -> str:
        return meeting.chaired_by.username


class AgendaItemSerializer(ModelSerializer):
    source = enum_field("AgendaSourceEnum", AgendaSource.choices)
    metric = code(allow_null=True)
    organisation = code(allow_null=True)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "position",
            "title",
            "detail",
            "source",
            "metric",
            "organisation",
            "action",
            "notice",
        ]


class AttendanceSerializer(ModelSerializer):
    person = username()
    organisation = code(allow_null=True)
    status = enum_field("AttendanceEnum", Attendance.choices)

    class Meta:
        model = AttendanceRecord
        fields = ["person", "organisation", "status"]


class DecisionSerializer(ModelSerializer):
    recorded_by = username()

    class Meta:
        model = Decision
        fields = ["id", "text", "recorded_by", "recorded_at"]


class ActionSerializer(ModelSerializer):
    owner = username()
    owner_organisation = code()
    provider = code()
    organisation = code(allow_null=True)
    metric = code(allow_null=True)
    status = enum_field("ActionStatusEnum", ActionStatus.choices)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "title",
            "detail",
            "provider",
            "meeting",
            "escalated_to",
            "owner",
            "owner_organisation",
            "due_on",
            "status",
            "status_reason",
            "completed_on",
            "is_overdue",
            "metric",
            "organisation",
            "notice",
            "created_at",
        ]

    def get_is_overdue(self, action) -> bool:
        return action.is_overdue(self.context["today"])


class ActionMilestoneSerializer(ModelSerializer):
    class Meta:
        model = ActionMilestone
        fields = ["id", "description", "due_on", "completed_on"]


class ActionDetailSerializer(ActionSerializer):
    milestones = ActionMilestoneSerializer(many=True, read_only=True)

    class Meta(ActionSerializer.Meta):
        fields = [*ActionSerializer.Meta.fields, "milestones"]


class MeetingDetailSerializer(MeetingSerializer):
    agenda = AgendaItemSerializer(many=True, read_only=True, source="agenda_items")
    attendance = AttendanceSerializer(many=True, read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)
    actions = ActionSerializer(many=True, read_only=True)
    minutes = serializers.CharField(read_only=True)

    class Meta(MeetingSerializer.Meta):
        fields = [
            *MeetingSerializer.Meta.fields,
            "agenda",
            "attendance",
            "minutes",
            "decisions",
            "actions",
        ]


class ActionCreateSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(help_text="The meeting logging the action.")
    title = serializers.CharField(max_length=300)
    detail = serializers.CharField(required=False, allow_blank=True, default="")
    owner = person_by_username()
    owner_organisation = organisation_by_code(required=False, allow_null=True, default=None)
    due_on = DateField()
    metric = metric_by_code(required=False, allow_null=True, default=None)
    organisation = organisation_by_code(required=False, allow_null=True, default=None)
    notice = PrimaryKeyRelatedField(
        queryset=PerformanceNotice.objects.all(), required=False, allow_null=True, default=None
    )


class ActionEditSerializer(ActionCreateSerializer):
    """Change an open action (PATCH): only the fields sent change. A new owner
    sent without an owner_organisation acts for their own."""

    meeting = None

    def validate(self, attrs):
        """Refuse fields that cannot be edited, rather than ignore them."""
        errors = {
            name: "Change the status with POST /api/v1/actions/<id>/status/."
            if name == "status"
            else "This field cannot be edited."
            for name in set(self.initial_data) - set(self.fields)
        }
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ActionStatusSerializer(serializers.Serializer):
    status = enum_field("ActionStatusEnum", ActionStatus.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    on = DateField(required=False, allow_null=True, default=None)


class AttendanceInputSerializer(serializers.Serializer):
    person = person_by_username()
    status = enum_field("AttendanceEnum", Attendance.choices)


class AttendanceListSerializer(serializers.Serializer):
    attendance = AttendanceInputSerializer(many=True, allow_empty=False)


class MinutesSerializer(serializers.Serializer):
    minutes = serializers.CharField(allow_blank=True)


class DecisionInputSerializer(serializers.Serializer):
    text = serializers.CharField()
