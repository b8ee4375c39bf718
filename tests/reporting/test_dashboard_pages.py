"""The dashboard page (/dashboard/): what each role sees, missing data shown
as missing, charts with text alternatives and the same data as tables, and
what is due next."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from contracts.choices import Role
from outcomes.models import ContractMetric
from tests.dashboard_data import seed
from tests.factories import MembershipFactory, MetricFactory, UserFactory

D = dt.date
DASHBOARD = reverse("reporting:dashboard")


@pytest.fixture
def scored(system, contract):
    return seed(system, contract, metrics=3, months=14)


def page(client, user, **params):
    client.force_login(user)
    response = client.get(DASHBOARD, params)
    assert response.status_code == 200
    return response


def figures(html: str) -> dict:
    return {
        name: json.loads(body)
        for name, body in re.findall(
            r'<script id="(chart-[a-z]+)-data" type="application/json">(.*?)</script>', html, re.S
        )
    }


def test_commissioner_reviews_the_network(client, system, contract, scored):
    response = page(client, system.commissioner, contract=contract.pk, period="2025-05")
    html = response.content.decode()
    board = response.context["board"]
    assert "<h1>Network A: May 2025</h1>" in html
    # Aggregate score and its trend over 12 months, as a chart and a table.
    assert board.aggregate["score"] == pytest.approx(54.375)
    assert len(board.trend) == 12
    charts = figures(html)
    assert set(charts) == {"chart-trend", "chart-dimensions", "chart-comparison"}
    assert charts["chart-trend"]["data"][0]["y"][-1] == pytest.approx(54.375)
    assert "The aggregate outcome score from Jun 2024 to May 2025: 54.4 in May 2025" in html
    # Dimensions side by side with coverage.
    dimensions = {d["dimension"].name: d for d in board.dimensions}
    assert dimensions["Quality of care"]["coverage"] == 1.0
    assert dimensions["Quality of care"]["score"] == pytest.approx(3.625)
    assert "Quality of care: 3.6 out of 10 (100% coverage)" in html
    # Metrics grouped by dimension, with SPC and the benchmark columns.
    rows = {row["code"]: row for row in board.metric_rows}
    assert set(rows) == {"EMADM", "PROP1", "PROP2"}
    assert rows["EMADM"]["value"] == pytest.approx(30.0)
    assert rows["EMADM"]["rating_label"] == "Requires improvement"
    assert rows["EMADM"]["variation"] == "improvement_low"  # PA1's shift pools into the network
    assert rows["EMADM"]["assurance"] == "consistent_fail"
    assert len(rows["EMADM"]["sparkline"]) == 12
    # Members compared with intervals, the network as the comparator line.
    comparison = response.context["comparison"]
    assert {row["code"] for row in comparison} == {"NETA", "PA1", "PA2"}
    caterpillar = charts["chart-comparison"]
    order = caterpillar["layout"]["yaxis"]["categoryarray"]
    assert order == ["Provider A1", "Provider A2"]  # lower is better: best first, from the top
    *groups, line = caterpillar["data"]
    assert sorted(name for group in groups for name in group["y"]) == order
    assert all("error_x" in group for group in groups) and line["name"] == "Network value"
    assert "Provider A1: 25.0 (95% interval" in html
    # Completeness for the members, newest month first.
    assert {item.organisation.code for item in board.completeness} == {"PA1", "PA2"}
    assert "Every chart" not in html  # no placeholder text
    assert html.count('aria-hidden="true"></div>') == 3  # plots hidden, captions read


def test_network_manager_sees_their_network_and_what_is_due(client, system, contract, scored):
    response = page(client, system.network_manager_a, contract=contract.pk, period="2025-05")
    html = response.content.decode()
    assert "What you must submit next" in html
    due = response.context["board"].due_next
    # Nothing was submitted after May 2025: the latest months are all outstanding.
    assert due and all(not item["expected"].arrived for item in due)
    assert {item["organisation"].code for item in due} == {"PA1", "PA2"}
    assert [item["expected"].due for item in due] == sorted(item["expected"].due for item in due)


def test_provider_user_sees_their_organisation_only(client, system, contract, scored):
    response = page(
        client,
        system.provider_a,
        contract=contract.pk,
        organisation=system.pa2.pk,  # not theirs: ignored
        period="2025-05",
    )
    html = response.content.decode()
    selection = response.context["selection"]
    assert [org.code for org in selection.organisations] == ["PA1"]
    assert selection.organisation == system.pa1
    assert "Provider A2" not in html and "Network A (whole network)" not in html
    assert 'id="members"' not in html
    board = response.context["board"]
    assert set(board.members["organisation_id"]) == {system.pa1.pk}
    assert {item.organisation.code for item in board.completeness} == {"PA1"}


def test_a_member_is_ranked_among_the_members(client, system, contract, scored):
    response = page(client, system.commissioner, contract=contract.pk, organisation=system.pa1.pk)
    html = response.content.decode()
    row = {row["code"]: row for row in response.context["board"].metric_rows}["EMADM"]
    assert row["peer_count"] == 2 and row["peer_rank"] in (1, 2)
    assert f"Rank {row['peer_rank']} of 2, quintile {row['peer_quintile']}" in html
    label = row["comparison_label"]  # e.g. "Similar to the network"
    assert label.endswith(" the network") and label in html
    assert "comparable providers" not in html


def test_a_single_provider_is_ranked_among_comparable_providers(client, system, contract, scored):
    """PS holds EMADM on a contract of its own, as PT and PU do; PA1 and PA2
    hold it through network A, so PS is ranked among the five (QCOM
    commissions them all, so it is shown: tests/reporting/
    test_dashboard_small_numbers.py). Lower is better and PS's 1 per 1,000
    is the best."""
    from outcomes.choices import Channel, RunTrigger
    from outcomes.models import Metric
    from outcomes.services import rescore
    from outcomes.services.submissions import submit
    from tests.factories import single_provider_contracts

    contracts = single_provider_contracts(
        system.commissioner_org, Metric.objects.get(code="EMADM"), ("PS", "PT", "PU")
    )
    submit(
        user=system.admin,
        channel=Channel.COMMAND,
        name="singles.csv",
        content=b"metric_code,organisation_code,period_start,numerator,denominator,value\n"
        b"EMADM,PS,2025-05-01,1,1000,\nEMADM,PT,2025-05-01,35,1000,\n"
        b"EMADM,PU,2025-05-01,40,1000,\n",
        today=D(2025, 7, 1),
    )
    own = contracts["PS"]
    rescore.rescore_contract(own.pk, RunTrigger.MANUAL, today=D(2025, 7, 1))

    response = page(client, system.commissioner, contract=own.pk, period="2025-05")
    html = response.content.decode()
    row = {row["code"]: row for row in response.context["board"].metric_rows}["EMADM"]
    assert (row["peer_rank"], row["peer_quintile"], row["peer_count"]) == (1, 1, 5)
    assert "Rank 1 of 5, quintile 1" in html
    assert "Better than comparable providers" in html  # 1 per 1,000 against about 31
    assert "than the network" not in html and "Rank 1 of 1" not in html


def test_another_networks_provider_cannot_pick_the_contract(client, system, contract, scored):
    response = page(client, system.provider_b, contract=contract.pk)
    assert response.context["selection"].contract == system.contract_b
    assert "Provider A1" not in response.content.decode()


@pytest.mark.parametrize("who", ["lay_partner", "outsider"])
def test_lay_partners_and_people_without_a_role_are_refused(client, system, scored, who):
    client.force_login(getattr(system, who))
    assert client.get(DASHBOARD).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, scored):
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_month_without_data_is_missing_not_zero(client, system, contract, scored):
    response = page(client, system.commissioner, contract=contract.pk, period="2025-07")
    board = response.context["board"]
    html = response.content.decode()
    assert board.aggregate == {"score": None, "coverage": 0.0}
    assert "No score" in html and "Insufficient data in July 2025" in html
    assert all(row["value"] is None and row["score"] is None for row in board.metric_rows)
    assert html.count(">Missing</span>") >= 3
    # The trend shows the two empty months as gaps.
    trend = figures(html)["chart-trend"]["data"][0]["y"]
    assert trend[-2:] == [None, None] and 0 not in trend
    assert "2 months without a score" in html
    sparkline = {row["code"]: row["sparkline"] for row in board.metric_rows}["EMADM"]
    assert sparkline[-2:] == [None, None]
    assert "missing, missing" in html


def test_default_month_is_the_latest_with_a_score(client, system, contract, scored):
    response = page(client, system.commissioner, contract=contract.pk)
    assert response.context["selection"].period == D(2025, 5, 1)


def test_open_notices_are_listed(client, system, contract, scored, notice_in):
    notice = notice_in("raised")
    html = page(client, system.commissioner, contract=contract.pk).content.decode()
    assert notice.title in html and reverse("contracts:notice-detail", args=[notice.pk]) in html


def test_a_metric_not_yet_due_is_not_called_missing(client, system, contract, scored):
    quarterly = MetricFactory(
        code="QTR",
        name="Quarterly survey",
        frequency="quarterly",
        metric_type="value",
        aggregation="mean",
        direction="higher",
    )
    ContractMetric.objects.create(
        contract=contract,
        metric=quarterly,
        effective_from=D(2024, 4, 1),
        minimum_threshold=1,
        target=2,
    )
    from outcomes.services import rescore

    rescore.rescore_contract(contract.pk, "manual", today=D(2025, 7, 1))
    response = page(client, system.commissioner, contract=contract.pk, period="2025-05")
    rows = {row["code"]: row for row in response.context["board"].metric_rows}
    assert rows["QTR"]["expected"] is False
    assert "Not due this month" in response.content.decode()


def test_commissioner_of_two_contracts_switches_between_them(client, system, contract, scored):
    second = UserFactory(username="both")
    MembershipFactory(user=second, organisation=system.commissioner_org, role=Role.COMMISSIONER)
    MembershipFactory(
        user=second, organisation=system.other_commissioner_org, role=Role.COMMISSIONER
    )
    response = page(client, second, contract=system.contract_b.pk)
    assert [c.reference for c in response.context["selection"].contracts] == ["CON-A", "CON-B"]
    assert response.context["selection"].organisation == system.network_b


def test_overdue_actions_and_the_incentive_position(client, system, contract, scored):
    from django.utils import timezone

    from dialogues.models import Action
    from dialogues.services.actions import raise_action

    today = timezone.localdate()
    action = raise_action(
        network=system.network_a,
        title="Falls prevention plan for care homes",
        owner=system.network_manager_a,
        due_on=today,
        organisation=system.pa2,
    )
    Action.objects.filter(pk=action.pk).update(due_on=today - dt.timedelta(days=10))
    response = page(client, system.commissioner, contract=contract.pk)
    html = response.content.decode()
    assert [a.pk for a in response.context["board"].overdue_actions] == [action.pk]
    assert "Falls prevention plan for care homes" in html
    assert "No contract year has been settled yet." in html
    # Provider A1 sees their own organisation's actions only: those it owns
    # or that are about it, not one about Provider A2.
    response = page(client, system.provider_a, contract=contract.pk)
    assert response.context["board"].overdue_actions == []
    theirs = raise_action(
        network=system.network_a,
        title="Send the missing falls data",
        owner=system.provider_a,
        due_on=today,
    )
    Action.objects.filter(pk=theirs.pk).update(due_on=today - dt.timedelta(days=3))
    response = page(client, system.provider_a, contract=contract.pk)
    assert [a.pk for a in response.context["board"].overdue_actions] == [theirs.pk]
    html = response.content.decode()
    assert '<td class="nhsuk-table__cell">Provider A1</td>' in html
    # A member is not a party to the network's contract: it is told so, not
    # that nothing has been settled.
    assert response.context["board"].is_party is False
    assert "No contract year has been settled yet." not in html
    assert "are shown only to their people" in html


def test_the_comparison_download_is_of_the_metric_shown(client, system, contract, scored):
    html = page(client, system.commissioner, contract=contract.pk, period="2025-05")
    picker = re.search(r'<select[^>]*name="compare">(.*?)</select>', html.content.decode(), re.S)
    metric_id, code = re.findall(r'<option value="(\d+)"[^>]*>(\w+):', picker.group(1))[-1]
    response = page(
        client, system.commissioner, contract=contract.pk, period="2025-05", compare=metric_id
    )
    assert response.context["board"].compare_metric["metric"]["code"] == code
    url = reverse("reporting:dashboard-download", kwargs={"table": "comparison", "format": "csv"})
    link = re.search(rf'href="({re.escape(url)}\?[^"]+)"', response.content.decode()).group(1)
    assert f"compare={metric_id}" in link
    download = client.get(link.replace("&amp;", "&"))
    rows = b"".join(download.streaming_content).decode().splitlines()
    assert len(rows) > 1 and all(code in row for row in rows[1:])
