"""Base classes every API viewset uses, so scoping cannot be forgotten."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, permissions, viewsets
from rest_framework.settings import api_settings

from core.roles import has_role


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


class ServiceErrorsMixin:
    """Services raise Django's ValidationError (400 with field keys here);
    their PermissionDenied is already a 403 in DRF. Services are atomic, so
    nothing is saved when either is raised."""

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError):
            exc = as_api_error(exc)
        return super().handle_exception(exc)


class ScopedReadOnlyViewSet(ServiceErrorsMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [RolePermission]
