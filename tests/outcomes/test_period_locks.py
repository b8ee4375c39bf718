"""Whose period locks these are (issue 21): a commissioner accepting a month
locks it for its own contract. Two commissioners hold contracts with
network A holding EMADM: one's acceptance no longer blocks the provider
correcting the month for the other; the one that accepted keeps scoring
(and charting) the revision it accepted, and its data review says a
correction arrived, until it unlocks the month and takes it. When every
contract holding the value has locked the month, the correction is refused
as before. The rescore's reads (the ORM's and the peer comparison's SQL)
are exercised on whichever database the run uses: SQLite or PostgreSQL."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contracts.choices import ContractStatus, Role
from outcomes.choices import Channel, ReviewStatus, RunTrigger, SubmissionStatus
from outcomes.models import (
    AcceptedRevision,
    ContractMetric,
    Measurement,
    MetricScore,
    PendingRescore,
    PeriodReview,
)
from outcomes.services import rescore, reviews
from outcomes.services.submissions import submit
from tests.factories import (
    ContractFactory,
    MembershipFactory,
    UserFactory,
    single_provider_contracts,
)

TODAY = dt.date(2026, 11, 23)
SEPTEMBER = dt.date(2026, 9, 1)
HEADER = "metric_code,organisation_code,period_start,numerator,denominator,value\n"


def send(user, *lines, today=TODAY):
    return submit(
        user=user,
        channel=Channel.WEB,
        name="data.csv",
        content=(HEADER + "".join(f"{line}\n" for line in lines)).encode(),
        today=today,
    )


def holds_emadm(contract, metric):
    ContractMetric.objects.create(
        contract=contract,
        metric=metric,
        effective_from=dt.date(2024, 4, 1),
        minimum_threshold=30,
        target=22,
        baseline=31,
    )


@pytest.fixture
def rival(system, contract, metric):
    """QOTH's commissioner and its agreed contract CON-A2 with network A,
    holding EMADM like CON-A; PA1 has sent 45/1500 (30 per 1,000) for
    September 2026."""
    person = UserFactory(username="commissioner_b")
    MembershipFactory(
        user=person, organisation=system.other_commissioner_org, role=Role.COMMISSIONER
    )
    theirs = ContractFactory(
        reference="CON-A2", commissioner=system.other_commissioner_org, provider=system.network_a
    )
    holds_emadm(theirs, metric)
    stored = send(system.network_manager_a, "EMADM,PA1,2026-09-01,45,1500,")
    assert stored.status == SubmissionStatus.STORED
    return person, theirs


def accept(user, contract, organisation, period=SEPTEMBER):
    return reviews.review_period(user, contract, organisation, period, "accept")


def scored_value(contract, code="PA1", period=SEPTEMBER):
    rescore.rescore_contract(contract.pk, RunTrigger.MANUAL, today=TODAY)
    return (
        MetricScore.objects.current()
        .filter(run__contract=contract, organisation__code=code, period_start=period)
        .values_list("value", flat=True)
        .get()
    )


def test_one_commissioners_lock_does_not_block_a_correction_for_another(system, contract, rival):
    """The issue's case: CON-A's acceptance used to refuse PA1's correction,
    which CON-A2's commissioner never accepted."""
    _, theirs = rival
    accept(system.commissioner, contract, system.pa1)
    correction = send(system.network_manager_a, "EMADM,PA1,2026-09-01,33,1500,")
    assert correction.status == SubmissionStatus.STORED, correction.errors
    assert correction.revised == 1
    assert (
        "the commissioner of CON-A accepted and locked this period"
        in (correction.warnings[0]["message"])
    )
    # CON-A keeps scoring what it accepted (30); CON-A2 scores the correction (22).
    assert scored_value(contract) == pytest.approx(30.0)
    assert scored_value(theirs) == pytest.approx(22.0)
    kept = AcceptedRevision.objects.get()
    assert (kept.review.contract, kept.measurement.revision) == (contract, 1)


def test_a_correction_every_holding_contract_locked_is_refused(system, contract, rival):
    person, theirs = rival
    accept(system.commissioner, contract, system.pa1)
    accept(person, theirs, system.pa1)
    refused = send(system.network_manager_a, "EMADM,PA1,2026-09-01,33,1500,")
    assert refused.status == SubmissionStatus.REJECTED
    assert [(e["row"], e["column"]) for e in refused.errors] == [(2, "period_start")]
    assert "accepted and locked this period" in refused.errors[0]["message"]
    assert Measurement.objects.count() == 1
    assert not AcceptedRevision.objects.exists()


def test_a_draft_contracts_acceptance_locks_nothing(system, contract, metric):
    """Only a binding contract's review locks a month: a draft cannot be
    reviewed, and a review it somehow has counts for nothing."""
    draft = ContractFactory(
        reference="CON-D",
        commissioner=system.commissioner_org,
        provider=system.network_a,
        status=ContractStatus.DRAFT,
    )
    holds_emadm(draft, metric)
    send(system.network_manager_a, "EMADM,PA1,2026-09-01,45,1500,")
    with pytest.raises(ValidationError) as refused:
        accept(system.commissioner, draft, system.pa1)
    assert "CON-D is not agreed" in refused.value.message_dict["contract"][0]
    PeriodReview.objects.create(
        contract=draft,
        organisation=system.pa1,
        period_start=SEPTEMBER,
        status=ReviewStatus.ACCEPTED,
        reviewed_by=system.commissioner,
    )
    correction = send(system.network_manager_a, "EMADM,PA1,2026-09-01,33,1500,")
    assert correction.status == SubmissionStatus.STORED and correction.warnings == []
    assert not AcceptedRevision.objects.exists()


def test_unlocking_takes_the_correction(
    system, contract, rival, django_capture_on_commit_callbacks
):
    accept(system.commissioner, contract, system.pa1)
    send(system.network_manager_a, "EMADM,PA1,2026-09-01,33,1500,")
    assert scored_value(contract) == pytest.approx(30.0)
    with django_capture_on_commit_callbacks(execute=True):
        reviews.review_period(
            system.commissioner, contract, system.pa1, SEPTEMBER, "unlock", "Take the fix"
        )
    assert not AcceptedRevision.objects.exists()
    released = AcceptedRevision.history.get(history_type="-")
    assert released.history_user == system.commissioner
    # The month was rescored at once (the eager task ran on commit).
    assert not PendingRescore.objects.filter(contract=contract).exists()
    current = MetricScore.objects.current().get(
        run__contract=contract, organisation__code="PA1", period_start=SEPTEMBER
    )
    assert current.value == pytest.approx(22.0)
    assert current.run.trigger == RunTrigger.SUBMISSION


def test_a_month_accepted_without_a_value_stays_without_it(system, contract, rival):
    _, theirs = rival
    october = dt.date(2026, 10, 1)
    accept(system.commissioner, contract, system.pa1, october)
    late = send(system.network_manager_a, "EMADM,PA1,2026-10-01,33,1500,")
    assert late.status == SubmissionStatus.STORED and late.added == 1
    kept = AcceptedRevision.objects.get()
    assert kept.measurement is None
    assert scored_value(contract, period=october) is None
    assert scored_value(theirs, period=october) == pytest.approx(22.0)


def test_the_charts_of_the_contract_that_accepted_keep_its_value(
    system, api_client, contract, rival, metric
):
    person, theirs = rival
    accept(system.commissioner, contract, system.pa1)
    send(system.network_manager_a, "EMADM,PA1,2026-09-01,33,1500,")

    def last_point(user, which):
        api_client.force_authenticate(user)
        response = api_client.get(
            reverse("api:metric-spc", args=[metric.pk]),
            {"organisation": "PA1", "contract": which.pk},
        )
        return response.json()["points"][-1]["value"]

    assert last_point(system.commissioner, contract) == pytest.approx(30.0)
    assert last_point(person, theirs) == pytest.approx(22.0)


def test_the_data_review_says_a_correction_arrived(client, system, contract, rival):
    person, theirs = rival
    accept(system.commissioner, contract, system.pa1)
    send(system.network_manager_a, "EMADM,PA1,2026-09-01,33,1500,")
    url = reverse("outcomes:contract-data", args=[contract.pk]) + "?period=2026-09"
    client.force_login(system.commissioner)
    page = client.get(url).content.decode()
    assert "A correction arrived after you accepted this month" in page
    assert (
        "EMADM: Emergency admissions per 1,000 people aged 75+: accepted 30.0 (revision 1); "
        in page
    )
    assert "now 22.0 (revision 2," in page
    assert "unlock the month below with a reason" in page
    # The provider's side reads it too; the other contract's review has none.
    client.force_login(system.network_manager_a)
    page = client.get(url).content.decode()
    assert "The commissioner takes them by unlocking the month." in page
    client.force_login(person)
    theirs_url = reverse("outcomes:contract-data", args=[theirs.pk]) + "?period=2026-09"
    assert "A correction arrived" not in client.get(theirs_url).content.decode()


def test_a_query_belongs_to_its_contract(client, system, contract, rival):
    """CON-A's commissioner queries PA1's September: CON-A2's review of the
    same month shows no query, and CON-A2's own query does not show on CON-A."""
    person, theirs = rival
    reviews.review_period(
        system.commissioner, contract, system.pa1, SEPTEMBER, "query", "EMADM looks low"
    )
    client.force_login(person)
    theirs_url = reverse("outcomes:contract-data", args=[theirs.pk]) + "?period=2026-09"
    response = client.get(theirs_url)
    row = next(r for r in response.context["rows"] if r.organisation == system.pa1)
    assert row.review is None
    assert "EMADM looks low" not in response.content.decode()
    reviews.review_period(person, theirs, system.pa1, SEPTEMBER, "query", "Check the count")
    client.force_login(system.commissioner)
    response = client.get(reverse("outcomes:contract-data", args=[contract.pk]) + "?period=2026-09")
    row = next(r for r in response.context["rows"] if r.organisation == system.pa1)
    assert (row.review.status, row.review.comment) == (ReviewStatus.QUERIED, "EMADM looks low")
    assert "Check the count" not in response.content.decode()


def test_the_peer_comparison_uses_the_value_the_contract_accepted(system, metric):
    """The single provider's own value in the peer comparison (the rescore's
    SQL) is the revision its contract accepted. PS holds EMADM with QCOM
    (CON-S) and with QOTH (CON-S2); PT, PU, PV and PW are its peers."""
    contracts = single_provider_contracts(
        system.commissioner_org, metric, ("PS", "PT", "PU", "PV", "PW")
    )
    own = contracts["PS"]
    second = ContractFactory(
        reference="CON-S2", commissioner=system.other_commissioner_org, provider=own.provider
    )
    holds_emadm(second, metric)
    september = dt.date(2025, 9, 1)
    values = {"PS": 20, "PT": 40, "PU": 50, "PV": 60, "PW": 70}
    lines = [f"EMADM,{code},2025-09-01,{n},1000," for code, n in values.items()]
    assert send(system.admin, *lines).status == SubmissionStatus.STORED
    accept(system.commissioner, own, own.provider, september)
    correction = send(system.admin, "EMADM,PS,2025-09-01,80,1000,")
    assert correction.status == SubmissionStatus.STORED

    def comparison(contract):
        rescore.rescore_contract(contract.pk, RunTrigger.MANUAL, today=TODAY)
        score = MetricScore.objects.current().get(
            run__contract=contract, organisation__code="PS", period_start=september
        )
        return score.value, score.comparator, score.peer_rank, score.peer_count

    # CON-S: its accepted 20 against (20 + 40 + 50 + 60 + 70) / 5000 x 1000, the best.
    assert comparison(own) == (pytest.approx(20.0), pytest.approx(48.0), 1, 5)
    # CON-S2: the correction, 80, against (80 + 40 + 50 + 60 + 70) / 5000, the worst.
    assert comparison(second) == (pytest.approx(80.0), pytest.approx(60.0), 5, 5)
