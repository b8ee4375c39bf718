"""Publishing scorecards: who may, accepted data only, frozen snapshots that
later changes never reach, withdrawal with a public reason, history."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from outcomes.models import PeriodReview
from outcomes.services import rescore
from reporting import contract_publishing, publishing
from reporting.models import PublishedScorecard
from tests.dashboard_data import seed

D = dt.date
MAY = D(2025, 5, 1)


@pytest.fixture
def scored(system, contract):
    return seed(system, contract, metrics=3, months=14, twins=True)


def publish(system, contract, user=None, period=MAY, **extra):
    return contract_publishing.publish(
        user=user or system.commissioner,
        contract=contract,
        organisation=system.network_a,
        period=period,
        summary=extra.pop("summary", "Admissions are falling; waits are steady."),
        **extra,
    )


def test_publishing_freezes_a_snapshot_and_records_who(system, contract, scored):
    scorecard = publish(system, contract)
    assert scorecard.published_by == system.commissioner and scorecard.published_at
    assert scorecard.title == "Network A: scorecard for May 2025"
    snapshot = scorecard.snapshot
    assert snapshot["period_start"] == "2025-05-01"
    assert snapshot["organisation"] == {"code": "NETA", "name": "Network A", "is_network": True}
    assert snapshot["aggregate"]["score"] == pytest.approx(54.375)
    assert [row["period_start"] for row in snapshot["trend"]][-1] == "2025-05-01"
    emadm = next(m for m in snapshot["metrics"] if m["code"] == "EMADM")
    assert emadm["value"] == pytest.approx(30.0) and emadm["trend"] == "improving"
    assert emadm["description"].startswith("How many older people")
    assert {m["code"] for m in snapshot["members"]} == {"NETA", "PA1", "PA2", "PA3", "PA4"}
    # Four members (scored: PA3 and PA4 report as PA1 and PA2): nothing withheld.
    assert snapshot["aggregate"]["withheld"] is None and emadm["withheld"] is None
    record = scorecard.history.get()
    assert record.history_user == system.commissioner and record.history_type == "+"


def test_later_changes_never_reach_a_published_snapshot(system, contract, scored):
    metrics, _ = scored
    scorecard = publish(system, contract)
    frozen = PublishedScorecard.objects.get(pk=scorecard.pk).snapshot
    metrics[0].name = "Renamed"
    metrics[0].save()
    rescore.rescore_contract(contract.pk, "manual", today=D(2026, 1, 1))
    assert PublishedScorecard.objects.get(pk=scorecard.pk).snapshot == frozen
    scorecard.title = "Edited"
    with pytest.raises(ValueError, match="cannot be changed, only withdrawn"):
        scorecard.save()


def test_unaccepted_months_cannot_be_published(system, contract):
    seed(system, contract, metrics=2, months=6, accept=False)
    with pytest.raises(ValidationError) as error:
        publish(system, contract, period=D(2024, 9, 1))
    assert "accepted data only" in error.value.message_dict["period"][0]
    assert not PublishedScorecard.objects.exists()


def test_trend_months_not_accepted_are_left_out(system, contract, scored):
    PeriodReview.objects.filter(organisation=system.pa2, period_start=D(2025, 3, 1)).update(
        status="queried"
    )
    snapshot = publish(system, contract).snapshot
    march = next(row for row in snapshot["trend"] if row["period_start"] == "2025-03-01")
    assert march == {
        "period_start": "2025-03-01",
        "accepted": False,
        "score": None,
        "withheld": None,
    }
    emadm = next(m for m in snapshot["metrics"] if m["code"] == "EMADM")
    march_value = next(p for p in emadm["history"] if p["period_start"] == "2025-03-01")
    assert march_value["value"] is None


@pytest.mark.parametrize("who", ["network_manager_a", "provider_a", "lay_partner", "outsider"])
def test_only_the_commissioner_publishes(system, contract, scored, who):
    with pytest.raises(PermissionDenied):
        publish(system, contract, user=getattr(system, who))
    assert not PublishedScorecard.objects.exists()


def test_summary_is_required_and_one_live_scorecard_a_month(system, contract, scored):
    with pytest.raises(ValidationError) as error:
        publish(system, contract, summary="  ")
    assert "summary" in error.value.message_dict
    first = publish(system, contract)
    with pytest.raises(ValidationError) as error:
        publish(system, contract)
    assert "withdraw it first" in error.value.message_dict["period"][0]
    publishing.withdraw(user=system.commissioner, scorecard=first, reason="Wrong data")
    second = publish(system, contract)
    assert second.pk != first.pk


def test_withdrawal_records_who_when_and_why(system, contract, scored):
    scorecard = publish(system, contract)
    with pytest.raises(ValidationError):
        publishing.withdraw(user=system.commissioner, scorecard=scorecard, reason="")
    with pytest.raises(PermissionDenied):
        publishing.withdraw(user=system.network_manager_a, scorecard=scorecard, reason="No")
    withdrawn = publishing.withdraw(
        user=system.commissioner, scorecard=scorecard, reason="PA2's March data was wrong"
    )
    assert withdrawn.is_withdrawn and withdrawn.withdrawn_by == system.commissioner
    assert withdrawn.snapshot == scorecard.snapshot  # kept, just not shown
    assert withdrawn.history.latest().history_user == system.commissioner
    with pytest.raises(ValidationError):
        publishing.withdraw(user=system.commissioner, scorecard=withdrawn, reason="Again")


# --- The commissioner's pages ---


def test_commissioner_publishes_from_the_dashboard(client, system, contract, scored):
    client.force_login(system.commissioner)
    dashboard = client.get(
        reverse("reporting:dashboard"), {"contract": contract.pk, "period": "2025-05"}
    )
    publish_url = (
        f"{reverse('reporting:scorecard-publish')}?contract={contract.pk}&amp;period=2025-05"
    )
    assert publish_url in dashboard.content.decode()
    url = publish_url.replace("&amp;", "&")
    page = client.get(url)
    assert "Publish the scorecard for Network A, May 2025" in page.content.decode()
    response = client.post(url, {"title": "Network A, May 2025", "summary": ""})
    assert "Enter summary for lay readers." in response.content.decode()
    response = client.post(url, {"title": "Network A, May 2025", "summary": "Doing well."})
    scorecard = PublishedScorecard.objects.get()
    assert response.status_code == 302 and response.url == scorecard.get_absolute_url()
    assert "already published" in client.get(url).content.decode()


def test_publish_page_explains_unaccepted_data(client, system, contract):
    seed(system, contract, metrics=2, months=6, accept=False)
    client.force_login(system.commissioner)
    html = client.get(
        reverse("reporting:scorecard-publish"), {"contract": contract.pk, "period": "2024-09"}
    ).content.decode()
    assert "The data is not accepted yet" in html and "<form" not in html.split("</header>")[1]


@pytest.mark.parametrize("who", ["network_manager_a", "provider_a", "lay_partner"])
def test_others_cannot_open_the_publish_page(client, system, contract, scored, who):
    client.force_login(getattr(system, who))
    response = client.get(reverse("reporting:scorecard-publish"), {"contract": contract.pk})
    assert response.status_code == 403
    assert (
        "Publish the scorecard" not in client.get(reverse("reporting:dashboard")).content.decode()
    )


def test_commissioner_withdraws_with_a_reason(client, system, contract, scored):
    scorecard = publish(system, contract)
    client.force_login(system.commissioner)
    url = reverse("reporting:scorecard-withdraw", args=[scorecard.pk])
    response = client.post(url, {"reason": ""})
    assert "Enter reason for withdrawing." in response.content.decode()
    response = client.post(url, {"reason": "The March data was wrong."})
    assert response.status_code == 302
    scorecard.refresh_from_db()
    assert scorecard.withdrawal_reason == "The March data was wrong."
    client.force_login(system.network_manager_a)
    assert client.post(url, {"reason": "x"}).status_code == 403


def test_the_publish_page_never_swaps_in_another_contract_or_month(
    client, system, contract, scored
):
    """The dashboard falls back to a contract or month the person can see;
    the publish page must not offer to publish something else instead."""
    from contracts.choices import Role
    from tests.factories import ContractFactory, MembershipFactory, UserFactory

    theirs = ContractFactory(
        reference="CON-O", commissioner=system.other_commissioner_org, provider=system.network_b
    )
    other = UserFactory(username="other_commissioner")
    MembershipFactory(
        user=other, organisation=system.other_commissioner_org, role=Role.COMMISSIONER
    )
    client.force_login(other)
    url = reverse("reporting:scorecard-publish")
    assert client.get(url, {"contract": contract.pk, "period": "2025-05"}).status_code == 404
    assert client.get(url, {"contract": theirs.pk, "period": "2025-05"}).status_code == 200
    client.force_login(system.commissioner)
    assert client.get(url, {"contract": contract.pk, "period": "2023-01"}).status_code == 404
    assert client.get(url, {"contract": contract.pk, "period": "2025-05"}).status_code == 200
