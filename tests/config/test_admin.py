import datetime as dt

import pytest
from django.urls import reverse

from contracts.models import Membership, Organisation
from dialogues.models import Action, MeetingSeries
from dialogues.services import actions
from tests.dialogues.test_dialogues_services import make_series


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:contracts_organisation_changelist",
        "admin:contracts_membership_changelist",
        "admin:contracts_contract_changelist",
        "admin:auth_user_changelist",
    ],
)
def test_admin_pages_open(system, client, url_name):
    client.force_login(system.admin)
    assert client.get(reverse(url_name)).status_code == 200


def test_admin_adds_a_network_with_a_member_and_a_manager(system, client):
    client.force_login(system.admin)
    response = client.post(
        reverse("admin:contracts_organisation_add"),
        {
            "code": "NETC",
            "name": "Network C",
            "kind": "network",
            "commissioner_type": "",
            "is_active": "on",
            "member_links-TOTAL_FORMS": "1",
            "member_links-INITIAL_FORMS": "0",
            "member_links-0-provider": system.pb1.pk,
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": system.outsider.pk,
            "memberships-0-role": "network_manager",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    network = Organisation.objects.get(code="NETC")
    assert list(network.members.values_list("code", flat=True)) == ["PB1"]
    assert Membership.objects.get(user=system.outsider).role == "network_manager"


def test_admin_rejects_a_role_in_the_wrong_kind_of_organisation(system, client):
    client.force_login(system.admin)
    response = client.post(
        reverse("admin:contracts_membership_add"),
        {"user": system.outsider.pk, "organisation": system.pa1.pk, "role": "commissioner"},
    )
    assert response.status_code == 200
    assert "A commissioner must belong to a commissioner." in response.content.decode()
    assert not Membership.objects.filter(user=system.outsider).exists()


def test_non_staff_cannot_open_admin(system, client):
    client.force_login(system.commissioner)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_dialogue_series_and_actions_are_read_only_in_the_admin(system, client):
    """They change only through dialogues.services: the admin lists and shows
    them, and refuses adding, changing and deleting."""
    series = make_series(system, ends_on=dt.date(2026, 3, 3))
    action = actions.log_action(
        user=system.network_manager_a,
        meeting=series.meetings.get(),
        title="Chase data",
        owner=system.provider_a,
        due_on=dt.date(2026, 3, 20),
    )
    client.force_login(system.admin)
    for model, row, change in (
        ("meetingseries", series, {"title": "Renamed", "rrule": "FREQ=DAILY"}),
        ("action", action, {"title": "Rewritten", "status": "done"}),
    ):
        assert client.get(reverse(f"admin:dialogues_{model}_changelist")).status_code == 200
        page = client.get(reverse(f"admin:dialogues_{model}_change", args=[row.pk]))
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
        assert client.get(reverse(f"admin:dialogues_{model}_add")).status_code == 403
        url = reverse(f"admin:dialogues_{model}_change", args=[row.pk])
        assert client.post(url, change).status_code == 403
        delete = reverse(f"admin:dialogues_{model}_delete", args=[row.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
    series.refresh_from_db()
    assert (series.title, series.rrule) == ("Weekly tactical: Network A", "FREQ=WEEKLY;BYDAY=TU")
    assert MeetingSeries.objects.count() == 1
    assert Action.objects.get().title == "Chase data" and Action.objects.get().status == "open"
