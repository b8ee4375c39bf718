"""Recalculating a contract's scores on request: who may ask, one open
request per contract, its state from queued to done (or failed, with the
previous scores kept), the API, the contract page and the browser journey."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from playwright.sync_api import expect

from outcomes.choices import Channel, RescoreStatus
from outcomes.models import MetricScore, RescoreRequest, ScoreRun
from outcomes.services import rescore_requests
from outcomes.services.submissions import submit
from tests.browser.test_browser import serious_violations

HEADER = "metric_code,organisation_code,period_start,numerator,denominator,value\n"
REQUESTS = reverse("api:rescore-request-list")


@pytest.fixture
def with_data(system, contract):
    submit(
        user=system.network_manager_a,
        channel=Channel.COMMAND,
        name="sep.csv",
        content=(HEADER + "EMADM,PA1,2025-09-01,26,1000,\n").encode(),
    )
    return contract


def test_a_commissioner_request_runs_and_records_the_months_written(
    system, with_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = rescore_requests.request_rescore(system.commissioner, with_data)
    request.refresh_from_db()
    assert request.status == RescoreStatus.DONE and request.is_finished
    assert request.months_written == ScoreRun.objects.filter(contract=with_data).count() > 0
    assert request.started_at <= request.finished_at
    assert MetricScore.objects.current().filter(run__contract=with_data).exists()


@pytest.mark.parametrize("who", ["network_manager_a", "provider_a", "lay_partner"])
def test_only_the_commissioner_or_an_admin_may_ask(system, with_data, who):
    with pytest.raises(PermissionDenied):
        rescore_requests.request_rescore(getattr(system, who), with_data)
    assert not RescoreRequest.objects.exists()


def test_asking_again_while_one_is_open_returns_it(system, with_data):
    first = rescore_requests.request_rescore(system.commissioner, with_data)
    again = rescore_requests.request_rescore(system.admin, with_data)
    assert again == first and RescoreRequest.objects.count() == 1


def test_a_failure_is_recorded_and_the_previous_scores_stay(system, with_data, monkeypatch):
    done = rescore_requests.request_rescore(system.commissioner, with_data)
    rescore_requests.run_request(done.pk)
    before = list(MetricScore.objects.current().values_list("pk", "score"))

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(rescore_requests, "rescore_contract", broken)
    failed = rescore_requests.run_request(
        rescore_requests.request_rescore(system.commissioner, with_data).pk
    )
    assert failed.status == RescoreStatus.FAILED
    assert failed.error == "RuntimeError: database went away"
    assert list(MetricScore.objects.current().values_list("pk", "score")) == before


def test_a_finished_request_is_not_run_again(system, with_data):
    request = rescore_requests.request_rescore(system.commissioner, with_data)
    rescore_requests.run_request(request.pk)
    finished_at = RescoreRequest.objects.get(pk=request.pk).finished_at
    assert rescore_requests.run_request(request.pk).finished_at == finished_at


def test_the_api_queues_and_reports_requests(
    api_client, system, with_data, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(system.commissioner)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(REQUESTS, {"contract": with_data.pk}, format="json")
    assert response.status_code == 202, response.data
    assert response.data["contract"] == with_data.pk and response.data["status"] == "queued"
    shown = api_client.get(reverse("api:rescore-request-detail", args=[response.data["id"]]))
    assert shown.data["status"] == "done" and shown.data["finished"] is True
    listed = api_client.get(REQUESTS, {"contract": with_data.pk})
    assert [row["id"] for row in listed.data["results"]] == [response.data["id"]]


def test_the_api_refuses_others(api_client, system, with_data):
    api_client.force_authenticate(system.network_manager_a)
    assert api_client.post(REQUESTS, {"contract": with_data.pk}).status_code == 403
    api_client.force_authenticate(system.provider_b)  # cannot see contract A
    assert api_client.get(REQUESTS).data["results"] == []
    api_client.force_authenticate(system.admin)
    assert api_client.post(REQUESTS, {"contract": 999999}).status_code == 404
    assert api_client.post(REQUESTS, {}).data["contract"]  # names the missing field
    assert not RescoreRequest.objects.exists()


def test_the_contract_page_offers_it_to_the_commissioner_only(client, system, with_data):
    url = reverse("outcomes:contract-detail", args=[with_data.pk])
    client.force_login(system.commissioner)
    assert "Recalculate scores now" in client.get(url).content.decode()
    client.force_login(system.network_manager_a)
    page = client.get(url).content.decode()
    assert "Recalculate scores now" not in page and "<h2>Scores</h2>" in page
    response = client.post(reverse("outcomes:contract-rescore", args=[with_data.pk]))
    assert response.status_code == 403


def test_status_json_follows_the_request(client, system, with_data):
    request = rescore_requests.request_rescore(system.commissioner, with_data)
    client.force_login(system.network_manager_a)  # a party to the contract may follow it
    url = reverse("outcomes:rescore-request-status", args=[request.pk])
    assert client.get(url).json()["finished"] is False
    rescore_requests.run_request(request.pk)
    assert client.get(url).json() | {"id": None} == {
        "id": None,
        "status": "done",
        "label": "Done",
        "finished": True,
        "months_written": request.contract.score_runs.count(),
    }
    client.force_login(system.provider_b)
    assert client.get(url).status_code == 404


@pytest.mark.browser
def test_commissioner_recalculates_from_the_contract_page(
    system, with_data, page, live_server, sign_in
):
    sign_in("commissioner")
    page.goto(f"{live_server.url}{reverse('outcomes:contract-detail', args=[with_data.pk])}")
    page.get_by_role("button", name="Recalculate scores now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recalculating scores")
    expect(page.get_by_role("status")).to_have_text("Done")
    expect(page.get_by_text("months of scores recalculated")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("link", name=f"Contract {with_data.reference}").click()
    expect(page.get_by_text("were last calculated on")).to_be_visible()
