"""Browser forms for commissioner assurance; the services check the rules."""

import datetime as dt

from django import forms
from django.utils import timezone

from assurance.choices import Agreement, Certification, Level, PanelResult
from core.forms import NHSForm
from outcomes.models import ContractMetric, Metric


class RoundForm(NHSForm):
    year = forms.IntegerField(label="Year assessed", help_text="For example, 2026.")


class ReturnForm(NHSForm):
    """The panel's reason for returning a round to the commissioner."""

    reason = forms.CharField(
        label="Reason for returning it",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the commissioner should look at again.",
    )


class CertifyForm(NHSForm):
    certification = forms.ChoiceField(
        label="The board certifies that this is",
        choices=Certification.choices,
        widget=forms.RadioSelect,
    )
    evidence = forms.CharField(
        label="Evidence",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Name the documents and decisions that show it.",
    )


class ReviewForm(NHSForm):
    result = forms.ChoiceField(
        label="The panel's review", choices=PanelResult.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed when the panel challenges the self-certification.",
    )


class SurveyOpenForm(NHSForm):
    title = forms.CharField(label="Title", max_length=160)
    closes_on = forms.DateField(
        label="Last day for answers",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The survey closes at the end of this day.",
    )
    minimum_respondents = forms.IntegerField(
        label="Fewest respondents before results are shown",
        initial=5,
        help_text="Fewer answers than this are never shown, so nobody can be identified.",
    )

    def closes_at(self):
        day = self.cleaned_data["closes_on"] + dt.timedelta(days=1)
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class SurveyAnswerForm(NHSForm):
    """One question per statement (any may be left unanswered) and a comment."""

    def __init__(self, *args, statements, **kwargs):
        super().__init__(*args, **kwargs)
        for statement in statements:
            self.fields[f"statement_{statement.number}"] = forms.TypedChoiceField(
                label=f"{statement.number}. {statement.text}",
                choices=Agreement.choices,
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
            )
        self.fields["comment"] = forms.CharField(
            label="Anything else you would like to tell the commissioner",
            required=False,
            widget=forms.Textarea(attrs={"rows": 5}),
            help_text="Do not name yourself or others if you want to stay anonymous.",
        )
        self.name_errors()

    def agreements(self) -> dict[int, int]:
        return {
            int(name.removeprefix("statement_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("statement_") and value not in (None, "")
        }


def level_choices(measure):
    return [
        (level, f"{level} {label}: {measure.level_description(level)}")
        for level, label in Level.choices
    ]


class SelfRatingForm(NHSForm):
    level = forms.TypedChoiceField(label="Level", coerce=int, widget=forms.RadioSelect)
    evidence = forms.CharField(label="Evidence", widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = level_choices(measure)
        self.fields["evidence"].help_text = f"Evidence expected: {measure.evidence_expected}"


class FinalLevelForm(NHSForm):
    level = forms.TypedChoiceField(label="Final level", coerce=int, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed when the final level differs from the self assessment.",
    )

    def __init__(self, *args, measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = level_choices(measure)


class OutcomesForm(NHSForm):
    metrics = forms.ModelMultipleChoiceField(
        label="Outcome metrics",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Up to five locally chosen and five national metrics, from your contracts.",
    )

    def __init__(self, *args, commissioner, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["metrics"]
        contracted = ContractMetric.objects.filter(contract__commissioner=commissioner)
        field.queryset = Metric.objects.filter(pk__in=contracted.values("metric_id")).order_by(
            "-is_national", "code"
        )
        field.label_from_instance = lambda m: (
            f"{m.code} {m.name} ({'national' if m.is_national else 'local'})"
        )
