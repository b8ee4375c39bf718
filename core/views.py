"""Base classes every browser view uses, so scoping cannot be forgotten, and
the NHS.UK error summary and tag helpers every page uses."""

import datetime as dt

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.forms import BaseFormSet

from core.choices import tag_css
from core.roles import has_role


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

    get_queryset is final, as in core.api.ScopedViewSetMixin; rows
    outside the scope give 404 from DetailView, never data. `scope` names the
    queryset method that scopes (contracts' agreements use another).
    """

    scope = "visible_to"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(f"{cls.__name__} must not override get_queryset; see ScopedViewMixin")

    def get_queryset(self):
        scoped = getattr(self.model.objects, self.scope)(self.request.user)
        return self.scoped_queryset(scoped)

    def scoped_queryset(self, queryset):
        return queryset


def error_summary(*forms) -> list[tuple[str, str]]:
    """(link target, message) for the NHS.UK error summary, in page order.
    Non-field errors link to the form's first field."""
    items = []
    for form in forms:
        if form is None:
            continue
        if isinstance(form, BaseFormSet):
            for message in form.non_form_errors():
                items.append((f"#{form.forms[0]['description'].auto_id}", message))
            for row in form.forms:
                items.extend(error_summary(row))
            continue
        first = next(iter(form), None)
        for name, field_errors in form.errors.items():
            target = form[name].auto_id if name in form.fields else first and first.auto_id
            items.extend((f"#{target}", message) for message in field_errors)
    return items


def tag(text: str, colour: str) -> dict:
    """A tag for templates/contracts/_tag.html. A choice's member is shown
    by its own `.tag` (core.choices); this is for words that are no choice."""
    return {"text": text, "css": tag_css(colour)}


def due_tag(due: dt.date, today: dt.date) -> dict:
    if due < today:
        return tag("Overdue", "red")
    if due == today:
        return tag("Due today", "orange")
    return tag("Due", "yellow")


def chart(element_id: str, figure: dict, alt: str) -> dict:
    """What templates/_chart.html draws: a figure and its text alternative."""
    return {"id": element_id, "data_id": f"{element_id}-data", "figure": figure, "alt": alt}
