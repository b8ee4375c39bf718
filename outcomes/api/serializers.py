"""Serializers for the outcomes API: the framework (dimensions, population
groups, outcomes, metrics), submissions and measurements.

Framework writes run the model's full_clean, so a rule in Metric.clean
(ratio metrics are pooled; the outcome is under the metric's dimension)
comes back as a 400 naming the field, exactly as in the admin. A submission's
input serializer only checks the request's shape; every row is validated by
outcomes.validation, the same as a browser upload or the command."""

import copy
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from contracts.api.serializers import enum_field
from contracts.models import PopulationGroup
from core.api import DateTimeField, ModelSerializer, PrimaryKeyRelatedField
from outcomes.choices import SubmissionStatus
from outcomes.models import Dimension, Measurement, Metric, Outcome, Submission
from outcomes.selectors import visible_warnings
from outcomes.services.submissions import json_rows_to_csv
from outcomes.validation import COLUMNS, redact

# --- Framework ---


def metric_by_code(**kwargs):
    return serializers.SlugRelatedField(queryset=Metric.objects.all(), slug_field="code", **kwargs)


class FullCleanMixin:
    """Run the model's full_clean on the would-be instance, so model rules
    (clean, validators, constraints) give a 400 keyed by field."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        # A copy, so a rejected update leaves the instance as it was.
        instance = copy.copy(self.instance) if self.instance is not None else self.Meta.model()
        for name, value in attrs.items():
            setattr(instance, name, value)
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            detail = dict(exc.message_dict)
            if NON_FIELD_ERRORS in detail:
                detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
            raise serializers.ValidationError(detail) from exc
        return attrs


class DimensionSerializer(FullCleanMixin, ModelSerializer):
    class Meta:
        model = Dimension
        fields = ["id", "name", "description", "weight", "order"]


class PopulationGroupSerializer(FullCleanMixin, ModelSerializer):
    class Meta:
        model = PopulationGroup
        fields = ["id", "name", "description"]


class OutcomeSerializer(FullCleanMixin, ModelSerializer):
    dimension = PrimaryKeyRelatedField(queryset=Dimension.objects.all(), help_text="Dimension id.")
    population_group = PrimaryKeyRelatedField(
        queryset=PopulationGroup.objects.all(), help_text="Population group id."
    )

    class Meta:
        model = Outcome
        fields = ["id", "name", "description", "dimension", "population_group"]


class MetricSerializer(FullCleanMixin, ModelSerializer):
    """A metric definition with everything that says how it is measured and
    who carries the burden of submitting it."""

    dimension = PrimaryKeyRelatedField(queryset=Dimension.objects.all(), help_text="Dimension id.")
    outcome = PrimaryKeyRelatedField(
        queryset=Outcome.objects.all(),
        allow_null=True,
        required=False,
        help_text="Outcome id; it must be under the same dimension.",
    )
    population_group = serializers.SerializerMethodField()
    factor = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text=Metric._meta.get_field("factor").help_text,
    )
    submitted_by = enum_field(
        "MetricSubmittedByEnum",
        Metric._meta.get_field("submitted_by").choices,
        required=False,
        help_text="Which side submits the data.",
    )

    class Meta:
        model = Metric
        fields = [
            "id",
            "code",
            "name",
            "description",
            "dimension",
            "outcome",
            "population_group",
            "metric_type",
            "factor",
            "unit",
            "direction",
            "frequency",
            "aggregation",
            "data_source",
            "submitted_by",
            "due_days",
            "is_national",
        ]

    @extend_schema_field(
        {"type": "integer", "nullable": True, "readOnly": True, "description": "Through outcome."}
    )
    def get_population_group(self, metric) -> int | None:
        return metric.outcome.population_group_id if metric.outcome_id else None


# --- Submissions ---


class SubmissionErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        allow_null=True,
        read_only=True,
        help_text="Line in the CSV file (the header is row 1; JSON rows[0] is row 2); "
        "null for a problem with the file as a whole.",
    )
    column = serializers.CharField(allow_null=True, read_only=True)
    message = serializers.CharField(read_only=True)


class SubmissionWarningSerializer(serializers.Serializer):
    row = serializers.IntegerField(read_only=True)
    message = serializers.CharField(read_only=True)


class SubmissionSerializer(ModelSerializer):
    """A submission and what became of it. `errors` is non-empty when it was
    rejected (nothing stored); `warnings` flag outliers in stored rows."""

    url = serializers.HyperlinkedIdentityField(view_name="api:submission-detail")
    status = enum_field("SubmissionStatusEnum", SubmissionStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    is_finished = serializers.BooleanField(
        read_only=True, help_text="false while it is still being checked or stored."
    )
    submitted_by = serializers.SlugRelatedField(
        read_only=True, slug_field="username", help_text="Username of the submitter."
    )
    errors = SubmissionErrorSerializer(many=True, read_only=True)
    warnings = serializers.SerializerMethodField(
        help_text="Outliers among the stored rows about organisations whose data you may see."
    )

    class Meta:
        model = Submission
        fields = [
            "id",
            "url",
            "status",
            "status_label",
            "is_finished",
            "channel",
            "original_name",
            "submitted_by",
            "created_at",
            "finished_at",
            "row_count",
            "added",
            "revised",
            "unchanged",
            "errors",
            "warnings",
        ]
        read_only_fields = fields

    @extend_schema_field(SubmissionWarningSerializer(many=True))
    def get_warnings(self, submission):
        user = self.context["request"].user
        return SubmissionWarningSerializer(visible_warnings(submission, user), many=True).data


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "number"}], "nullable": True})
class CellField(serializers.CharField):
    """Documentation only: a number may be given as text or a JSON number."""


class SubmissionRowSchemaSerializer(serializers.Serializer):
    """One row, as in the CSV format (documentation only: rows are checked
    by the same validation as a CSV file, so errors name row and column)."""

    metric_code = serializers.CharField()
    organisation_code = serializers.CharField()
    period_start = serializers.CharField(help_text="ISO date, e.g. 2025-04-01.")
    numerator = CellField(required=False, allow_blank=True, allow_null=True)
    denominator = CellField(required=False, allow_blank=True, allow_null=True)
    value = CellField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="For a proportion or rate leave it out and give numerator and denominator.",
    )


@extend_schema_field(SubmissionRowSchemaSerializer(many=True))
class RowsField(serializers.ListField):
    """Rows as objects. Only their shape is checked here: each must be an
    object whose cells are text, numbers or null."""

    child = serializers.DictField()

    def to_internal_value(self, data):
        if not isinstance(data, list):
            raise serializers.ValidationError("Give a list of rows.")
        if not data:
            raise serializers.ValidationError("Give at least one row.")
        for index, row in enumerate(data):
            line = index + 2  # as the row would be numbered in a CSV file
            if not isinstance(row, dict):
                raise serializers.ValidationError(
                    f"Row {line}: each row must be an object with the columns "
                    + ", ".join(COLUMNS)
                    + "."
                )
            for key, cell in row.items():
                if cell is not None and not isinstance(cell, str | int | float):
                    raise serializers.ValidationError(
                        f"Row {line}, column {redact(key)}: give text, a number or null."
                    )
        return data


def cell_text(cell) -> str:
    """A JSON cell as the text a CSV file would hold: null and missing are
    empty; numbers keep their JSON spelling (an integer has no '.0')."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    return str(cell)


def rows_as_csv(rows: list[dict]) -> bytes:
    """JSON rows as the equivalent CSV file: exactly the six columns in
    order (a key a row lacks is an empty cell) followed by any unknown keys,
    which the validation then rejects as unexpected columns, as in a file."""
    extra = []
    for row in rows:
        extra.extend(key for key in row if key not in COLUMNS and key not in extra)
    header = [*COLUMNS, *extra]
    return json_rows_to_csv([{key: cell_text(row.get(key)) for key in header} for row in rows])


class SubmissionInputSerializer(serializers.Serializer):
    """Either a CSV file (multipart, field `file`) or JSON `rows`, not both."""

    file = serializers.FileField(
        required=False,
        allow_empty_file=True,  # an empty file is rejected by validation, as on the web
        help_text="A UTF-8 CSV file with the header metric_code, organisation_code, "
        "period_start, numerator, denominator, value.",
    )
    rows = RowsField(required=False, allow_empty=False)

    def to_internal_value(self, data):
        # Which of the two was sent is checked before either is read.
        if not isinstance(data, Mapping):
            return super().to_internal_value(data)  # "Invalid data"
        if "file" in data and "rows" in data:
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: ["Send either a file or rows, not both."]}
            )
        if "file" not in data and "rows" not in data:
            raise serializers.ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY: [
                        "Send a CSV file (multipart field 'file') or JSON rows ('rows')."
                    ]
                }
            )
        return super().to_internal_value(data)


class SubmissionFileSerializer(serializers.Serializer):
    """Schema only: a multipart upload."""

    file = serializers.FileField(help_text=SubmissionInputSerializer().fields["file"].help_text)


class SubmissionRowsSerializer(serializers.Serializer):
    """Schema only: JSON rows, numbered in errors as lines of the equivalent
    CSV file (the header is row 1, so rows[0] is row 2)."""

    rows = RowsField(allow_empty=False)


# --- Measurements ---


class MeasurementSerializer(ModelSerializer):
    """One revision of a value. Earlier revisions (is_current false) keep the
    submission that brought them, with who submitted it and when."""

    metric = serializers.CharField(source="metric.code", read_only=True, help_text="Metric code.")
    organisation = serializers.CharField(
        source="organisation.code", read_only=True, help_text="Organisation code."
    )
    submission = PrimaryKeyRelatedField(read_only=True, help_text="Submission id.")
    submitted_by = serializers.CharField(source="submission.submitted_by.username", read_only=True)
    submitted_at = DateTimeField(source="submission.created_at", read_only=True)

    class Meta:
        model = Measurement
        fields = [
            "id",
            "metric",
            "organisation",
            "period_start",
            "numerator",
            "denominator",
            "value",
            "revision",
            "is_current",
            "submission",
            "submitted_by",
            "submitted_at",
        ]
        read_only_fields = fields
