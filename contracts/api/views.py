from django.contrib.auth import get_user_model
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from contracts.api.base import ScopedReadOnlyViewSet
from contracts.api.serializers import ContractSerializer, OrganisationSerializer
from contracts.models import Contract, Organisation


class OrganisationFilter(filters.FilterSet):
    class Meta:
        model = Organisation
        fields = ["kind", "code", "is_active"]


class OrganisationViewSet(ScopedReadOnlyViewSet):
    """Organisations the signed-in user may see."""

    queryset = Organisation.objects.prefetch_related("members")
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter


class ContractViewSet(ScopedReadOnlyViewSet):
    """Contracts the signed-in user holds or is party to."""

    queryset = Contract.objects.select_related("commissioner", "provider")
    serializer_class = ContractSerializer
    filterset_fields = ["commissioner", "provider", "payment_model"]


class MembershipOutSerializer(serializers.Serializer):
    organisation = serializers.CharField(source="organisation.code")
    organisation_name = serializers.CharField(source="organisation.name")
    role = serializers.CharField()


class MeSerializer(serializers.ModelSerializer):
    memberships = MembershipOutSerializer(many=True, read_only=True)

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "first_name", "last_name", "email", "is_staff", "memberships"]


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def me(request):
    """The signed-in user and their roles."""
    user = (
        get_user_model()
        .objects.prefetch_related("memberships__organisation")
        .get(pk=request.user.pk)
    )
    return Response(MeSerializer(user).data)
