"""Browser forms for contracts and the contract-management process. They only
validate input; the writes and their business rules are in contracts.services
and contracts.notices, whose ValidationErrors `add_service_errors` maps back
onto the form's fields."""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict

from contracts.audit_trail import KIND_CHOICES, SOURCES, Filters
from contracts.choices import MeetingOutcome, OrganisationKind
from contracts.models import Contract, Organisation
from outcomes.choices import Side
from outcomes.models import Metric, PopulationGroup

# The NHS.UK class for each widget type (BoundField.widget_type).
WIDGET_CLASSES = {
    "text": "nhsuk-input",
    "number": "nhsuk-input",
    "date": "nhsuk-input",
    "textarea": "nhsuk-textarea",
    "select": "nhsuk-select",
    "radioselect": "nhsuk-radios__input",
    "checkboxselectmultiple": "nhsuk-checkboxes__input",
    "checkbox": "nhsuk-checkboxes__input",
}
ERROR_CLASSES = {
    "nhsuk-input": "nhsuk-input--error",
    "nhsuk-textarea": "nhsuk-textarea--error",
    "nhsuk-select": "nhsuk-select--error",
}
MAX_CONTRACT_YEARS = 15


class NHSBoundField(forms.BoundField):
    """Adds the NHS.UK class (and its error variant) to every widget."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        css = WIDGET_CLASSES.get(self.widget_type)
        if css:
            classes = [css, attrs.get("class", "")]
            if self.widget_type in ("number", "date"):
                classes.append("nhsuk-input--width-10")
            if self.errors and css in ERROR_CLASSES:
                classes.append(ERROR_CLASSES[css])
            attrs["class"] = " ".join(c for c in classes if c)
        return attrs


class NHSForm(forms.Form):
    """Error messages name their field, as the NHS.UK error summary needs."""

    bound_field_class = NHSBoundField
    # A draft is re-shown with what was typed but not validated yet (e.g. after
    # "Add another milestone"), so it shows no errors.
    draft = False

    @property
    def errors(self):
        return ErrorDict() if self.draft else super().errors

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.name_errors()

    def name_errors(self):
        for field in self.fields.values():
            name = str(field.label)
            lower = name[0].lower() + name[1:]
            choose = isinstance(field.widget, forms.Select | forms.RadioSelect)
            messages = {"required": f"{'Select' if choose else 'Enter'} {lower}."}
            if isinstance(field, forms.DateField):
                messages["invalid"] = f"{name} must be a real date."
            if isinstance(field, forms.DecimalField):
                messages["invalid"] = f"{name} must be a number."
                messages["min_value"] = f"{name} cannot be negative."
            field.error_messages.update(messages)


def date_field(label, **kwargs):
    return forms.DateField(
        label=label,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        **kwargs,
    )


def money_field(label):
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


MILESTONE_KEY = re.compile(r"^milestones\[(\d+)\]\.(\w+)$")


def add_service_errors(form, error: ValidationError, formset=None) -> None:
    """Put a service's ValidationError on the fields it names; errors about
    anything the form has no field for go to the top of the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, messages in error.message_dict.items():
        match = MILESTONE_KEY.match(key)
        if match and formset is not None:
            index, field = int(match.group(1)) - 1, match.group(2)
            rows = [row for row in formset.forms if row.has_changed()]
            if index < len(rows) and field in rows[index].fields:
                for message in messages:
                    rows[index].add_error(field, message)
                continue
        for message in messages:
            if key in form.fields:
                form.add_error(key, message)
            else:
                # NON_FIELD_ERRORS, or a name the form has no field for ("step", "years").
                form.add_error(None, message)


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


class ContractMetricForm(NHSForm):
    metric = forms.ModelChoiceField(
        label="Metric",
        queryset=Metric.objects.select_related("dimension").order_by("code"),
        empty_label="Choose a metric",
    )
    effective_from = date_field(
        "In force from", help_text="Earlier periods keep the terms they had."
    )
    minimum_threshold = forms.DecimalField(
        label="Minimum threshold", max_digits=14, decimal_places=4
    )
    target = forms.DecimalField(label="Target", max_digits=14, decimal_places=4)
    baseline = forms.DecimalField(
        label="Baseline (optional)", max_digits=14, decimal_places=4, required=False
    )
    weight = forms.DecimalField(
        label="Weight within its dimension", max_digits=6, decimal_places=2, initial=1
    )
    is_national = forms.BooleanField(label="Nationally mandated", required=False)
    accountable = forms.ChoiceField(
        label="Which party is accountable",
        choices=Side.choices,
        initial=Side.PROVIDER,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=300,
        help_text="Needed when changing the terms of a metric already in the contract.",
    )

    def clean_weight(self):
        weight = self.cleaned_data["weight"]
        if weight < 0:
            raise ValidationError("The weight cannot be negative.")
        return weight


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
        queryset=Metric.objects.none(),
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


def month_field(label, **kwargs):
    return forms.DateField(
        label=label,
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}),
        **kwargs,
    )


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


class AuditFilterForm(NHSForm):
    """The audit trail's filters (GET), for its page and API. A contract,
    organisation or record outside the person's scope is an
    "invalid_choice" error, which the page and API answer with 404
    (`out_of_scope`), as for any row of another organisation."""

    record = forms.ChoiceField(label="Kind of record", required=False)
    id = forms.IntegerField(label="Record id", required=False, min_value=1)
    contract = forms.TypedChoiceField(
        label="Contract", coerce=int, required=False, empty_value=None
    )
    organisation = forms.ModelChoiceField(
        label="Organisation code",
        queryset=Organisation.objects.none(),
        required=False,
        to_field_name="code",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10"}),
    )
    person = forms.CharField(label="Username", required=False, max_length=150)
    since = date_field("Changed from", required=False)
    until = date_field("Changed by", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["record"].choices = [("", "Any"), *KIND_CHOICES]
        # A list, not a queryset: the select is rendered without a query each time.
        self.contracts = {
            contract.pk: contract
            for contract in Contract.objects.visible_to(user).order_by("reference")
        }
        self.fields["contract"].choices = [
            ("", "Any"),
            *((pk, contract.reference) for pk, contract in self.contracts.items()),
        ]
        self.fields["organisation"].queryset = Organisation.objects.visible_to(user)
        self.fields["organisation"].error_messages["invalid_choice"] = "No such organisation."

    def clean(self):
        data = super().clean()
        record, object_id = data.get("record"), data.get("id")
        if object_id is not None and not record:
            self.add_error("record", "Choose the kind of record the id is of.")
        elif object_id is not None and not SOURCES[record].object_exists(self.user, object_id):
            self.add_error("id", ValidationError("No such record.", code="invalid_choice"))
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "Changed by must be on or after changed from.")
        return data

    def out_of_scope(self) -> bool:
        return any(
            self.has_error(name, "invalid_choice") for name in ("contract", "organisation", "id")
        )

    def filters(self):
        data = self.cleaned_data
        return Filters(
            kind=data["record"],
            object_id=data["id"],
            contract=self.contracts.get(data["contract"]),
            organisation=data["organisation"],
            person=data["person"].strip(),
            since=data["since"],
            until=data["until"],
        )
