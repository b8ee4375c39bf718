"""Plotly figures for the dashboards and scorecards, built on the server from
pandas frames (or the plain rows of a published snapshot) as Plotly's JSON
figure format ({"data": [...], "layout": {...}}): the page hands them to
plotly.js, served from static/, so charts render offline. No Django here.

Every chart comes with a text alternative (`*_text`) and the page shows the
same data as a table; the plot itself is hidden from assistive technology.
Missing values are gaps (None), never zero."""

import datetime as dt
import textwrap

import pandas as pd

from core.numbers import clean, fmt, is_missing

BLUE = "#005eb8"  # NHS blue
DARK = "#212b32"
GREY = "#768692"
PALE = "#aeb7bd"
ORANGE = "#ed8b00"  # Making Data Count: special cause concern
IMPROVEMENT = "#41b6e6"  # Making Data Count: special cause improvement
PURPLE = "#330072"
TARGET = "#da291c"

FONT = {"family": "Frutiger W01, Arial, sans-serif", "size": 14, "color": DARK}


def month_label(day: dt.date) -> str:
    return f"{day:%b %Y}"


def month_span(first: dt.date, last: dt.date) -> str:
    """'from Jan 2025 to Jun 2025', or 'in Apr 2025' for a single month."""
    if first == last:
        return f"in {month_label(first)}"
    return f"from {month_label(first)} to {month_label(last)}"


def _layout(title: str, **extra) -> dict:
    """A layout that fits any width, from a 375 px phone up: no fixed width
    (the figure takes its container's), small fixed margins that the title,
    tick labels and axis titles push out as far as they need (`automargin`),
    and the legend in rows under the plot, at the foot of the figure, so it
    never takes width from the plot. The height is fixed. static/js/dashboard-charts.js draws it
    responsive and wraps a title too long for a narrow screen."""
    layout = {
        "title": {"text": title, "font": {"size": 16}, "automargin": True, "yref": "paper"},
        "font": FONT,
        "autosize": True,
        "height": 450,  # fixed: a responsive chart with no height collapses to nothing
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10, "pad": 4},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hovermode": "closest",
        "showlegend": True,
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
        },
    }
    layout.update(extra)
    for axis in ("xaxis", "yaxis"):
        layout[axis] = {"automargin": True, **layout.get(axis, {})}
    return layout


# --- Aggregate trend ------------------------------------------------------


def trend_figure(trend: pd.DataFrame, title: str = "Aggregate outcome score (0-100)") -> dict:
    """Line of the aggregate score by month; months without a score are gaps.
    The title sits a tick label's height above the plot area: the top tick
    ("100") is centred on the plot's top edge, so half of it stands above it,
    where a title on the edge (`pad` 0) would overlap it on a narrow screen."""
    layout = _layout(
        title,
        yaxis={"range": [0, 100], "title": {"text": "Score"}, "gridcolor": "#e8edee"},
        xaxis={"type": "category"},
        showlegend=False,
    )
    layout["title"] = {**layout["title"], "pad": {"b": 14}}
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Aggregate score",
                "x": [month_label(d) for d in trend["period_start"]],
                "y": [clean(v) for v in trend["score"]],
                "line": {"color": BLUE, "width": 3},
                "connectgaps": False,
            }
        ],
        "layout": layout,
    }


def trend_text(
    trend: pd.DataFrame,
    what: str = "The aggregate outcome score",
    not_due_from: dt.date | None = None,
) -> str:
    """`not_due_from`: the first month whose data is not due yet; a month from
    then on is not counted as a month without a score."""
    scored = trend[trend["score"].notna()]
    not_due = (
        trend["score"].isna() & trend["period_start"].ge(not_due_from)
        if not_due_from
        else pd.Series(False, index=trend.index)
    )
    first, last = trend["period_start"].iloc[0], trend["period_start"].iloc[-1]
    span = month_span(first, last)
    if scored.empty:
        return f"{what} has no value in any month {span}."
    latest = scored.iloc[-1]
    missing = len(trend) - len(scored) - int(not_due.sum())
    parts = [
        f"{what} {span}: {fmt(latest['score'])} in {month_label(latest['period_start'])}",
        f"lowest {fmt(scored['score'].min())}, highest {fmt(scored['score'].max())}",
    ]
    if len(scored) > 1:
        change = scored["score"].iloc[-1] - scored["score"].iloc[0]
        word = "up" if change > 0 else "down" if change < 0 else "unchanged"
        parts.append(
            f"{word} {fmt(abs(change))} since {month_label(scored.iloc[0]['period_start'])}"
        )
    if missing:
        parts.append(f"{missing} month{'s' if missing != 1 else ''} without a score")
    if not_due.any():
        pending = [month_label(day) for day in trend.loc[not_due, "period_start"]]
        parts.append(f"data for {' and '.join(pending)} not due yet")
    return "; ".join(parts) + "."


# --- Dimensions -----------------------------------------------------------


def _category_label(name: str, note: str = "", width: int = 20) -> str:
    """A bar's category label on lines of about `width` characters, with a
    note on a line of its own: short enough to leave a phone room for bars."""
    lines = textwrap.wrap(name, width) or [name]
    if note:
        lines.append(note)
    return "<br>".join(lines)


def dimensions_figure(rows: list[dict]) -> dict:
    """Horizontal bars of each dimension's score (0-10), the score at the end
    of the bar and the coverage under the dimension's name (so the label
    outside the bar is short enough for a phone). `rows`: {name, score, coverage}."""
    names = [row["name"] for row in rows]
    notes = [
        "no score yet (not due)"
        if is_missing(row["score"]) and row.get("not_due")
        else "no score (not enough data)"
        if is_missing(row["score"])
        else ""
        if is_missing(row["coverage"])
        else f"{row['coverage'] * 100:.0f}% coverage"
        for row in rows
    ]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": "Score",
                "x": [clean(row["score"]) for row in rows],
                "y": names,
                "text": ["" if is_missing(row["score"]) else f"{row['score']:.1f}" for row in rows],
                "textposition": "outside",
                "cliponaxis": False,
                "marker": {"color": BLUE},
            }
        ],
        "layout": _layout(
            "Dimension scores (0-10)",
            xaxis={"range": [0, 12.5], "tickvals": [0, 2, 4, 6, 8, 10], "gridcolor": "#e8edee"},
            yaxis={
                "autorange": "reversed",
                "tickmode": "array",
                "tickvals": names,
                "ticktext": [
                    _category_label(name, note) for name, note in zip(names, notes, strict=True)
                ],
            },
            showlegend=False,
        ),
    }


def dimensions_text(rows: list[dict]) -> str:
    parts = []
    for row in rows:
        if is_missing(row["score"]):
            coverage = (
                "" if is_missing(row["coverage"]) else f", {row['coverage'] * 100:.0f}% coverage"
            )
            reason = "its data is not all due yet" if row.get("not_due") else "not enough data"
            parts.append(f"{row['name']}: no score ({reason}{coverage})")
        else:
            parts.append(
                f"{row['name']}: {row['score']:.1f} out of 10 "
                f"({row['coverage'] * 100:.0f}% coverage)"
            )
    return "Dimension scores. " + "; ".join(parts) + "."


# --- Members compared (caterpillar plot) -----------------------------------


# The comparison groups of the members compared, in legend order: each
# group's legend name and colour. Members without a comparison (no interval,
# say) are grey too, but open circles, under a name of their own.
COMPARISON_GROUPS = (
    ("better", "Better than the network", IMPROVEMENT, "circle"),
    ("similar", "Similar to the network", GREY, "circle"),
    ("worse", "Worse than the network", ORANGE, "circle"),
    (None, "Not compared with the network", GREY, "circle-open"),
)
CATERPILLAR_ROW = 22  # px per line of an organisation's (wrapped) name
CATERPILLAR_ROOM = 240  # px for the title, value axis and legend around the plot
CATERPILLAR_MIN_PLOT = 170  # px: the plot area is never shorter than this


def _interval_text(row: dict, unit: str) -> str:
    text = fmt(row["value"], 1, unit)
    if not is_missing(row.get("ci_lower")) and not is_missing(row.get("ci_upper")):
        text += f" (95% interval {fmt(row['ci_lower'], 1)} to {fmt(row['ci_upper'], 1)})"
    return text


def caterpillar_figure(rows: list[dict], metric: dict) -> dict:
    """Each organisation's value with its 95% interval as a horizontal error
    bar, one row per organisation, best first from the top by the metric's
    direction (lower is better: the lowest first), and the network's value
    as a vertical dashed line. One trace per comparison group that occurs
    (better, similar or worse than the network), so the legend explains the
    colours. The height grows with the number of organisations and the lines
    their wrapped names take, so every row is readable on a phone.
    `rows`: {name, value, ci_lower, ci_upper, comparator, comparison}."""
    shown = [row for row in rows if not is_missing(row["value"]) and not row.get("is_network")]
    shown.sort(key=lambda r: r["value"], reverse=metric["direction"] != "lower")
    unit = metric.get("unit") or ""
    names = [row["name"] for row in shown]
    labels = [_category_label(name) for name in names]
    known = {key for key, *_ in COMPARISON_GROUPS}
    data = []
    for key, legend, colour, symbol in COMPARISON_GROUPS:
        group = [
            row
            for row in shown
            if (row.get("comparison") if row.get("comparison") in known else None) == key
        ]
        if not group:
            continue
        trace = {
            "type": "scatter",
            "mode": "markers",
            "name": legend,
            "x": [clean(row["value"]) for row in group],
            "y": [row["name"] for row in group],
            "text": [_interval_text(row, unit) for row in group],
            "hovertemplate": "%{y}: %{text}<extra></extra>",
            "marker": {
                "size": 12,
                "color": colour,
                "symbol": symbol,
                "line": {"color": colour if symbol.endswith("open") else DARK, "width": 1.5},
            },
        }
        if any(not is_missing(row.get("ci_lower")) for row in group):
            trace["error_x"] = {
                "type": "data",
                "symmetric": False,
                "array": [
                    None if is_missing(row.get("ci_upper")) else row["ci_upper"] - row["value"]
                    for row in group
                ],
                "arrayminus": [
                    None if is_missing(row.get("ci_lower")) else row["value"] - row["ci_lower"]
                    for row in group
                ],
                "color": DARK,
                "thickness": 1.5,
                "width": 6,
            }
        data.append(trace)
    comparator = next(
        (row["comparator"] for row in shown if not is_missing(row.get("comparator"))), None
    )
    extra = {}
    if comparator is not None:
        # On an overlaid axis from 0 to 1, so the line runs the plot's full
        # height whatever the number of rows, and has its legend entry.
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Network value",
                "x": [clean(comparator), clean(comparator)],
                "y": [0, 1],
                "yaxis": "y2",
                "line": {"color": PURPLE, "dash": "dash", "width": 2},
                "hovertemplate": f"Network value: {fmt(comparator, 1, unit)}<extra></extra>",
            }
        )
        extra["yaxis2"] = {"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True}
    lines = sum(label.count("<br>") + 1 for label in labels)
    plot = max(CATERPILLAR_MIN_PLOT, CATERPILLAR_ROW * lines + 16 * len(labels))
    return {
        "data": data,
        "layout": _layout(
            f"{metric['code']}: members compared (95% intervals)",
            height=CATERPILLAR_ROOM + plot,
            xaxis={"title": {"text": unit or "Value"}, "gridcolor": "#e8edee", "zeroline": False},
            yaxis={
                "type": "category",
                "categoryorder": "array",
                "categoryarray": names,
                # Reversed, so the first (best) is at the top, and half a row
                # beyond the first and last, so each name has a band of its own.
                "range": [len(names) - 0.5, -0.5],
                "tickmode": "array",
                "tickvals": names,
                "ticktext": labels,
                "fixedrange": True,
            },
            **extra,
        ),
    }


def caterpillar_text(rows: list[dict], metric: dict) -> str:
    unit = metric.get("unit") or ""
    parts = []
    for row in rows:
        if is_missing(row["value"]):
            parts.append(f"{row['name']}: no data")
            continue
        text = f"{row['name']}: {fmt(row['value'], 1, unit)}"
        if not is_missing(row.get("ci_lower")):
            text += f" (95% interval {fmt(row['ci_lower'], 1)} to {fmt(row['ci_upper'], 1)})"
        if row.get("comparison"):
            text += (
                f", {row['comparison']} than the network"
                if row["comparison"] != "similar"
                else ", similar to the network"
            )
        parts.append(text)
    return f"{metric['name']} by organisation. " + "; ".join(parts) + "."


# --- SPC (XmR) chart --------------------------------------------------------


def _segmented(points: list[dict], column: str) -> list:
    """A line per calculation period: None between segments breaks the line."""
    values, previous = [], None
    for point in points:
        if previous is not None and point["segment"] != previous:
            values.append(None)
        values.append(point[column])
        previous = point["segment"]
    return values


def _segmented_x(points: list[dict]) -> list:
    xs, previous = [], None
    for point in points:
        if previous is not None and point["segment"] != previous:
            xs.append(None)
        xs.append(month_label(point["period_start"]))
        previous = point["segment"]
    return xs


def xmr_figure(result: dict, metric: dict) -> dict:
    """The Making Data Count XmR chart of `result` ({points, summary} from
    outcomes.series): values, mean, process limits per calculation period,
    special-cause points coloured by improvement or concern, the target as a
    line and each rebase as a vertical marker."""
    points, summary = result["points"], result["summary"]
    xs = [month_label(p["period_start"]) for p in points]
    segment_x = _segmented_x(points)
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": metric["code"],
            "x": xs,
            "y": [p["value"] for p in points],
            "line": {"color": GREY},
            "marker": {"color": GREY, "size": 7},
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": "Mean",
            "x": segment_x,
            "y": _segmented(points, "mean"),
            "line": {"color": DARK},
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": "Process limits",
            "x": segment_x,
            "y": _segmented(points, "upl"),
            "line": {"color": DARK, "dash": "dash"},
            "legendgroup": "limits",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": "Lower process limit",
            "x": segment_x,
            "y": _segmented(points, "lpl"),
            "line": {"color": DARK, "dash": "dash"},
            "legendgroup": "limits",
            "showlegend": False,
        },
    ]
    for kind, colour, name in (
        ("special_cause_improvement", IMPROVEMENT, "Special cause: improvement"),
        ("special_cause_concern", ORANGE, "Special cause: concern"),
        ("special_cause_neutral", PURPLE, "Special cause"),
    ):
        chosen = [p for p in points if p["point_type"] == kind]
        if chosen:
            data.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": name,
                    "x": [month_label(p["period_start"]) for p in chosen],
                    "y": [p["value"] for p in chosen],
                    "marker": {"color": colour, "size": 11, "line": {"color": DARK, "width": 1}},
                    "text": [p["special_cause_type"] for p in chosen],
                }
            )
    if summary.get("target") is not None and xs:
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Target",
                "x": xs,
                "y": [summary["target"]] * len(xs),
                "line": {"color": TARGET, "dash": "dot"},
            }
        )
    shapes = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": month_label(day),
            "x1": month_label(day),
            "y0": 0,
            "y1": 1,
            "line": {"color": PURPLE, "width": 2, "dash": "dashdot"},
        }
        for day in summary.get("rebases", [])
    ]
    annotations = [
        {
            "x": month_label(day),
            "y": 1,
            "xref": "x",
            "yref": "paper",
            "text": "Rebased",
            "showarrow": False,
            "yanchor": "bottom",
            "font": {"color": PURPLE},
        }
        for day in summary.get("rebases", [])
    ]
    layout = _layout(
        f"{metric['code']}: XmR chart",
        xaxis={"type": "category", "automargin": True},
        yaxis={"title": {"text": metric.get("unit") or "Value"}, "gridcolor": "#e8edee"},
        shapes=shapes,
        annotations=annotations,
    )
    if annotations:  # room between the title and the plot for "Rebased"
        layout["title"]["pad"] = {"b": 24}
    return {"data": data, "layout": layout}


def xmr_text(result: dict, metric: dict, variation_label=None, assurance_label=None) -> str:
    points, summary = result["points"], result["summary"]
    if not points:
        return f"There is no data to chart for {metric['name']}."
    unit = metric.get("unit") or ""
    latest = points[-1]
    segment = summary["segments"][-1]
    parts = [
        f"{metric['name']}: {len(points)} values from {month_label(points[0]['period_start'])} "
        f"to {month_label(latest['period_start'])}, latest {fmt(latest['value'], 1, unit)}",
        f"mean {fmt(segment['mean'], 1, unit)} with process limits {fmt(segment['lpl'], 1)} "
        f"to {fmt(segment['upl'], 1)}",
    ]
    special = [p for p in points if p["point_type"] != "common_cause"]
    parts.append(
        f"{len(special)} point{'s' if len(special) != 1 else ''} show special cause variation"
    )
    if variation_label:
        parts.append(f"latest point: {variation_label.lower()}")
    if summary.get("target") is not None:
        parts.append(f"target {fmt(summary['target'], 1, unit)}")
        if assurance_label:
            parts.append(assurance_label.lower())
    if summary.get("rebases"):
        parts.append("limits rebased from " + ", ".join(month_label(d) for d in summary["rebases"]))
    return "; ".join(parts) + "."


# --- Sparklines -----------------------------------------------------------


def sparkline(values: list, width: int = 120, height: int = 28) -> list[str]:
    """SVG polyline point lists for a small trend line (one per unbroken run
    of values: missing months break the line). Empty when fewer than two."""
    present = [v for v in values if not is_missing(v)]
    if len(present) < 2:
        return []
    low, high = min(present), max(present)
    span = (high - low) or 1.0
    step = width / max(len(values) - 1, 1)
    runs, run = [], []
    for i, value in enumerate(values):
        if is_missing(value):
            if run:
                runs.append(run)
            run = []
            continue
        y = height - 2 - (value - low) / span * (height - 4)
        run.append(f"{i * step:.1f},{y:.1f}")
    if run:
        runs.append(run)
    return [" ".join(r) for r in runs if len(r) > 1] or []


# --- Organisations compared on the aggregate score ---------------------------


def scores_figure(rows: list[dict], title: str) -> dict:
    """Horizontal bars of each organisation's aggregate score (0-100).
    `rows`: {name, score}."""
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": "Score",
                "x": [clean(row["score"]) for row in rows],
                "y": [row["name"] for row in rows],
                "text": [
                    "no score" if is_missing(row["score"]) else f"{row['score']:.0f}"
                    for row in rows
                ],
                "textposition": "outside",
                "cliponaxis": False,
                "marker": {"color": BLUE},
            }
        ],
        "layout": _layout(
            title,
            xaxis={"range": [0, 110], "tickvals": [0, 20, 40, 60, 80, 100], "gridcolor": "#e8edee"},
            yaxis={
                "autorange": "reversed",
                "tickmode": "array",
                "tickvals": [row["name"] for row in rows],
                "ticktext": [_category_label(row["name"]) for row in rows],
            },
            showlegend=False,
        ),
    }


def scores_text(rows: list[dict], what: str) -> str:
    parts = [
        f"{row['name']}: {'no score' if is_missing(row['score']) else fmt(row['score'], 0)}"
        for row in rows
    ]
    return f"{what}. " + "; ".join(parts) + "."


# --- A commissioner's outcome against the national average -----------------


def peer_trend_figure(frame: pd.DataFrame, title: str, unit: str = "") -> dict:
    """Lines of an organisation's monthly value and the national average.
    `frame`: period_start, value, national_average."""
    x = [month_label(d) for d in frame["period_start"]]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "This commissioner",
                "x": x,
                "y": [clean(v) for v in frame["value"]],
                "line": {"color": BLUE, "width": 3},
                "connectgaps": False,
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": "National average",
                "x": x,
                "y": [clean(v) for v in frame["national_average"]],
                "line": {"color": GREY, "width": 2, "dash": "dash"},
                "connectgaps": False,
            },
        ],
        "layout": _layout(
            title,
            yaxis={"title": {"text": unit}, "gridcolor": "#e8edee", "rangemode": "tozero"},
            xaxis={"type": "category", "nticks": 8},
            height=320,
        ),
    }


def peer_trend_text(
    frame: pd.DataFrame, what: str, unit: str = "", trend: str | None = None
) -> str:
    """The text alternative of peer_trend_figure."""
    first, last = frame["period_start"].iloc[0], frame["period_start"].iloc[-1]
    span = month_span(first, last)
    valued = frame[frame["value"].notna()]
    if valued.empty:
        return f"{what} has no value in any month {span}."
    latest = valued.iloc[-1]
    parts = [
        f"{what} {span}: {fmt(latest['value'], unit=unit)} in "
        f"{month_label(latest['period_start'])}, national average "
        f"{fmt(latest['national_average'], unit=unit)}",
        f"lowest {fmt(valued['value'].min(), unit=unit)}, "
        f"highest {fmt(valued['value'].max(), unit=unit)}",
    ]
    if trend:
        parts.append(f"{trend} on the year before")
    missing = len(frame) - len(valued)
    if missing:
        parts.append(f"{missing} month{'s' if missing != 1 else ''} without a value")
    return "; ".join(parts) + "."
