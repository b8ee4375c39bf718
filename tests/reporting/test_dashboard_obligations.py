"""What the browser audit of the dashboard found, fixed: the commissioner's
own obligations (a metric the commissioner submits is shown under the
commissioner, never as a blank row of the network's); members compared
are the network's members; the trend and SPC series start with the
contract; a month not yet due is not missing; the settlement says who
pays whom; values are written alike everywhere."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.choices import Side
from outcomes.choices import Channel, Direction, MetricType, RunTrigger, SubmissionStatus
from outcomes.models import ContractMetric, PeriodReview
from outcomes.services import rescore
from outcomes.services.submissions import submit
from reporting import contract_publishing, publishing
from tests.dashboard_data import FIRST, months_from, seed
from tests.factories import ContractFactory, MetricFactory
from tests.incentives_fixtures import year_one_fixture  # noqa: F401 (fixture)

DASHBOARD = reverse("reporting:dashboard")
MONTHS = 14


@pytest.fixture
def obligations(system, contract):
    """CON-A scored for 14 months, plus DEMAND: the commissioner's
    demand-plan accuracy (higher is better, target 90%), submitted by the
    commissioner for the same months."""
    seed(system, contract, metrics=2, months=MONTHS)
    demand = MetricFactory(
        code="DEMAND",
        name="Demand plan accuracy",
        metric_type=MetricType.PROPORTION,
        factor=100,
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        submitted_by=Side.COMMISSIONER,
    )
    ContractMetric.objects.create(
        contract=contract,
        metric=demand,
        effective_from=FIRST,
        minimum_threshold=70,
        target=90,
        baseline=80,
    )
    months = months_from(FIRST, MONTHS)
    today = months[-1] + dt.timedelta(days=60)
    lines = "".join(
        f"DEMAND,QCOM,{month:%Y-%m-%d},{80 + n % 5},100,\n" for n, month in enumerate(months)
    )
    submission = submit(
        user=system.commissioner,
        channel=Channel.COMMAND,
        name="demand.csv",
        content=(
            "metric_code,organisation_code,period_start,numerator,denominator,value\n" + lines
        ).encode(),
        today=today,
    )
    assert submission.status == SubmissionStatus.STORED, submission.errors[:3]
    rescore.rescore_contract(contract.pk, RunTrigger.MANUAL, today=today)
    return demand


def dashboard(client, user, **params):
    client.force_login(user)
    response = client.get(DASHBOARD, {"period": "2025-05", **params})
    assert response.status_code == 200
    return response


def publish_may_2025(system, contract):
    return contract_publishing.publish(
        user=system.commissioner,
        contract=contract,
        organisation=system.network_a,
        period=dt.date(2025, 5, 1),
        summary="Steady.",
    )


def text(response) -> str:
    """A download's body (downloads stream)."""
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")


def codes(response) -> set[str]:
    return {row["code"] for row in response.context["board"].metric_rows}


def test_the_network_page_leaves_the_commissioners_metric_to_the_commissioner(
    client, system, contract, obligations
):
    response = dashboard(client, system.commissioner, contract=contract.pk)
    html = response.content.decode()
    assert codes(response) == {"EMADM", "PROP1"}
    assert (
        "1 metric of this contract is the commissioner's own obligation: choose Test ICB "
        "(commissioner's obligations) to see it." in html
    )
    assert "Test ICB (commissioner's obligations)</option>" in html
    # A member's page, likewise.
    member = dashboard(
        client, system.commissioner, contract=contract.pk, organisation=system.pa1.pk
    )
    assert codes(member) == {"EMADM", "PROP1"}


def test_the_commissioners_obligations_show_its_own_metric_with_its_values(
    client, system, contract, obligations
):
    response = dashboard(
        client, system.commissioner, contract=contract.pk, organisation=system.commissioner_org.pk
    )
    html = response.content.decode()
    (row,) = response.context["board"].metric_rows
    assert row["code"] == "DEMAND"
    assert row["expected"] and row["value"] == pytest.approx(83.0)  # May 2025: 80 + 13 % 5
    assert row["target"] == 90.0 and row["assurance"] == "consistent_fail"
    assert "These are the metrics the contract holds Test ICB to" in html
    assert "Not due this month" not in html
    # Its SPC page opens for the commissioner, not for the network.
    url = reverse("reporting:dashboard-metric", args=[obligations.pk])
    chosen = {"contract": contract.pk, "period": "2025-05"}
    assert (
        client.get(url, {**chosen, "organisation": system.commissioner_org.pk}).status_code == 200
    )
    assert client.get(url, {**chosen, "organisation": system.network_a.pk}).status_code == 404


def test_a_member_provider_is_not_pointed_at_obligations_it_cannot_open(
    client, system, contract, obligations
):
    response = dashboard(client, system.provider_a, contract=contract.pk)
    html = response.content.decode()
    assert codes(response) == {"EMADM", "PROP1"}
    assert "commissioner's own obligation" not in html
    assert "commissioner's obligations" not in html


def test_obligations_are_offered_only_where_the_contract_holds_the_commissioner_to_some(
    client, system, contract
):
    seed(system, contract, metrics=2, months=MONTHS)
    response = dashboard(client, system.commissioner, contract=contract.pk)
    organisations = response.context["selection"].organisations
    assert system.commissioner_org not in organisations
    assert "commissioner's obligations" not in response.content.decode()


def test_members_compared_leave_out_the_commissioner(client, system, contract, obligations):
    response = dashboard(client, system.commissioner, contract=contract.pk)
    assert {code for code, *_ in response.context["member_rows"]} == {"NETA", "PA1", "PA2"}
    csv = text(
        client.get(
            reverse("reporting:dashboard-download", args=["members", "csv"]),
            {"contract": contract.pk, "period": "2025-05"},
        )
    )
    assert "QCOM" not in csv and "PA1" in csv


def test_assurance_says_no_data_rather_than_no_target(client, system, contract):
    """A metric with a target and no values in the trend window is 'No data'."""
    seed(system, contract, metrics=2, months=MONTHS)
    silent = MetricFactory(code="SILENT", name="Never submitted")
    ContractMetric.objects.create(
        contract=contract, metric=silent, effective_from=FIRST, minimum_threshold=30, target=22
    )
    response = dashboard(client, system.commissioner, contract=contract.pk)
    html = response.content.decode()
    row = {row["code"]: row for row in response.context["board"].metric_rows}["SILENT"]
    assert row["target"] == 22.0 and row["assurance"] is None
    cells = html[html.index("Never submitted") :]
    cells = cells[: cells.index("</tr>")]
    assert "No data" in cells and "No target" not in cells


def test_the_trend_starts_with_the_contract(client, system, contract):
    """Months before the contract started are not months without a score."""
    seed(system, contract, metrics=2, months=MONTHS)
    response = dashboard(client, system.commissioner, contract=contract.pk, period="2024-09")
    trend = response.context["board"].trend
    assert list(trend["period_start"]) == months_from(FIRST, 6)  # April to September 2024
    assert "Missing" not in response.content.decode().split('id="dimensions"')[0]
    row = response.context["board"].metric_rows[0]
    assert len(row["sparkline"]) == 6


def test_a_negative_settlement_says_the_network_pays(client, system, contract, year_one):
    """An overspend the network shares makes the net transfer negative."""
    from contracts.models import ActualCost
    from incentives import services

    ActualCost.objects.filter(contract=contract).update(amount=Decimal("1100000.00"))
    settlement = services.compute_settlement(contract_year=year_one)
    assert settlement.net_transfer < 0
    html = dashboard(client, system.commissioner, contract=contract.pk).content.decode()
    sentence = html[html.index("net transfer") :]
    sentence = sentence[: sentence.index("</p>")]
    assert f"net transfer −£{-settlement.net_transfer:,.2f} (Network A pays the commissioner)" in (
        sentence
    )
    assert "from the commissioner" not in sentence


def test_a_published_scorecard_shows_what_the_commissioner_is_held_to(
    client, system, contract, obligations
):
    PeriodReview.objects.filter(contract=contract).update(status="accepted")
    scorecard = publish_may_2025(system, contract)
    snapshot = scorecard.snapshot
    assert {m["code"] for m in snapshot["metrics"]} == {"EMADM", "PROP1"}
    (held,) = snapshot["commissioner_metrics"]
    assert held["code"] == "DEMAND" and held["value"] == pytest.approx(83.0)
    client.logout()
    html = client.get(scorecard.get_absolute_url()).content.decode()
    assert "What Test ICB is held to" in html
    assert "Demand plan accuracy" in html
    csv = text(
        client.get(
            reverse(
                "reporting:scorecard-download",
                kwargs={"pk": scorecard.pk, "table": "measures", "format": "csv"},
            )
        )
    )
    assert "DEMAND" in csv and "Test ICB" in csv


def test_public_member_scores_download_as_the_page_shows_them(client, system, contract):
    seed(system, contract, metrics=2, months=MONTHS)
    scorecard = publish_may_2025(system, contract)
    client.logout()
    csv = text(
        client.get(
            reverse(
                "reporting:scorecard-download",
                kwargs={"pk": scorecard.pk, "table": "members", "format": "csv"},
            )
        )
    )
    lines = csv.strip().splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["PA1", "PA2"]  # not the network
    for line in lines[1:]:
        score = line.split(",")[-1]
        assert len(score.split(".")[-1]) <= 1, line  # one decimal place, as on the page


def test_a_single_provider_contract_offers_no_obligations(client, system):
    own = ContractFactory(
        reference="CON-S", commissioner=system.commissioner_org, provider=system.pa1
    )
    response = dashboard(client, system.commissioner, contract=own.pk)
    assert [org.code for org in response.context["selection"].organisations] == ["PA1"]


def test_the_obligations_open_on_the_latest_month_with_data(client, system, contract, obligations):
    """The commissioner's one metric never covers enough of the dimensions
    for an aggregate score, so the page opens on its latest month with data,
    not on this month, when nothing is due yet."""
    client.force_login(system.commissioner)
    response = client.get(
        DASHBOARD, {"contract": contract.pk, "organisation": system.commissioner_org.pk}
    )
    board = response.context["board"]
    assert board.aggregate["score"] is None
    assert response.context["selection"].period == dt.date(2025, 5, 1)
    (row,) = board.metric_rows
    assert row["value"] == pytest.approx(83.0)


def test_a_month_not_yet_due_is_not_missing(client, system, contract, monkeypatch):
    """June 2025's data is due after the month ends: on 15 June it is 'Not
    due yet', not 'Missing', and no variation is claimed for the month."""
    from django.utils import timezone

    seed(system, contract, metrics=2, months=MONTHS)  # April 2024 to May 2025
    monkeypatch.setattr(timezone, "localdate", lambda *args: dt.date(2025, 6, 15))
    response = dashboard(client, system.commissioner, contract=contract.pk, period="2025-06")
    rows = response.context["board"].metric_rows
    assert rows and all(row["expected"] and row["not_due_yet"] for row in rows)
    assert all(row["variation"] is None and row["assurance"] is None for row in rows)
    table = response.content.decode().split('id="metrics"')[1].split("</section>")[0]
    assert "Not due yet" in table and "Missing" not in table
    assert "No value this month" in table and "Common cause" not in table


def test_spc_series_start_with_the_contract(client, system, contract):
    """A provider's values from before the contract started are its history,
    not the contract's process: the SPC page leaves them out."""
    from outcomes.models import Measurement

    seed(system, contract, metrics=2, months=MONTHS)
    first = Measurement.objects.filter(organisation=system.pa1).order_by("period_start").first()
    contract.start_date = dt.date(2024, 10, 1)
    contract.save()
    client.force_login(system.commissioner)
    response = client.get(
        reverse("reporting:dashboard-metric", args=[first.metric_id]),
        {"contract": contract.pk, "organisation": system.pa1.pk, "period": "2025-05"},
    )
    months = [point["period_start"] for point in response.context["points"]]
    assert months[0] == dt.date(2024, 10, 1) and len(months) == 8


def test_values_are_written_alike_on_every_page():
    from core.numbers import fmt

    assert fmt(1429.7, 1, "£") == "£1,429.70"
    assert fmt(91.35, 1, "%") == "91.4%"  # half up, as floatformat rounds on the dashboard
    assert fmt(12.25, 1, "per 1,000") == "12.3 per 1,000"
    assert fmt(None, 1, "£") == "no data"


def test_a_choice_that_cannot_be_shown_is_replaced_with_a_note(client, system, contract):
    seed(system, contract, metrics=2, months=MONTHS)
    response = dashboard(
        client,
        system.commissioner,
        contract=contract.pk,
        organisation=system.pb1.pk,  # network B's member: not CON-A's
        period="2023-01",
    )
    selection = response.context["selection"]
    assert selection.organisation == system.network_a
    html = response.content.decode()
    assert "The organisation asked for is not one of CON-A&#x27;s that you can see" in html
    assert "CON-A has no month 2023-01 so far: showing the latest month." in html
    assert "Provider B1" not in html


def test_a_withdrawn_scorecard_does_not_claim_to_show_its_figures(client, system, contract):
    seed(system, contract, metrics=2, months=MONTHS)
    scorecard = publish_may_2025(system, contract)
    trend = text(
        client.get(
            reverse(
                "reporting:scorecard-download",
                kwargs={"pk": scorecard.pk, "table": "trend", "format": "csv"},
            )
        )
    )
    assert ",Yes," in trend and "True" not in trend
    publishing.withdraw(user=system.commissioner, scorecard=scorecard, reason="Data corrected.")
    html = client.get(scorecard.get_absolute_url()).content.decode()
    assert "Its figures are no longer shown" in html
    assert "The figures are as they were when published" not in html


def raise_notice(system, contract):
    from contracts import notices

    seed(system, contract, metrics=2, months=MONTHS)
    return notices.raise_notice(
        user=system.commissioner,
        contract=contract,
        title="Admissions above the threshold",
        concern="Three months above the threshold.",
        raised_on=dt.date(2025, 6, 2),
        metrics=[],
        obligations="Emergency admissions",
    )


def test_a_notice_whose_meeting_is_late_says_so(client, system, contract, monkeypatch):
    from django.utils import timezone

    notice = raise_notice(system, contract)
    monkeypatch.setattr(timezone, "localdate", lambda *args: notice.meeting_due)
    html = dashboard(client, system.commissioner, contract=contract.pk).content.decode()
    assert "Raised: meeting due</li>" in html
    monkeypatch.setattr(
        timezone, "localdate", lambda *args: notice.meeting_due + dt.timedelta(days=6)
    )
    html = dashboard(client, system.commissioner, contract=contract.pk).content.decode()
    assert (
        f"<strong>overdue</strong>: the contract management meeting was due by "
        f"{notice.meeting_due:%-d %B %Y}" in html
    )


def test_a_notice_whose_plan_or_milestone_is_late_says_so(client, system, contract, monkeypatch):
    """The deadline a notice waits on is overdue on the dashboard as in the
    API and on the contract page (contracts.selectors.pending_deadline)."""
    from django.utils import timezone

    from contracts import notices

    notice = raise_notice(system, contract)
    notices.record_meeting(
        user=system.commissioner,
        notice=notice,
        held_on=notice.meeting_due,
        outcome="remedial_plan",
        reason="A plan is needed.",
    )
    notice.refresh_from_db()
    monkeypatch.setattr(timezone, "localdate", lambda *args: notice.plan_due)
    html = dashboard(client, system.commissioner, contract=contract.pk).content.decode()
    assert "Remedial action plan due</li>" in html
    monkeypatch.setattr(timezone, "localdate", lambda *args: notice.plan_due + dt.timedelta(days=1))
    html = dashboard(client, system.commissioner, contract=contract.pk).content.decode()
    assert (
        f"<strong>overdue</strong>: the remedial action plan was due by "
        f"{notice.plan_due:%-d %B %Y}" in html
    )
    due_on = notice.plan_due + dt.timedelta(days=30)
    notices.agree_plan(
        user=system.commissioner,
        notice=notice,
        agreed_on=notice.plan_due,
        reason="Agreed.",
        milestones=[
            {
                "description": "Falls service in every care home",
                "owner": "Nadia Network",
                "owner_organisation": system.network_a,
                "due_on": due_on,
            }
        ],
    )
    monkeypatch.setattr(timezone, "localdate", lambda *args: due_on + dt.timedelta(days=1))
    html = dashboard(client, system.commissioner, contract=contract.pk).content.decode()
    assert f"<strong>overdue</strong>: the next milestone was due by {due_on:%-d %B %Y}" in html
