"""Browser forms for contracts and the contract-management process. They only
validate input; the writes and their business rules are in contracts.services
and contracts.notices, whose ValidationErrors `add_service_errors` maps back
onto the form's fields."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from contracts.choices import MeetingOutcome, OrganisationKind
from contracts.models import Contract, Organisation, PopulationGroup
from core.forms import NHSForm, date_field, money_field, month_field

MAX_CONTRACT_YEARS = 15


# --- Contracts ---


class ContractForm(NHSForm):
    reference = forms.CharField(label="Contract reference", max_length=40)
    title = forms.CharField(label="Title", max_length=200)
    commissioner = forms.ModelChoiceField(
        label="Commissioner", queryset=Organisation.objects.none(), empty_label=None
    )
    provider = forms.ModelChoiceField(
        label="Provider or provider network",
        queryset=Organisation.objects.none(),
        empty_label="Choose a provider or network",
    )
    service = forms.CharField(label="Service", max_length=200)
    population_group = forms.ModelChoiceField(
        label="Population group (optional)",
        queryset=PopulationGroup.objects.all(),
        required=False,
        empty_label="None",
    )
    start_date = date_field("Start date")
    end_date = date_field("End date", help_text="The last day of the contract.")
    payment_model = forms.ChoiceField(label="Payment model", choices=Contract.PaymentModel.choices)

    def __init__(self, *args, commissioners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commissioner"].queryset = commissioners
        self.fields["provider"].queryset = Organisation.objects.filter(
            kind__in=(OrganisationKind.PROVIDER, OrganisationKind.NETWORK), is_active=True
        ).order_by("name")

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip()
        if Contract.objects.filter(reference=reference).exists():
            raise ValidationError("A contract with this reference already exists.")
        return reference

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end:
            if end <= start:
                self.add_error("end_date", "The end date must be after the start date.")
            elif end.year - start.year > MAX_CONTRACT_YEARS:
                self.add_error(
                    "end_date", f"A contract can run for at most {MAX_CONTRACT_YEARS} years."
                )
        return cleaned


class DeclineForm(NHSForm):
    reason = forms.CharField(
        label="Why are you declining the offer?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="The commissioner sees this, and the contract's history keeps it.",
    )


class TerminateForm(NHSForm):
    terminated_on = date_field(
        "Last day of the contract", help_text="Nothing is expected of months after it."
    )
    reason = forms.CharField(
        label="Why is the contract ending early?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ContractYearsForm(NHSForm):
    """A contract value and a planned budget for each contract year."""

    def __init__(self, *args, bounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.bounds = bounds
        for number, (start, end) in enumerate(bounds, start=1):
            span = f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
            self.fields[f"year_{number}_contract_value"] = money_field(
                f"Year {number} contract value (£), {span}"
            )
            self.fields[f"year_{number}_planned_budget"] = money_field(
                f"Year {number} planned budget (£), {span}"
            )
        self.name_errors()

    def years(self) -> list[dict[str, Decimal]]:
        return [
            {
                "contract_value": self.cleaned_data[f"year_{n}_contract_value"],
                "planned_budget": self.cleaned_data[f"year_{n}_planned_budget"],
            }
            for n in range(1, len(self.bounds) + 1)
        ]


# --- Notices ---


class RaiseNoticeForm(NHSForm):
    title = forms.CharField(label="Title", max_length=200)
    concern = forms.CharField(
        label="The performance concern",
        help_text="What is wrong, with the evidence.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    metrics = forms.ModelMultipleChoiceField(
        label="Metrics concerned",
        queryset=None,  # the contract's metrics: contracts.selectors.contract_metrics
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    obligations = forms.CharField(
        label="Contract obligations concerned (optional)",
        help_text="Obligations that are not metrics, for example a schedule or clause.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, metrics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metrics"].queryset = metrics


def reason_field(label="Reason"):
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 3}))


class StepForm(NHSForm):
    """A dated, reasoned step; `on` is the date the step happened."""

    on_label = "Date"
    on = date_field("Date")
    reason = reason_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].label = self.on_label


class RecordMeetingForm(StepForm):
    on_label = "Date of the contract management meeting"
    outcome = forms.ChoiceField(
        label="What the meeting decided",
        choices=MeetingOutcome.choices,
        widget=forms.RadioSelect,
    )
    field_order = ["on", "outcome", "reason"]


class ConcludeInvestigationForm(StepForm):
    on_label = "Date the investigation concluded"
    plan_needed = forms.TypedChoiceField(
        label="Is a remedial action plan needed?",
        choices=[("yes", "Yes, a remedial action plan is needed"), ("no", "No, withdraw")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    field_order = ["on", "plan_needed", "reason"]


class AgreePlanForm(StepForm):
    on_label = "Date the plan was agreed"


class MilestoneForm(NHSForm):
    description = forms.CharField(label="Milestone", max_length=300)
    owner = forms.CharField(label="Owner (person responsible)", max_length=200)
    owner_organisation = forms.ModelChoiceField(
        label="Owner's organisation", queryset=Organisation.objects.none()
    )
    due_on = date_field("Due on")

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_organisation"].queryset = parties


class BaseMilestoneFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not any(form.has_changed() for form in self.forms):
            raise ValidationError("A remedial action plan needs at least one milestone.")

    def milestones(self) -> list[dict]:
        return [
            form.cleaned_data for form in self.forms if form.has_changed() and form.cleaned_data
        ]


MilestoneFormSet = forms.formset_factory(
    MilestoneForm, formset=BaseMilestoneFormSet, extra=3, max_num=20
)


class CompleteMilestoneForm(StepForm):
    on_label = "Date completed"
    milestone = forms.ModelChoiceField(label="Milestone", queryset=None)
    field_order = ["milestone", "on", "reason"]

    def __init__(self, *args, milestones, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = milestones


class WithholdForm(StepForm):
    on_label = "Date of the decision"
    month = forms.DateField(
        label="Month withheld from",
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}),
        help_text="For example 2025-06.",
    )
    percent = forms.DecimalField(
        label="Percentage of the monthly contract value",
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    field_order = ["month", "percent", "on", "reason"]


# --- Financial plan and actual cost ---


class ActualCostForm(NHSForm):
    """A month's actual cost; recording a month again corrects it (the earlier
    figure is kept in history)."""

    month = month_field("Month", help_text="For example 2025-06.")
    amount = money_field("Actual cost (£)")
    note = forms.CharField(label="Note (optional)", max_length=300, required=False)


class MonthlyPlanForm(NHSForm):
    """A contract year's planned budget split by month: one amount per month,
    labelled by the month. The months must add up to the year's budget."""

    def __init__(self, *args, months, **kwargs):
        super().__init__(*args, **kwargs)
        self.months = months
        for number, month in enumerate(months, start=1):
            self.fields[f"month_{number}"] = money_field(f"{month:%B %Y} (£)")
        self.name_errors()

    def amounts(self) -> dict:
        return {
            month: self.cleaned_data[f"month_{number}"].quantize(Decimal("0.01"))
            for number, month in enumerate(self.months, start=1)
        }
