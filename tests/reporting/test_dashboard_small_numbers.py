"""The small-numbers rule on the dashboard (issue 29): what a member of a
network, or a single provider's people, see of their comparisons on the
page and in its downloads; who sees every contributor still sees them; the
page's query budget holds."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from contracts.choices import Role
from contracts.models import Organisation
from core.small_numbers import REASON
from outcomes.choices import Channel, RunTrigger
from outcomes.services import rescore
from outcomes.services.submissions import submit
from reporting.views.dashboard import WITHHELD
from tests.dashboard_data import HEADER, seed
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    add_member,
    single_provider_contracts,
)
from tests.reporting.test_dashboard_queries import DASHBOARD_QUERIES

D = dt.date
DASHBOARD = reverse("reporting:dashboard")
MAY = "2025-05"
COMPARED = "Compared with (network or peers' value)"


@pytest.fixture
def scored(system, contract):
    """Network A's PA1 and PA2 report EMADM and PROP1 monthly from April 2024."""
    return seed(system, contract, metrics=2, months=14)


def emadm(response) -> dict:
    return {row["code"]: row for row in response.context["board"].metric_rows}["EMADM"]


def table(client, user, name, contract, **params) -> list[dict]:
    client.force_login(user)
    response = client.get(
        reverse("reporting:dashboard-download", kwargs={"table": name, "format": "csv"}),
        {"contract": contract.pk, "period": MAY, **params},
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def report(user, lines):
    submit(
        user=user,
        channel=Channel.COMMAND,
        name="more.csv",
        content=(HEADER + "".join(f"{line}\n" for line in lines)).encode(),
        today=D(2025, 7, 1),
    )


def test_a_member_of_two_sees_no_comparison_on_the_page_or_in_downloads(
    client, system, contract, scored, django_assert_max_num_queries
):
    """PA1's people were shown the network's value and "rank 1 of 2" on the
    page and in the metrics download: with their own value, the other
    member's. Now neither, with the reason, in the same number of queries."""
    client.force_login(system.provider_a)
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = client.get(DASHBOARD, {"contract": contract.pk, "period": MAY})
    row = emadm(response)
    assert row["value"] is not None
    assert row["comparison_withheld"] == REASON.format(k=3)
    assert (row["comparator"], row["comparison"], row["peer_rank"], row["peer_count"]) == (
        None,
        None,
        None,
        None,
    )
    html = response.content.decode()
    assert "Not compared. Fewer than 3 other organisations" in html
    assert " of 2, quintile" not in html
    [download] = [
        r
        for r in table(client, system.provider_a, "metrics", contract)
        if r["Metric code"] == "EMADM"
    ]
    assert download["Value"] != ""
    assert [download[c] for c in (COMPARED, "Benchmark", "Rank", "Ranked out of", "Quintile")] == [
        ""
    ] * 5
    assert download[WITHHELD] == REASON.format(k=3)


@pytest.mark.parametrize("who", ["network_manager_a", "commissioner"])
def test_who_sees_every_member_still_sees_and_downloads_the_comparisons(
    client, system, contract, scored, who
):
    user = getattr(system, who)
    client.force_login(user)
    response = client.get(
        DASHBOARD, {"contract": contract.pk, "organisation": system.pa1.pk, "period": MAY}
    )
    row = emadm(response)
    assert row["peer_count"] == 2 and row["comparator"] is not None
    assert row["comparison_withheld"] is None
    download = next(
        r
        for r in table(client, user, "metrics", contract, organisation=system.pa1.pk)
        if r["Metric code"] == "EMADM"
    )
    assert download["Ranked out of"] == "2" and download[COMPARED] != ""
    assert download[WITHHELD] == ""
    members = table(client, user, "comparison", contract, organisation=system.network_a.pk)
    members = [r for r in members if r["Organisation code"] != "NETA"]  # the network itself
    assert {r["Organisation code"] for r in members} == {"PA1", "PA2"}
    assert all(r["Network value"] != "" and r[WITHHELD] == "" for r in members)


def test_a_member_with_three_others_is_compared(client, system, contract, scored):
    """PA3 and PA4 join and report May 2025 (other values than PA1's and
    PA2's): PA1's people see the comparison with four."""
    for code in ("PA3", "PA4"):
        add_member(system.network_a, OrganisationFactory(code=code, name=f"Provider {code}"))
    report(system.admin, ["EMADM,PA3,2025-05-01,10,1000,", "EMADM,PA4,2025-05-01,50,1000,"])
    rescore.rescore_contract(contract.pk, RunTrigger.MANUAL, today=D(2025, 7, 1))
    client.force_login(system.provider_a)
    response = client.get(DASHBOARD, {"contract": contract.pk, "period": MAY})
    row = emadm(response)
    assert row["comparison_withheld"] is None and row["peer_count"] == 4
    assert f"Rank {row['peer_rank']} of 4" in response.content.decode()
    download = next(
        r
        for r in table(client, system.provider_a, "metrics", contract)
        if r["Metric code"] == "EMADM"
    )
    assert download["Ranked out of"] == "4" and download[WITHHELD] == ""


@pytest.mark.parametrize("named", [True, False])
def test_a_single_providers_people_see_peers_they_cannot_work_out(
    client, system, contract, scored, monkeypatch, named
):
    """PS is compared with PT, PA1 and PA2 in May 2025 (four, itself
    included). PS's people see three of them unseen: shown. A person who
    also works for PT and PA1 sees three of the four: withheld. Named or
    only counted (many peers), the same."""
    from outcomes.models import Metric

    if not named:
        monkeypatch.setattr(rescore, "PEER_IDS_UP_TO", 2)
    contracts = single_provider_contracts(
        system.commissioner_org, Metric.objects.get(code="EMADM"), ("PS", "PT")
    )
    report(system.admin, ["EMADM,PS,2025-05-01,1,1000,", "EMADM,PT,2025-05-01,35,1000,"])
    own = contracts["PS"]
    rescore.rescore_contract(own.pk, RunTrigger.MANUAL, today=D(2025, 7, 1))

    def seen_by(*codes):
        user = UserFactory()
        for code in codes:
            MembershipFactory(
                user=user, organisation=Organisation.objects.get(code=code), role=Role.PROVIDER_USER
            )
        client.force_login(user)
        return emadm(client.get(DASHBOARD, {"contract": own.pk, "period": MAY}))

    alone = seen_by("PS")
    assert alone["comparison_withheld"] is None
    assert (alone["peer_rank"], alone["peer_count"]) == (1, 4)
    assert seen_by("PS", "PT", "PA1")["comparison_withheld"] == REASON.format(k=3)
