"""A settlement line by line, with sign-off, comments and what-if."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import DetailView

from contracts.access import PRIVATE_DATA_ROLES
from core.views import ScopedViewMixin, error_summary
from incentives import permissions, services
from incentives.charts import retained_share_figure
from incentives.choices import SettlementStatus
from incentives.forms import CommentForm, WhatIfForm
from incentives.models import QualityIndicator, Settlement, SettlementComment


class SettlementDetailView(ScopedViewMixin, DetailView):
    """`/incentives/settlements/<id>/`: the statement line by line, with its
    inputs; the commissioner recomputes and signs off a draft, the parties
    comment on it, and commissioners and network managers try what-ifs (here
    without JavaScript, through the API with it)."""

    model = Settlement
    template_name = "incentives/settlement.html"
    context_object_name = "settlement"
    allowed_roles = PRIVATE_DATA_ROLES

    def scoped_queryset(self, queryset):
        return queryset.select_related(
            "contract__commissioner",
            "contract__provider",
            "contract_year",
            "signed_off_by",
            "support_action",
        ).prefetch_related(
            "lines",
            Prefetch(
                "comments",
                queryset=SettlementComment.objects.select_related("author", "organisation"),
            ),
        )

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_page()

    def render_page(self, comment_form=None, errors=None):
        settlement = self.object
        user = self.request.user
        scheme = services.schemes_with_rules().get(pk=settlement.scheme_id)
        rules = scheme.as_rules(settlement.contract_year.number)
        may_what_if = permissions.can_try_what_if(user)
        what_if_form = WhatIfForm(self.request.GET or None)
        what_if = None
        if may_what_if and self.request.GET and what_if_form.is_valid():
            what_if = services.what_if(
                settlement=settlement,
                score=what_if_form.cleaned_data["score"],
                actual_cost=what_if_form.cleaned_data["actual_cost"],
            )
        figure, alt = retained_share_figure(
            rules,
            settlement.score,
            what_if_form.cleaned_data.get("score") if what_if else None,
        )
        may_comment = not settlement.is_signed_off and permissions.can_comment(user, settlement)
        context = self.get_context_data(
            object=settlement,
            scheme=scheme,
            rules=rules,
            status=SettlementStatus(settlement.status).tag,
            is_commissioner=permissions.can_sign_off(user, settlement),
            may_comment=may_comment,
            comment_form=comment_form or CommentForm(),
            may_what_if=may_what_if,
            what_if_form=what_if_form,
            what_if=what_if,
            chart={
                "id": "retained-share",
                "data_id": "retained-share-data",
                "figure": figure,
                "alt": alt,
            },
            what_if_api=reverse("api:settlement-what-if"),
            indicators=QualityIndicator.objects.filter(scheme=scheme).select_related("metric"),
            errors=errors or (error_summary(what_if_form) if self.request.GET else None),
        )
        return self.render_to_response(context)

    def post(self, request, *args, **kwargs):
        self.object = settlement = self.get_object()
        action = request.POST.get("action")
        try:
            if action == "sign_off":
                services.sign_off(user=request.user, settlement=settlement)
                messages.success(request, "Settlement signed off: it is now locked.")
            elif action == "recompute":
                services.compute_settlement(
                    contract_year=settlement.contract_year, user=request.user
                )
                messages.success(request, "Settlement recomputed from the latest inputs.")
            elif action == "comment":
                form = CommentForm(request.POST)
                if not form.is_valid():
                    return self.render_page(comment_form=form, errors=error_summary(form))
                services.add_comment(
                    user=request.user, settlement=settlement, text=form.cleaned_data["text"]
                )
                messages.success(request, "Comment added.")
            else:
                return HttpResponseBadRequest("Unknown action.")
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("incentives:settlement-detail", pk=settlement.pk)
