"""Browser forms for dialogues. They only validate input and offer choices
within the person's scope; the rules are in dialogues.services and
dialogues.agenda, whose errors core.forms.add_service_errors maps back
onto the fields."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.forms.models import model_to_dict

from contracts.access import PRIVATE_DATA_ROLES
from contracts.choices import OrganisationKind
from contracts.models import Contract, Membership, Organisation, PerformanceNotice
from core.forms import NHSForm, date_field
from dialogues.choices import ActionStatus, Attendance, MeetingType, ReminderKind, SeriesLevel
from dialogues.services import actions
from outcomes.models import Metric


def person_name(user) -> str:
    return user.get_full_name() or user.username


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_name(obj)


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return person_name(obj)


def whole_number(label: str, what: str, low: int, high: int, **kwargs) -> forms.IntegerField:
    """A whole number from `low` to `high` whose errors name the field and
    the range ("Days before a due date must be 1 or more."), not Django's
    "Ensure this value is greater than or equal to 1."."""
    field = forms.IntegerField(label=label, min_value=low, max_value=high, **kwargs)
    field.error_messages.update(
        min_value=f"{what} must be {low} or more.",
        max_value=f"{what} must be {high} or fewer.",
        invalid=f"{what} must be a whole number from {low} to {high}.",
    )
    return field


class SeriesForm(NHSForm):
    title = forms.CharField(label="Title", max_length=200)
    level = forms.ChoiceField(label="Level", choices=SeriesLevel.choices, widget=forms.RadioSelect)
    meeting_type = forms.ChoiceField(label="Type of meeting", choices=MeetingType.choices)
    provider = forms.ModelChoiceField(label="Network or provider", queryset=Organisation.objects)
    contract = forms.ModelChoiceField(label="Contract", queryset=Contract.objects, required=False)
    rrule = forms.CharField(
        label="Recurrence rule",
        required=False,
        max_length=300,
        help_text="An RFC 5545 rule. Every Tuesday: FREQ=WEEKLY;BYDAY=TU. Second Tuesday "
        "of each month: FREQ=MONTHLY;BYDAY=2TU. Quarterly: FREQ=MONTHLY;INTERVAL=3;BYDAY=3WE.",
    )
    starts_on = date_field("First meeting date")
    start_time = forms.TimeField(
        label="Start time (UK time)",
        widget=forms.TimeInput(
            format="%H:%M", attrs={"type": "time", "class": "nhsuk-input nhsuk-input--width-5"}
        ),
    )
    duration_minutes = whole_number(
        "Length in minutes", "The length in minutes", 5, 480, initial=60
    )
    ends_on = date_field("Last date (optional)", required=False)
    location = forms.CharField(label="Where (optional)", max_length=200, required=False)
    organisations = forms.ModelMultipleChoiceField(
        label="Participating organisations",
        queryset=Organisation.objects,
        widget=forms.CheckboxSelectMultiple,
    )
    participants = PeopleField(
        label="Participants",
        queryset=get_user_model().objects,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="They get the meetings in their calendar feed.",
    )
    chair = PersonChoiceField(label="Chair", queryset=get_user_model().objects)
    agenda_days_before = whole_number(
        "Draft the agenda this many days before",
        "Days before the meeting to draft the agenda",
        0,
        60,
        initial=5,
    )

    def __init__(self, *args, user, series=None, **kwargs):
        """Participants can come from the organisations `user` can see and the
        commissioners of the contracts they can see, so that a network
        manager can set up (and edit, keeping them) series with the
        commissioner. A saved `series` keeps its contract for its whole life:
        the field shows it and takes nothing."""
        super().__init__(*args, **kwargs)
        contracts = Contract.objects.visible_to(user)
        visible = Organisation.objects.filter(
            Q(pk__in=Organisation.objects.visible_to(user).values("id"))
            | Q(pk__in=contracts.values("commissioner_id"))
        )
        self.fields["provider"].queryset = visible.exclude(
            kind=OrganisationKind.COMMISSIONER
        ).order_by("name")
        self.fields["organisations"].queryset = visible.order_by("name")
        self.fields["contract"].queryset = contracts.order_by("reference")
        if series is not None:
            field = self.fields["contract"]
            field.disabled, field.initial = True, series.contract
            field.help_text = "A series stays with its contract for its whole life."
        people = (
            get_user_model()
            .objects.filter(
                memberships__organisation__in=visible.values("id"),
                memberships__role__in=PRIVATE_DATA_ROLES,
            )
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        self.fields["participants"].queryset = people
        self.fields["chair"].queryset = people


class OwnerChoiceField(forms.ModelChoiceField):
    """A person and the organisation they act for, in one choice. A choice
    not offered gets the rule, as the API gives it, not Django's "Select a
    valid choice": `where` names what the owner must take part in."""

    where = "this meeting"

    def label_from_instance(self, obj):
        return f"{person_name(obj.user)} ({obj.organisation.name})"

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError as exc:
            if exc.code != "invalid_choice":
                raise
            known = (
                Membership.objects.filter(pk=value).select_related("user").first()
                if str(value).isdigit()
                else None
            )
            if known is None:
                raise forms.ValidationError(
                    "Choose an owner from the list.", "invalid_choice"
                ) from None
            raise forms.ValidationError(
                f"{person_name(known.user)} is not in any organisation taking part in "
                f"{self.where}.",
                "invalid_choice",
            ) from None


class ActionForm(NHSForm):
    """The quick action log: what, who, by when."""

    title = forms.CharField(label="Action", max_length=300)
    owner = OwnerChoiceField(label="Owner", queryset=Membership.objects)
    due_on = date_field("Due date")
    detail = forms.CharField(
        label="Detail (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, provider, meeting, **kwargs):
        """Owners are the people of the organisations taking part in `meeting`
        (the network and its members for an action raised outside one)."""
        super().__init__(*args, **kwargs)
        self.fields["owner"].where = provider.name if meeting is None else "this meeting"
        self.fields["owner"].queryset = (
            Membership.objects.filter(
                organisation_id__in=actions.owner_organisation_ids(provider, meeting),
                role__in=PRIVATE_DATA_ROLES,
            )
            .select_related("user", "organisation")
            .order_by("user__first_name", "user__last_name", "organisation__name")
        )

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        membership = data.pop("owner")
        return {**data, "owner": membership.user, "owner_organisation": membership.organisation}


class EditActionForm(ActionForm):
    """Change an open action: the quick log's fields and what it links to."""

    metric = forms.ModelChoiceField(
        label="Metric (optional)",
        queryset=Metric.objects,
        required=False,
        empty_label="None",
    )
    organisation = forms.ModelChoiceField(
        label="Organisation it is about (optional)",
        queryset=Organisation.objects,
        required=False,
        empty_label="None",
    )
    notice = forms.ModelChoiceField(
        label="Performance notice (optional)",
        queryset=PerformanceNotice.objects,
        required=False,
        empty_label="None",
    )

    def __init__(self, *args, action, user, **kwargs):
        """Filled in with the action as it is; metrics are those of the
        contracts it concerns, notices those `user` can see on the network's
        contracts; each keeps the one it links to."""
        owner = (
            Membership.objects.filter(
                user_id=action.owner_id,
                organisation_id=action.owner_organisation_id,
                role__in=PRIVATE_DATA_ROLES,
            )
            .values_list("pk", flat=True)
            .first()
        )
        fields = ["title", "detail", "due_on", "metric", "organisation", "notice"]
        provider = action.provider
        super().__init__(
            *args,
            provider=provider,
            meeting=action.meeting,
            prefix="edit",
            initial={**model_to_dict(action, fields=fields), "owner": owner},
            **kwargs,
        )
        self.fields["metric"].queryset = Metric.objects.filter(
            Q(pk__in=actions.linkable_metric_ids(provider, action.meeting)) | Q(pk=action.metric_id)
        ).order_by("code")
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=actions.linkable_organisation_ids(provider)
        ).order_by("name")
        # The linked notice stays a choice even if `user` cannot see its
        # contract, so saving other fields does not unlink it.
        visible = PerformanceNotice.objects.visible_to(user).filter(contract__provider=provider)
        self.fields["notice"].queryset = (
            PerformanceNotice.objects.filter(Q(pk__in=visible) | Q(pk=action.notice_id))
            .select_related("contract")
            .order_by("-raised_on", "pk")
        )


class StatusForm(NHSForm):
    status = forms.ChoiceField(label="New status", choices=ActionStatus.choices)
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=1000,
        help_text="Needed to drop an action or reopen a closed one.",
    )


class AttendanceForm(forms.Form):
    """One radio group per expected person: present, apologies, absent."""

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(person.pk): person for person in people}
        for pk, person in self.people.items():
            self.fields[f"person_{pk}"] = forms.ChoiceField(
                label=person_name(person),
                choices=Attendance.choices,
                widget=forms.RadioSelect(attrs={"class": "nhsuk-radios__input"}),
                required=False,
            )

    def entries(self):
        return [
            (self.people[name.removeprefix("person_")], value)
            for name, value in self.cleaned_data.items()
            if value
        ]


class MinutesForm(NHSForm):
    minutes = forms.CharField(
        label="Minutes", required=False, widget=forms.Textarea(attrs={"rows": 8})
    )


class DecisionForm(NHSForm):
    text = forms.CharField(label="Decision", widget=forms.Textarea(attrs={"rows": 2}))


class AgendaItemForm(NHSForm):
    title = forms.CharField(label="Agenda item", max_length=300)
    detail = forms.CharField(
        label="Detail (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MilestoneForm(NHSForm):
    description = forms.CharField(label="Milestone", max_length=300)
    due_on = date_field("Milestone date")


class EvidenceForm(NHSForm):
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(
        label="File (optional)",
        required=False,
        help_text="PDF, Word, Excel, PowerPoint, CSV, text or an image; 10 MB at most.",
        widget=forms.ClearableFileInput(attrs={"class": "nhsuk-file-upload"}),
    )


class ActionFilterForm(forms.Form):
    """The action log's filters (GET)."""

    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("live", "Open or in progress"), ("", "Any"), *ActionStatus.choices],
    )
    mine = forms.BooleanField(label="Only my actions", required=False)
    overdue = forms.BooleanField(label="Only overdue actions", required=False)
    organisation = forms.ModelChoiceField(
        label="Organisation", queryset=Organisation.objects, required=False, empty_label="Any"
    )
    owner = PersonChoiceField(
        label="Owner", queryset=get_user_model().objects, required=False, empty_label="Anyone"
    )
    due_after = date_field("Due from", required=False)
    due_before = date_field("Due by", required=False)

    def __init__(self, *args, user, **kwargs):
        """Owners to choose from are the people owning actions `user` can
        see (one query: the actions are a subquery)."""
        from dialogues.models import Action

        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.visible_to(user).order_by(
            "name"
        )
        self.fields["owner"].queryset = (
            get_user_model()
            .objects.filter(pk__in=Action.objects.visible_to(user).values("owner_id"))
            .order_by("first_name", "last_name", "username")
        )
        self.fields["owner"].error_messages["invalid_choice"] = "Choose an owner from the list."
        for name in ("status", "organisation", "owner"):
            self.fields[name].widget.attrs["class"] = "nhsuk-select"
        for name in ("mine", "overdue"):
            self.fields[name].widget.attrs["class"] = "nhsuk-checkboxes__input"
        for name in ("due_after", "due_before"):
            self.fields[name].widget.attrs["class"] = "nhsuk-input nhsuk-input--width-10"

    def clean(self):
        data = super().clean()
        after, before = data.get("due_after"), data.get("due_before")
        if after and before and before < after:
            self.add_error("due_before", "Due by must be on or after due from.")
        return data


class PreferenceForm(NHSForm):
    """What reminders a person receives, and how early."""

    action_due_soon = forms.BooleanField(label=ReminderKind.ACTION_DUE_SOON.label, required=False)
    action_overdue = forms.BooleanField(label=ReminderKind.ACTION_OVERDUE.label, required=False)
    agenda_ready = forms.BooleanField(label=ReminderKind.AGENDA_READY.label, required=False)
    data_due = forms.BooleanField(label=ReminderKind.DATA_DUE.label, required=False)
    data_late = forms.BooleanField(label=ReminderKind.DATA_LATE.label, required=False)
    days_before = whole_number(
        "Days before a due date to remind me", "Days before a due date", 1, 14
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days_before"].widget.attrs["class"] = "nhsuk-input nhsuk-input--width-2"
