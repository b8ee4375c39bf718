"""The assessment framework as data: the World Class Commissioning defaults
load once (a rerun adds nothing and keeps admins' edits), and admins edit
them with history kept."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from assurance.choices import FEEDBACK_METHODS, Method
from assurance.models import (
    AssessmentRound,
    Competency,
    GovernanceAnswer,
    GovernanceQuestion,
    Measure,
)
from assurance.services import load_default_framework
from reporting.demo import contracts as contracts_demo
from reporting.demo.assurance import seed_assurance


@pytest.fixture
def framework(db):
    load_default_framework()


def test_defaults_have_eleven_competencies_of_three_measures(framework):
    assert Competency.objects.count() == 11
    assert list(Competency.objects.values_list("name", flat=True)[:2]) == [
        "Locally lead the NHS",
        "Work with community partners",
    ]
    for competency in Competency.objects.prefetch_related("measures"):
        assert [m.number for m in competency.measures.all()] == [1, 2, 3]
    measure = Measure.objects.select_related("competency").get(competency__number=1, number=1)
    assert measure.code == "1a"
    assert measure.method == Method.FEEDBACK_360
    assert measure.evidence_expected
    assert all(measure.level_description(level) for level in (1, 2, 3, 4))
    assert set(Measure.objects.values_list("method", flat=True)) == set(Method.values)
    assert list(GovernanceQuestion.objects.values_list("title", flat=True)) == [
        "Strategy",
        "Finance",
        "Controls",
        "Capability",
    ]


def test_feedback_measures_have_a_survey_statement_and_others_do_not(framework):
    for measure in Measure.objects.all():
        assert bool(measure.statement) == (measure.method in FEEDBACK_METHODS), measure.code


def test_loading_twice_adds_nothing_and_keeps_admins_edits(framework):
    measure = Measure.objects.get(competency__number=2, number=1)
    measure.level_4 = "Our own definition of world class."
    measure.save()
    Competency.objects.filter(number=11).delete()  # an admin removed one: it comes back

    assert load_default_framework() == 4  # the competency and its three measures
    assert load_default_framework() == 0
    measure.refresh_from_db()
    assert measure.level_4 == "Our own definition of world class."
    assert Measure.objects.count() == 33


def test_command_loads_the_defaults(db):
    out = StringIO()
    call_command("load_assurance_framework", stdout=out)
    assert "48 rows added" in out.getvalue()  # 11 competencies, 33 measures, 4 questions
    call_command("load_assurance_framework", stdout=out)
    assert "0 rows added" in out.getvalue()


def test_admin_edits_a_measure_and_history_is_kept(client, system, framework):
    client.force_login(system.admin)
    measure = Measure.objects.get(competency__number=1, number=2)
    url = reverse("admin:assurance_measure_change", args=[measure.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "competency": measure.competency_id,
            "number": 2,
            "name": "A shared vision",
            "method": Method.MIX,
            "evidence_expected": measure.evidence_expected,
            "statement": measure.statement,
            "level_1": "a",
            "level_2": "b",
            "level_3": "c",
            "level_4": "d",
        },
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.name == "A shared vision"
    assert measure.history.first().history_user == system.admin


@pytest.mark.parametrize("who", ["commissioner", "network_manager_a", "lay_partner", "outsider"])
def test_only_admins_reach_the_framework_admin(client, system, framework, who):
    client.force_login(getattr(system, who))
    response = client.get(reverse("admin:assurance_competency_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_demo_seeding_is_idempotent(db):
    from django.contrib.auth import get_user_model

    from reporting.demo import outcomes as outcomes_demo

    orgs = contracts_demo.seed_organisations()
    contracts_demo.seed_people(orgs)
    admin = get_user_model().objects.get(username="admin")
    contracts_demo.seed_contracts(orgs, outcomes_demo.seed_framework(), admin)
    seed_assurance()
    histories = [model.history.count() for model in (AssessmentRound, GovernanceAnswer)]
    seed_assurance()
    assert [model.history.count() for model in (AssessmentRound, GovernanceAnswer)] == histories
    rounds = AssessmentRound.objects.filter(commissioner__code="QNW").order_by("year")
    assert [(r.year, r.kind, r.state) for r in rounds] == [
        (2025, "baseline", "final"),
        (2026, "annual", "self_assessment"),
    ]
    assert GovernanceAnswer.objects.count() == 8
    assert Measure.objects.count() == 33
