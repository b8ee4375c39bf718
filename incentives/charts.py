"""The Plotly figure of the network's retained share of savings against the
aggregate score, built from a pandas frame of the scheme's step curve. No
Django here; the page draws it with plotly.js served from static/."""

from decimal import Decimal

import pandas as pd

from core.numbers import plain
from incentives import settlement as maths
from outcomes.charts import BLUE, DARK, FONT, GREY, ORANGE, PALE

BAND_FILLS = ("#e8edee", "#f0f4f5")


def curve_frame(scheme: maths.Scheme) -> pd.DataFrame:
    """One row per change in the network's share: score and share (%)."""
    return pd.DataFrame(
        maths.retained_share_curve(scheme), columns=["score", "network_share"]
    ).astype(float)


def retained_share_figure(
    scheme: maths.Scheme, score: Decimal | None, what_if_score: Decimal | None = None
) -> tuple[dict, str]:
    """The figure and its text alternative. Trace 2 is the what-if point,
    which static/js/incentives-what-if.js moves."""
    frame = curve_frame(scheme)
    traces = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": "Network keeps (% of savings)",
            "x": frame["score"].tolist(),
            "y": frame["network_share"].tolist(),
            "line": {"shape": "hv", "color": BLUE, "width": 3},
            "hovertemplate": "Score %{x}: network keeps %{y}%<extra></extra>",
        },
        _point("This year's score", score, scheme, DARK, "circle"),
        _point("What if", what_if_score, scheme, ORANGE, "diamond"),
    ]
    shapes = [
        {
            "type": "rect",
            "xref": "x",
            "yref": "paper",
            "x0": float(band.lower),
            "x1": float(band.upper),
            "y0": 0,
            "y1": 1,
            "fillcolor": BAND_FILLS[index % 2],
            "line": {"width": 0},
            "layer": "below",
        }
        for index, band in enumerate(scheme.bands)
    ]
    shapes.append(
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": float(scheme.gateway_score),
            "x1": float(scheme.gateway_score),
            "y0": 0,
            "y1": 1,
            "line": {"color": GREY, "dash": "dash"},
        }
    )
    figure = {
        "data": traces,
        "layout": {
            "title": {
                "text": "Network's share of savings by aggregate score",
                "font": {"size": 16},
            },
            "font": FONT,
            "margin": {"l": 60, "r": 20, "t": 50, "b": 60},
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
            "xaxis": {"title": {"text": "Aggregate outcome score"}, "range": [0, 100]},
            "yaxis": {"title": {"text": "Network keeps (%)"}, "range": [0, 100], "gridcolor": PALE},
            "shapes": shapes,
            "showlegend": True,
            "legend": {"orientation": "h", "y": -0.25},
        },
    }
    bands = "; ".join(
        f"{plain(b.lower)} to {plain(b.upper)}: {plain(b.network_share)}%" for b in scheme.bands
    )
    alt = (
        f"No gain share below the quality gateway of {plain(scheme.gateway_score)}. Bands: {bands}."
    )
    if score is not None:
        alt += (
            f" This year's score of {score} keeps "
            f"{plain(maths.network_share_percent(scheme, score))}%."
        )
    return figure, alt


def _point(name: str, score, scheme, colour: str, symbol: str) -> dict:
    has = score is not None
    return {
        "type": "scatter",
        "mode": "markers",
        "name": name,
        "x": [float(score)] if has else [],
        "y": [float(maths.network_share_percent(scheme, score))] if has else [],
        "marker": {"color": colour, "size": 14, "symbol": symbol},
        "hovertemplate": name + ": score %{x}, network keeps %{y}%<extra></extra>",
    }
