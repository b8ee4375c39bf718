"""What the dashboard shows when it cannot show what was asked, as a user
sees it: the form's previous choices after switching contract are not a
request (no false note); the metric page says when it replaced a choice and
downloads refuse to give another organisation's file; a month whose data is
not due yet is not called short of data."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from contracts.choices import Role
from tests.dashboard_data import seed
from tests.factories import MembershipFactory, UserFactory

DASHBOARD = reverse("reporting:dashboard")
NOTES = 'id="selection-notes"'


@pytest.fixture
def scored(system, contract):
    return seed(system, contract, metrics=2, months=14)


@pytest.fixture
def both(system):
    """A commissioner of both CON-A and CON-B."""
    user = UserFactory(username="both")
    MembershipFactory(user=user, organisation=system.commissioner_org, role=Role.COMMISSIONER)
    MembershipFactory(user=user, organisation=system.other_commissioner_org, role=Role.COMMISSIONER)
    return user


def form_fields(html: str) -> dict:
    """The values the dashboard's own form ("Show dashboard") submits."""
    form = re.search(
        rf'<form method="get" action="{DASHBOARD}" novalidate class="[^"]*">(.*?)</form>',
        html,
        re.S,
    ).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    for name, options in re.findall(r'<select[^>]*name="(\w+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        fields[name] = chosen.group(1) if chosen else ""
    return fields


def test_switching_contract_in_the_form_gives_no_note(client, system, contract, scored, both):
    """On CON-A's Provider A1 for May 2025, the user picks CON-B and presses
    "Show dashboard": the form resubmits CON-A's organisation and month, which
    the user did not ask for, so no note says they were replaced."""
    system.contract_b.start_date = dt.date(2025, 6, 1)  # CON-B has no May 2025
    system.contract_b.save()
    client.force_login(both)
    html = client.get(
        DASHBOARD, {"contract": contract.pk, "organisation": system.pa1.pk, "period": "2025-05"}
    ).content.decode()
    fields = form_fields(html)
    assert fields["organisation"] == str(system.pa1.pk) and fields["period"] == "2025-05"
    fields["contract"] = str(system.contract_b.pk)
    response = client.get(DASHBOARD, fields)
    selection = response.context["selection"]
    assert selection.contract == system.contract_b
    assert selection.organisation == system.network_b
    assert selection.notes == []
    html = response.content.decode()
    assert NOTES not in html and "asked for" not in html


def test_switching_contract_keeps_a_month_the_new_contract_has(
    client, system, contract, scored, both
):
    client.force_login(both)
    html = client.get(DASHBOARD, {"contract": contract.pk, "period": "2025-03"}).content.decode()
    fields = {**form_fields(html), "contract": str(system.contract_b.pk)}
    response = client.get(DASHBOARD, fields)
    selection = response.context["selection"]
    assert (selection.period, selection.period_chosen) == (dt.date(2025, 3, 1), True)
    assert selection.notes == []


def test_an_organisation_asked_for_by_address_still_gets_a_note(client, system, contract, scored):
    """A link or bookmark asking for an organisation the user may not see on
    the contract is still told it was replaced, and so is a form whose
    organisation was not listed for the contract it shows."""
    client.force_login(system.provider_a)
    response = client.get(DASHBOARD, {"contract": contract.pk, "organisation": system.pa2.pk})
    assert response.context["selection"].organisation == system.pa1
    assert "The organisation asked for is not one of CON-A&#x27;s" in response.content.decode()
    response = client.get(
        DASHBOARD,
        {"contract": contract.pk, "organisation": system.pa2.pk, "shown_contract": contract.pk},
    )
    assert response.context["selection"].organisation == system.pa1
    assert len(response.context["selection"].notes) == 1


def test_the_metric_page_says_when_it_shows_another_organisation(client, system, contract, scored):
    """A provider user's stale bookmark of Provider A2's SPC page shows their
    own organisation's, and says so, as the dashboard does."""
    metric = scored[0][0]
    client.force_login(system.provider_a)
    url = reverse("reporting:dashboard-metric", args=[metric.pk])
    response = client.get(url, {"contract": contract.pk, "organisation": system.pa2.pk})
    assert response.status_code == 200
    assert response.context["selection"].organisation == system.pa1
    html = response.content.decode()
    assert NOTES in html
    assert (
        "The organisation asked for is not one of CON-A&#x27;s that you can see: "
        "showing Provider A1." in html
    )
    response = client.get(url, {"contract": contract.pk, "organisation": system.pa1.pk})
    assert NOTES not in response.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_downloads_refuse_a_selection_they_would_replace(client, system, contract, scored, fmt):
    """A download cannot carry a note, so it is a 404 rather than another
    organisation's (or contract's, or month's) file."""
    metric = scored[0][0]
    client.force_login(system.provider_a)
    table = reverse("reporting:dashboard-download", kwargs={"table": "metrics", "format": fmt})
    spc = reverse("reporting:dashboard-metric-download", kwargs={"pk": metric.pk, "format": fmt})
    own = {"contract": contract.pk, "organisation": system.pa1.pk, "period": "2025-05"}
    assert client.get(table, own).status_code == 200
    assert client.get(spc, own).status_code == 200
    for stale in (
        {**own, "organisation": system.pa2.pk},  # another member
        {**own, "contract": system.contract_b.pk},  # a contract the user cannot see
        {**own, "period": "2023-01"},  # before the contract
    ):
        assert client.get(table, stale).status_code == 404, stale
        assert client.get(spc, stale).status_code == 404, stale


def dashboard_on(client, user, monkeypatch, today, **params):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args: today)
    client.force_login(user)
    response = client.get(DASHBOARD, params)
    assert response.status_code == 200
    return response


def test_a_month_not_due_yet_is_not_called_short_of_data(client, system, contract, monkeypatch):
    """June 2025's data is due on 20 July: on 15 June the aggregate and the
    dimensions say so, not 'Insufficient data' or 'not enough data', as the
    metric rows say 'Not due yet'."""
    seed(system, contract, metrics=2, months=14)  # April 2024 to May 2025, scored on 1 July
    response = dashboard_on(
        client,
        system.commissioner,
        monkeypatch,
        dt.date(2025, 6, 15),
        contract=contract.pk,
        period="2025-06",
    )
    html = response.content.decode()
    assert all(row["not_due_yet"] for row in response.context["board"].metric_rows)
    assert "No score yet: the data for June 2025 is not due yet (due by 20 July 2025)." in html
    assert "Insufficient data" not in html and "not enough data" not in html
    assert "No dimension has a score yet: the data for June 2025 is not due yet" in html
    dimensions = html.split('id="dimensions"')[1].split("</section>")[0]
    assert "Not due yet" in dimensions and "No score" not in dimensions
    trend = response.context["charts"]["trend"]["alt"]
    assert trend.endswith("; data for Jun 2025 not due yet.") and "without a score" not in trend


def test_a_month_partly_due_and_missing_keeps_its_wording(client, system, contract, monkeypatch):
    """Once June 2025's data is due and has not arrived, the month is short of
    data: the existing wording stands."""
    seed(system, contract, metrics=2, months=14)
    response = dashboard_on(
        client,
        system.commissioner,
        monkeypatch,
        dt.date(2025, 7, 21),
        contract=contract.pk,
        period="2025-06",
    )
    html = response.content.decode()
    assert response.context["board"].month_not_due is None
    assert "Insufficient data in June 2025" in html and "not due yet (due by" not in html
    assert "not enough data" in html  # the dimensions chart's text alternative


def test_a_dimension_whose_metrics_are_not_all_due_is_not_short_of_data(
    client, system, contract, monkeypatch
):
    """On 21 July 2025 June's emergency admissions (Quality of care) are due
    and missing, but June's PROP1 (Quality of life) is not due until 29
    August: only Quality of care is short of data."""
    metrics, _ = seed(system, contract, metrics=2, months=14)
    metrics[1].due_days = 60
    metrics[1].save()
    response = dashboard_on(
        client,
        system.commissioner,
        monkeypatch,
        dt.date(2025, 7, 21),
        contract=contract.pk,
        period="2025-06",
    )
    html = response.content.decode()
    assert response.context["board"].month_not_due is None
    rows = {
        name: (score, not_due) for name, score, _, not_due in response.context["dimension_table"]
    }
    assert rows == {"Quality of life": (None, True), "Quality of care": (None, False)}
    dimensions = html.split('id="dimensions"')[1].split("</section>")[0]
    assert "Not due yet" in dimensions and "No score" in dimensions
    assert response.context["charts"]["dimensions"]["alt"] == (
        "Dimension scores. Quality of care: no score (not enough data, 0% coverage); "
        "Quality of life: no score (its data is not all due yet, 0% coverage)."
    )
