"""Lay readers see on a published scorecard, in plain words, how the network's
payment depended on its outcomes: only from settlements signed off before
the scorecard was published, frozen in its snapshot, never from drafts (the
page, the API and the snapshot). The sentences themselves are checked by
hand for each case (incentives.explain)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from incentives import explain, services
from outcomes.models import PeriodReview
from reporting import contract_publishing
from tests.incentives_fixtures import YEAR_ONE, year_one_fixture  # noqa: F401 (fixture)

D = Decimal
MARCH = dt.date(2025, 3, 1)
API = reverse("api:scorecard-list")

YEAR_ONE_TEXT = [
    "In 2024/25 Network A's outcome score was 65 out of 100, which earned it 50% of the "
    "£600,000 saved against the budget: £300,000. The commissioner kept the rest.",
    "It earned £78,000 of the £150,000 set aside for meeting quality goals.",
    "Altogether, for that year the commissioner paid Network A £378,000 under the "
    "incentive scheme.",
]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def accepted(system, contract, year_one):
    PeriodReview.objects.bulk_create(
        PeriodReview(
            contract=contract,
            organisation=org,
            period_start=month,
            status="accepted",
            reviewed_by=system.commissioner,
        )
        for org in (system.pa1, system.pa2)
        for month in YEAR_ONE
    )
    return year_one


def publish(system, contract):
    return contract_publishing.publish(
        user=system.commissioner,
        contract=contract,
        organisation=system.network_a,
        period=MARCH,
        summary="Fewer older people were admitted to hospital in an emergency.",
    )


def api_snapshot(api_client, scorecard):
    (row,) = [r for r in api_client.get(API).json()["results"] if r["id"] == scorecard.pk]
    return row["snapshot"]


def test_a_draft_settlement_never_reaches_the_public(
    client, api_client, system, contract, accepted
):
    settlement = services.compute_settlement(contract_year=accepted, user=system.commissioner)
    assert settlement.net_transfer == D("378000.00")  # computed, not signed off
    scorecard = publish(system, contract)
    assert scorecard.snapshot["payments"] == []
    html = client.get(scorecard.get_absolute_url()).content.decode()
    assert "How the payment depends on the results" not in html
    assert "£378,000" not in html and "£600,000" not in html
    snapshot = api_snapshot(api_client, scorecard)
    assert snapshot["payments"] == []
    assert "378000" not in str(snapshot)


def test_a_signed_off_settlement_is_explained_in_plain_words(
    client, api_client, system, contract, accepted
):
    settlement = services.compute_settlement(contract_year=accepted, user=system.commissioner)
    services.sign_off(user=system.commissioner, settlement=settlement)
    scorecard = publish(system, contract)
    (payment,) = scorecard.snapshot["payments"]
    assert payment["contract_year"] == 1
    assert payment["score"] == "65.00"
    assert payment["savings"] == "600000.00"
    assert payment["network_share_percent"] == "50"
    assert payment["network_savings_share"] == "300000.00"
    assert payment["quality_payment"] == "78000.00"
    assert payment["quality_available"] == "150000.00"
    assert payment["at_risk"] is None  # nothing at risk in year 1
    assert payment["net_transfer"] == "378000.00"
    assert payment["text"] == YEAR_ONE_TEXT
    html = client.get(scorecard.get_absolute_url()).content.decode()
    assert "How the payment depends on the results" in html
    for sentence in YEAR_ONE_TEXT:
        assert sentence.replace("'", "&#x27;") in html
    assert api_snapshot(api_client, scorecard)["payments"][0]["text"] == YEAR_ONE_TEXT


def test_the_publish_page_previews_the_explanation(client, system, contract, accepted):
    settlement = services.compute_settlement(contract_year=accepted, user=system.commissioner)
    client.force_login(system.commissioner)
    url = reverse("reporting:scorecard-publish")
    params = {"contract": contract.pk, "period": "2025-03"}
    html = client.get(url, params).content.decode()
    assert "No contract year's settlement is signed off yet" in html
    assert "£378,000" not in html
    services.sign_off(user=system.commissioner, settlement=settlement)
    html = client.get(url, params).content.decode()
    for sentence in YEAR_ONE_TEXT:
        assert sentence.replace("'", "&#x27;") in html


def test_a_scorecard_published_before_sign_off_stays_as_published(
    client, system, contract, accepted
):
    settlement = services.compute_settlement(contract_year=accepted, user=system.commissioner)
    scorecard = publish(system, contract)
    services.sign_off(user=system.commissioner, settlement=settlement)
    scorecard.refresh_from_db()
    assert scorecard.snapshot["payments"] == []
    html = client.get(scorecard.get_absolute_url()).content.decode()
    assert "How the payment depends on the results" not in html


def figures(**changes):
    """Year 2 of the worked example in docs/incentives.md."""
    base = {
        "start_date": "2025-04-01",
        "end_date": "2026-03-31",
        "score": "45.00",
        "gateway": "40",
        "support_threshold": "50",
        "penalty_threshold": "30",
        "savings": "-300000.00",
        "network_share_percent": "0",
        "network_savings_share": "0.00",
        "network_overspend_share": "135000.00",
        "support_plan": True,
        "penalty": "0.00",
        "quality_payment": "78000.00",
        "quality_available": "150000.00",
        "outcome_payment": "540000.00",
        "at_risk": "1200000.00",
        "net_transfer": "483000.00",
    }
    return {**base, **changes}


def test_overspend_support_and_the_payment_at_risk():
    assert explain.sentences(figures(), "Network A") == [
        "In 2025/26 Network A's outcome score was 45 out of 100. The services cost £300,000 "
        "more than the budget, and Network A paid £135,000 of that overspend.",
        "Because the score was below 50, Network A agreed a plan of support (such as peer "
        "support and training) with the commissioner, with no penalty.",
        "It earned £78,000 of the £150,000 set aside for meeting quality goals.",
        "Of the £1,200,000 of its payment that depended on its outcome score, it was paid "
        "£540,000, in proportion to the score.",
        "Altogether, for that year the commissioner paid Network A £483,000 under the "
        "incentive scheme.",
    ]


def test_savings_below_the_gateway_and_a_penalty():
    text = explain.sentences(
        figures(
            score="25.50",
            savings="600000.00",
            network_overspend_share="0.00",
            penalty="54000.00",
            quality_available=None,
            at_risk=None,
            net_transfer="-54000.00",
        ),
        "Network B",
    )
    assert text == [
        "In 2025/26 Network B's outcome score was 25.5 out of 100, below the 40 needed to "
        "share in savings, so the commissioner kept all of the £600,000 saved against the "
        "budget.",
        "Because the score was below 30, Network B paid a penalty of £54,000 and agreed a "
        "plan of support (such as peer support and training) with the commissioner.",
        "Altogether, for that year Network B paid the commissioner £54,000 under the "
        "incentive scheme.",
    ]


def test_no_score_and_pence():
    text = explain.sentences(
        figures(
            score=None,
            savings="0.00",
            network_overspend_share="0.00",
            quality_payment="1234.56",
            at_risk=None,
            net_transfer="1234.56",
        ),
        "Provider C",
    )
    assert text[0] == (
        "In 2025/26 there was not enough data to give Provider C an outcome score. The "
        "services cost exactly the budget, so there were no savings to share."
    )
    assert text[1] == (
        "Because there was no score, Provider C agreed a plan of support (such as peer "
        "support and training) with the commissioner, with no penalty."
    )
    assert text[2] == "It earned £1,234.56 of the £150,000 set aside for meeting quality goals."
    assert explain.year_label(dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == "2025"
