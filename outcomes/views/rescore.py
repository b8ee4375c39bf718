"""Recalculating a contract's scores from the browser: the commissioner asks
on the contract page and follows the request's state until it is done
(static/js/status-poll.js polls the status JSON)."""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.generic import DetailView
from django.views.generic.base import View
from django.views.generic.detail import SingleObjectMixin

from contracts.access import PRIVATE_DATA_ROLES
from contracts.choices import Role
from contracts.models import Contract
from core.views import ScopedViewMixin
from outcomes.choices import RescoreStatus
from outcomes.models import RescoreRequest
from outcomes.services.rescore_requests import request_rescore


def rescore_tag(request: RescoreRequest) -> dict:
    return RescoreStatus(request.status).tag


class RescoreRequestCreateView(ScopedViewMixin, SingleObjectMixin, View):
    """POST `/contracts/<id>/rescore/`: queue a recalculation (commissioner of
    the contract or admin), then follow it."""

    model = Contract
    allowed_roles = (Role.COMMISSIONER,)
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        contract = self.get_object()
        rescore = request_rescore(request.user, contract)
        return redirect("outcomes:rescore-request-detail", pk=rescore.pk)


class RescoreRequestDetailView(ScopedViewMixin, DetailView):
    """`/rescores/<id>/`: the state of a recalculation, updating itself."""

    model = RescoreRequest
    template_name = "outcomes/rescore_request.html"
    context_object_name = "rescore"
    allowed_roles = PRIVATE_DATA_ROLES

    def scoped_queryset(self, queryset):
        return queryset.select_related("contract", "requested_by")

    def get_context_data(self, **kwargs):
        return super().get_context_data(status_tag=rescore_tag(self.object), **kwargs)


class RescoreRequestStatusView(ScopedViewMixin, DetailView):
    """`/rescores/<id>/status.json`: polled by static/js/status-poll.js."""

    model = RescoreRequest
    allowed_roles = PRIVATE_DATA_ROLES

    def render_to_response(self, context, **response_kwargs):
        rescore = self.object
        response = JsonResponse(
            {
                "id": rescore.pk,
                "status": rescore.status,
                "label": rescore.get_status_display(),
                "finished": rescore.is_finished,
                "months_written": rescore.months_written,
            }
        )
        response["Cache-Control"] = "no-store"
        return response
