"""Real NHS England A&E data (../shared/data, never copied here) through SPC:
% seen within 4 hours at type-1 departments of a few trusts, with the limits
checked against an independent calculation written out in the test."""

import numpy as np
import pandas as pd
import pytest

from outcomes import spc
from tests.conftest import require
from tests.paths import SHARED_DATA

DATA = SHARED_DATA / "ae_attendances.csv"
TRUSTS = ["RRK", "RQM", "RJ1", "RF4"]


@pytest.fixture(scope="module")
def four_hour_series():
    require(DATA.exists(), f"{DATA} is not available")
    data = pd.read_csv(DATA, dtype={"type": str}, parse_dates=["period"])
    type1 = data[(data["type"] == "1") & data["org_code"].isin(TRUSTS)]
    monthly = type1.groupby(["org_code", "period"])[["attendances", "breaches"]].sum()
    monthly["pct"] = 100 * (1 - monthly["breaches"] / monthly["attendances"])
    return monthly["pct"].sort_index()


@pytest.mark.parametrize("trust", TRUSTS)
def test_limits_match_an_independent_calculation(four_hour_series, trust):
    values = four_hour_series.loc[trust].to_numpy()
    assert len(values) == 36
    # Independent: mean; moving ranges; drop those >= 3.267 x their mean; 2.66 x.
    ranges = np.abs(values[1:] - values[:-1])
    kept = ranges[ranges < 3.267 * ranges.mean()]
    mean, mean_range = values.mean(), kept.mean()
    frame = spc.analyse(values, spc.Options(improvement_direction="increase", target=95))
    assert frame["mean"].iat[0] == pytest.approx(mean, rel=1e-12)
    assert frame["upl"].iat[0] == pytest.approx(mean + 2.66 * mean_range, rel=1e-12)
    assert frame["lpl"].iat[0] == pytest.approx(mean - 2.66 * mean_range, rel=1e-12)
    outside = (values > mean + 2.66 * mean_range) | (values < mean - 2.66 * mean_range)
    assert (frame["outside_limits"] != 0).tolist() == outside.tolist()


def test_the_95_percent_standard_is_assured_only_where_limits_allow(four_hour_series):
    for trust in TRUSTS:
        values = four_hour_series.loc[trust].to_numpy()
        options = spc.Options(improvement_direction="increase", target=95)
        summary = spc.summary(spc.analyse(values, options), options)
        last = summary["segments"][-1]
        expected = (
            "consistent_fail"
            if last["upl"] < 95
            else "consistent_pass"
            if last["lpl"] > 95
            else "inconsistent"
        )
        assert summary["assurance"] == expected
