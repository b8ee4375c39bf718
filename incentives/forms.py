"""Browser forms for incentives. They check the shape of the input; the rules
(bands, corridors, weights...) are checked by incentives.services, whose
errors are put back on the form by `add_scheme_errors`."""

from decimal import Decimal

from django import forms

from core.forms import NHSForm
from incentives import defaults
from incentives.services import SCHEME_PARAMETERS

BAND_ROWS, CORRIDOR_ROWS, INDICATOR_ROWS = 6, 4, 5
GROUPS = ("bands", "corridors", "indicators")


def percent_field(label, required=True, **kwargs):
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=6,
        decimal_places=3,
        widget=forms.NumberInput(
            attrs={"class": "nhsuk-input nhsuk-input--width-5", "step": "any"}
        ),
        **kwargs,
    )


class SchemeForm(forms.Form):
    """A new version of a contract's scheme, prefilled from the latest one."""

    effective_from_year = forms.TypedChoiceField(
        label="Applies from contract year",
        coerce=int,
        widget=forms.Select(attrs={"class": "nhsuk-select"}),
    )
    gateway_score = percent_field("Quality gateway (score)", help_text="No gain share below it.")
    support_threshold = percent_field(
        "Support threshold (score)", help_text="A support plan is raised below it."
    )
    penalty_threshold = percent_field(
        "Penalty threshold (score)", help_text="A penalty applies below it."
    )
    penalty_rate = percent_field("Penalty rate (% of contract value per point below the threshold)")
    penalty_cap = percent_field("Penalty cap (% of contract value)")
    quality_pot = percent_field(
        "Quality payment pot (% of contract value)",
        help_text="The indicators' weights must add up to it.",
    )
    minimum_coverage = percent_field(
        "Minimum coverage (% of the year's months with a score)",
        help_text="With fewer scored months, the year has no score.",
    )
    support_plan_due_days = forms.IntegerField(
        label="Days to carry out a support plan",
        min_value=1,
        max_value=365,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input nhsuk-input--width-4"}),
    )
    at_risk_percents = forms.CharField(
        label="Outcome payment at risk (% of contract value, by contract year)",
        required=False,
        help_text="Capitated outcomes-based contracts, e.g. 0, 10, 10, 15, 15. Leave empty "
        "for none.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input nhsuk-input--width-20"}),
    )
    reason = forms.CharField(
        label="Why this version",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"class": "nhsuk-input"}),
    )

    def __init__(self, *args, contract, metrics, **kwargs):
        super().__init__(*args, **kwargs)
        self.group_errors: dict[str, list[str]] = {name: [] for name in GROUPS}
        self.fields["effective_from_year"].choices = [
            (year.number, f"Year {year.number} ({year.start_date:%B %Y} to {year.end_date:%B %Y})")
            for year in contract.years.all()
        ]
        for n in range(1, BAND_ROWS + 1):
            self.fields[f"band_{n}_lower"] = percent_field(f"Band {n} from score", required=False)
            self.fields[f"band_{n}_upper"] = percent_field(f"Band {n} to score", required=False)
            self.fields[f"band_{n}_share"] = percent_field(
                f"Band {n}: network keeps (%)", required=False
            )
        for n in range(1, CORRIDOR_ROWS + 1):
            self.fields[f"corridor_{n}_lower"] = percent_field(
                f"Corridor {n} from (% of budget)", required=False
            )
            self.fields[f"corridor_{n}_upper"] = percent_field(
                f"Corridor {n} to (% of budget; empty: and above)", required=False
            )
            self.fields[f"corridor_{n}_share"] = percent_field(
                f"Corridor {n}: network carries (%)", required=False
            )
        choices = [("", "None")] + [(m.code, f"{m.code}: {m.name}") for m in metrics]
        self.metrics = {m.code: m for m in metrics}
        for n in range(1, INDICATOR_ROWS + 1):
            self.fields[f"indicator_{n}_metric"] = forms.ChoiceField(
                label=f"Indicator {n} metric",
                choices=choices,
                required=False,
                widget=forms.Select(attrs={"class": "nhsuk-select"}),
            )
            for part, label in (
                ("minimum", "nothing earned at"),
                ("maximum", "full payment at"),
                ("weight", "weight (% of contract value)"),
            ):
                self.fields[f"indicator_{n}_{part}"] = forms.DecimalField(
                    label=f"Indicator {n} {label}",
                    required=False,
                    max_digits=14,
                    decimal_places=4,
                    widget=forms.NumberInput(
                        attrs={"class": "nhsuk-input nhsuk-input--width-5", "step": "any"}
                    ),
                )

    def rows(self, prefix: str, count: int, parts: tuple[str, ...]):
        return [[self[f"{prefix}_{n}_{part}"] for part in parts] for n in range(1, count + 1)]

    def band_rows(self):
        return self.rows("band", BAND_ROWS, ("lower", "upper", "share"))

    def corridor_rows(self):
        return self.rows("corridor", CORRIDOR_ROWS, ("lower", "upper", "share"))

    def indicator_rows(self):
        return self.rows("indicator", INDICATOR_ROWS, ("metric", "minimum", "maximum", "weight"))

    def clean_at_risk_percents(self):
        text = self.cleaned_data["at_risk_percents"].strip()
        if not text:
            return []
        values = []
        for part in text.split(","):
            try:
                values.append(Decimal(part.strip()))
            except ArithmeticError as exc:
                raise forms.ValidationError(
                    f"'{part.strip()}' is not a number: give percentages separated by commas."
                ) from exc
        return values

    def service_arguments(self) -> dict:
        """The cleaned form as create_scheme_version's keyword arguments."""
        data = self.cleaned_data
        filled = [n for n in range(1, BAND_ROWS + 1) if data.get(f"band_{n}_lower") is not None]
        bands = [
            {
                "lower": data[f"band_{n}_lower"],
                "upper": data[f"band_{n}_upper"],
                "network_share": data[f"band_{n}_share"],
            }
            for n in filled
        ]
        corridors = [
            {
                "lower": data[f"corridor_{n}_lower"],
                "upper": data[f"corridor_{n}_upper"],
                "network_share": data[f"corridor_{n}_share"],
            }
            for n in range(1, CORRIDOR_ROWS + 1)
            if data.get(f"corridor_{n}_lower") is not None
        ]
        indicators = [
            {
                "metric": self.metrics[data[f"indicator_{n}_metric"]],
                "minimum": data[f"indicator_{n}_minimum"],
                "maximum": data[f"indicator_{n}_maximum"],
                "weight": data[f"indicator_{n}_weight"],
            }
            for n in range(1, INDICATOR_ROWS + 1)
            if data.get(f"indicator_{n}_metric")
        ]
        return {
            **{name: data[name] for name in SCHEME_PARAMETERS},
            "effective_from_year": data["effective_from_year"],
            "support_plan_due_days": data["support_plan_due_days"],
            "at_risk_percents": data["at_risk_percents"],
            "reason": data["reason"],
            "bands": bands,
            "corridors": corridors,
            "indicators": indicators,
        }

    def clean(self):
        data = super().clean()
        for prefix, count, parts in (
            ("band", BAND_ROWS, ("lower", "upper", "share")),
            ("corridor", CORRIDOR_ROWS, ("lower", "share")),
            ("indicator", INDICATOR_ROWS, ("minimum", "maximum", "weight")),
        ):
            for n in range(1, count + 1):
                started = any(
                    data.get(f"{prefix}_{n}_{part}") not in (None, "")
                    for part in (*parts, "metric")
                    if f"{prefix}_{n}_{part}" in self.fields
                )
                if not started:
                    continue
                for part in parts:
                    if data.get(f"{prefix}_{n}_{part}") is None:
                        self.add_error(f"{prefix}_{n}_{part}", "Fill in this row or clear it.")
                if prefix == "indicator" and not data.get(f"indicator_{n}_metric"):
                    self.add_error(f"indicator_{n}_metric", "Choose the indicator's metric.")
        return data


def initial_from(scheme, next_year: int) -> dict:
    """Form values copied from a scheme version (or the defaults when None)."""
    from core.numbers import plain
    from incentives.models import IncentiveScheme

    if scheme is None:
        initial = {
            name: plain(IncentiveScheme._meta.get_field(name).default) for name in SCHEME_PARAMETERS
        }
        initial["support_plan_due_days"] = defaults.SUPPORT_PLAN_DUE_DAYS
        initial["effective_from_year"] = 1
        bands, corridors = defaults.BANDS, defaults.CORRIDORS
        indicators = []
    else:
        initial = {name: plain(getattr(scheme, name)) for name in SCHEME_PARAMETERS}
        initial["support_plan_due_days"] = scheme.support_plan_due_days
        initial["at_risk_percents"] = ", ".join(scheme.at_risk_percents)
        initial["effective_from_year"] = next_year
        bands = [(b.lower, b.upper, b.network_share) for b in scheme.bands.all()]
        corridors = [(c.lower, c.upper, c.network_share) for c in scheme.corridors.all()]
        indicators = [
            (i.metric.code, i.minimum, i.maximum, i.weight) for i in scheme.indicators.all()
        ]
    for n, (lower, upper, share) in enumerate(bands, start=1):
        initial.update(
            {f"band_{n}_lower": plain(Decimal(lower)), f"band_{n}_upper": plain(Decimal(upper))}
        )
        initial[f"band_{n}_share"] = plain(Decimal(share))
    for n, (lower, upper, share) in enumerate(corridors, start=1):
        initial[f"corridor_{n}_lower"] = plain(Decimal(lower))
        initial[f"corridor_{n}_upper"] = None if upper is None else plain(Decimal(upper))
        initial[f"corridor_{n}_share"] = plain(Decimal(share))
    for n, (code, minimum, maximum, weight) in enumerate(indicators, start=1):
        initial[f"indicator_{n}_metric"] = code
        initial[f"indicator_{n}_minimum"] = plain(minimum)
        initial[f"indicator_{n}_maximum"] = plain(maximum)
        initial[f"indicator_{n}_weight"] = plain(weight)
    return initial


def add_scheme_errors(form: SchemeForm, error) -> None:
    """Put the service's errors on the form: parameters on their fields,
    band/corridor/indicator rules above their tables."""
    for name, messages in error.message_dict.items():
        if name in GROUPS:
            form.group_errors[name].extend(messages)
            form.add_error(None, messages)
        elif name in form.fields:
            for message in messages:
                form.add_error(name, message)
        else:
            form.add_error(None, messages)


class WhatIfForm(forms.Form):
    score = forms.DecimalField(
        label="Aggregate score",
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        help_text="0 to 100. Leave empty to keep the year's score.",
        widget=forms.NumberInput(
            attrs={"class": "nhsuk-input nhsuk-input--width-5", "step": "any"}
        ),
    )
    actual_cost = forms.DecimalField(
        label="Actual cost (£)",
        required=False,
        min_value=0,
        decimal_places=2,
        max_digits=14,
        help_text="Leave empty to keep the year's actual cost.",
        widget=forms.NumberInput(
            attrs={"class": "nhsuk-input nhsuk-input--width-10", "step": "any"}
        ),
    )


class CommentForm(NHSForm):
    text = forms.CharField(label="Your comment", widget=forms.Textarea(attrs={"rows": 4}))
