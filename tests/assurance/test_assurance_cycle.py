"""The assessment cycle: the transition table hand-checked (every allowed and
every refused move), who may make each move, the kind of each round
(baseline, annual, a full review every third year or as an admin sets), the
checks before submitting and finalising, what each state locks, levels
carried forward in annual reviews, the change since the previous final
round, and the page and API round trips."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assurance import cycle, services
from assurance.choices import RoundAction, RoundKind, RoundState
from assurance.models import (
    AssessmentRound,
    GovernanceQuestion,
    Measure,
    MeasureRating,
    ReviewCycle,
    RoundTransition,
)
from assurance.selectors import competency_rows
from tests.assurance_fixtures import (  # noqa: F401 (fixtures)
    assessment_fixture,
    complete_self_assessment,
    finalise_with_levels,
    framework_fixture,
    with_panel,
)

S, P, F = RoundState.SELF_ASSESSMENT, RoundState.PANEL_REVIEW, RoundState.FINAL
SUBMIT, RETURN, FINALISE = RoundAction.SUBMIT, RoundAction.RETURN, RoundAction.FINALISE
# (state, action) -> the state it leads to; every pair not here is refused.
ALLOWED = {(S, SUBMIT): P, (P, RETURN): S, (P, FINALISE): F}
MAKER = {SUBMIT: "commissioner", RETURN: "admin", FINALISE: "admin"}


def open_round(system, year, user=None):
    return services.open_assessment_round(
        user=user or system.commissioner, commissioner=system.commissioner_org, year=year
    )


def set_state(round, state):
    AssessmentRound.objects.filter(pk=round.pk).update(state=state)
    round.refresh_from_db()
    return round


def ready(system, round):
    """`round` complete enough for any move: rated, certified, final levels
    set and governance reviewed."""
    complete_self_assessment(system, round)
    with_panel(round)
    for rating in round.ratings.all():
        services.set_final_level(user=system.admin, rating=rating, level=rating.self_level)
    for answer in round.governance_answers.all():
        services.review_governance(user=system.admin, answer=answer, result="confirmed")
    return round


def test_the_transition_table_is_exactly_the_hand_checked_one():
    table = {
        (state, action): target
        for state, moves in cycle.TRANSITIONS.items()
        for action, target in moves.items()
    }
    assert table == ALLOWED
    assert set(cycle.TRANSITIONS) == set(RoundState)


@pytest.mark.parametrize(("state", "action"), sorted(ALLOWED))
def test_every_allowed_move_is_made_and_recorded(system, assessment, state, action):
    set_state(ready(system, assessment), state)
    user = getattr(system, MAKER[action])
    round = cycle.transition(user=user, round=assessment, action=action, reason="Look again")
    assert round.state == ALLOWED[(state, action)]
    step = RoundTransition.objects.get()
    assert (step.action, step.from_state, step.to_state, step.by) == (
        action,
        state,
        round.state,
        user,
    )
    assert [h.state for h in round.history.order_by("history_date")][-1] == round.state


REFUSED = [(s, a) for s in RoundState for a in RoundAction if (s, a) not in ALLOWED]


@pytest.mark.parametrize(("state", "action"), REFUSED)
def test_every_other_move_is_refused_with_nothing_saved(system, assessment, state, action):
    set_state(ready(system, assessment), state)
    with pytest.raises(ValidationError) as error:
        cycle.transition(
            user=getattr(system, MAKER[action]), round=assessment, action=action, reason="r"
        )
    assert f"is {cycle.STATE_PHRASES[state]}: it cannot be" in error.value.message_dict["state"][0]
    assessment.refresh_from_db()
    assert assessment.state == state and not RoundTransition.objects.exists()


@pytest.mark.parametrize("action", list(RoundAction))
@pytest.mark.parametrize(
    "who",
    ["commissioner", "admin", "network_manager_a", "provider_a", "lay_partner", "outsider"],
)
def test_who_makes_each_move(system, assessment, who, action):
    state = next(s for (s, a) in ALLOWED if a == action)
    set_state(ready(system, assessment), state)
    call = lambda: cycle.transition(  # noqa: E731
        user=getattr(system, who), round=assessment, action=action, reason="r"
    )
    if who == MAKER[action]:
        assert call().state == ALLOWED[(state, action)]
    else:
        with pytest.raises(PermissionDenied):
            call()
        assert not RoundTransition.objects.exists()


def test_another_commissioner_cannot_move_this_round(system, assessment):
    from tests.factories import MembershipFactory, UserFactory

    other = UserFactory(username="other_commissioner")
    MembershipFactory(user=other, organisation=system.other_commissioner_org, role="commissioner")
    with pytest.raises(PermissionDenied):
        cycle.submit(user=other, round=assessment)


@pytest.mark.parametrize(
    ("year", "earlier", "every", "kind"),
    [
        (2024, [], 3, RoundKind.BASELINE),
        (2025, [2024], 3, RoundKind.ANNUAL),
        (2026, [2024, 2025], 3, RoundKind.ANNUAL),
        (2027, [2024, 2025, 2026], 3, RoundKind.FULL),
        (2028, [2024, 2027], 3, RoundKind.ANNUAL),
        (2030, [2024, 2027], 3, RoundKind.FULL),
        (2026, [2024, 2025], 2, RoundKind.FULL),
        (2025, [2024], 1, RoundKind.FULL),
    ],
)
def test_round_kind_by_rule(year, earlier, every, kind):
    assert cycle.round_kind(year, earlier, every) == kind


def test_kinds_of_rounds_opened_one_after_another(system, framework):
    kinds = []
    for year in range(2024, 2029):
        round = open_round(system, year)
        kinds.append(round.kind)
        set_state(round, F)
    assert kinds == ["baseline", "annual", "annual", "full", "annual"]


def test_an_admin_sets_another_interval_for_later_rounds(system, framework):
    set_state(open_round(system, 2024), F)
    cycle_setting = ReviewCycle.objects.create(
        commissioner=system.commissioner_org, full_review_every=2
    )
    set_state(open_round(system, 2025), F)
    assert open_round(system, 2026).kind == RoundKind.FULL
    cycle_setting.full_review_every = 4
    cycle_setting.save()
    assert [h.full_review_every for h in cycle_setting.history.order_by("history_date")] == [2, 4]
    assert AssessmentRound.objects.get(year=2026).kind == RoundKind.FULL  # kept as opened


@pytest.mark.parametrize(
    ("year", "message"),
    [
        (2025, "already has an assessment for 2025"),
        (2023, "2023 is before Test ICB's baseline assessment (2024)"),
        (2026, "Test ICB's assessment 2025 is not final yet (self assessment)"),
    ],
)
def test_refused_rounds_name_the_reason_and_save_nothing(system, framework, year, message):
    set_state(open_round(system, 2024), F)
    open_round(system, 2025)
    with pytest.raises(ValidationError) as error:
        open_round(system, year)
    assert message in error.value.message_dict["year"][0]
    assert AssessmentRound.objects.count() == 2


def test_a_full_review_is_submitted_only_complete(system, assessment):
    assert assessment.kind == RoundKind.BASELINE
    with pytest.raises(ValidationError) as error:
        cycle.submit(user=system.commissioner, round=assessment)
    problems = error.value.message_dict["state"]
    assert problems[0].startswith("Give a self assessment for 1a, 1b, 1c, 2a")
    assert "Certify the governance questions: Strategy" in problems[1]
    complete_self_assessment(system, assessment)
    MeasureRating.objects.filter(round=assessment, measure__competency__number=11).delete()
    with pytest.raises(ValidationError) as error:
        cycle.submit(user=system.commissioner, round=assessment)
    assert error.value.message_dict["state"] == ["Give a self assessment for 11a, 11b, 11c."]
    assert AssessmentRound.objects.get().state == S


def test_finalising_names_the_missing_final_levels_and_reviews(system, assessment):
    complete_self_assessment(system, assessment)
    cycle.submit(user=system.commissioner, round=assessment)
    rating = MeasureRating.objects.get(
        round=assessment, measure__competency__number=1, measure__number=1
    )
    services.set_final_level(user=system.admin, rating=rating, level=3)
    with pytest.raises(ValidationError) as error:
        cycle.finalise(user=system.admin, round=assessment)
    problems = error.value.message_dict["state"]
    assert problems[0].startswith("Set the final level of 1b, 1c, 2a")
    assert problems[1].startswith("Review the governance answers: Strategy")
    assert (
        AssessmentRound.objects.get().state == P
        and not RoundTransition.objects.filter(action=FINALISE).exists()
    )


def test_returning_needs_a_reason_and_records_it(system, assessment):
    complete_self_assessment(system, assessment)
    cycle.submit(user=system.commissioner, round=assessment)
    with pytest.raises(ValidationError) as error:
        cycle.return_to_commissioner(user=system.admin, round=assessment, reason="  ")
    assert "reason" in error.value.message_dict
    round = cycle.return_to_commissioner(
        user=system.admin, round=assessment, reason="Evidence for 4b is missing."
    )
    assert round.state == S
    assert list(round.transitions.values_list("action", "by__username", "reason")) == [
        ("submit", "commissioner", ""),
        ("return", "admin", "Evidence for 4b is missing."),
    ]


def test_each_state_locks_what_it_should(system, assessment):
    measure = Measure.objects.get(competency__number=1, number=1)
    question = GovernanceQuestion.objects.get(number=1)
    rating = services.rate_measure(
        user=system.commissioner, round=assessment, measure=measure, level=3, evidence="e"
    )
    answer = services.certify_governance(
        user=system.commissioner,
        round=assessment,
        question=question,
        certification="in_place",
        evidence="e",
    )

    def commissioner_edits():
        yield lambda: services.rate_measure(
            user=system.commissioner, round=assessment, measure=measure, level=2, evidence="e"
        )
        yield lambda: services.certify_governance(
            user=system.commissioner,
            round=assessment,
            question=question,
            certification="partly",
            evidence="e",
        )
        yield lambda: services.choose_outcomes(
            user=system.commissioner, round=assessment, metrics=[]
        )

    def panel_edits():
        yield lambda: services.set_final_level(user=system.admin, rating=rating, level=3)
        yield lambda: services.review_governance(
            user=system.admin, answer=answer, result="confirmed"
        )

    def refused(edits, phrase):
        for edit in edits():
            with pytest.raises(ValidationError) as error:
                edit()
            assert phrase in error.value.message_dict["state"][0]

    refused(panel_edits, "is still in self assessment")
    with_panel(assessment)
    refused(commissioner_edits, "is with the panel for review")
    set_state(assessment, F)
    refused(commissioner_edits, "is final")
    refused(panel_edits, "is final")
    rating.refresh_from_db()
    answer.refresh_from_db()
    assert (rating.self_level, rating.final_level, answer.panel_result) == (3, None, "")


def test_an_annual_review_carries_forward_what_it_does_not_rate_again(system, framework):
    finalise_with_levels(system, open_round(system, 2025), {"2a": 4})
    annual = open_round(system, 2026)
    assert annual.kind == RoundKind.ANNUAL
    measure = Measure.objects.get(competency__number=1, number=1)
    services.rate_measure(
        user=system.commissioner, round=annual, measure=measure, level=4, evidence="New survey"
    )
    rows, _, _ = competency_rows(annual)
    first = rows[0]["measures"][0]
    assert first["carried"] is None and first["rating"].self_level == 4
    assert rows[1]["measures"][0]["carried"] == {"level": 4, "year": 2025}
    cycle.submit(user=system.commissioner, round=annual)  # nothing else needed
    with pytest.raises(ValidationError) as error:
        cycle.finalise(user=system.admin, round=annual)
    assert error.value.message_dict["state"] == ["Set the final level of 1a."]
    services.set_final_level(
        user=system.admin, rating=annual.ratings.get(), level=4, reason="Survey"
    )
    assert cycle.finalise(user=system.admin, round=annual).state == F
    rows, overall, overall_before = competency_rows(annual)
    assert (rows[0]["level"], rows[0]["change"]) == (3.3, 0.3)
    assert (rows[1]["level"], rows[1]["carried_forward"][0]["year"]) == (3.3, 2025)
    # The next annual review carries 1a from 2026 and 2a still from 2025.
    later = open_round(system, 2027)
    assert later.kind == RoundKind.ANNUAL
    rows, _, _ = competency_rows(later)
    assert rows[0]["measures"][0]["carried"] == {"level": 4, "year": 2026}
    assert rows[1]["measures"][0]["carried"] == {"level": 4, "year": 2025}


def test_a_full_review_carries_nothing_forward(system, framework):
    set_state(open_round(system, 2024), F)
    for year in (2025, 2026):
        set_state(open_round(system, year), F)
    full = open_round(system, 2027)
    assert full.kind == RoundKind.FULL
    with pytest.raises(ValidationError) as error:
        cycle.submit(user=system.commissioner, round=full)
    assert "Give a self assessment for 1a" in error.value.message_dict["state"][0]


def test_change_is_measured_from_the_previous_final_round_not_a_draft(system, framework):
    finalise_with_levels(system, open_round(system, 2024), level=2)
    # A round left unfinished (as rounds from before the cycle may be).
    draft = AssessmentRound.objects.create(
        commissioner=system.commissioner_org, year=2025, kind=RoundKind.ANNUAL
    )
    services.rate_measure(
        user=system.commissioner,
        round=draft,
        measure=Measure.objects.first(),
        level=4,
        evidence="e",
    )
    later = AssessmentRound.objects.create(
        commissioner=system.commissioner_org, year=2026, kind=RoundKind.ANNUAL
    )
    assert later.previous_final.year == 2024
    rows, overall, overall_before = competency_rows(later)
    assert (rows[0]["last_year"], overall, overall_before) == (2.0, 2.0, 2.0)
    assert rows[0]["change"] == 0.0


def test_the_page_offers_each_person_their_moves(client, system, assessment):
    url = reverse("assurance:scorecard", args=[assessment.pk])
    state = reverse("assurance:transition", args=[assessment.pk])
    client.force_login(system.commissioner)
    page = client.get(url).content.decode()
    assert "Baseline assessment" in page and "Self assessment" in page
    assert "Submit for review" in page and "Finalise the assessment" not in page
    refused = client.post(state, {"action": "submit"})
    assert refused.status_code == 200
    assert "There is a problem" in refused.content.decode()
    assert "Give a self assessment for 1a" in refused.content.decode()
    complete_self_assessment(system, assessment)
    assert client.post(state, {"action": "submit"}).status_code == 302
    assert client.post(state, {"action": "finalise"}).status_code == 403
    page = client.get(url).content.decode()
    assert "Submit for review" not in page and "With the panel" in page

    client.force_login(system.admin)
    page = client.get(url).content.decode()
    assert "Finalise the assessment" in page and "Return to the commissioner" in page
    refused = client.post(state, {"action": "return", "reason": ""})
    assert "Say why the assessment goes back" in refused.content.decode()
    assert client.post(state, {"action": "return", "reason": "Check 2b"}).status_code == 302
    assert AssessmentRound.objects.get().state == S
    assert "Check 2b" in client.get(url).content.decode()

    client.force_login(system.network_manager_a)
    assert client.post(state, {"action": "submit"}).status_code == 403


def test_api_round_trip(api_client, system, assessment):
    base = f"/api/v1/assessment-rounds/{assessment.pk}"
    api_client.force_authenticate(system.commissioner)
    body = api_client.get(f"{base}/").json()
    assert (body["kind"], body["state"], body["transitions"]) == ("baseline", "self_assessment", [])
    refused = api_client.post(f"{base}/submit/", {}, format="json")
    assert refused.status_code == 400 and "Give a self assessment" in refused.json()["state"][0]
    complete_self_assessment(system, assessment)
    submitted = api_client.post(f"{base}/submit/", {}, format="json")
    assert submitted.status_code == 200 and submitted.json()["state"] == "panel_review"
    assert api_client.post(f"{base}/finalise/", {}, format="json").status_code == 403
    assert api_client.post(f"{base}/return/", {"reason": "x"}, format="json").status_code == 403

    api_client.force_authenticate(system.admin)
    no_reason = api_client.post(f"{base}/return/", {}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    assert api_client.post(f"{base}/finalise/", {}, format="json").status_code == 400
    for rating in assessment.ratings.all():
        services.set_final_level(user=system.admin, rating=rating, level=3)
    for answer in assessment.governance_answers.all():
        services.review_governance(user=system.admin, answer=answer, result="confirmed")
    final = api_client.post(f"{base}/finalise/", {}, format="json")
    assert final.status_code == 200 and final.json()["state"] == "final"
    assert [t["action"] for t in final.json()["transitions"]] == ["submit", "finalise"]
    card = api_client.get(f"{base}/scorecard/").json()
    assert (card["round"]["state"], card["overall"], card["previous_year"]) == ("final", 3.0, None)

    api_client.force_authenticate(system.provider_a)
    assert api_client.post(f"{base}/submit/", {}, format="json").status_code == 403
    assert api_client.get(f"{base}/").status_code == 404
