from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from contracts.choices import (
    BINDING_CONTRACT_STATUSES,
    CLOSED_NOTICE_STATUSES,
    ROLE_ORGANISATION_KINDS,
    CommissionerType,
    ContractStatus,
    MeetingOutcome,
    NoticeStatus,
    NoticeStep,
    OrganisationKind,
    Role,
    WithholdingStatus,
)
from contracts.querysets import (
    ActualCostQuerySet,
    ContractQuerySet,
    MembershipQuerySet,
    NoticeQuerySet,
    OrganisationQuerySet,
)

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


class PopulationGroup(models.Model):
    """A group of people a contract serves, e.g. older people or people with
    long-term conditions."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


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
    population_group = models.ForeignKey(
        PopulationGroup,
        on_delete=models.PROTECT,
        related_name="contracts",
        null=True,
        blank=True,
    )
    start_date = models.DateField()
    end_date = models.DateField()
    payment_model = models.CharField(max_length=30, choices=PaymentModel.choices)
    # Contract-management terms (NHS Standard Contract GC9 defaults; configurable).
    meeting_due_days = models.PositiveSmallIntegerField(
        default=10, help_text="Operational days from a notice to its contract management meeting."
    )
    plan_due_days = models.PositiveSmallIntegerField(
        default=5, help_text="Operational days from the meeting to an agreed remedial action plan."
    )
    withholding_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("2.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Most that may be withheld per month, as % of the monthly contract value.",
    )
    retain_after_months = models.PositiveSmallIntegerField(
        default=3, help_text="Months unremedied after which withheld sums are retained."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The agreement (docs/contracts.md): changed only by contracts.services.
    status = models.CharField(
        max_length=20, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(
        null=True, blank=True, help_text="When the provider accepted or declined the offer."
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decline_reason = models.TextField(blank=True)
    terminated_on = models.DateField(null=True, blank=True)
    termination_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "reference"]
        indexes = [models.Index(fields=["status"], name="contract_status")]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    @property
    def is_binding(self) -> bool:
        """Accepted (or terminated after it was): the contract binds its
        parties and shares data between them."""
        return self.status in BINDING_CONTRACT_STATUSES

    @property
    def ends_on(self):
        """The last day the contract runs: its end date, or the day it was
        terminated."""
        return self.terminated_on or self.end_date

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


money = {"max_digits": 14, "decimal_places": 2}


class ContractYear(models.Model):
    """One year of a contract, with its contract value and planned budget
    (the financial plan savings are measured against)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="years")
    number = models.PositiveSmallIntegerField(help_text="1 for the first contract year.")
    start_date = models.DateField()
    end_date = models.DateField()
    contract_value = models.DecimalField(**money, validators=[MinValueValidator(0)])
    planned_budget = models.DecimalField(**money, validators=[MinValueValidator(0)])
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="unique_contract_year"),
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")),
                name="contract_year_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.contract.reference} year {self.number}"

    @property
    def monthly_value(self) -> Decimal:
        return (self.contract_value / 12).quantize(Decimal("0.01"))


class BudgetPlanMonth(models.Model):
    """An optional monthly split of a contract year's planned budget."""

    year = models.ForeignKey(ContractYear, on_delete=models.CASCADE, related_name="plan_months")
    month = models.DateField(help_text="First day of the month.")
    planned_amount = models.DecimalField(**money, validators=[MinValueValidator(0)])
    history = HistoricalRecords()

    class Meta:
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="unique_budget_plan_month")
        ]

    def __str__(self):
        return f"£{self.planned_amount} planned for {self.month:%B %Y}"


class ActualCost(models.Model):
    """Actual cost recorded against the financial plan for one month."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="actual_costs")
    month = models.DateField(help_text="First day of the month.")
    amount = models.DecimalField(**money, validators=[MinValueValidator(0)])
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = ActualCostQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "month"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "month"], name="unique_actual_cost_month")
        ]

    def __str__(self):
        return f"£{self.amount} spent in {self.month:%B %Y}"


class PerformanceNotice(models.Model):
    """A Contract Performance Notice raised by either party against the other,
    and the contract-management process that follows it (docs/contracts.md).
    State changes go through contracts.notices, never direct saves."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="notices")
    raised_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="notices_raised"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notices_raised"
    )
    raised_on = models.DateField()
    title = models.CharField(max_length=200)
    concern = models.TextField(help_text="The performance concern, with the evidence.")
    obligations = models.TextField(
        blank=True, help_text="Contract obligations concerned, where not a metric."
    )
    status = models.CharField(
        max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.RAISED
    )
    meeting_due = models.DateField()
    meeting_held_on = models.DateField(null=True, blank=True)
    meeting_outcome = models.CharField(max_length=30, choices=MeetingOutcome.choices, blank=True)
    plan_due = models.DateField(null=True, blank=True)
    escalated = models.BooleanField(default=False, help_text="Escalated towards termination.")
    closed_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_on", "-pk"]

    def __str__(self):
        return f"Notice {self.pk} on {self.contract.reference}: {self.title}"

    @property
    def against_organisation(self) -> Organisation:
        """The other party: notices run both ways."""
        if self.raised_by_organisation_id == self.contract.commissioner_id:
            return self.contract.provider
        return self.contract.commissioner

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_NOTICE_STATUSES

    @property
    def raised_against_commissioner(self) -> bool:
        """A notice the provider side raised: evidence in the commissioner's
        own assessment (assurance.evidence), in the year it was raised."""
        return self.raised_by_organisation_id != self.contract.commissioner_id


class NoticeEvent(models.Model):
    """One dated, authored, reasoned step in a notice's timeline."""

    notice = models.ForeignKey(PerformanceNotice, on_delete=models.CASCADE, related_name="events")
    step = models.CharField(max_length=30, choices=NoticeStep.choices)
    on = models.DateField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="Empty when Concord took the step itself (a scheduled job).",
    )
    reason = models.TextField()
    status_after = models.CharField(max_length=20, choices=NoticeStatus.choices)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "recorded_at", "pk"]

    def __str__(self):
        return f"{self.get_step_display()} on {self.on}"

    @property
    def author_name(self) -> str:
        if self.author is None:
            return "Concord (automatic)"
        return self.author.get_full_name() or self.author.username


class RemedialMilestone(models.Model):
    """A milestone of a notice's remedial action plan, with its owner and date."""

    notice = models.ForeignKey(
        PerformanceNotice, on_delete=models.CASCADE, related_name="milestones"
    )
    description = models.CharField(max_length=300)
    owner = models.CharField(max_length=200, help_text="The person responsible.")
    owner_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.description

    def is_missed(self, today) -> bool:
        return self.completed_on is None and self.due_on < today


class Withholding(models.Model):
    """A month's payment withheld while a notice's exception stands unremedied."""

    notice = models.ForeignKey(
        PerformanceNotice, on_delete=models.PROTECT, related_name="withholdings"
    )
    month = models.DateField(help_text="First day of the month withheld from.")
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    amount = models.DecimalField(**money)
    status = models.CharField(
        max_length=10, choices=WithholdingStatus.choices, default=WithholdingStatus.WITHHELD
    )
    settled_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "month"], name="one_withholding_per_month")
        ]

    def __str__(self):
        return f"£{self.amount} withheld for {self.month:%B %Y}"
