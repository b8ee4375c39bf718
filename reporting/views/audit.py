"""`/audit/`: the audit trail for commissioners (their scope) and admins.
Read-only: the view answers GET alone."""

from django.http import Http404
from django.views.generic import TemplateView

from contracts.choices import Role
from core.exports import csv_response
from core.views import RoleRequiredMixin, error_summary
from reporting import audit_trail
from reporting.forms import AuditFilterForm

PAGE_SIZE = 50


class AuditTrailView(RoleRequiredMixin, TemplateView):
    """The filtered trail, newest first, a page at a time ("Newer" and
    "Older" links, `?older=` / `?newer=` an entry); `?download=csv` gives the
    same page as CSV (formula-leading cells escaped)."""

    template_name = "reporting/audit_trail.html"
    allowed_roles = (Role.COMMISSIONER,)

    def get(self, request, *args, **kwargs):
        query = request.GET.copy()
        for name in ("download", *audit_trail.CURSORS):
            query.pop(name, None)
        form = AuditFilterForm(query, user=request.user)
        if not form.is_valid():
            if form.out_of_scope():
                raise Http404("No such record in your scope.")
            return self.render_to_response(
                self.get_context_data(form=form, errors=error_summary(form), entries=[])
            )
        try:
            cursor = audit_trail.cursor_from(request.GET)
        except ValueError:
            raise Http404("No such page.") from None
        page = audit_trail.read_page(request.user, form.filters(), PAGE_SIZE, cursor)
        entries = audit_trail.describe(page.items)
        if request.GET.get("download") == "csv":
            return csv_response(
                "audit-trail-page.csv", audit_trail.CSV_HEADER, audit_trail.csv_rows(entries)
            )
        here = request.GET.copy()
        here.pop("download", None)
        return self.render_to_response(
            self.get_context_data(
                form=form,
                entries=entries,
                query=query.urlencode(),
                here=here.urlencode(),
                older=page.older and page.older.token,
                newer=page.newer and page.newer.token,
                first_page=cursor is None,
            )
        )
