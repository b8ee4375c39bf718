"""The rules for what people type (core.inputs), and how the forms
(core.forms.NHSForm) and the API (core.api) hold input to them."""

import datetime as dt

import pytest
from django import forms
from rest_framework import serializers

from core import inputs
from core.api import DateField, DateTimeField, PrimaryKeyRelatedField, identifier_errors
from core.forms import NHSForm, date_field

# --- core.inputs ---


@pytest.mark.parametrize(
    "text",
    [
        "9434765919",
        "943 476 5919",
        "943-476-5919",
        "Patient 943 476 5919 fell twice",
        "ward 12 943 476 5919",  # the groups before it do not hide it
        "NHS no. 4010232137.",
    ],
)
def test_text_holding_an_nhs_number_is_found(text):
    assert inputs.holds_nhs_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "9434765918",  # the check digit is wrong
        "94347659190",  # eleven digits: not an NHS number
        "020 7946 0958",  # a phone number: eleven digits
        "2025-04-01",
        "Falls fell by 943 in 2025",
        "1234567890",  # its check digit would be 10, never issued
        "",
    ],
)
def test_text_without_one_is_left_alone(text):
    assert not inputs.holds_nhs_number(text)


def test_dates_lie_in_the_years_2000_to_2100():
    assert inputs.date_in_range(dt.date(2000, 1, 1))
    assert inputs.date_in_range(dt.date(2100, 12, 31))
    assert inputs.date_in_range(dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC))
    assert not inputs.date_in_range(dt.date(1999, 12, 31))
    assert not inputs.date_in_range(dt.date(9999, 12, 31))
    assert not inputs.date_in_range(dt.date(1, 1, 1))


def test_one_line_joins_lines_and_spaces():
    assert inputs.one_line("  Chase the\nmissing\r\n\tmonths  ") == "Chase the missing months"


@pytest.mark.parametrize(
    "name,limit,shortened",
    [
        ("plan.pdf", 200, "plan.pdf"),
        ("a" * 250 + ".pdf", 200, "a" * 196 + ".pdf"),
        ("b" * 250, 200, "b" * 200),  # no extension: cut
        ("notes." + "x" * 250, 200, ("notes." + "x" * 250)[:200]),  # an "extension" too long
    ],
)
def test_a_file_name_cut_to_fit_keeps_its_extension(name, limit, shortened):
    assert inputs.shortened_file_name(name, limit) == shortened
    assert len(inputs.shortened_file_name(name, limit)) <= limit


# --- Forms: every NHSForm's dates and text ---


class ExampleForm(NHSForm):
    title = forms.CharField(label="Title")
    due_on = date_field("Due date")
    at = forms.DateTimeField(label="Closes at")


@pytest.mark.parametrize("due_on", ["9999-12-31", "0001-01-01", "1999-12-31"])
def test_a_form_date_outside_the_years_2000_to_2100_names_its_field(due_on):
    form = ExampleForm({"title": "Plan", "due_on": due_on, "at": "2026-03-03 10:00"})
    assert form.errors == {"due_on": ["Due date must be in the years 2000 to 2100."]}


def test_a_form_time_outside_the_range_names_its_field():
    form = ExampleForm({"title": "Plan", "due_on": "2026-03-03", "at": "9999-12-31 10:00"})
    assert form.errors == {"at": ["Closes at must be in the years 2000 to 2100."]}


def test_form_text_holding_an_nhs_number_is_refused_naming_its_field():
    form = ExampleForm({"title": "See 943 476 5919", "due_on": "2026-03-03", "at": ""})
    assert form.errors["title"] == [
        "Title looks like it holds an NHS number. Concord holds aggregate data only: "
        "remove patient identifiers."
    ]


def test_the_rules_do_not_pile_up_across_forms():
    for _ in range(3):
        form = ExampleForm({"title": "Plan", "due_on": "2026-03-03", "at": "2026-03-03 10:00"})
        assert form.is_valid()
    assert len(form.fields["title"].validators) == len(ExampleForm().fields["title"].validators)


# --- API fields ---


class ExampleSerializer(serializers.Serializer):
    due_on = DateField()
    closes_at = DateTimeField()


def test_an_api_date_outside_the_range_names_its_field():
    serializer = ExampleSerializer(
        data={"due_on": "9999-12-31", "closes_at": "0001-01-01T00:00:00Z"}
    )
    assert not serializer.is_valid()
    assert serializer.errors == {
        "due_on": ["due_on must be a date in the years 2000 to 2100."],
        "closes_at": ["closes_at must be a time in the years 2000 to 2100."],
    }


@pytest.mark.django_db
@pytest.mark.parametrize("value", [float("inf"), 1.5, True, "1e309"])
def test_an_id_is_a_whole_number(system, value):
    from contracts.models import Contract

    field = PrimaryKeyRelatedField(queryset=Contract.objects.all())
    with pytest.raises(serializers.ValidationError):
        field.run_validation(value)
    assert field.run_validation(system.contract_a.pk) == system.contract_a


def test_identifiers_are_named_where_they_are():
    data = {
        "title": "Plan",
        "detail": "About 943 476 5919",
        "milestones": [{"owner": "Nadia"}, {"owner": "Nadia", "description": "9434765919"}],
        "metrics": ["EMADM", "943-476-5919"],
        "count": 9434765919,  # a number, not text: numbers' own fields judge them
    }
    message = [inputs.NHS_NUMBER_MESSAGE]
    assert identifier_errors(data) == {
        "detail": message,
        "milestones[2].description": message,
        "metrics[2]": message,
    }
    assert identifier_errors({"9434765919": "x"}) == {"non_field_errors": message}
