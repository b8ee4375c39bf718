"""/api/v1/rescore-requests/: ask Concord to recalculate a contract's scores
now and follow the request until it is done (the commissioner of the
contract, or an admin). Asking while one waits or runs returns that one."""

from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from contracts.api.filters import IdFilter
from contracts.choices import Role
from contracts.models import Contract
from core.api import ModelSerializer, ScopedReadOnlyViewSet
from outcomes.models import RescoreRequest
from outcomes.services.rescore_requests import request_rescore


class RescoreRequestSerializer(ModelSerializer):
    contract = serializers.IntegerField(source="contract_id", help_text="Contract id.")
    requested_by = serializers.CharField(source="requested_by.username")
    finished = serializers.BooleanField(source="is_finished")

    class Meta:
        model = RescoreRequest
        fields = [
            "id",
            "contract",
            "requested_by",
            "requested_at",
            "status",
            "finished",
            "started_at",
            "finished_at",
            "months_written",
            "error",
        ]


class RescoreRequestInputSerializer(serializers.Serializer):
    contract = serializers.IntegerField(help_text="Id of the contract to recalculate.")


class RescoreRequestFilter(filters.FilterSet):
    contract = IdFilter(field_name="contract_id", help_text="Contract id.")

    class Meta:
        model = RescoreRequest
        fields = ["contract", "status"]


class RescoreRequestViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Recalculations of the scores of contracts you can see, newest first."""

    queryset = RescoreRequest.objects.select_related("requested_by")
    serializer_class = RescoreRequestSerializer
    filterset_class = RescoreRequestFilter
    write_roles = (Role.COMMISSIONER,)

    @extend_schema(
        request=RescoreRequestInputSerializer,
        responses={
            202: RescoreRequestSerializer,
            403: OpenApiResponse(description="Only the contract's commissioner or an admin."),
            404: OpenApiResponse(description="No contract with that id that you can see."),
        },
    )
    def create(self, request, *args, **kwargs):
        """Queue a recalculation (or get the one already waiting or running)."""
        serializer = RescoreRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contract = get_object_or_404(
            Contract.objects.visible_to(request.user), pk=serializer.validated_data["contract"]
        )
        rescore = request_rescore(request.user, contract)
        data = self.get_serializer(self.get_queryset().get(pk=rescore.pk)).data
        return Response(data, status=status.HTTP_202_ACCEPTED)
