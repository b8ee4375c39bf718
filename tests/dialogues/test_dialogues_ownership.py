"""Whose meeting series these are (issue 21): a series belongs to one
contract for its whole life, and only that contract's commissioner (with
the network's managers and admins) manages it. A commissioner holding
another contract with the same network can neither take the series over
(its contract, participants and chair) nor, through it, rewrite the other
commissioner's past minutes."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contracts.choices import ContractStatus, Role
from dialogues import permissions
from dialogues.choices import MeetingType, SeriesLevel
from dialogues.models import MeetingSeries
from dialogues.services import meetings, minutes
from tests.dialogues.test_dialogues_services import at, make_series
from tests.factories import ContractFactory, MembershipFactory, UserFactory

SERIES = "/api/v1/meeting-series/"


@pytest.fixture
def rival(system):
    """Another commissioner (QOTH) holding an agreed contract with network A."""
    person = UserFactory(username="commissioner_b")
    MembershipFactory(
        user=person, organisation=system.other_commissioner_org, role=Role.COMMISSIONER
    )
    contract = ContractFactory(
        reference="CON-A2", commissioner=system.other_commissioner_org, provider=system.network_a
    )
    return person, contract


@pytest.fixture
def review(system):
    """QCOM's monthly review with network A about CON-A, chaired by QCOM's
    commissioner; its March meeting is held and minuted."""
    series = make_series(
        system,
        user=system.commissioner,
        title="Monthly review: CON-A",
        level=SeriesLevel.COMMISSIONER_NETWORK,
        meeting_type=MeetingType.MONTHLY,
        rrule="FREQ=MONTHLY;BYDAY=1TU",
        chair=system.commissioner,
        organisations=[system.commissioner_org, system.network_a],
        participants=[system.commissioner, system.network_manager_a],
        ends_on=dt.date(2026, 4, 30),
        now=at(2026, 3, 1),
    )
    held = series.meetings.order_by("starts_at").first()
    minutes.save_minutes(user=system.commissioner, meeting=held, minutes="Falls are down.")
    return series


def snapshot(series):
    series.refresh_from_db()
    return (
        series.title,
        series.contract_id,
        series.chair_id,
        sorted(series.organisations.values_list("pk", flat=True)),
        sorted(series.participants.values_list("pk", flat=True)),
        series.history.count(),
    )


def test_another_contracts_commissioner_cannot_take_over_a_series(
    system, api_client, rival, review
):
    """The issue's case: the rival PATCHes the series' contract, participants
    and chair to its own (403, nothing changed), and cannot then rewrite
    the held meeting's minutes."""
    person, contract = rival
    before = snapshot(review)
    api_client.force_authenticate(person)
    response = api_client.patch(
        f"{SERIES}{review.pk}/",
        {
            "contract": contract.pk,
            "organisations": ["QOTH", "NETA"],
            "participants": ["commissioner_b"],
            "chair": "commissioner_b",
        },
        format="json",
    )
    assert response.status_code == 403
    assert "the commissioner of the contract the series is about" in response.json()["detail"]
    assert (
        api_client.patch(f"{SERIES}{review.pk}/", {"title": "Ours now"}, format="json").status_code
        == 403
    )
    assert snapshot(review) == before
    held = review.meetings.order_by("starts_at").first()
    response = api_client.post(
        f"/api/v1/meetings/{held.pk}/minutes/", {"minutes": "Rewritten."}, format="json"
    )
    assert response.status_code == 403
    held.refresh_from_db()
    assert held.minutes == "Falls are down."


def test_another_contracts_commissioner_cannot_change_a_series_in_the_browser(
    system, client, rival, review
):
    person, contract = rival
    before = snapshot(review)
    client.force_login(person)
    assert (
        "Change this series" not in client.get(f"/dialogues/series/{review.pk}/").content.decode()
    )
    url = f"/dialogues/series/{review.pk}/edit/"
    assert client.get(url).status_code == 403
    response = client.post(
        url,
        {
            "title": "Ours now",
            "level": SeriesLevel.COMMISSIONER_NETWORK,
            "meeting_type": MeetingType.MONTHLY,
            "provider": system.network_a.pk,
            "contract": contract.pk,
            "rrule": "FREQ=MONTHLY;BYDAY=1TU",
            "starts_on": "2026-03-03",
            "start_time": "10:00",
            "duration_minutes": 60,
            "organisations": [system.other_commissioner_org.pk, system.network_a.pk],
            "participants": [person.pk],
            "chair": person.pk,
            "agenda_days_before": 5,
        },
    )
    assert response.status_code == 403
    assert snapshot(review) == before


def test_a_series_is_managed_by_its_contracts_commissioner_and_the_networks_managers(
    system, rival, review
):
    person, contract = rival
    people = {
        "admin": system.admin,
        "commissioner": system.commissioner,
        "commissioner_b": person,
        "nm_a": system.network_manager_a,
        "provider_a": system.provider_a,
    }

    def managers(series):
        return {
            name for name, user in people.items() if permissions.can_manage_series(user, series)
        }

    theirs = make_series(
        system,
        user=person,
        title="Monthly review: CON-A2",
        level=SeriesLevel.COMMISSIONER_NETWORK,
        meeting_type=MeetingType.MONTHLY,
        contract=contract,
        rrule="FREQ=MONTHLY;BYDAY=1WE",
        chair=person,
        organisations=[system.other_commissioner_org, system.network_a],
        participants=[person, system.network_manager_a],
        ends_on=dt.date(2026, 3, 31),
    )
    own = make_series(system, contract=None, ends_on=dt.date(2026, 3, 31))
    assert managers(review) == {"admin", "commissioner", "nm_a"}
    assert managers(theirs) == {"admin", "commissioner_b", "nm_a"}
    # The network's own series, about no contract: its managers' alone.
    assert managers(own) == {"admin", "nm_a"}
    with pytest.raises(PermissionDenied):
        meetings.save_series(
            user=system.commissioner,
            series=own,
            organisations=[system.network_a],
            title="Taken over",
        )
    own.refresh_from_db()
    assert own.title == "Weekly tactical: Network A"


@pytest.mark.parametrize("contract", ["other", None])
def test_a_series_keeps_its_contract_for_its_whole_life(
    system, api_client, rival, review, contract
):
    _, other = rival
    other_id = other.pk if contract == "other" else None
    before = snapshot(review)
    api_client.force_authenticate(system.network_manager_a)  # sees both contracts
    response = api_client.patch(f"{SERIES}{review.pk}/", {"contract": other_id}, format="json")
    assert response.status_code == 400
    assert "A series belongs to its contract for its whole life" in response.json()["contract"][0]
    assert snapshot(review) == before


def test_the_edit_form_keeps_the_contract_whatever_is_posted(system, client, rival, review):
    _, other = rival
    client.force_login(system.network_manager_a)
    response = client.post(
        f"/dialogues/series/{review.pk}/edit/",
        {
            "title": "Monthly review: CON-A (renamed)",
            "level": SeriesLevel.COMMISSIONER_NETWORK,
            "meeting_type": MeetingType.MONTHLY,
            "provider": system.network_a.pk,
            "contract": other.pk,
            "rrule": "FREQ=MONTHLY;BYDAY=1TU",
            "starts_on": "2026-03-03",
            "start_time": "10:00",
            "duration_minutes": 60,
            "organisations": [system.commissioner_org.pk, system.network_a.pk],
            "participants": [system.commissioner.pk, system.network_manager_a.pk],
            "chair": system.commissioner.pk,
            "agenda_days_before": 5,
        },
    )
    assert response.status_code == 302, response.content.decode()
    review.refresh_from_db()
    assert (review.title, review.contract) == ("Monthly review: CON-A (renamed)", system.contract_a)


def test_a_series_is_about_an_agreed_contract_of_its_own_network(system, api_client):
    draft = ContractFactory(
        reference="CON-DRAFT",
        commissioner=system.commissioner_org,
        provider=system.network_a,
        status=ContractStatus.DRAFT,
    )
    body = {
        "title": "Monthly review",
        "level": SeriesLevel.COMMISSIONER_NETWORK,
        "meeting_type": MeetingType.MONTHLY,
        "provider": "NETA",
        "rrule": "FREQ=MONTHLY;BYDAY=1TU",
        "starts_on": "2026-03-03",
        "start_time": "10:00",
        "ends_on": "2026-03-31",
        "organisations": ["QCOM", "NETA"],
        "participants": ["commissioner"],
        "chair": "commissioner",
    }
    api_client.force_authenticate(system.commissioner)
    response = api_client.post(SERIES, {**body, "contract": draft.pk}, format="json")
    assert response.status_code == 400
    assert "CON-DRAFT is not agreed" in response.json()["contract"][0]
    response = api_client.post(
        SERIES, {**body, "provider": "NETB", "contract": system.contract_a.pk}, format="json"
    )
    assert response.status_code == 400
    assert "not held by Network B" in response.json()["contract"][0]
    assert not MeetingSeries.objects.exists()


def test_another_commissioners_contract_is_not_found(system, api_client, rival):
    """A commissioner cannot name a contract it cannot see as an agreement."""
    person, _ = rival
    api_client.force_authenticate(person)
    response = api_client.post(
        SERIES,
        {
            "title": "Monthly review",
            "level": SeriesLevel.COMMISSIONER_NETWORK,
            "meeting_type": MeetingType.MONTHLY,
            "provider": "NETA",
            "contract": system.contract_a.pk,
            "rrule": "FREQ=MONTHLY;BYDAY=1TU",
            "starts_on": "2026-03-03",
            "start_time": "10:00",
            "ends_on": "2026-03-31",
            "organisations": ["NETA"],
            "chair": "nm_a",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "does not exist" in response.json()["contract"][0]
    assert not MeetingSeries.objects.exists()


def test_a_commissioner_cannot_join_another_contracts_series(system, rival, review):
    """The network's manager cannot make the rival a participant or the
    chair either: only the series' contract's commissioner may take part."""
    person, _ = rival
    before = snapshot(review)
    with pytest.raises(ValidationError) as refused:
        meetings.save_series(
            user=system.network_manager_a,
            series=review,
            organisations=[
                system.commissioner_org,
                system.network_a,
                system.other_commissioner_org,
            ],
            participants=[person],
            chair=person,
        )
    assert "Other ICB cannot take part" in refused.value.message_dict["organisations"][0]
    assert snapshot(review) == before
