"""API viewsets for the outcomes framework, submissions and measurements.

The framework (dimensions, population groups, outcomes, metrics) is shared
definition, not private data: any signed-in user reads it and only admins
change it. Submissions and measurements are scoped by the base classes
(`visible_to(user)`); a submission is received by outcomes.services.submissions, the
one service every path shares, and processed by the Celery task."""

from django.db.models import ProtectedError, RestrictedError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from contracts.models import PopulationGroup
from core.api import RefuseIdentifiersMixin, ScopedReadOnlyViewSet, ServiceErrorsMixin
from core.exports import csv_response
from outcomes import tasks
from outcomes.api import scores
from outcomes.api.filters import MeasurementFilter, MetricFilter, OutcomeFilter, SubmissionFilter
from outcomes.api.serializers import (
    DimensionSerializer,
    MeasurementSerializer,
    MetricSerializer,
    OutcomeSerializer,
    PopulationGroupSerializer,
    SubmissionFileSerializer,
    SubmissionInputSerializer,
    SubmissionRowsSerializer,
    SubmissionSerializer,
    rows_as_csv,
)
from outcomes.choices import Channel
from outcomes.models import Dimension, Measurement, Metric, Outcome, Submission
from outcomes.permissions import SUBMITTER_ROLES, can_edit_framework
from outcomes.services import submissions
from outcomes.validation import describe_error, redact

CSV_CONTENT_TYPES = {"text/csv", "application/vnd.ms-excel", "text/plain"}


class IsAdminOrReadOnly(permissions.IsAuthenticated):
    """Any signed-in user reads; only admins write (can_edit_framework)."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        return request.method in permissions.SAFE_METHODS or can_edit_framework(request.user)


class InUse(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This is in use and cannot be deleted."
    default_code = "in_use"


@extend_schema_view(
    destroy=extend_schema(
        responses={204: None, 409: OpenApiResponse(description="In use: not deleted.")}
    )
)
class FrameworkViewSet(RefuseIdentifiersMixin, ServiceErrorsMixin, viewsets.ModelViewSet):
    """Definitions shared by everyone: readable by any signed-in user,
    written by admins. A definition something else refers to (a metric with
    measurements, a dimension with metrics) cannot be deleted: 409."""

    permission_classes = [IsAdminOrReadOnly]

    def perform_destroy(self, instance):
        try:
            instance.delete()
        except (ProtectedError, RestrictedError) as exc:
            raise InUse(
                f"{instance._meta.verbose_name.capitalize()} '{instance}' is in use "
                "(other records refer to it) and cannot be deleted."
            ) from exc


class DimensionViewSet(FrameworkViewSet):
    """The outcome dimensions and their weights in the aggregate score."""

    queryset = Dimension.objects.all()
    serializer_class = DimensionSerializer


class PopulationGroupViewSet(FrameworkViewSet):
    """The groups of people contracts serve, e.g. older people."""

    queryset = PopulationGroup.objects.all()
    serializer_class = PopulationGroupSerializer


class OutcomeViewSet(FrameworkViewSet):
    """Outcomes that matter to a population group, under a dimension."""

    queryset = Outcome.objects.all()
    serializer_class = OutcomeSerializer
    filterset_class = OutcomeFilter


class MetricViewSet(FrameworkViewSet):
    """Metric definitions. Writes are checked as in the admin: ratio metrics
    (proportion, rate) are pooled, other metrics are not, and the outcome
    must be under the metric's dimension; errors name the field."""

    queryset = Metric.objects.select_related("outcome")
    serializer_class = MetricSerializer
    filterset_class = MetricFilter

    @extend_schema(**scores.SPC_SCHEMA)
    @action(detail=True, methods=["get"], filter_backends=[])
    def spc(self, request, pk=None, format=None):
        """The SPC (XmR) chart of this metric for one organisation whose data
        you may see: points, limits per calculation period, icons, warnings."""
        return scores.spc_response(request, self.get_object())


# --- Submissions ---


class SubmissionViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Data submissions: your own, and those with stored rows about the
    organisations you may see. Providers, network managers and commissioners
    submit; other roles get 403."""

    queryset = Submission.objects.select_related("submitted_by")
    serializer_class = SubmissionSerializer
    filterset_class = SubmissionFilter
    parser_classes = [JSONParser, MultiPartParser]
    write_roles = SUBMITTER_ROLES
    # Rows are checked as a CSV file's are (outcomes.validation): a value that
    # looks like an NHS number rejects the submission naming row and column,
    # and nothing of it is kept.
    refuse_identifiers = False

    @extend_schema(
        request={
            "multipart/form-data": SubmissionFileSerializer,
            "application/json": SubmissionRowsSerializer,
        },
        responses={
            202: OpenApiResponse(
                SubmissionSerializer,
                description="The submission was received. It is 202 whether it is then "
                "stored or rejected: a rejected submission exists, has status 'rejected' and "
                "lists every error as {row, column, message}, and nothing of it is stored. "
                "When tasks run in the background the status may still be 'received'; poll "
                "the submission's url until is_finished is true.",
            ),
            400: OpenApiResponse(
                description="A problem with the request itself, not its rows: neither a "
                "file nor rows, both, a file that is not CSV, a file or rows too large, rows "
                "that are not objects of text, numbers and null, or a file or rows holding "
                "what looks like an NHS number (in any cell or the header; the messages "
                "under 'file' or 'rows' name each row and column that held one, never the "
                "value). Nothing of it is kept."
            ),
            403: OpenApiResponse(description="Your role does not allow submitting data."),
        },
        examples=[
            OpenApiExample(
                "JSON rows",
                request_only=True,
                media_type="application/json",
                value={
                    "rows": [
                        {
                            "metric_code": "EMADM",
                            "organisation_code": "PA1",
                            "period_start": "2025-09-01",
                            "numerator": 3,
                            "denominator": 1500,
                            "value": None,
                        }
                    ]
                },
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        """Submit measurements: a CSV file (multipart, field `file`) or JSON
        `{"rows": [{metric_code, organisation_code, period_start, numerator,
        denominator, value}, ...]}`. Both are validated as one batch, exactly
        as a browser upload: stored whole, or rejected with every error."""
        serializer = SubmissionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if "file" in serializer.validated_data:
            content, name = self.read_upload(serializer.validated_data["file"])
        else:
            content, name = rows_as_csv(serializer.validated_data["rows"]), "rows.json"
        submission = submissions.receive(
            user=request.user, content=content, name=name, channel=Channel.API
        )
        if submission.is_finished:
            # Rejected as it was received (what looks like an NHS number, or
            # too large), so nothing of its content is kept. Answered rather
            # than raised: the rejected submission is a record to keep, and
            # DRF rolls back an atomic request on a raised error.
            field = "file" if "file" in serializer.validated_data else "rows"
            return Response(
                {field: [describe_error(error) for error in submission.errors]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        tasks.enqueue_processing(submission)
        # Read back: when tasks run eagerly the result is already there.
        data = self.get_serializer(self.get_queryset().get(pk=submission.pk)).data
        # str(): the url is DRF's Hyperlink, a str subclass, which a WSGI server
        # may refuse as a header value (wsgiref, under runserver, answers 500).
        location = str(data["url"])
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})

    @staticmethod
    def read_upload(upload) -> tuple[bytes, str]:
        name = upload.name or "upload.csv"
        content_type = (upload.content_type or "").split(";")[0].strip().lower()
        if content_type not in CSV_CONTENT_TYPES and not name.lower().endswith(".csv"):
            raise exceptions.ValidationError(
                {
                    "file": [
                        redact(
                            f"Upload a CSV file (.csv, text/csv); '{name}' is "
                            f"{content_type or 'of an unknown type'}."
                        )
                    ]
                }
            )
        if upload.size > submissions.max_upload_bytes():
            raise exceptions.ValidationError({"file": [submissions.too_big(upload.size)]})
        return upload.read(), name


# --- Measurements ---


class CSVRenderer(BaseRenderer):
    """Lets a client ask for text/csv (the export builds its own response);
    anything else rendered this way, such as an error, is written as JSON."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)


EXPORT_HEADER = [
    "metric_code",
    "organisation_code",
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


class MeasurementViewSet(ScopedReadOnlyViewSet):
    """Measurements about the organisations you may see: the current revision
    of each value, or every revision with revision=all (earlier ones with the
    submission that brought them, who submitted it and when)."""

    queryset = Measurement.objects.select_related(
        "metric", "organisation", "submission__submitted_by"
    ).order_by("metric__code", "organisation__code", "period_start", "revision")
    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilter

    @extend_schema(
        filters=True,
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="A CSV attachment (UTF-8 with a byte-order mark) of the same "
                "filtered rows, unpaginated. Cells starting with =, +, - or @ (or a tab or "
                "carriage return) are prefixed with a single quote so spreadsheets do not "
                "run them as formulas; negative numbers are therefore exported as text, "
                "e.g. '-5.",
            )
        },
    )
    @action(detail=False, methods=["get"], renderer_classes=[JSONRenderer, CSVRenderer])
    def export(self, request, format=None):
        """The filtered measurements as a CSV file."""
        rows = self.filter_queryset(self.get_queryset()).iterator(chunk_size=2000)
        return csv_response(
            "measurements.csv",
            EXPORT_HEADER,
            (
                (
                    m.metric.code,
                    m.organisation.code,
                    m.period_start,
                    m.numerator,
                    m.denominator,
                    m.value,
                    m.revision,
                    m.is_current,
                    m.submission_id,
                    m.submission.submitted_by.username,
                    m.submission.created_at,
                )
                for m in rows
            ),
        )
