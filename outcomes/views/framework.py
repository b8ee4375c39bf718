"""Browsing outcomes and metrics, and adding a metric to a contract."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import TemplateView

from contracts.access import PRIVATE_DATA_ROLES
from contracts.choices import ContractStatus, Role
from contracts.models import Contract
from contracts.permissions import can_commission
from core.roles import is_admin
from core.views import ScopedViewMixin
from outcomes.forms import ContractMetricForm, MetricFilterForm, VariationForm
from outcomes.models import Dimension, Metric, Outcome

# --- Outcomes and metrics ---


class OutcomeBrowserView(ScopedViewMixin, TemplateView):
    """`/outcomes/`: outcomes and their metrics by dimension and population
    group, with what each metric costs to report (who submits it, how often)."""

    template_name = "outcomes/outcome_browser.html"
    allowed_roles = PRIVATE_DATA_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = MetricFilterForm(self.request.GET or None)
        metrics = form.filter(
            Metric.objects.select_related("dimension", "outcome__population_group").order_by("code")
        )
        dimensions = list(
            Dimension.objects.prefetch_related(
                Prefetch("metrics", queryset=metrics, to_attr="shown_metrics")
            )
        )
        for dimension in dimensions:
            groups = {}
            for metric in dimension.shown_metrics:
                groups.setdefault(metric.outcome, []).append(metric)
            dimension.groups = sorted(
                groups.items(), key=lambda item: (item[0] is None, item[0] and item[0].name)
            )
        context.update(
            form=form,
            dimensions=[d for d in dimensions if d.shown_metrics],
            metric_count=sum(len(d.shown_metrics) for d in dimensions),
            outcome_count=Outcome.objects.count(),
            can_add=can_commission(self.request.user),
            filtered=bool(self.request.GET),
        )
        return context


def commissioned_contracts(user):
    """The contracts `user` commissions whose terms may change: drafts (their
    terms set directly) and agreed contracts (by a variation)."""
    contracts = (
        Contract.objects.agreements_visible_to(user)
        .filter(status__in=(ContractStatus.DRAFT, ContractStatus.ACCEPTED))
        .select_related("provider")
        .order_by("reference")
    )
    if is_admin(user):
        return contracts
    return contracts.filter(
        commissioner__memberships__user=user, commissioner__memberships__role=Role.COMMISSIONER
    ).distinct()


class AddMetricToContractView(ScopedViewMixin, TemplateView):
    """`/outcomes/metrics/<id>/add/`: choose one of your contracts, then set the
    metric's terms in it. The form posts to the contract page, which saves it
    (and shows any errors there); this page only preselects the metric."""

    template_name = "outcomes/add_metric.html"
    allowed_roles = (Role.COMMISSIONER,)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        metric = get_object_or_404(Metric.objects.select_related("dimension"), pk=kwargs["pk"])
        contracts = list(commissioned_contracts(self.request.user))
        contract, form = None, None
        chosen = self.request.GET.get("contract")
        if chosen:
            contract = next((c for c in contracts if str(c.pk) == chosen), None)
            if contract is None:
                raise Http404("No such contract of yours.")
            initial = {"metric": metric.pk, "effective_from": timezone.localdate()}
            form = (
                VariationForm(initial=initial)
                if contract.status == ContractStatus.ACCEPTED
                else ContractMetricForm(initial=initial)
            )
        context.update(metric=metric, contracts=contracts, contract=contract, form=form)
        return context
