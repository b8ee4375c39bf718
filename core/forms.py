"""The base of every Concord form: NHS.UK widget classes, error messages that
name their field (as the NHS.UK error summary needs), the rules for what
people type (core.inputs: dates in the years 2000 to 2100, no NHS numbers in
text), the date, month and money fields, and `add_service_errors`, which
puts a service's ValidationError back onto the fields it names."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict

from core import inputs

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
        self.add_input_rules()

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

    def add_input_rules(self):
        """Every date in the years 2000 to 2100, and no text that looks like
        an NHS number, each error naming its field (core.inputs)."""
        for field in self.fields.values():
            name = str(field.label)
            if isinstance(field, forms.DateField | forms.DateTimeField):
                field.validators.append(date_in_range(name))
            if isinstance(field, forms.CharField):
                field.validators.append(no_nhs_number(name))


def date_in_range(name: str):
    def validate(value):
        if not inputs.date_in_range(value):
            raise ValidationError(f"{name} must be {inputs.DATE_RANGE}.", code="out_of_range")

    return validate


def no_nhs_number(name: str):
    def validate(value):
        if inputs.holds_nhs_number(value):
            raise ValidationError(
                f"{name} looks like it holds an NHS number. Concord holds aggregate data "
                "only: remove patient identifiers.",
                code="nhs_number",
            )

    return validate


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


def month_field(label, **kwargs):
    return forms.DateField(
        label=label,
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}),
        **kwargs,
    )
