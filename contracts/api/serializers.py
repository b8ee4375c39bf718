from rest_framework import serializers

from contracts.models import Contract, Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    members = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = Organisation
        fields = ["id", "code", "name", "kind", "commissioner_type", "is_active", "members"]


class ContractSerializer(serializers.ModelSerializer):
    commissioner = serializers.SlugRelatedField(read_only=True, slug_field="code")
    provider = serializers.SlugRelatedField(read_only=True, slug_field="code")

    class Meta:
        model = Contract
        fields = [
            "id",
            "reference",
            "title",
            "commissioner",
            "provider",
            "service",
            "start_date",
            "end_date",
            "payment_model",
        ]
