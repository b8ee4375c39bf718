"""Serializers for the contracts API. Output serializers describe rows; the
input serializers only validate a request's shape and look up what it names
(organisations and metrics by code), then a view hands the result to one
service, which applies the business rules."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts.choices import ContractStatus, MeetingOutcome, NoticeStatus, WithholdingStatus
from contracts.models import (
    ActualCost,
    Contract,
    ContractYear,
    NoticeEvent,
    Organisation,
    PerformanceNotice,
    RemedialMilestone,
    Withholding,
)
from contracts.selectors import contract_metrics, pending_deadline
from core.api import DateField, ModelSerializer, PrimaryKeyRelatedField

TERMS_FIELDS = ["meeting_due_days", "plan_due_days", "withholding_percent", "retain_after_months"]


class OrganisationSerializer(ModelSerializer):
    members = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = Organisation
        fields = ["id", "code", "name", "kind", "commissioner_type", "is_active", "members"]


def organisation_by_code(**kwargs):
    """Any organisation, named by its (public, ODS-style) code."""
    return serializers.SlugRelatedField(
        queryset=Organisation.objects.all(), slug_field="code", **kwargs
    )


_enum_field_classes: dict[str, type] = {}


def enum_field(component_name: str, choices, **kwargs) -> serializers.ChoiceField:
    """A choice field whose enum is a schema component of its own name, so
    choice sets sharing a field name (notices' and withholdings' `status`) or
    one set under two field names never collide in the schema."""
    if component_name not in _enum_field_classes:
        schema = serializers.ChoiceField(
            choices=choices, allow_blank=kwargs.get("allow_blank", False)
        )
        field_class = type(f"{component_name}Field", (serializers.ChoiceField,), {})
        extend_schema_field(schema, component_name=component_name)(field_class)
        _enum_field_classes[component_name] = field_class
    return _enum_field_classes[component_name](choices=choices, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class ScopedContractField(PrimaryKeyRelatedField):
    """A contract by id, among those the requesting user may see: any other id
    reads as "does not exist". Binding contracts only (those in force), unless
    `agreements=True` (a draft's terms, for example)."""

    def __init__(self, *, agreements=False, **kwargs):
        self.scope = "agreements_visible_to" if agreements else "visible_to"
        super().__init__(**kwargs)

    def get_queryset(self):
        return getattr(Contract.objects, self.scope)(self.context["request"].user)


def local_today():
    return timezone.localdate()


# --- Contracts ---


class ContractSerializer(ModelSerializer):
    commissioner = serializers.SlugRelatedField(read_only=True, slug_field="code")
    provider = serializers.SlugRelatedField(read_only=True, slug_field="code")
    status = enum_field(
        "ContractStatusEnum",
        ContractStatus.choices,
        read_only=True,
        help_text="The agreement: draft, offered, declined, withdrawn, accepted, "
        "terminated. Only accepted (and terminated) contracts bind and share data.",
    )

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
            "status",
        ]


class ContractYearSerializer(ModelSerializer):
    monthly_value = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = ContractYear
        fields = [
            "number",
            "start_date",
            "end_date",
            "contract_value",
            "planned_budget",
            "monthly_value",
        ]


class ContractDetailSerializer(ContractSerializer):
    population_group = PrimaryKeyRelatedField(read_only=True, allow_null=True)
    years = ContractYearSerializer(many=True, read_only=True)
    answered_by = serializers.SlugRelatedField(
        read_only=True, allow_null=True, slug_field="username"
    )

    class Meta(ContractSerializer.Meta):
        fields = [
            *ContractSerializer.Meta.fields,
            "offered_at",
            "answered_at",
            "answered_by",
            "decline_reason",
            "terminated_on",
            "termination_reason",
            "population_group",
            *TERMS_FIELDS,
            "years",
        ]
        read_only_fields = fields


class ContractDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the offer is declined.")


class ContractTerminateSerializer(serializers.Serializer):
    terminated_on = serializers.DateField(help_text="The contract's last day.")
    reason = serializers.CharField(max_length=2000, help_text="Why the contract ends early.")


class ContractYearInputSerializer(serializers.Serializer):
    contract_value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    planned_budget = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class ContractCreateSerializer(ModelSerializer):
    """A new contract; its years are numbered and dated from start_date in
    12-month steps, so `years` gives one value and planned budget per year."""

    commissioner = organisation_by_code(help_text="Commissioner's organisation code.")
    provider = organisation_by_code(help_text="Provider's or network's organisation code.")
    years = ContractYearInputSerializer(many=True, allow_empty=False)

    class Meta:
        model = Contract
        fields = [
            "reference",
            "title",
            "commissioner",
            "provider",
            "service",
            "population_group",
            "start_date",
            "end_date",
            "payment_model",
            *TERMS_FIELDS,
            "years",
        ]


# --- Financial plan and actual cost ---


class ActualCostSerializer(ModelSerializer):
    """A month's actual cost. Posting a month again corrects it; the earlier
    figure is kept in history, so there is no PUT, PATCH or DELETE."""

    contract = ScopedContractField(help_text="Contract id.")
    month = DateField(help_text="Any day of the month; stored as its first day.")
    recorded_by = serializers.SlugRelatedField(
        read_only=True, allow_null=True, slug_field="username"
    )

    class Meta:
        model = ActualCost
        fields = ["id", "contract", "month", "amount", "note", "recorded_by"]
        read_only_fields = ["recorded_by"]
        # One row per contract and month: posting the month again corrects it.
        validators = []


def money_out(**kwargs):
    return serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True, **kwargs)


class FinanceMonthSerializer(serializers.Serializer):
    month = DateField(read_only=True, help_text="First day of the month.")
    planned = money_out()
    actual = money_out(allow_null=True, help_text="null when no actual cost is recorded.")
    variance = money_out(
        allow_null=True, help_text="Savings: planned - actual; negative is an overspend."
    )
    planned_to_date = money_out(
        allow_null=True, help_text="Planned for this and earlier months with an actual."
    )
    actual_to_date = money_out(allow_null=True)
    variance_to_date = money_out(allow_null=True)


class FinanceYearSerializer(serializers.Serializer):
    number = serializers.IntegerField(read_only=True)
    start_date = DateField(read_only=True)
    end_date = DateField(read_only=True)
    contract_value = money_out()
    planned_budget = money_out()
    has_monthly_plan = serializers.BooleanField(
        read_only=True, help_text="false: the planned budget is split evenly by month."
    )
    months = FinanceMonthSerializer(many=True, read_only=True)
    planned_total = money_out()
    actual_total = money_out(help_text="The actual cost recorded so far.")
    months_with_actual = serializers.IntegerField(read_only=True)
    planned_to_date = money_out(help_text="Planned for the months with an actual cost.")
    actual_to_date = money_out()
    variance_to_date = money_out(help_text="Savings to date; negative is an overspend.")


class ContractFinanceSerializer(serializers.Serializer):
    """A contract's financial plan against actual cost, per year and month."""

    contract = serializers.IntegerField(read_only=True, help_text="Contract id.")
    reference = serializers.CharField(read_only=True)
    years = FinanceYearSerializer(many=True, read_only=True)


class PlanMonthInputSerializer(serializers.Serializer):
    month = DateField(help_text="Any day of the month.")
    planned_amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class MonthlyPlanSerializer(serializers.Serializer):
    """A contract year's planned budget split by month; the months must add up
    to the year's planned budget. Replaces the year's previous monthly plan."""

    year = serializers.IntegerField(min_value=1, help_text="Contract year number.")
    months = PlanMonthInputSerializer(many=True, allow_empty=False)

    def validate_months(self, months):
        seen = set()
        for row in months:
            month = row["month"].replace(day=1)
            if month in seen:
                raise serializers.ValidationError(f"{month:%B %Y} is given more than once.")
            seen.add(month)
        return months


# --- Notices ---


class DeadlineSerializer(serializers.Serializer):
    due_on = DateField(allow_null=True)
    state = serializers.ChoiceField(
        choices=["due", "overdue"],
        allow_null=True,
        help_text="While the step is pending: 'due', or 'overdue' after due_on; otherwise null.",
    )


class DeadlinesSerializer(serializers.Serializer):
    meeting = DeadlineSerializer()
    plan = DeadlineSerializer()


def deadline(due_on, step: str, pending) -> dict:
    """A step's deadline with its state while the notice waits on it
    (`pending`: contracts.selectors.pending_deadline)."""
    if pending is None or pending.step != step:
        return {"due_on": due_on, "state": None}
    return {"due_on": due_on, "state": "overdue" if pending.overdue else "due"}


class NoticeSerializer(ModelSerializer):
    contract = PrimaryKeyRelatedField(read_only=True, help_text="Contract id.")
    contract_reference = serializers.CharField(source="contract.reference", read_only=True)
    raised_by_organisation = serializers.SlugRelatedField(read_only=True, slug_field="code")
    against_organisation = serializers.CharField(source="against_organisation.code", read_only=True)
    raised_by = serializers.SlugRelatedField(read_only=True, slug_field="username")
    metrics = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    status = enum_field("NoticeStatusEnum", NoticeStatus.choices, read_only=True)
    meeting_outcome = enum_field(
        "MeetingOutcomeOrBlankEnum", MeetingOutcome.choices, allow_blank=True, read_only=True
    )
    is_open = serializers.BooleanField(read_only=True)
    deadlines = serializers.SerializerMethodField()

    class Meta:
        model = PerformanceNotice
        fields = [
            "id",
            "contract",
            "contract_reference",
            "raised_by_organisation",
            "against_organisation",
            "raised_by",
            "raised_on",
            "title",
            "concern",
            "metrics",
            "obligations",
            "status",
            "is_open",
            "meeting_due",
            "meeting_held_on",
            "meeting_outcome",
            "plan_due",
            "escalated",
            "closed_on",
            "deadlines",
        ]
        read_only_fields = fields

    @extend_schema_field(DeadlinesSerializer)
    def get_deadlines(self, notice) -> dict:
        pending = pending_deadline(notice, local_today())
        return {
            "meeting": deadline(notice.meeting_due, "meeting", pending),
            "plan": deadline(notice.plan_due, "plan", pending),
        }


class NoticeEventSerializer(ModelSerializer):
    author = serializers.SlugRelatedField(read_only=True, slug_field="username")
    status_after = enum_field("NoticeStatusEnum", NoticeStatus.choices, read_only=True)

    class Meta:
        model = NoticeEvent
        fields = ["step", "on", "author", "reason", "status_after"]


class MilestoneSerializer(ModelSerializer):
    owner_organisation = serializers.SlugRelatedField(read_only=True, slug_field="code")

    class Meta:
        model = RemedialMilestone
        fields = ["id", "description", "owner", "owner_organisation", "due_on", "completed_on"]


class WithholdingSerializer(ModelSerializer):
    status = enum_field("WithholdingStatusEnum", WithholdingStatus.choices, read_only=True)

    class Meta:
        model = Withholding
        fields = ["id", "month", "percent", "amount", "status", "settled_on"]


class NoticeDetailSerializer(NoticeSerializer):
    """A notice with its timeline, remedial plan and withholdings."""

    events = NoticeEventSerializer(many=True, read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    withholdings = WithholdingSerializer(many=True, read_only=True)

    class Meta(NoticeSerializer.Meta):
        fields = [*NoticeSerializer.Meta.fields, "events", "milestones", "withholdings"]
        read_only_fields = fields


class NoticeCreateSerializer(serializers.Serializer):
    """Raise a notice against the other party to a contract."""

    contract = ScopedContractField(help_text="Contract id.")
    title = serializers.CharField(max_length=200)
    concern = serializers.CharField(help_text="The performance concern, with the evidence.")
    raised_on = DateField(default=local_today, help_text="Defaults to today.")
    metrics = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text="Metric codes."
    )
    obligations = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        """Metric codes become the contract's metrics; a code that is not one
        of them is an error naming it (a metric is attached by its terms)."""
        codes = list(dict.fromkeys(attrs["metrics"]))
        metrics = {m.code: m for m in contract_metrics(attrs["contract"]).filter(code__in=codes)}
        strangers = [code for code in codes if code not in metrics]
        if strangers:
            raise serializers.ValidationError(
                {"metrics": f"Not metrics of this contract: {', '.join(sorted(strangers))}."}
            )
        return {**attrs, "metrics": [metrics[code] for code in codes]}


# Step requests: every step is dated (today unless given) and reasoned.


class StepSerializer(serializers.Serializer):
    on = DateField(default=local_today, help_text="Defaults to today.")
    reason = serializers.CharField(help_text="Why this step is taken.")


class RecordMeetingSerializer(serializers.Serializer):
    held_on = DateField(default=local_today, help_text="Defaults to today.")
    outcome = enum_field("MeetingOutcomeEnum", MeetingOutcome.choices)
    reason = serializers.CharField()


class ConcludeInvestigationSerializer(StepSerializer):
    plan_needed = serializers.BooleanField(
        help_text="true: a remedial action plan is due; false: the notice is withdrawn."
    )


class MilestoneInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=300)
    owner = serializers.CharField(max_length=200, help_text="The person responsible.")
    owner_organisation = organisation_by_code(help_text="Organisation code of a party.")
    due_on = DateField()


class AgreePlanSerializer(serializers.Serializer):
    agreed_on = DateField(default=local_today, help_text="Defaults to today.")
    milestones = MilestoneInputSerializer(many=True, allow_empty=False)
    reason = serializers.CharField()

    def to_internal_value(self, data):
        # Name a milestone's errors as contracts.notices.agree_plan does,
        # "milestones[1].due_on", so a client sees one format either way.
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            detail = dict(exc.detail)
            rows = detail.get("milestones")
            if isinstance(rows, dict):
                del detail["milestones"]
                for index, errors in rows.items():
                    if not str(index).isdigit():  # the list itself, e.g. empty
                        detail["milestones"] = errors
                        continue
                    for field, messages in errors.items():
                        detail[f"milestones[{int(index) + 1}].{field}"] = messages
            raise serializers.ValidationError(detail) from exc


@extend_schema_field(OpenApiTypes.INT)
class NoticeMilestoneField(PrimaryKeyRelatedField):
    """A milestone of the notice in the URL, by id."""

    def get_queryset(self):
        return self.context["notice"].milestones.all()


class CompleteMilestoneSerializer(serializers.Serializer):
    milestone = NoticeMilestoneField(help_text="Milestone id.")
    completed_on = DateField(default=local_today, help_text="Defaults to today.")
    reason = serializers.CharField()


class WithholdSerializer(StepSerializer):
    month = DateField(help_text="Any day of the month withheld from.")
    percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        help_text="Percentage of the monthly contract value, up to the contract's cap.",
    )


class RetainSerializer(serializers.Serializer):
    today = DateField(
        default=local_today,
        help_text="Retain what has been withheld and unremedied for the contract's "
        "retain_after_months before this date. Defaults to today.",
    )
