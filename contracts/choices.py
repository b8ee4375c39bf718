"""Choices for organisations, roles and contracts: one spelling each."""

from django.db import models


class OrganisationKind(models.TextChoices):
    COMMISSIONER = "commissioner", "Commissioner"
    PROVIDER = "provider", "Provider"
    NETWORK = "network", "Provider network"


class CommissionerType(models.TextChoices):
    ICB = "icb", "Integrated care board"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    COMMISSIONER = "commissioner", "Commissioner"
    NETWORK_MANAGER = "network_manager", "Network manager"
    PROVIDER_USER = "provider_user", "Provider user"
    LAY_PARTNER = "lay_partner", "Lay partner"


# Which organisation kinds each role may be held in.
ROLE_ORGANISATION_KINDS = {
    Role.COMMISSIONER: {OrganisationKind.COMMISSIONER},
    Role.NETWORK_MANAGER: {OrganisationKind.NETWORK},
    Role.PROVIDER_USER: {OrganisationKind.PROVIDER, OrganisationKind.NETWORK},
    Role.LAY_PARTNER: {
        OrganisationKind.COMMISSIONER,
        OrganisationKind.NETWORK,
        OrganisationKind.PROVIDER,
    },
}
