"""Base classes every API viewset uses, so scoping cannot be forgotten, and
the serializer fields that hold input to core.inputs' rules: dates in the
years 2000 to 2100 (`DateField`, `DateTimeField`, which `ModelSerializer`
maps model dates to), ids that are whole numbers (`PrimaryKeyRelatedField`),
and no NHS numbers in what a write sends (`RefuseIdentifiersMixin`); and
`ServiceErrorsMixin`, which turns a service's errors, and a unique row
written twice at once, into 400s naming the fields."""

import re

from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.settings import api_settings

from core import inputs
from core.roles import has_role
from core.schema import WRITES


class DateField(serializers.DateField):
    """A date in the years 2000 to 2100; the error names the field."""

    default_error_messages = {"out_of_range": "{name} must be a date " + inputs.DATE_RANGE + "."}

    def to_internal_value(self, value):
        date = super().to_internal_value(value)
        if not inputs.date_in_range(date):
            self.fail("out_of_range", name=self.field_name)
        return date


class DateTimeField(serializers.DateTimeField):
    """A moment in the years 2000 to 2100; the error names the field."""

    default_error_messages = {"out_of_range": "{name} must be a time " + inputs.DATE_RANGE + "."}

    def to_internal_value(self, value):
        try:
            moment = super().to_internal_value(value)
        except serializers.ValidationError as error:
            if error.get_codes() == ["overflow"]:  # DRF's, near the calendar's ends
                self.fail("out_of_range", name=self.field_name)
            raise
        if not inputs.date_in_range(moment):
            self.fail("out_of_range", name=self.field_name)
        return moment


class PrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A row by id, which is a whole number: 1.5, true and 1e309 (which JSON
    readers take as infinity, and a lookup cannot convert) are not ids."""

    def __init__(self, **kwargs):
        kwargs.setdefault("pk_field", serializers.IntegerField())
        super().__init__(**kwargs)


# DRF's ModelSerializer with the fields above for model dates and foreign keys
# (no docstring: the schema would describe every serializer by it).
class ModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: DateField,
        models.DateTimeField: DateTimeField,
    }
    serializer_related_field = PrimaryKeyRelatedField


def identifier_errors(data, where: str = "") -> dict[str, list[str]]:
    """Where in a request's data text looks like an NHS number: "title",
    "milestones[1].description", "metrics[2]" (lists counted from 1)."""
    if hasattr(data, "lists"):  # a form's QueryDict: each key may repeat
        items = ((key, value) for key, values in data.lists() for value in values)
    elif isinstance(data, dict):
        items = data.items()
    elif isinstance(data, list):
        items = ((f"[{number}]", value) for number, value in enumerate(data, start=1))
    else:
        items = ()
    errors = {}
    for key, value in items:
        key = str(key)
        here = f"{where}{key}" if key.startswith("[") or not where else f"{where}.{key}"
        if inputs.holds_nhs_number(key):
            errors[where or api_settings.NON_FIELD_ERRORS_KEY] = [inputs.NHS_NUMBER_MESSAGE]
        elif isinstance(value, str) and inputs.holds_nhs_number(value):
            errors[here] = [inputs.NHS_NUMBER_MESSAGE]
        elif hasattr(value, "name") and inputs.holds_nhs_number(str(value.name or "")):
            errors[here] = [inputs.NHS_NUMBER_MESSAGE]  # an uploaded file's name
        else:
            errors.update(identifier_errors(value, here))
    return errors


class RefuseIdentifiersMixin:
    """Concord holds aggregate data only: a write whose body holds text that
    looks like an NHS number, in any field, is refused with a 400 naming
    where, before anything reads it (so no error repeats the number, as
    "Object with code=... does not exist" would). A view whose input has
    checks of its own that name row and column (submissions) sets
    `refuse_identifiers = False`."""

    refuse_identifiers = True

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.refuse_identifiers and request.method in WRITES:
            errors = identifier_errors(request.data)
            if errors:
                raise exceptions.ValidationError(errors)


class ScopedViewSetMixin:
    """Scopes `queryset` with the model's `visible_to(user)`.

    Subclasses may not override get_queryset (as PostHog's routing mixin
    enforces): extra filtering belongs in filtersets or `scoped_queryset`.
    Rows outside the scope are therefore 404, never data. `scope` names the
    queryset method that scopes (contracts' agreements use another).
    """

    scope = "visible_to"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} must not override get_queryset; see ScopedViewSetMixin"
            )

    def get_queryset(self):
        scoped = getattr(super().get_queryset(), self.scope)(self.request.user)
        return self.scoped_queryset(scoped)

    def scoped_queryset(self, queryset):
        """Hook for select_related/annotations on the already-scoped queryset."""
        return queryset


class RolePermission(permissions.IsAuthenticated):
    """Reads need a signed-in user (rows are scoped anyway); writes need one
    of the view's `write_roles` (admins always pass)."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return has_role(request.user, *getattr(view, "write_roles", ()))


def as_api_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A service's Django ValidationError as DRF's, keyed by field."""
    if hasattr(exc, "error_dict"):
        detail = exc.message_dict
        if NON_FIELD_ERRORS in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    return exceptions.ValidationError(detail)


# Where a database names the columns of the unique constraint a row broke.
POSTGRESQL_KEY = re.compile(r"Key \((?P<columns>[^)]*)\)=")
SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>.+)$")


def unique_violation(exc: IntegrityError) -> exceptions.ValidationError | None:
    """The 400 a unique constraint's IntegrityError stands for: the answer
    validation gives a moment later, when the other row is there ("contract
    with this reference already exists."), keyed by the field, or
    non_field_errors for several. None for any other IntegrityError."""
    diag = getattr(exc.__cause__, "diag", None)
    if getattr(exc.__cause__, "pgcode", None) == "23505":  # PostgreSQL's unique_violation
        match = POSTGRESQL_KEY.match(diag.message_detail or "")
        table, columns = diag.table_name, match and match.group("columns").split(", ")
    elif match := SQLITE_UNIQUE.search(str(exc)):
        names = [name.strip().split(".") for name in match.group("columns").split(",")]
        table, columns = names[0][0], [column for _, column in names]
    else:
        return None
    model = next((m for m in apps.get_models() if m._meta.db_table == table), None)
    if model is None or not columns:
        return None
    by_column = {field.column: field.name for field in model._meta.concrete_fields}
    fields = [by_column[column] for column in columns if column in by_column]
    error = model().unique_error_message(model, fields)
    key = fields[0] if len(fields) == 1 else api_settings.NON_FIELD_ERRORS_KEY
    return exceptions.ValidationError({key: [error.message % error.params]})


class ServiceErrorsMixin:
    """Services raise Django's ValidationError (400 with field keys here);
    their PermissionDenied is already a 403 in DRF. Services are atomic, so
    nothing is saved when either is raised. A row that breaks a unique
    constraint because the same write arrived at the same moment (a client
    retrying) is the 400 the later of the two would get one moment later,
    not a 500."""

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError):
            exc = as_api_error(exc)
        elif isinstance(exc, IntegrityError):
            exc = unique_violation(exc) or exc
        return super().handle_exception(exc)


class ScopedReadOnlyViewSet(
    RefuseIdentifiersMixin, ServiceErrorsMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet
):
    permission_classes = [RolePermission]
