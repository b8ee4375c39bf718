"""Browser forms for submitting data, reviewing it and browsing metrics.
They only validate input: the writes are in outcomes.services.submissions and
outcomes.services.reviews (contracts.forms has the house style)."""

from django import forms
from django.core.exceptions import ValidationError

from contracts.choices import Side
from contracts.models import PopulationGroup
from core.forms import NHSForm, date_field, month_field
from outcomes.choices import Frequency
from outcomes.models import Dimension, Metric
from outcomes.services.submissions import max_upload_bytes, too_big
from outcomes.validation import COLUMNS


class UploadForm(NHSForm):
    file = forms.FileField(
        label="CSV file",
        help_text="A UTF-8 CSV file with the columns " + ", ".join(COLUMNS) + ".",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].error_messages.update(
            {
                "required": "Select a CSV file to upload.",
                "empty": "The selected file is empty.",
                "invalid": "Select a CSV file to upload.",
            }
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Refused before it is read into memory: the service's own limit and message.
        if upload.size > max_upload_bytes():
            raise ValidationError(too_big(upload.size))
        return upload


class ReviewForm(NHSForm):
    """A commissioner's decision on one organisation's data for one period.
    Every decision is a valid choice here; outcomes.services.reviews says which one
    applies (e.g. only an accepted period can be unlocked)."""

    decision = forms.ChoiceField(
        label="Decision",
        choices=[
            ("accept", "Accept and lock the period"),
            ("query", "Query the data"),
            ("unlock", "Unlock the period for resubmission"),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        max_length=2000,
        help_text="Needed to query the data or unlock the period.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].error_messages["required"] = "Select a decision."


NATIONAL_CHOICES = [("", "National and local"), ("national", "National"), ("local", "Local")]


class MetricFilterForm(NHSForm):
    """GET filters for the outcomes and metrics browser; every one optional."""

    dimension = forms.ModelChoiceField(
        label="Dimension",
        queryset=Dimension.objects.all(),
        required=False,
        empty_label="All dimensions",
    )
    population_group = forms.ModelChoiceField(
        label="Population group",
        queryset=PopulationGroup.objects.all(),
        required=False,
        empty_label="All population groups",
    )
    submitted_by = forms.ChoiceField(
        label="Who submits it",
        choices=[("", "Either side"), *Side.choices],
        required=False,
    )
    frequency = forms.ChoiceField(
        label="How often", choices=[("", "Any frequency"), *Frequency.choices], required=False
    )
    national = forms.ChoiceField(
        label="National or local", choices=NATIONAL_CHOICES, required=False
    )

    def filter(self, metrics):
        if not self.is_valid():
            return metrics
        data = self.cleaned_data
        if data["dimension"]:
            metrics = metrics.filter(dimension=data["dimension"])
        if data["population_group"]:
            metrics = metrics.filter(outcome__population_group=data["population_group"])
        if data["submitted_by"]:
            metrics = metrics.filter(submitted_by=data["submitted_by"])
        if data["frequency"]:
            metrics = metrics.filter(frequency=data["frequency"])
        if data["national"]:
            metrics = metrics.filter(is_national=data["national"] == "national")
        return metrics


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


class VariationForm(NHSForm):
    """New terms for one of an agreed contract's metrics, or a metric to add,
    from a month: a proposal for the other party to answer."""

    metric = forms.ModelChoiceField(
        label="Metric",
        queryset=Metric.objects.select_related("dimension").order_by("code"),
        empty_label="Choose a metric",
    )
    effective_from = month_field(
        "From the month", help_text="Earlier months keep the terms they had."
    )
    minimum_threshold = forms.DecimalField(
        label="Minimum threshold", max_digits=14, decimal_places=4
    )
    target = forms.DecimalField(label="Target", max_digits=14, decimal_places=4)
    baseline = forms.DecimalField(
        label="Baseline (optional)",
        max_digits=14,
        decimal_places=4,
        required=False,
        help_text="Leave empty to keep the metric's baseline.",
    )
    weight = forms.DecimalField(
        label="Weight within its dimension (optional)",
        max_digits=6,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text="Leave empty to keep the metric's weight (1 for a metric added).",
    )
    reason = forms.CharField(
        label="Why should the terms change?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The other party sees this when they answer.",
    )


class RejectVariationForm(NHSForm):
    reason = forms.CharField(
        label="Why are you rejecting this variation?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
