"""The words and colours of the codes the pure maths returns as plain strings
(outcomes.choices): one member for every code outcomes.scoring, outcomes.spc
and outcomes.selectors can give, so a page never meets a code it cannot show."""

import datetime as dt

import pandas as pd
import pytest
from django.utils import timezone

from outcomes import scoring, spc
from outcomes.choices import (
    SPC_ASSURANCE_DESCRIPTIONS,
    VARIATION_DESCRIPTIONS,
    Rating,
    SpcAssurance,
    SpcPointType,
    Timeliness,
    Variation,
)
from outcomes.selectors import Expected


def test_every_rating_of_the_scoring_rules_has_its_words_and_tag():
    ratings = {scoring.GOOD, scoring.APPROACHING, scoring.REQUIRES_IMPROVEMENT, scoring.INADEQUATE}
    assert set(Rating.values) == ratings
    assert Rating("requires_improvement").label == "Requires improvement"
    assert Rating("requires_improvement").css == "concord-rating--requires-improvement"


@pytest.mark.parametrize(
    ("target", "direction"),
    [
        (None, "increase"),
        (5.0, "neutral"),
        (0.0, "increase"),
        (20.0, "increase"),
        (10.0, "increase"),
        (0.0, "decrease"),
        (20.0, "decrease"),
    ],
)
def test_every_spc_assurance_has_its_words_and_tag(target, direction):
    code = spc.assurance(5.0, 15.0, target, direction)
    assert code is None or SpcAssurance(code).tag["text"]


def test_spc_variation_icons_and_point_types_have_their_words():
    kinds = {"improvement", "concern", "neutral"}
    icons = {"common_cause"} | {f"{kind}_{way}" for kind in kinds for way in ("high", "low")}
    assert set(Variation.values) == icons
    assert set(SpcPointType.values) == {"common_cause"} | {f"special_cause_{k}" for k in kinds}
    values = [10.0, 11.0] * 8 + [30.0]
    for direction in ("increase", "decrease", "neutral"):
        frame = spc.analyse(pd.Series(values), spc.Options(improvement_direction=direction))
        assert set(frame["point_type"]) <= set(SpcPointType.values)
        assert spc.variation_icon(frame) in Variation.values


def test_long_descriptions_sit_beside_the_short_tags():
    assert set(VARIATION_DESCRIPTIONS) == set(Variation)
    assert set(SPC_ASSURANCE_DESCRIPTIONS) == set(SpcAssurance)
    assert Variation("common_cause").label == "Common cause"
    assert Variation("common_cause").description == "Common cause variation"
    assert SpcAssurance("inconsistent").tag == {"text": "Hit and miss", "css": "nhsuk-tag--grey"}
    assert SpcAssurance("inconsistent").description == "Hits and misses the target"


def test_every_timeliness_state_has_its_tag():
    due, today = dt.date(2025, 6, 15), dt.date(2025, 6, 20)
    arrived = timezone.make_aware(dt.datetime(2025, 6, 10, 9))
    late = timezone.make_aware(dt.datetime(2025, 6, 18, 9))
    states = {
        Expected(None, due, arrived).state(today),
        Expected(None, due, late).state(today),
        Expected(None, due).state(today),
        Expected(None, due).state(dt.date(2025, 6, 1)),
    }
    assert states == set(Timeliness.values)
    assert Timeliness("not due yet").tag == {"text": "Not due yet", "css": "nhsuk-tag--grey"}
