"""Organisation pages."""

from django.views.generic import DetailView, ListView

from contracts.access import PRIVATE_DATA_ROLES
from contracts.models import (
    Contract,
    Organisation,
)
from core.views import ScopedViewMixin


class OrganisationListView(ScopedViewMixin, ListView):
    model = Organisation
    template_name = "contracts/organisation_list.html"
    allowed_roles = PRIVATE_DATA_ROLES
    paginate_by = 50

    def scoped_queryset(self, queryset):
        return queryset.order_by("kind", "name")


class OrganisationDetailView(ScopedViewMixin, DetailView):
    model = Organisation
    template_name = "contracts/organisation_detail.html"
    allowed_roles = PRIVATE_DATA_ROLES
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.object
        visible = Organisation.objects.visible_to(self.request.user)
        context["members"] = visible.filter(networks=organisation)
        context["networks"] = visible.filter(members=organisation)
        context["contracts"] = Contract.objects.visible_to(self.request.user).filter(
            provider=organisation
        ).select_related("commissioner", "provider") | Contract.objects.visible_to(
            self.request.user
        ).filter(commissioner=organisation).select_related("commissioner", "provider")
        return context
