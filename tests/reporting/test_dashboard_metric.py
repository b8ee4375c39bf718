"""The metric page from the dashboard: the XmR chart and its table, rebasing
by commissioners (the rules of outcomes.services.rebasing), warnings below 12 points,
and the downloads of the dashboard's tables (formula cells escaped)."""

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from outcomes.models import SpcRebase
from reporting import dashboards
from tests.dashboard_data import seed

D = dt.date


@pytest.fixture
def scored(system, contract):
    return seed(system, contract, metrics=2, months=20)


def metric_url(metric):
    return reverse("reporting:dashboard-metric", args=[metric.pk])


def open_metric(client, user, metric, contract, organisation, **extra):
    client.force_login(user)
    return client.get(
        metric_url(metric), {"contract": contract.pk, "organisation": organisation.pk, **extra}
    )


def test_xmr_chart_marks_special_causes_and_the_target(client, system, contract, scored):
    metrics, months = scored
    response = open_metric(client, system.commissioner, metrics[0], contract, system.pa1)
    assert response.status_code == 200
    html = response.content.decode()
    points = response.context["points"]
    assert len(points) == 20
    # PA1's last 8 months shift down (lower is better): improvement below the
    # mean, and the 12 months before sit above it in a run (concern).
    assert {p["point_type"] for p in points[-8:]} == {"special_cause_improvement"}
    assert {p["point_type"] for p in points[:12]} == {"special_cause_concern"}
    figure = json.loads(
        re.search(
            r'<script id="chart-xmr-data" type="application/json">(.*?)</script>', html, re.S
        )[1]
    )
    names = [trace["name"] for trace in figure["data"]]
    assert names[:3] == ["EMADM", "Mean", "Process limits"]
    assert "Special cause: improvement" in names and "Target" in names
    target = next(t for t in figure["data"] if t["name"] == "Target")
    assert set(target["y"]) == {22.0}
    assert "20 points show special cause variation" in html
    assert "latest point: special cause improvement (low); target 22.0" in html
    # the data table
    assert "Special cause: improvement: 2 of 3 points near the lower process limit" in html
    assert "Rebase the limits" in html  # a commissioner holding the contract


def test_commissioner_rebases_and_withdraws(client, system, contract, scored):
    metrics, months = scored
    url = metric_url(metrics[0])
    query = f"?contract={contract.pk}&organisation={system.pa1.pk}"
    client.force_login(system.commissioner)
    response = client.post(
        url + query, {"period_start": "2025-05-01", "reason": "New falls service"}
    )
    assert response.status_code == 302
    rebase = SpcRebase.objects.get()
    assert (rebase.period_start, rebase.reason) == (D(2025, 5, 1), "New falls service")
    page = client.get(url + query)
    html = page.content.decode()
    summary = page.context["summary"]
    assert summary["rebases"] == [D(2025, 5, 1)]
    assert [s["n"] for s in summary["segments"]] == [13, 7]
    assert "Calculation period 2 has 7 points" in html  # the fewer-than-12 warning
    figure = json.loads(
        re.search(
            r'<script id="chart-xmr-data" type="application/json">(.*?)</script>', html, re.S
        )[1]
    )
    assert figure["layout"]["shapes"][0]["x0"] == "May 2025"
    assert "limits rebased from May 2025" in html
    # Withdrawing it (its creator).
    response = client.post(url + query, {"withdraw": rebase.pk})
    assert response.status_code == 302 and not SpcRebase.objects.exists()


def test_rebase_needs_a_reason_and_changes_nothing(client, system, contract, scored):
    metrics, _ = scored
    client.force_login(system.commissioner)
    url = f"{metric_url(metrics[0])}?contract={contract.pk}&organisation={system.pa1.pk}"
    response = client.post(url, {"period_start": "2025-05-01", "reason": " "})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "Enter reason for rebasing." in html
    assert not SpcRebase.objects.exists()
    response = client.post(url, {"period_start": "2024-04-01", "reason": "Too early"})
    assert "Select a valid choice" in response.content.decode()  # not offered: the first month
    assert not SpcRebase.objects.exists()


def test_network_manager_may_read_but_not_rebase(client, system, contract, scored):
    metrics, _ = scored
    response = open_metric(client, system.network_manager_a, metrics[0], contract, system.pa1)
    assert response.status_code == 200 and "Rebase the limits" not in response.content.decode()
    response = client.post(
        f"{metric_url(metrics[0])}?contract={contract.pk}&organisation={system.pa1.pk}",
        {"period_start": "2025-05-01", "reason": "x"},
    )
    assert response.status_code == 403 and not SpcRebase.objects.exists()


def test_network_series_is_pooled_and_not_rebased(client, system, contract, scored):
    metrics, _ = scored
    response = open_metric(client, system.commissioner, metrics[0], contract, system.network_a)
    assert response.status_code == 200
    assert len(response.context["points"]) == 20
    assert "rebase a member's series from its own page" in response.content.decode()


def test_people_outside_the_contract_get_no_metric_data(client, system, contract, scored):
    metrics, _ = scored
    # Provider B's only contract holds no EMADM: 404, never data.
    response = open_metric(client, system.provider_b, metrics[0], contract, system.pa1)
    assert response.status_code == 404
    client.force_login(system.lay_partner)
    assert client.get(metric_url(metrics[0])).status_code == 403


def test_short_series_warns(client, system, contract):
    metrics, _ = seed(system, contract, metrics=1, months=6)
    html = open_metric(
        client, system.commissioner, metrics[0], contract, system.pa1
    ).content.decode()
    assert (
        "Calculation period 1 has 6 points: limits from fewer than 12 points are unreliable."
        in html
    )


# --- Downloads ---


def download(client, user, table, fmt, contract, **extra):
    client.force_login(user)
    return client.get(
        reverse("reporting:dashboard-download", kwargs={"table": table, "format": fmt}),
        {"contract": contract.pk, "period": "2025-05", **extra},
    )


@pytest.mark.parametrize(
    "table",
    [
        "trend",
        "dimensions",
        "metrics",
        "members",
        "comparison",
        "completeness",
        "due",
        "notices",
        "actions",
    ],
)
def test_every_dashboard_table_downloads_as_csv_and_excel(client, system, contract, scored, table):
    response = download(client, system.commissioner, table, "csv", contract)
    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == f'attachment; filename="CON-A-NETA-2025-05-{table}.csv"'
    )
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    response = download(client, system.commissioner, table, "xlsx", contract)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == lines[0]
    assert len(rows) == len(lines)


def test_downloads_escape_formula_cells_and_keep_missing_empty(client, system, contract, scored):
    metrics, _ = scored
    metrics[1].name = '=HYPERLINK("http://evil.example","x")'
    metrics[1].save()
    response = download(client, system.commissioner, "metrics", "csv", contract, period="2025-12")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    prop = next(row for row in rows if row["Metric code"] == "PROP1")
    assert prop["Metric"] == "'" + metrics[1].name
    assert prop["Value"] == "" and prop["Score (0-10)"] == ""  # no data in December 2025
    response = download(client, system.commissioner, "metrics", "xlsx", contract)
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    prop = next(
        dict(zip(header, (c.value for c in row), strict=True))
        for row in sheet.iter_rows(min_row=2)
        if row[1].value == "PROP1"
    )
    assert prop["Metric"] == "'" + metrics[1].name
    assert isinstance(prop["Value"], float)  # numbers stay numbers in a workbook
    assert sheet["C3"].data_type != "f"


def test_a_members_download_says_how_many_it_was_ranked_among(client, system, contract, scored):
    response = download(
        client, system.commissioner, "metrics", "csv", contract, organisation=system.pa1.pk
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    emadm = next(row for row in csv.DictReader(io.StringIO(text)) if row["Metric code"] == "EMADM")
    assert emadm["Rank"] in ("1", "2") and emadm["Ranked out of"] == "2"  # PA1 and PA2
    assert emadm["Compared with (network or peers' value)"] != ""


def test_unknown_tables_and_formats_are_404(client, system, contract, scored):
    assert download(client, system.commissioner, "secrets", "csv", contract).status_code == 404
    assert download(client, system.commissioner, "metrics", "pdf", contract).status_code == 404


def test_provider_download_holds_their_rows_only(client, system, contract, scored):
    response = download(client, system.provider_a, "completeness", "csv", contract)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "PA1" in text and "PA2" not in text


def test_spc_table_downloads(client, system, contract, scored):
    metrics, _ = scored
    client.force_login(system.commissioner)
    response = client.get(
        reverse(
            "reporting:dashboard-metric-download", kwargs={"pk": metrics[0].pk, "format": "xlsx"}
        ),
        {"contract": contract.pk, "organisation": system.pa1.pk},
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:2] == ["Month", "Value"]
    assert sheet.max_row == 21


def test_spc_csv_rounds_the_value_like_the_other_columns(
    client, system, contract, scored, monkeypatch
):
    # A value with more places than the table keeps (a pooled network value is
    # often like this): every number of the SPC table has at most 4 decimals.
    original = dashboards.metric_spc

    def with_long_values(*args, **kwargs):
        result = original(*args, **kwargs)
        for point in result["points"]:
            point["value"] += 1 / 3
        return result

    monkeypatch.setattr(dashboards, "metric_spc", with_long_values)
    metrics, _ = scored
    client.force_login(system.commissioner)
    response = client.get(
        reverse(
            "reporting:dashboard-metric-download", kwargs={"pk": metrics[0].pk, "format": "csv"}
        ),
        {"contract": contract.pk, "organisation": system.pa1.pk},
    )
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert len(rows) == 20
    for row in rows:
        for column in ("Value", "Mean"):
            assert len(row[column].partition(".")[2]) <= 4, (column, row[column])
