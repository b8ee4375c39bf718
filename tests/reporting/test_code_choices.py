"""A services scorecard's trend words (reporting.choices.ScorecardTrend): one
for every SPC variation, each shown as its capitalised word in its colour."""

from django.utils.text import capfirst

from outcomes.choices import Variation
from reporting.choices import ScorecardTrend
from reporting.contract_publishing import TRENDS


def test_every_variation_gives_a_trend_word_the_card_can_show():
    assert set(TRENDS) == set(Variation)
    assert set(TRENDS.values()) == set(ScorecardTrend)
    for trend in ScorecardTrend:
        assert trend.label == capfirst(trend.value)
    assert ScorecardTrend("improving").colour == "blue"
    assert ScorecardTrend("getting worse").colour == "orange"
    assert ScorecardTrend("changed (higher)").colour == "grey"
