"""Whose SPC rebases these are (issue 21): a rebase belongs to the contract it
was made for. Two commissioners hold contracts with network A holding the
same metric: one's rebase of PA1's series changes its own charts (metric
page, dashboard, API) and never the other's, and the other can neither
withdraw it nor rebase the first one's charts."""

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from contracts.choices import Role
from outcomes.choices import RunTrigger
from outcomes.models import ContractMetric, SpcRebase
from outcomes.services import rebasing, rescore
from tests.dashboard_data import FIRST, seed
from tests.factories import ContractFactory, MembershipFactory, UserFactory

REBASES = reverse("api:spc-rebase-list")
MAY_2025 = "2025-05-01"


@pytest.fixture
def rival(system, contract):
    """QOTH's person and its agreed contract CON-A2 with network A, holding
    EMADM on the same terms as CON-A."""
    person = UserFactory(username="commissioner_b")
    MembershipFactory(
        user=person, organisation=system.other_commissioner_org, role=Role.COMMISSIONER
    )
    theirs = ContractFactory(
        reference="CON-A2", commissioner=system.other_commissioner_org, provider=system.network_a
    )
    version = ContractMetric.objects.get(contract=contract)
    ContractMetric.objects.create(
        contract=theirs,
        metric=version.metric,
        effective_from=FIRST,
        minimum_threshold=version.minimum_threshold,
        target=version.target,
        baseline=version.baseline,
    )
    return person, theirs


@pytest.fixture
def scored(system, contract, rival):
    metrics, months = seed(system, contract, metrics=1, months=20)
    _, theirs = rival
    today = months[-1] + relativedelta(months=2)  # as seed scores CON-A
    rescore.rescore_contract(theirs.pk, RunTrigger.MANUAL, today=today)
    return metrics[0]


def rebase(api_client, user, contract, **overrides):
    api_client.force_authenticate(user)
    body = {
        "contract": contract.pk,
        "metric": "EMADM",
        "organisation": "PA1",
        "period_start": MAY_2025,
        "reason": "New falls service",
        **overrides,
    }
    return api_client.post(REBASES, body, format="json")


def chart(client, user, metric, contract, organisation):
    client.force_login(user)
    return client.get(
        reverse("reporting:dashboard-metric", args=[metric.pk]),
        {"contract": contract.pk, "organisation": organisation.pk},
    )


def api_chart(api_client, user, metric, contract):
    api_client.force_authenticate(user)
    url = reverse("api:metric-spc", args=[metric.pk])
    return api_client.get(url, {"organisation": "PA1", "contract": contract.pk}).json()


def test_one_commissioners_rebase_changes_its_own_charts_only(
    client, api_client, system, contract, rival, scored
):
    person, theirs = rival
    response = rebase(api_client, system.commissioner, contract)
    assert response.status_code == 201, response.json()
    assert response.json()["contract"] == contract.pk
    # CON-A's charts start new limits in May 2025 ...
    ours = chart(client, system.commissioner, scored, contract, system.pa1)
    assert ours.context["summary"]["rebases"] == [FIRST.replace(year=2025, month=5)]
    assert [s["n"] for s in ours.context["summary"]["segments"]] == [13, 7]
    assert api_chart(api_client, system.commissioner, scored, contract)["summary"]["rebases"] == [
        MAY_2025
    ]
    # ... CON-A2's, of the same series, do not.
    page = chart(client, person, scored, theirs, system.pa1)
    assert page.status_code == 200
    assert page.context["summary"]["rebases"] == []
    assert [s["n"] for s in page.context["summary"]["segments"]] == [20]
    assert page.context["rebases"] == []
    assert "have not been rebased for CON-A2" in page.content.decode()
    data = api_chart(api_client, person, scored, theirs)
    assert data["summary"]["rebases"] == [] and len(data["summary"]["segments"]) == 1
    # The network's manager, party to both, sees each contract's own.
    assert (
        chart(client, system.network_manager_a, scored, theirs, system.pa1).context["summary"][
            "rebases"
        ]
        == []
    )


def test_the_dashboard_reads_the_selected_contracts_rebases(
    client, system, contract, rival, scored
):
    """The metrics table's SPC summary (the dashboard's cached analysis)."""
    person, theirs = rival
    client.force_login(system.commissioner)
    before = client.get(
        reverse("reporting:dashboard"), {"contract": contract.pk, "organisation": system.pa1.pk}
    ).context["board"]
    rebasing.add_rebase(
        user=system.commissioner,
        contract=contract,
        metric=scored,
        organisation=system.pa1,
        period_start=FIRST.replace(year=2025, month=5),
        reason="New falls service",
    )

    def row(user, which):
        client.force_login(user)
        board = client.get(
            reverse("reporting:dashboard"), {"contract": which.pk, "organisation": system.pa1.pk}
        ).context["board"]
        return board.metric_rows[0]

    old = before.metric_rows[0]
    ours, others = row(system.commissioner, contract), row(person, theirs)
    # PA1's shift is special cause against the whole series' limits, not
    # within the limits of the months after the rebase.
    assert old["variation"] == "improvement_low"
    assert ours["variation"] != old["variation"]
    assert "Calculation period 2 has 7 points" in " ".join(ours["spc_warnings"])
    assert (others["variation"], others["spc_warnings"]) == (old["variation"], old["spc_warnings"])


def test_another_commissioner_cannot_withdraw_or_make_a_contracts_rebase(
    client, api_client, system, contract, rival, scored
):
    person, theirs = rival
    created = rebase(api_client, system.commissioner, contract).json()
    detail = reverse("api:spc-rebase-detail", args=[created["id"]])
    api_client.force_authenticate(person)
    # Not theirs to see, let alone withdraw.
    assert api_client.get(detail).status_code == 404
    assert api_client.delete(detail).status_code == 404
    client.force_login(person)
    page = reverse("reporting:dashboard-metric", args=[scored.pk])
    response = client.post(
        f"{page}?contract={theirs.pk}&organisation={system.pa1.pk}", {"withdraw": created["id"]}
    )
    assert response.status_code == 404
    assert SpcRebase.objects.filter(pk=created["id"]).exists()
    # Nor can it rebase CON-A's charts: the contract is not one it may name ...
    response = rebase(api_client, person, contract, period_start="2025-06-01")
    assert response.status_code == 400
    assert "does not exist" in response.json()["contract"][0]
    # ... and the service refuses it too.
    with pytest.raises(PermissionDenied):
        rebasing.add_rebase(
            user=person,
            contract=contract,
            metric=scored,
            organisation=system.pa1,
            period_start=FIRST.replace(year=2025, month=6),
            reason="Not mine",
        )
    assert SpcRebase.objects.count() == 1


def test_each_contract_rebases_the_same_period_once(api_client, system, contract, rival, scored):
    person, theirs = rival
    assert rebase(api_client, system.commissioner, contract).status_code == 201
    assert rebase(api_client, person, theirs).status_code == 201
    response = rebase(api_client, person, theirs)
    assert response.status_code == 400 and "already rebased" in response.json()["period_start"][0]
    assert SpcRebase.objects.count() == 2


def test_rebases_are_listed_by_contract(api_client, system, contract, rival, scored):
    person, theirs = rival
    rebase(api_client, system.commissioner, contract)
    rebase(api_client, person, theirs, period_start="2025-08-01", reason="Their own")

    def listed(user, **query):
        api_client.force_authenticate(user)
        return [
            (row["contract"], row["period_start"])
            for row in api_client.get(REBASES, query).json()["results"]
        ]

    assert listed(system.commissioner) == [(contract.pk, MAY_2025)]
    assert listed(person) == [(theirs.pk, "2025-08-01")]
    assert sorted(listed(system.network_manager_a)) == [
        (contract.pk, MAY_2025),
        (theirs.pk, "2025-08-01"),
    ]
    assert listed(system.network_manager_a, contract=theirs.pk) == [(theirs.pk, "2025-08-01")]


def test_a_contract_without_the_metric_or_organisation_is_not_rebased(
    api_client, system, contract, rival, scored
):
    """The commissioner of CON-B (network B) holds no EMADM for PA1."""
    other = UserFactory(username="qoth_b")
    MembershipFactory(
        user=other, organisation=system.other_commissioner_org, role=Role.COMMISSIONER
    )
    response = rebase(api_client, other, system.contract_b)
    assert response.status_code == 403
    assert not SpcRebase.objects.exists()
