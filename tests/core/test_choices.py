"""Choices with a colour beside their label (core.choices)."""

import pytest
from django import forms
from django.apps import apps
from django.db import models

from core.choices import NHS_TAG_COLOURS, ColourTextChoices, tag_css
from core.views import tag


class Status(ColourTextChoices):
    DRAFT = "draft", "Draft", "yellow"
    SIGNED_OFF = "signed_off", "Signed off", "green"


class PlainStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED_OFF = "signed_off", "Signed off"


class Rating(ColourTextChoices, css="concord-rating--{}"):
    GOOD = "good", "Good", "good"


def test_a_member_has_its_value_label_and_colour():
    assert Status.DRAFT == "draft"
    assert Status.DRAFT.value == "draft"
    assert Status.DRAFT.label == "Draft"
    assert Status.DRAFT.colour == "yellow"
    assert Status("signed_off") is Status.SIGNED_OFF
    assert Status.SIGNED_OFF.colour == "green"
    assert str(Status.DRAFT) == "draft"


def test_its_tag_is_the_one_core_views_tag_makes():
    assert Status.DRAFT.css == "nhsuk-tag--yellow"
    assert (
        Status.DRAFT.tag == tag("Draft", "yellow") == {"text": "Draft", "css": "nhsuk-tag--yellow"}
    )
    assert tag_css("") == ""


def test_a_class_may_name_its_own_tag_styles():
    assert Rating.GOOD.css == "concord-rating--good"
    assert Rating.GOOD.tag == {"text": "Good", "css": "concord-rating--good"}
    assert Status.DRAFT.css == "nhsuk-tag--yellow"  # the default is untouched


def test_choices_labels_and_values_are_djangos_without_the_colour():
    assert (
        Status.choices == PlainStatus.choices == [("draft", "Draft"), ("signed_off", "Signed off")]
    )
    assert Status.labels == ["Draft", "Signed off"]
    assert Status.values == ["draft", "signed_off"]
    assert "draft" in Status
    field = forms.ChoiceField(choices=Status.choices)
    assert field.clean("draft") == "draft"


def test_a_model_field_deconstructs_as_with_plain_choices():
    """So makemigrations sees nothing new: the colour never reaches a field."""
    coloured = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    plain = models.CharField(max_length=10, choices=PlainStatus.choices, default=PlainStatus.DRAFT)
    assert coloured.deconstruct() == plain.deconstruct()
    # Passing the class itself (Django 5 normalises it to .choices) too.
    assert (
        models.CharField(max_length=10, choices=Status).deconstruct()
        == models.CharField(max_length=10, choices=PlainStatus).deconstruct()
    )


def test_no_model_field_of_the_project_holds_a_colour():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for choice in getattr(field, "choices", None) or []:
                assert len(choice) == 2, (model, field.name, choice)
                assert not isinstance(choice[0], tuple), (model, field.name, choice)


def test_a_member_without_a_colour_is_an_error_at_class_creation():
    with pytest.raises(TypeError, match="DONE must give its colour"):

        class Missing(ColourTextChoices):
            OPEN = "open", "Open", "blue"
            DONE = "done", "Done"

    with pytest.raises(TypeError, match="OPEN must give its colour"):

        class Bare(ColourTextChoices):
            OPEN = "open"


def test_a_colour_nhs_uk_does_not_draw_is_an_error():
    with pytest.raises(TypeError, match="'gren' is not an NHS.UK tag colour"):

        class Typo(ColourTextChoices):
            OPEN = "open", "Open", "gren"

    assert {"green", "red", "yellow", "orange", "blue", "grey", "purple", "aqua-green"} <= (
        NHS_TAG_COLOURS
    )
