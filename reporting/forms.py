"""Reporting's forms: publishing and withdrawing a scorecard (either kind),
and the audit trail's filters for its page and API."""

from django import forms
from django.core.exceptions import ValidationError

from contracts.models import Contract, Organisation
from core.forms import NHSForm, date_field
from reporting.audit_trail import KIND_CHOICES, SOURCES, Filters


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


class PublishForm(NHSForm):
    """A scorecard's title and summary, for either kind: `hint` says how the
    summary starts (publishing.Subject.summary_hint)."""

    title = forms.CharField(label="Title", max_length=200)
    summary = forms.CharField(
        label="Summary for lay readers", widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args, hint: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["summary"].help_text = (
            f"In plain English: {hint}, what is improving and what is being done about "
            "what is not. This text is published as you write it."
        )


class WithdrawForm(NHSForm):
    reason = forms.CharField(
        label="Reason for withdrawing",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="This is shown to the public in place of the scorecard.",
    )
