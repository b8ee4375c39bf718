"""The dashboard's cached SPC summaries are keyed by every input and by the
SPC rules' version, so a change of rules is never hidden by the cache."""

import datetime as dt

import pandas as pd
from django.core.cache import cache

from outcomes import series, spc
from reporting import dashboards


def summaries(values):
    frame = pd.DataFrame(
        {
            "metric_id": [1] * len(values),
            "period_start": [dt.date(2025, m, 1) for m in range(1, len(values) + 1)],
            "value": values,
        }
    )
    rebases = pd.DataFrame(columns=["metric_id", "period_start"])
    info = {1: {"direction": "higher", "target": None}}
    return dashboards.spc_by_metric(frame, rebases, info, summaries_only=True)[1]


def test_a_new_rules_version_is_not_served_from_the_cache(monkeypatch):
    cache.clear()
    values = [10.0, 12.0, 11.0, 13.0, 12.0, 11.0, 14.0, 12.0]
    first = summaries(values)
    assert first["n"] == len(values)
    calls = []
    real = series.analyse_rows

    def counted(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(series, "analyse_rows", counted)
    assert summaries(values) == first and calls == []  # same inputs, same rules: cached
    monkeypatch.setattr(spc, "RULES_VERSION", spc.RULES_VERSION + "-next")
    assert summaries(values) == first and len(calls) == 1  # analysed again
    cache.clear()
