"""Base classes every browser view uses, so scoping cannot be forgotten."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from contracts.access import has_role


class RoleRequiredMixin(LoginRequiredMixin):
    """Requires sign-in and one of `allowed_roles` (admins always pass)."""

    allowed_roles: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and self.allowed_roles
            and not has_role(request.user, *self.allowed_roles)
        ):
            raise PermissionDenied("Your role does not give access to this page.")
        return super().dispatch(request, *args, **kwargs)


class ScopedViewMixin(RoleRequiredMixin):
    """Requires sign-in, an allowed role, and scopes `model`'s rows to the user.

    get_queryset is final, as in contracts.api.base.ScopedViewSetMixin; rows
    outside the scope give 404 from DetailView, never data.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(f"{cls.__name__} must not override get_queryset; see ScopedViewMixin")

    def get_queryset(self):
        return self.scoped_queryset(self.model.objects.visible_to(self.request.user))

    def scoped_queryset(self, queryset):
        return queryset
