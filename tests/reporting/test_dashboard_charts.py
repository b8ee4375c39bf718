"""outcomes.charts: figures are valid Plotly (checked against plotly's own
schema), missing values are gaps never zeros, and each text alternative
says what the chart shows."""

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import pytest

from outcomes import charts, series

D = dt.date
MONTHS = [D(2025, m, 1) for m in range(1, 7)]


def valid(figure: dict) -> go.Figure:
    return go.Figure(figure)  # raises ValueError on any property plotly does not know


def test_trend_has_gaps_for_missing_months_and_says_so():
    trend = pd.DataFrame({"period_start": MONTHS, "score": [50.0, None, 55.0, 60.0, None, 58.0]})
    figure = charts.trend_figure(trend)
    valid(figure)
    assert figure["data"][0]["y"] == [50.0, None, 55.0, 60.0, None, 58.0]
    assert figure["data"][0]["connectgaps"] is False
    assert charts.trend_text(trend) == (
        "The aggregate outcome score from Jan 2025 to Jun 2025: 58.0 in Jun 2025; "
        "lowest 50.0, highest 60.0; up 8.0 since Jan 2025; 2 months without a score."
    )
    empty = trend.assign(score=None)
    assert charts.trend_text(empty) == (
        "The aggregate outcome score has no value in any month from Jan 2025 to Jun 2025."
    )


def test_trend_does_not_count_a_month_not_due_yet_as_without_a_score():
    trend = pd.DataFrame({"period_start": MONTHS, "score": [50.0, None, 55.0, 60.0, 58.0, None]})
    assert charts.trend_text(trend, not_due_from=D(2025, 6, 1)) == (
        "The aggregate outcome score from Jan 2025 to Jun 2025: 58.0 in May 2025; "
        "lowest 50.0, highest 60.0; up 8.0 since Jan 2025; 1 month without a score; "
        "data for Jun 2025 not due yet."
    )


def test_dimensions_without_a_score_say_insufficient_data():
    rows = [
        {"name": "Quality of care", "score": 6.25, "coverage": 1.0},
        {"name": "Quality of life", "score": None, "coverage": 0.4},
    ]
    figure = charts.dimensions_figure(rows)
    valid(figure)
    assert figure["data"][0]["x"] == [6.25, None]
    assert charts.dimensions_text(rows) == (
        "Dimension scores. Quality of care: 6.2 out of 10 (100% coverage); "
        "Quality of life: no score (not enough data, 40% coverage)."
    )


def test_caterpillar_orders_best_first_and_leaves_out_the_network_point():
    rows = [
        {"name": "Network", "is_network": True, "value": 30.0, "ci_lower": 27.0,
         "ci_upper": 33.0, "comparator": None, "comparison": None},
        {"name": "A", "value": 25.0, "ci_lower": 20.0, "ci_upper": 31.0,
         "comparator": 30.0, "comparison": "similar"},
        {"name": "B", "value": 40.0, "ci_lower": 35.0, "ci_upper": 45.0,
         "comparator": 30.0, "comparison": "worse"},
        {"name": "C", "value": None, "ci_lower": None, "ci_upper": None,
         "comparator": 30.0, "comparison": None},
    ]  # fmt: skip
    metric = {"code": "EMADM", "name": "Admissions", "direction": "lower", "unit": ""}
    figure = charts.caterpillar_figure(rows, metric)
    valid(figure)
    similar, worse, line = figure["data"]
    yaxis = figure["layout"]["yaxis"]
    assert yaxis["categoryarray"] == ["A", "B"]  # lower is better: best first, from the top
    assert yaxis["range"] == [1.5, -0.5]
    assert (similar["y"], similar["x"]) == (["A"], [25.0])
    assert (worse["y"], worse["x"]) == (["B"], [40.0])
    assert (similar["error_x"]["array"], similar["error_x"]["arrayminus"]) == ([6.0], [5.0])
    assert (worse["error_x"]["array"], worse["error_x"]["arrayminus"]) == ([5.0], [5.0])
    assert similar["marker"]["color"] == charts.GREY and worse["marker"]["color"] == charts.ORANGE
    assert line["name"] == "Network value" and line["x"] == [30.0, 30.0]
    text = charts.caterpillar_text(rows, metric)
    assert "B: 40.0 (95% interval 35.0 to 45.0), worse than the network" in text
    assert "C: no data" in text


def test_caterpillar_legend_names_the_comparison_groups_that_occur():
    """One trace per comparison group, so the legend explains the colours;
    rows are organisations (best first from the top: higher is better here)
    and the chart grows with their number and their wrapped names."""
    network = {"comparator": 50.0}
    rows = [
        {**network, "name": "Worse Trust", "value": 40.0, "ci_lower": 35.0, "ci_upper": 45.0,
         "comparison": "worse"},
        {**network, "name": "A very long name for a community health services trust",
         "value": 70.0, "ci_lower": 65.0, "ci_upper": 75.0, "comparison": "better"},
        {**network, "name": "No interval", "value": 55.0, "ci_lower": None, "ci_upper": None,
         "comparison": None},
        {**network, "name": "Better Trust", "value": 60.0, "ci_lower": 55.5, "ci_upper": 64.5,
         "comparison": "better"},
    ]  # fmt: skip
    metric = {"code": "PROP1", "name": "Seen in two weeks", "direction": "higher", "unit": "%"}
    figure = charts.caterpillar_figure(rows, metric)
    valid(figure)
    legend = [(trace["name"], trace["marker"]["color"]) for trace in figure["data"][:-1]]
    assert legend == [
        ("Better than the network", charts.IMPROVEMENT),
        ("Worse than the network", charts.ORANGE),  # no member is similar: no entry
        ("Not compared with the network", charts.GREY),
    ]
    better, worse, uncompared, line = figure["data"]
    assert better["y"] == [rows[1]["name"], "Better Trust"] and better["x"] == [70.0, 60.0]
    assert "error_x" in better and "error_x" in worse and "error_x" not in uncompared
    assert line["name"] == "Network value" and line["yaxis"] == "y2"
    layout = figure["layout"]
    assert layout["yaxis"]["categoryarray"] == [
        rows[1]["name"], "Better Trust", "No interval", "Worse Trust"
    ]  # fmt: skip
    assert (
        layout["yaxis"]["ticktext"][0]
        == "A very long name for<br>a community health<br>services trust"
    )
    assert layout["xaxis"]["title"]["text"] == "%"
    two = charts.caterpillar_figure(rows[:2], metric)["layout"]["height"]
    assert layout["height"] > two >= charts.CATERPILLAR_ROOM + charts.CATERPILLAR_MIN_PLOT
    assert charts.caterpillar_figure([], metric)["data"] == []


def test_xmr_chart_breaks_limits_at_a_rebase_and_marks_it():
    values = [10, 11, 9, 10, 12, 10, 20, 21, 19, 20, 22, 20]
    months = [D(2024, 1, 1) + pd.DateOffset(months=n) for n in range(12)]
    rows = [(m.date(), float(v)) for m, v in zip(months, values, strict=True)]
    result = series.analyse_rows(rows, [D(2024, 7, 1)], "higher", 15.0)
    metric = {"code": "X", "name": "Example", "unit": "%"}
    figure = charts.xmr_figure(result, metric)
    valid(figure)
    mean = next(t for t in figure["data"] if t["name"] == "Mean")
    assert mean["y"][6] is None and mean["x"][6] is None  # the break between segments
    assert mean["y"][0] == pytest.approx(10.333, abs=1e-3) and mean["y"][7] == pytest.approx(
        20.333, abs=1e-3
    )
    assert figure["layout"]["shapes"][0]["x0"] == "Jul 2024"
    target = next(t for t in figure["data"] if t["name"] == "Target")
    assert set(target["y"]) == {15.0}
    text = charts.xmr_text(result, metric)
    assert "12 values from Jan 2024 to Dec 2024, latest 20.0%" in text
    assert "limits rebased from Jul 2024" in text


def test_sparkline_breaks_at_missing_values():
    assert charts.sparkline([None, 1.0]) == []
    runs = charts.sparkline([1.0, 2.0, None, 3.0, 4.0], width=40, height=10)
    assert len(runs) == 2
    assert runs[0].split()[0] == "0.0,8.0" and runs[1].split()[-1] == "40.0,2.0"
    assert charts.sparkline([5.0, 5.0, 5.0]) != []  # a flat line is still drawn


def test_scores_figure_and_text():
    rows = [{"name": "A", "score": 46.0}, {"name": "B", "score": None}]
    valid(charts.scores_figure(rows, "Scores"))
    assert charts.scores_text(rows, "Scores") == "Scores. A: 46; B: no score."


def test_a_single_month_is_written_as_one_month():
    import datetime as dt

    from outcomes.charts import month_span

    assert month_span(dt.date(2025, 4, 1), dt.date(2025, 4, 1)) == "in Apr 2025"
    assert month_span(dt.date(2025, 1, 1), dt.date(2025, 6, 1)) == "from Jan 2025 to Jun 2025"


def test_a_long_table_title_makes_a_readable_sheet_name():
    from io import BytesIO

    from openpyxl import load_workbook

    from core.exports import sheet_title, xlsx_bytes

    assert sheet_title("Open contract performance notices") == "Open contract performance…"
    assert sheet_title("Dimension scores") == "Dimension scores"
    assert sheet_title("Scores: 2025/26 [draft]") == "Scores 202526 draft"
    book = load_workbook(BytesIO(xlsx_bytes("Open contract performance notices", ["A"], [[1]])))
    assert book.sheetnames == ["Open contract performance…"]
