"""The small-numbers rule on published scorecards of a network (issue 29):
anyone may read them, each member's people included, so a network figure,
which pools the members' values, is published only where no reader could
take the figures they see away from it and be left with another member's."""

import csv
import datetime as dt
import io
from html import unescape

import pytest
from django.core.cache import cache
from django.urls import reverse

from contracts.choices import Role
from core.small_numbers import REASON
from outcomes.models import Measurement, MetricScore
from outcomes.services import rescore
from reporting import contract_publishing
from reporting.views.scorecards import WITHHELD, WITHHELD_TEXT
from tests.dashboard_data import seed
from tests.factories import MembershipFactory, UserFactory

D = dt.date
MAY = D(2025, 5, 1)
REASON_3 = REASON.format(k=3)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def publish(system, contract):
    return contract_publishing.publish(
        user=system.commissioner,
        contract=contract,
        organisation=system.network_a,
        period=MAY,
        summary="Admissions are falling.",
    )


def download(client, scorecard, table) -> list[dict]:
    response = client.get(
        reverse(
            "reporting:scorecard-download",
            kwargs={"pk": scorecard.pk, "table": table, "format": "csv"},
        )
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_a_network_of_two_publishes_nothing_a_member_could_work_out(
    client, api_client, system, contract
):
    """Network A's PA1 and PA2 report every month. The network's EMADM is
    their pooled rate: with equal denominators, twice it less PA1's own is
    PA2's, which PA1's people would read off the public page. So the
    network's values, and everything computed from them, are withheld; each
    member's own overall score stays, as the commissioner publishes it."""
    seed(system, contract, metrics=3, months=14)
    rows = MetricScore.objects.current().filter(metric__code="EMADM", period_start=MAY)
    value = {row.organisation.code: row.value for row in rows}
    assert 2 * value["NETA"] - value["PA1"] == pytest.approx(value["PA2"])  # before
    published = publish(system, contract)
    snapshot = published.snapshot
    assert snapshot["aggregate"] == {
        "score": None,
        "coverage": 1.0,
        "withheld": REASON_3,
    }
    assert all(row["score"] is None for row in snapshot["trend"])
    assert {row["withheld"] for row in snapshot["trend"]} == {REASON_3}
    assert all(d["score"] is None and d["withheld"] == REASON_3 for d in snapshot["dimensions"])
    for metric in snapshot["metrics"]:
        assert metric["withheld"] == REASON_3
        assert [metric[name] for name in ("value", "score", "rating", "trend")] == [None] * 4
        assert metric["target"] is not None  # the contract's terms, not a member's figure
        assert all(p["value"] is None and p["withheld"] == REASON_3 for p in metric["history"])
    members = {m["code"]: m["score"] for m in snapshot["members"]}
    assert members["NETA"] is None and members["PA1"] is not None and members["PA2"] is not None

    html = unescape(client.get(published.get_absolute_url()).content.decode())
    assert WITHHELD_TEXT in html and "scored 54" not in html
    assert "overall score for May 2025 is not shown: too few of its members reported" in html
    measures = download(client, published, "measures")
    emadm = next(row for row in measures if row["Code"] == "EMADM")
    assert emadm["Latest"] == "" and emadm[WITHHELD] == REASON_3
    assert {row[WITHHELD] for row in download(client, published, "trend")} == {REASON_3}
    data = api_client.get(reverse("api:scorecard-detail", args=[published.pk])).json()
    assert data["snapshot"]["aggregate"]["withheld"] == REASON_3
    assert data["snapshot"]["aggregate"]["score"] is None


def test_a_month_with_two_members_reporting_is_withheld_alone(system, contract):
    """Four members (PA3 and PA4 report as PA1 and PA2), but in April 2025
    only PA1 and PA2 sent EMADM: that month's network value, and the overall
    score of April, are withheld; May's figures are published."""
    seed(system, contract, metrics=3, months=14, twins=True)
    Measurement.objects.filter(
        organisation__code__in=["PA3", "PA4"], metric__code="EMADM", period_start=D(2025, 4, 1)
    ).delete()
    rescore.rescore_contract(contract.pk, "manual", today=D(2025, 7, 1))
    snapshot = publish(system, contract).snapshot
    assert snapshot["aggregate"]["withheld"] is None
    assert snapshot["aggregate"]["score"] == pytest.approx(54.375)
    april = next(row for row in snapshot["trend"] if row["period_start"] == "2025-04-01")
    assert (april["score"], april["withheld"]) == (None, REASON_3)
    emadm = next(m for m in snapshot["metrics"] if m["code"] == "EMADM")
    assert emadm["withheld"] is None and emadm["value"] == pytest.approx(30.0)
    by_month = {p["period_start"]: p for p in emadm["history"]}
    assert (by_month["2025-04-01"]["value"], by_month["2025-04-01"]["withheld"]) == (
        None,
        REASON_3,
    )
    assert by_month["2025-03-01"]["value"] is not None
    prop = next(m for m in snapshot["metrics"] if m["code"] == "PROP1")
    assert all(p["withheld"] is None for p in prop["history"])  # all four sent PROP1


def test_every_person_who_may_read_it_counts(system, contract):
    """Four members, but someone who works for PA1 and PA2 sees two of
    them: the other two's total would be theirs to work out. Withheld."""
    seed(system, contract, metrics=2, months=14, twins=True)
    both = UserFactory(username="both")
    for member in (system.pa1, system.pa2):
        MembershipFactory(user=both, organisation=member, role=Role.PROVIDER_USER)
    snapshot = publish(system, contract).snapshot
    assert snapshot["aggregate"]["withheld"] == REASON_3
