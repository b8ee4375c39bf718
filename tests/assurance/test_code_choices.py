"""The outcome trend's word and colour (assurance.choices.Trend) for every
word assurance.benchmark.trend gives."""

from assurance import benchmark
from assurance.choices import Trend


def test_every_trend_word_has_its_tag():
    assert set(Trend.values) == {benchmark.IMPROVING, benchmark.WORSENING, benchmark.NO_CHANGE}
    # The tag shows the word as the sentences around it do, in lower case.
    assert Trend("improving").tag == {"text": "improving", "css": "nhsuk-tag--blue"}
    assert Trend("worsening").colour == "orange"
    assert Trend("no change").colour == "grey"
