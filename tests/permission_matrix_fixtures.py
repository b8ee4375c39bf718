"""One realistic dataset for the permission matrix (tests/config/test_permission_matrix.py).

Both sides of the `system` fixture get the same kinds of rows, made through
the real services: side "a" is contract CON-A (commissioner QCOM, network A
with PA1 and PA2), side "b" is CON-B (commissioner QOTH, network B with PB1).
Side b's private free text carries CANARY, so a response that shows it to
someone outside network B / QOTH is a leak even when its status is right."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assurance import services as assurance
from assurance.models import GovernanceQuestion, Measure
from contracts import notices
from contracts.api_tokens import create_token
from contracts.choices import Role
from contracts.models import ActualCost, PopulationGroup
from dialogues.models import CalendarFeed
from dialogues.services.actions import log_action
from dialogues.services.evidence import add_evidence
from incentives import services as incentives
from outcomes.choices import Channel, RunTrigger, SubmissionStatus
from outcomes.models import ContractMetric, Measurement, MetricScore, Outcome, PeriodReview
from outcomes.services import rebasing, rescore
from outcomes.services.rescore_requests import request_rescore
from outcomes.services.submissions import submit
from outcomes.services.variations import propose_variation
from reporting import contract_publishing
from tests.contract_fixtures import YEAR_VALUE
from tests.dashboard_data import HEADER, lines_for, months_from
from tests.dialogues.test_dialogues_services import make_series
from tests.factories import MembershipFactory, MetricFactory, UserFactory, add_contract_years
from tests.incentives_fixtures import scheme_fields

CANARY = "CANARY-B"
FIRST = dt.date(2024, 4, 1)
MONTHS = months_from(FIRST, 14)
TODAY = dt.date(2025, 7, 20)  # after the last month's data and the end of year 1


def _person(username, organisation, role):
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


def _side(system, *, contract, network, providers, commissioner, manager, participants, tag):
    """Every kind of private row on one contract, made by its own people."""
    metric = MetricFactory()  # EMADM, shared framework data
    add_contract_years(contract, [YEAR_VALUE] * 5)
    contract_metric = ContractMetric.objects.create(
        contract=contract,
        metric=metric,
        effective_from=FIRST,
        minimum_threshold=30,
        target=22,
        baseline=31,
    )
    content = HEADER + "".join(f"{line}\n" for line in lines_for([metric], providers, MONTHS))
    submission = submit(
        user=manager,
        channel=Channel.COMMAND,
        name=f"{tag.lower()}-data.csv",
        content=content.encode(),
        today=TODAY,
    )
    assert submission.status == SubmissionStatus.STORED, submission.errors[:3]
    PeriodReview.objects.bulk_create(
        PeriodReview(
            contract=contract,
            organisation=org,
            period_start=month,
            status="accepted",
            reviewed_by=commissioner,
        )
        for org in providers
        for month in MONTHS
    )
    rescore.rescore_contract(contract.pk, RunTrigger.MANUAL, today=TODAY)
    assert MetricScore.objects.filter(run__contract=contract).exists()
    for month in MONTHS[:12]:
        ActualCost.objects.create(contract=contract, month=month, amount=Decimal("950000.00"))
    scheme = incentives.create_scheme_version(
        user=commissioner, contract=contract, **scheme_fields(metric)
    )
    settlement = incentives.compute_settlement(
        contract_year=contract.years.get(number=1), user=commissioner
    )
    incentives.add_comment(user=manager, settlement=settlement, text=f"{tag} settlement comment")
    notice = notices.raise_notice(
        user=commissioner,
        contract=contract,
        title=f"{tag} notice: emergency admissions",
        concern=f"{tag} concern about three months above the threshold.",
        raised_on=dt.date(2026, 3, 2),
        metrics=[metric],
    )
    rebase = rebasing.add_rebase(
        user=commissioner,
        contract=contract,
        metric=metric,
        organisation=providers[0],
        period_start=MONTHS[8],
        reason=f"{tag} new falls service",
    )
    scorecard = contract_publishing.publish(
        user=commissioner,
        contract=contract,
        organisation=network,
        period=MONTHS[-1],
        summary="Fewer older people were admitted to hospital in an emergency.",
    )
    meeting_series = make_series(
        system,
        user=manager,
        title=f"{tag} weekly tactical",
        provider=network,
        contract=contract,
        organisations=[network, *providers],
        participants=participants,
        chair=manager,
        ends_on=dt.date(2026, 3, 31),
    )
    meeting = meeting_series.meetings.order_by("starts_at").first()
    action = log_action(
        user=manager,
        meeting=meeting,
        title=f"{tag} chase missing falls data",
        owner=manager,
        due_on=dt.date(2026, 3, 20),
    )
    evidence = add_evidence(
        user=manager,
        action=action,
        note=f"{tag} evidence note",
        upload=SimpleUploadedFile(f"{tag.lower()}-evidence.pdf", b"%PDF-1.4 " + tag.encode()),
    )
    rescore_request = request_rescore(commissioner, contract)
    # Proposed by the network: the commissioner's side answers it.
    variation = propose_variation(
        user=manager,
        contract=contract,
        metric=metric,
        effective_from=dt.date(2025, 10, 1),
        minimum_threshold=30,
        target=20,
        reason=f"{tag}: a tighter target for winter",
    )
    return SimpleNamespace(
        contract=contract,
        network=network,
        provider=providers[0],
        metric=metric,
        contract_metric=contract_metric,
        submission=submission,
        measurement=Measurement.objects.filter(organisation=providers[0]).first(),
        actual_cost=ActualCost.objects.filter(contract=contract).first(),
        scheme=scheme,
        settlement=settlement,
        notice=notice,
        rebase=rebase,
        scorecard=scorecard,
        series=meeting_series,
        meeting=meeting,
        action=action,
        evidence=evidence,
        rescore_request=rescore_request,
        variation=variation,
        **_assurance(commissioner, contract.commissioner, tag),
    )


def _assurance(person, commissioner, tag):
    """The commissioner's assessment: a governance answer, a rating and an
    open 360 survey, with the side's tag in their free text."""
    assurance.load_default_framework()
    round = assurance.open_assessment_round(user=person, commissioner=commissioner, year=2026)
    answer = assurance.certify_governance(
        user=person,
        round=round,
        question=GovernanceQuestion.objects.get(number=1),
        certification="in_place",
        evidence=f"{tag} board evidence",
    )
    rating = assurance.rate_measure(
        user=person,
        round=round,
        measure=Measure.objects.get(competency__number=1, number=1),
        level=3,
        evidence=f"{tag} rating evidence",
    )
    survey = assurance.open_feedback_survey(
        user=person,
        round=round,
        title=f"{tag} 360 feedback",
        closes_at=timezone.now() + dt.timedelta(days=14),
    )
    return {
        "assessment": round,
        "governance_answer": answer,
        "rating": rating,
        "survey": survey,
        "measure": rating.measure,
    }


def build(system):
    """The matrix's dataset: SimpleNamespace(a=..., b=..., token_key=..., feed_token=...)."""
    commissioner_b = _person("commissioner_b", system.other_commissioner_org, Role.COMMISSIONER)
    manager_b = _person("nm_b", system.network_b, Role.NETWORK_MANAGER)
    a = _side(
        system,
        contract=system.contract_a,
        network=system.network_a,
        providers=[system.pa1, system.pa2],
        commissioner=system.commissioner,
        manager=system.network_manager_a,
        participants=[system.network_manager_a, system.provider_a],
        tag="Side A",
    )
    b = _side(
        system,
        contract=system.contract_b,
        network=system.network_b,
        providers=[system.pb1],
        commissioner=commissioner_b,
        manager=manager_b,
        participants=[manager_b, system.provider_b],
        tag=CANARY,
    )
    _token, commissioner_token = create_token(system.commissioner)
    group = PopulationGroup.objects.create(name="People aged 75 and over")
    outcome = Outcome.objects.create(
        name="Fewer emergency admissions", dimension=a.metric.dimension, population_group=group
    )
    return SimpleNamespace(
        a=a,
        b=b,
        framework={
            "dimension": a.metric.dimension,
            "population-group": group,
            "outcome": outcome,
            "metric": a.metric,
        },
        # The commissioner's API token and calendar feed: someone else's to
        # everybody else (a token's key is its first characters).
        token_key=commissioner_token[:8],
        feed_token=CalendarFeed.objects.create(person=system.commissioner).token,
    )
