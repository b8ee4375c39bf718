"""A contract's change log, for its commissioner and admins."""

from django.views.generic import DetailView

from contracts.choices import Role
from contracts.history import change_log
from contracts.models import Contract
from core.views import ScopedViewMixin


class ContractHistoryView(ScopedViewMixin, DetailView):
    model = Contract
    template_name = "contracts/contract_history.html"
    allowed_roles = (Role.COMMISSIONER,)

    def get_context_data(self, **kwargs):
        return super().get_context_data(changes=change_log(self.object), **kwargs)
