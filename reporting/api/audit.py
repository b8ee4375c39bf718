"""`/api/v1/audit/`: the audit trail (reporting.audit_trail) for auditors to
export, with the page's filters and scope. Read-only: GET alone."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from core.api import DateTimeField
from core.schema import DETAIL
from reporting import audit_trail
from reporting.forms import AuditFilterForm
from reporting.permissions import can_audit


class AuditorPermission(permissions.IsAuthenticated):
    """Commissioners (their scope) and admins (everything)."""

    def has_permission(self, request, view):
        return super().has_permission(request, view) and can_audit(request.user)


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    before = serializers.CharField(help_text="Empty when the record was created.")
    after = serializers.CharField()


class AuditEntrySerializer(serializers.Serializer):
    when = DateTimeField()
    who = serializers.CharField(help_text='Username, or "Concord (automatic)".')
    organisations = serializers.CharField(help_text="Codes of the person's organisations.")
    kind = serializers.ChoiceField(choices=audit_trail.KIND_CHOICES)
    record = serializers.CharField(help_text="The kind of record, in words.")
    object_id = serializers.IntegerField(help_text="Give with `record` to filter to it.")
    what = serializers.CharField()
    url = serializers.CharField(allow_null=True, help_text="Its page, where it has one.")
    change = serializers.ChoiceField(choices=["Created", "Changed", "Deleted"])
    fields = FieldChangeSerializer(many=True, source="field_changes")


@extend_schema_serializer(many=False)  # a page object, not a list of pages
class AuditPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next page: older changes.")
    previous = serializers.URLField(allow_null=True, help_text="The page before: newer changes.")
    results = AuditEntrySerializer(many=True)


PAGE_SIZE = 100
FILTERS = [
    OpenApiParameter("record", str, enum=list(audit_trail.SOURCES), description="Kind of record."),
    OpenApiParameter(
        "id", int, description="One record's changes (with `record`); 404 outside your scope."
    ),
    OpenApiParameter("contract", int, description="Contract id; 404 outside your scope."),
    OpenApiParameter("organisation", str, description="Organisation code; 404 outside your scope."),
    OpenApiParameter("person", str, description="Username of the person who made the change."),
    OpenApiParameter("since", OpenApiTypes.DATE, description="Changed on or after."),
    OpenApiParameter("until", OpenApiTypes.DATE, description="Changed on or before."),
    OpenApiParameter("older", str, description="The page after this cursor (from `next`)."),
    OpenApiParameter("newer", str, description="The page before this cursor (from `previous`)."),
]


class AuditTrailViewSet(viewsets.ViewSet):
    """Every change to measurements, contract metric terms, incentive scheme
    versions, settlements, notices and notice steps, and dialogue actions,
    newest first: who, when, and each field before and after. Paged by
    cursor, 100 a page: follow `next` (older) and `previous` (newer)."""

    permission_classes = [AuditorPermission]

    @extend_schema(
        parameters=FILTERS,
        responses={
            200: AuditPageSerializer,
            404: OpenApiResponse(
                DETAIL, description="A filter names a record outside your scope, or a bad cursor."
            ),
        },
    )
    def list(self, request, *args, **kwargs):
        form = AuditFilterForm(request.query_params, user=request.user)
        if not form.is_valid():
            if form.out_of_scope():
                raise Http404("No such record in your scope.")
            errors = {name: list(messages) for name, messages in form.errors.items()}
            raise exceptions.ValidationError(errors)
        try:
            cursor = audit_trail.cursor_from(request.query_params)
        except ValueError:
            raise exceptions.NotFound("Invalid cursor.") from None
        page = audit_trail.read_page(request.user, form.filters(), PAGE_SIZE, cursor)
        entries = audit_trail.describe(page.items)
        return Response(
            {
                "next": self._link(request, "older", page.older),
                "previous": self._link(request, "newer", page.newer),
                "results": AuditEntrySerializer(entries, many=True).data,
            }
        )

    @staticmethod
    def _link(request, name, cursor):
        if cursor is None:
            return None
        url = request.build_absolute_uri()
        for other in audit_trail.CURSORS:
            url = remove_query_param(url, other)
        return replace_query_param(url, name, cursor.token)
