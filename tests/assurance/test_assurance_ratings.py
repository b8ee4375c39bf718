"""Competency ratings: the roll-up on hand-computed cases and as properties;
the commissioner's self assessment with evidence and the panel's final level
(a reason when it differs); the scorecard with last year's levels; the page
and API round trips."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from assurance import rollup, services
from assurance.models import Competency, Measure, MeasureRating
from assurance.selectors import competency_rows
from tests.assurance_fixtures import (  # noqa: F401 (fixtures)
    assessment_fixture,
    finalise_with_levels,
    framework_fixture,
    with_panel,
)


def test_roll_up_hand_computed():
    structure = {1: [11, 12, 13], 2: [21, 22, 23]}
    # Competency 1: (2 + 3 + 3) / 3 = 2.67 -> 2.7; competency 2 has a measure unrated.
    levels = rollup.competency_levels(structure, {11: 2, 12: 3, 13: 3, 21: 4, 22: 4})
    assert levels == {1: 2.7, 2: None}
    assert rollup.overall_level(levels) is None
    levels = rollup.competency_levels(structure, {11: 2, 12: 3, 13: 3, 21: 4, 22: 4, 23: 1})
    assert levels == {1: 2.7, 2: 3.0}
    assert rollup.overall_level(levels) == 2.9  # (2.7 + 3.0) / 2 = 2.85 -> 2.9


@given(st.lists(st.integers(1, 4), min_size=1, max_size=6))
def test_a_mean_level_lies_within_its_measures(levels):
    mean = rollup.mean_level(levels)
    assert min(levels) - 0.05 <= mean <= max(levels) + 0.05


def rate(system, assessment, measure, level=3, evidence="Board minutes, March"):
    return services.rate_measure(
        user=system.commissioner, round=assessment, measure=measure, level=level, evidence=evidence
    )


def first_measure():
    return Measure.objects.get(competency__number=1, number=1)


@pytest.mark.parametrize(("level", "evidence", "field"), [(3, " ", "evidence"), (5, "x", "level")])
def test_a_rating_needs_a_level_from_1_to_4_and_evidence(
    system, assessment, level, evidence, field
):
    with pytest.raises(ValidationError) as error:
        rate(system, assessment, first_measure(), level, evidence)
    assert field in error.value.message_dict
    assert not MeasureRating.objects.exists()


@pytest.mark.parametrize("who", ["admin", "network_manager_a", "provider_a", "lay_partner"])
def test_only_the_commissioner_rates_itself(system, assessment, who):
    with pytest.raises(PermissionDenied):
        services.rate_measure(
            user=getattr(system, who),
            round=assessment,
            measure=first_measure(),
            level=2,
            evidence="x",
        )


def test_the_panel_sets_the_final_level_with_a_reason_when_it_differs(system, assessment):
    rating = rate(system, assessment, first_measure(), level=3)
    with_panel(assessment)
    with pytest.raises(PermissionDenied):
        services.set_final_level(user=system.commissioner, rating=rating, level=3)
    with pytest.raises(ValidationError) as error:
        services.set_final_level(user=system.admin, rating=rating, level=2)
    assert "reason" in error.value.message_dict
    services.set_final_level(user=system.admin, rating=rating, level=3)
    services.set_final_level(
        user=system.admin, rating=rating, level=2, reason="Partners do not see it yet."
    )
    rating.refresh_from_db()
    assert (rating.final_level, rating.reviewed_by) == (2, system.admin)
    assert [h.final_level for h in rating.history.order_by("history_date")] == [None, 3, 2]


def test_scorecard_rolls_up_with_the_previous_final_rounds_levels(system, framework):
    def open_round(year):
        return services.open_assessment_round(
            user=system.commissioner, commissioner=system.commissioner_org, year=year
        )

    finalise_with_levels(system, open_round(2025), {"1a": 2, "1b": 2, "1c": 3})
    annual = open_round(2026)
    for measure, level in zip(
        Competency.objects.get(number=1).measures.all(), [4, 3, 3], strict=True
    ):
        rate(system, annual, measure, level)
    rows, overall, overall_last_year = competency_rows(annual)
    assert (rows[0]["level"], rows[0]["last_year"], rows[0]["change"]) == (None, 2.3, None)
    with_panel(annual)
    for rating in annual.ratings.all():
        services.set_final_level(user=system.admin, rating=rating, level=rating.self_level)
    rows, overall, overall_last_year = competency_rows(annual)
    # Competency 1: (4 + 3 + 3) / 3 = 3.3 against (2 + 2 + 3) / 3 = 2.3 in 2025.
    assert (rows[0]["level"], rows[0]["last_year"], rows[0]["change"]) == (3.3, 2.3, 1.0)
    # The other ten carry 2025's 3s forward: overall (3.3 + 30) / 11 against (2.3 + 30) / 11.
    assert (rows[1]["level"], rows[1]["change"]) == (3.0, 0.0)
    assert [(c["measure"].code, c["level"], c["year"]) for c in rows[1]["carried_forward"]] == [
        ("2a", 3, 2025),
        ("2b", 3, 2025),
        ("2c", 3, 2025),
    ]
    assert (overall, overall_last_year) == (3.0, 2.9)


def test_rating_page_for_commissioner_and_panel(client, system, assessment):
    measure = first_measure()
    url = reverse("assurance:rating", args=[assessment.pk, measure.pk])
    client.force_login(system.commissioner)
    page = client.get(url).content.decode()
    assert "4 World class: Partners consistently seek out" in page
    response = client.post(url, {"form": "self", "level": "3", "evidence": ""})
    assert "Enter evidence" in response.content.decode()
    assert not MeasureRating.objects.exists()
    response = client.post(url, {"form": "self", "level": "3", "evidence": "360 results"})
    assert response.status_code == 302
    with_panel(assessment)
    client.force_login(system.admin)
    response = client.post(url, {"form": "final", "level": "2", "reason": ""})
    assert "Say why the panel" in response.content.decode()
    client.post(url, {"form": "final", "level": "2", "reason": "Mixed partner views."})
    assert MeasureRating.objects.get().final_level == 2
    scorecard = client.get(reverse("assurance:scorecard", args=[assessment.pk])).content.decode()
    assert (
        "Mixed partner views." not in scorecard and "1a Recognised as the local leader" in scorecard
    )
    client.force_login(system.network_manager_a)
    assert client.get(url).status_code == 404


def test_api_rating_round_trip_and_scorecard(api_client, system, assessment):
    measure = first_measure()
    api_client.force_authenticate(system.commissioner)
    body = {"round": assessment.pk, "measure": measure.pk, "level": 4, "evidence": "Survey"}
    created = api_client.post("/api/v1/measure-ratings/", body, format="json")
    assert created.status_code == 201 and created.json()["measure_code"] == "1a"
    bad = api_client.post("/api/v1/measure-ratings/", {**body, "level": 0}, format="json")
    assert bad.status_code == 400 and "level" in bad.json()
    with_panel(assessment)
    final = f"/api/v1/measure-ratings/{created.json()['id']}/final/"
    assert api_client.post(final, {"level": 4}, format="json").status_code == 403
    api_client.force_authenticate(system.admin)
    assert api_client.post(final, {"level": 4}, format="json").json()["final_level"] == 4
    api_client.force_authenticate(system.commissioner)
    card = api_client.get(f"/api/v1/assessment-rounds/{assessment.pk}/scorecard/").json()
    assert card["competencies"][0]["number"] == 1 and card["overall"] is None
    assert card["governance"] == [] and card["surveys"] == []
    api_client.force_authenticate(system.provider_a)
    assert (
        api_client.get(f"/api/v1/assessment-rounds/{assessment.pk}/scorecard/").status_code == 404
    )
