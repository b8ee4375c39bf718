from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from contracts.choices import ROLE_ORGANISATION_KINDS, CommissionerType, OrganisationKind, Role
from contracts.querysets import ContractQuerySet, MembershipQuerySet, OrganisationQuerySet

ods_code_validator = RegexValidator(
    r"^[A-Z0-9]{3,10}$", "Use an ODS-style code: 3 to 10 capital letters or digits."
)


class Organisation(models.Model):
    """A party to contracts: a commissioner (ICB, local authority), a provider,
    or a provider network (a lead provider or alliance with member providers)."""

    code = models.CharField(max_length=10, unique=True, validators=[ods_code_validator])
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    commissioner_type = models.CharField(
        max_length=20,
        choices=CommissionerType.choices,
        blank=True,
        help_text="Only for commissioners.",
    )
    is_active = models.BooleanField(default=True)
    members = models.ManyToManyField(
        "self",
        through="NetworkMember",
        through_fields=("network", "provider"),
        symmetrical=False,
        related_name="networks",
        blank=True,
    )
    history = HistoricalRecords()

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def clean(self):
        if self.commissioner_type and self.kind != OrganisationKind.COMMISSIONER:
            raise ValidationError(
                {"commissioner_type": "Only a commissioner has a commissioner type."}
            )

    @property
    def is_network(self) -> bool:
        return self.kind == OrganisationKind.NETWORK


class NetworkMember(models.Model):
    """A provider's membership of a provider network."""

    network = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="member_links")
    provider = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="network_links"
    )
    joined_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network", "provider"], name="unique_network_member")
        ]
        ordering = ["network", "provider"]

    def __str__(self):
        return f"{self.provider.code} in {self.network.code}"

    def clean(self):
        errors = {}
        if self.network_id and self.network.kind != OrganisationKind.NETWORK:
            errors["network"] = "Must be a provider network."
        if self.provider_id and self.provider.kind != OrganisationKind.PROVIDER:
            errors["provider"] = "Must be a provider."
        if errors:
            raise ValidationError(errors)


class Membership(models.Model):
    """A person's role in an organisation. A person may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="unique_membership_role"
            )
        ]
        ordering = ["organisation__name", "role"]

    def __str__(self):
        return f"{self.user} - {self.get_role_display()} at {self.organisation.code}"

    def clean(self):
        if self.organisation_id and self.role:
            allowed = ROLE_ORGANISATION_KINDS[Role(self.role)]
            if self.organisation.kind not in allowed:
                kinds = ", ".join(sorted(OrganisationKind(k).label.lower() for k in allowed))
                raise ValidationError(
                    {"role": f"A {self.get_role_display().lower()} must belong to a {kinds}."}
                )


class Contract(models.Model):
    """A multi-year agreement between a commissioner and a provider or a
    provider network for a service to a population group."""

    class PaymentModel(models.TextChoices):
        BLOCK = "block", "Block"
        ACTIVITY = "activity", "Activity-based"
        CAPITATED_OUTCOMES = "capitated_outcomes", "Capitated outcomes-based"
        API = "aligned_payment_incentive", "Aligned payment and incentive"

    reference = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    commissioner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="contracts_commissioned",
        limit_choices_to={"kind": OrganisationKind.COMMISSIONER},
    )
    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="contracts_held",
        limit_choices_to={"kind__in": [OrganisationKind.PROVIDER, OrganisationKind.NETWORK]},
        help_text="A provider or a provider network.",
    )
    service = models.CharField(max_length=200)
    start_date = models.DateField()
    end_date = models.DateField()
    payment_model = models.CharField(max_length=30, choices=PaymentModel.choices)
    history = HistoricalRecords()

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "reference"]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            errors["end_date"] = "The end date must be after the start date."
        if self.commissioner_id and self.commissioner.kind != OrganisationKind.COMMISSIONER:
            errors["commissioner"] = "Must be a commissioner."
        if self.provider_id and self.provider.kind == OrganisationKind.COMMISSIONER:
            errors["provider"] = "Must be a provider or a provider network."
        if errors:
            raise ValidationError(errors)
