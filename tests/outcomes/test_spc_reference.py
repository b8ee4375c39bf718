"""outcomes.spc reproduces the NHSRplotthedots reference cases in
../shared/data/spc_cases.json (see its README): every case of kind xmr,
assurance, assurance_last_row, rebase_flags and options, plus the single-rule
unit cases."""

import json
import math

import pytest

from outcomes import spc
from tests.conftest import require
from tests.paths import SHARED_DATA

CASES_FILE = SHARED_DATA / "spc_cases.json"


def load_cases():
    if not CASES_FILE.exists():
        return []
    return json.loads(CASES_FILE.read_text())["cases"]


CASES = load_cases()


def cases(*kinds):
    found = [pytest.param(c, id=c["id"]) for c in CASES if c["kind"] in kinds]
    return found or [pytest.param(None, id="spc-cases-missing")]


def need(case):
    require(case is not None, f"{CASES_FILE} is not available")


def options_for(call):
    call = dict(call)
    values = call.pop("values")
    dates = call.pop("dates", None)
    rebase = call.pop("rebase_at", [])
    if rebase and isinstance(rebase[0], str):
        rebase = spc.rebase_positions(dates, rebase)
    return values, spc.Options(rebase_at=tuple(rebase), **call)


def close(actual, expected, places):
    if places.get("sig"):
        digits = places["sig"] - 1 - math.floor(math.log10(abs(expected))) if expected else 6
        return round(actual, digits) == pytest.approx(expected, rel=1e-9, abs=1e-12)
    if places.get("dp") is not None:
        return round(actual, places["dp"]) == pytest.approx(expected, abs=1e-12)
    return actual == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("case", cases("xmr"))
def test_xmr_case(case):
    need(case)
    values, options = options_for(case["call"])
    frame = spc.analyse(values, options)
    summary = spc.summary(frame, options)
    expect = case["expect"]
    for n, segment in enumerate(expect.get("segments", [])):
        got = summary["segments"][segment.get("segment", n)]
        for key in ("mean", "lpl", "upl"):
            assert close(got[key], segment[key], segment), (key, got[key], segment[key])
        if "n" in segment:
            assert got["n"] == segment["n"]
    for where, columns in (
        ("point_prefix", expect.get("point_prefix", {})),
        ("point_suffix", expect.get("point_suffix", {})),
        ("point_all", expect.get("point_all", {})),
    ):
        for column, wanted in columns.items():
            source = {"near_limits": "near_limits", "variation": "point_type"}.get(column, column)
            got = frame[source].tolist()
            if column in ("outside_limits", "near_limits"):
                got = [bool(v) for v in got]
            got = {
                "point_prefix": got[: len(wanted)],
                "point_suffix": got[-len(wanted) :],
                "point_all": got,
            }[where]
            assert got == wanted, (column, got, wanted)
    if "counts" in expect:
        counts = frame["point_type"].value_counts()
        for kind, number in expect["counts"].items():
            assert counts.get(kind, 0) == number, (kind, counts.to_dict())
    if "segment_sizes" in expect:
        assert frame.groupby("segment").size().tolist() == expect["segment_sizes"]
    if "longest_run" in expect:
        runs = (frame["point_type"] != frame["point_type"].shift()).cumsum()
        wanted = expect["longest_run"]
        lengths = frame[frame["point_type"] == wanted["variation"]].groupby(runs).size()
        assert lengths.max() == wanted["length"]
    if "variation_icon_file" in expect:
        assert f"{summary['variation']}.svg" == expect["variation_icon_file"]
        icon = expect["assurance_icon_file"]
        got = summary["assurance"]
        assert (got and f"{got.removeprefix('consistent_')}.svg") == (icon or None)
    if "variation_type_last" in expect:
        assert frame["point_type"].iat[-1] == expect["variation_type_last"]
    if "assurance_type" in expect:
        assert summary["assurance"] == expect["assurance_type"]


@pytest.mark.parametrize("case", cases("assurance"))
def test_assurance_case(case):
    need(case)
    assert (
        spc.assurance(case["lpl"], case["upl"], case["target"], case["improvement_direction"])
        == case["expect"]
    )


@pytest.mark.parametrize("case", cases("assurance_last_row"))
def test_assurance_uses_the_last_row(case):
    need(case)
    last = case["rows"][-1]
    assert (
        spc.assurance(last["lpl"], last["upl"], case["target"], case["improvement_direction"])
        == case["expect"]
    )


@pytest.mark.parametrize("case", cases("rebase_flags"))
def test_rebase_flags(case):
    need(case)
    positions = spc.rebase_positions(case["dates"], case["rebase_at"])
    flags = [1 if i in positions else 0 for i in range(len(case["dates"]))]
    assert flags == case["expect_rebase"]


@pytest.mark.parametrize("case", cases("options"))
def test_options(case):
    need(case)
    call = {k: v for k, v in case["call"].items() if k != "values"}
    if case["expect_ok"]:
        spc.Options(**call)
    else:
        with pytest.raises(ValueError):
            spc.Options(**call)


UNIT_FUNCTIONS = {
    "shift_ends": spc.shift_ends,
    "spread_back": spc.spread_back,
    "trend_ends": spc.trend_ends,
    "two_of_three_windows": spc.two_of_three_windows,
    "two_of_three_points": spc.two_of_three_points,
}


@pytest.mark.parametrize("case", cases("unit"))
def test_single_rule_helpers(case):
    need(case)
    function = UNIT_FUNCTIONS[case["function"]]
    assert list(function(*case["args"])) == case["expect"]


# outcomes.spc writes NHSRplotthedots's labels in plain English, one for one.
R_LABELS = {
    "Above UCL": "Above the upper process limit",
    "Below LCL": "Below the lower process limit",
    "7 Point Trend (Increasing)": "7 points in a row rising",
    "7 Point Trend (Decreasing)": "7 points in a row falling",
    "2 in 3 Above CL": "2 of 3 points near the upper process limit",
    "2 in 3 Below CL": "2 of 3 points near the lower process limit",
    "7 Points Above CL": "7 points in a row above the mean",
    "7 Points Below CL": "7 points in a row below the mean",
    "Common Cause": "Common cause",
}


@pytest.mark.parametrize("case", cases("labels"))
def test_label_precedence(case):
    need(case)
    given = case["inputs"]
    rising = 1 if given["y"][-1] > given["y"][0] else -1
    labels = [
        spc.label(outside, rising if trend else 0, two, shift, side)
        for outside, trend, two, shift, side in zip(
            given["outside_limits"],
            given["part_trend"],
            given["part_two_in_three"],
            given["part_shift"],
            given["relative_to_mean"],
            strict=True,
        )
    ]
    assert labels == [R_LABELS[expected] for expected in case["expect"]]


@pytest.mark.parametrize("case", cases("relation"))
def test_relations_between_runs(case):
    need(case)
    runs = {}
    for name, call in case["calls"].items():
        values, options = options_for(call)
        segment = spc.summary(spc.analyse(values, options), options)["segments"][0]
        runs[name] = {**segment, "range": segment["upl"] - segment["lpl"]}
    for left, op, right in case["asserts"]:
        a = runs[left.split(".")[0]][left.split(".")[1]]
        b = runs[right.split(".")[0]][right.split(".")[1]]
        assert {"!=": a != b, ">": a > b}[op], (left, op, right, a, b)
