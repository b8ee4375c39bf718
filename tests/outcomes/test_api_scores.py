"""The scores, SPC and SPC-rebase API: hand-checked scores of the current
run at each level, scoping per role, fixed query counts, XmR charts with a
clear shift, and rebasing (who may, what is checked, the second segment)."""

import datetime as dt

import pytest
from django.urls import reverse

from contracts.choices import Role
from contracts.models import Contract, Organisation
from core.small_numbers import REASON
from outcomes.choices import Channel, RunTrigger, SubmissionStatus
from outcomes.models import MetricScore, ScoreRun, SpcRebase
from outcomes.services import rescore
from outcomes.services.submissions import submit
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    add_member,
    single_provider_contracts,
)

D = dt.date
HEADER = "metric_code,organisation_code,period_start,numerator,denominator,value\n"
SEPTEMBER = D(2025, 9, 1)
SCORES = reverse("api:score-list")
REBASES = reverse("api:spc-rebase-list")


SUBMITTED_ON = D(2026, 6, 1)


def send(user, lines, today=SUBMITTED_ON):
    submission = submit(
        user=user,
        channel=Channel.COMMAND,
        name="data.csv",
        content=(HEADER + "".join(f"{line}\n" for line in lines)).encode(),
        today=today,
    )
    assert submission.status == SubmissionStatus.STORED, submission.errors
    return submission


@pytest.fixture
def scored(system, contract):
    """CON-A (network A: PA1 26/1000, PA2 32/1000 in September 2025) with
    EMADM (lower is better; minimum 30, target 22, baseline 31)."""
    send(
        system.network_manager_a, ["EMADM,PA1,2025-09-01,26,1000,", "EMADM,PA2,2025-09-01,32,1000,"]
    )
    return rescore.rescore_contract(contract.pk, RunTrigger.MANUAL, today=D(2025, 10, 15))


def get(client, user, url, **params):
    if user is not None:
        client.force_authenticate(user)
    return client.get(url, params)


def rows(client, user, **params):
    response = get(client, user, SCORES, **params)
    assert response.status_code == 200, response.data
    return response.data["results"]


def by_org(results):
    return {row["organisation"]: row for row in results}


# --- Scores ---


def test_metric_scores_by_hand_with_provenance(api_client, system, contract, scored):
    results = rows(
        api_client,
        system.commissioner,
        level="metric",
        contract=contract.pk,
        period_from=SEPTEMBER,
        period_to=SEPTEMBER,
    )
    scores = by_org(results)
    assert set(scores) == {"PA1", "PA2", "NETA"}
    pa1 = scores["PA1"]
    assert pa1["level"] == "metric" and pa1["metric"] == "EMADM" and pa1["dimension"] is None
    assert (pa1["value"], pa1["score"], pa1["rating"]) == (26.0, 5.0, "approaching")
    assert pa1["improvement"] == pytest.approx(5 / 9)
    assert pa1["coverage"] is None
    assert (pa1["numerator"], pa1["denominator"]) == ("26.000000", "1000.000000")
    assert pa1["contract"] == contract.pk and pa1["period_start"] == "2025-09-01"
    measurement = contract.metric_versions.get().metric.measurements.get(
        organisation=system.pa1, period_start=SEPTEMBER
    )
    provenance = pa1["provenance"]
    september = ScoreRun.objects.get(contract=contract, period_start=SEPTEMBER)
    assert provenance["run"] == september.pk
    assert provenance["rule_version"] == september.rule_version
    assert provenance["computed_at"]
    assert provenance["contract_metric"] == contract.metric_versions.get().pk
    assert provenance["measurement_ids"] == [measurement.pk]
    # Benchmarked against the network's pooled 29, inside PA1's 95% interval.
    assert pa1["comparator"] == pytest.approx(29.0) and pa1["comparison"] == "similar"
    assert pa1["ci_lower"] < 26 < pa1["ci_upper"]
    assert (pa1["peer_rank"], pa1["peer_count"]) == (1, 2)  # first of the two members
    network = scores["NETA"]
    assert network["value"] == pytest.approx(29.0) and network["score"] == pytest.approx(1.25)
    assert network["rating"] == "requires_improvement"
    assert (network["numerator"], network["denominator"]) == ("58.000000", "2000.000000")
    assert len(network["provenance"]["measurement_ids"]) == 2
    assert scores["PA2"]["rating"] == "inadequate" and scores["PA2"]["score"] == 0.0


def test_dimension_and_aggregate_levels(api_client, system, contract, scored):
    dimensions = by_org(
        rows(
            api_client,
            system.commissioner,
            level="dimension",
            period_from=SEPTEMBER,
            period_to=SEPTEMBER,
        )
    )
    pa1 = dimensions["PA1"]
    assert pa1["level"] == "dimension" and pa1["dimension"] == "Quality of care"
    assert (pa1["score"], pa1["coverage"]) == (5.0, 1.0)
    assert pa1["metric"] is None and pa1["value"] is None and pa1["rating"] is None
    assert (
        pa1["provenance"]["run"]
        == ScoreRun.objects.get(contract=contract, period_start=SEPTEMBER).pk
    )
    assert pa1["provenance"]["measurement_ids"] is None
    assert pa1["comparison"] is None and pa1["ci_lower"] is pa1["peer_count"] is None

    aggregates = rows(api_client, system.commissioner, period_from=SEPTEMBER, period_to=SEPTEMBER)
    assert {row["level"] for row in aggregates} == {"aggregate"}  # the default level
    assert by_org(aggregates)["PA1"]["score"] == 50.0
    assert by_org(aggregates)["PA1"]["coverage"] == 1.0
    assert (
        rows(
            api_client,
            system.commissioner,
            level="aggregate",
            organisation="PA1",
            period_from=SEPTEMBER,
            period_to=SEPTEMBER,
        )[0]["score"]
        == 50.0
    )


def test_an_unknown_level_is_a_400(api_client, system, scored):
    response = get(api_client, system.commissioner, SCORES, level="everything")
    assert response.status_code == 400 and "level" in response.data


def test_period_picks_one_month(api_client, system, scored):
    everything = rows(api_client, system.commissioner, level="metric")
    assert {row["period_start"] for row in everything} > {"2025-09-01"}
    september = rows(api_client, system.commissioner, level="metric", period=SEPTEMBER)
    assert september and {row["period_start"] for row in september} == {"2025-09-01"}
    assert by_org(september)["PA1"]["value"] == pytest.approx(26.0)
    assert rows(api_client, system.commissioner, period="2024-01-01") == []


@pytest.mark.parametrize("period", ["2025-09-15", "September", "2025-13-01"])
def test_a_period_that_is_not_a_month_start_is_a_400(api_client, system, scored, period):
    response = get(api_client, system.commissioner, SCORES, period=period)
    assert response.status_code == 400 and "period" in response.data


def test_missing_values_are_null(api_client, system, scored):
    october = D(2025, 10, 1)
    metric = by_org(
        rows(
            api_client, system.commissioner, level="metric", period_from=october, period_to=october
        )
    )["PA1"]
    assert metric["value"] is None and metric["score"] is None and metric["rating"] is None
    assert metric["numerator"] is None and metric["improvement"] is None
    assert metric["provenance"]["measurement_ids"] == []
    aggregate = by_org(
        rows(api_client, system.commissioner, period_from=october, period_to=october)
    )["PA1"]
    assert aggregate["score"] is None and aggregate["coverage"] == 0.0


def test_only_the_current_run_is_read(api_client, system, contract, scored):
    rescore.rescore_contract(contract.pk, RunTrigger.MANUAL, today=D(2025, 10, 15))
    september = ScoreRun.objects.get(contract=contract, period_start=SEPTEMBER)
    results = rows(
        api_client, system.commissioner, level="metric", period_from=SEPTEMBER, period_to=SEPTEMBER
    )
    assert len(results) == 3
    assert {row["provenance"]["run"] for row in results} == {september.pk}


@pytest.mark.parametrize(
    "who, expected",
    [
        ("admin", {"PA1", "PA2", "NETA"}),
        ("commissioner", {"PA1", "PA2", "NETA"}),
        ("network_manager_a", {"PA1", "PA2", "NETA"}),
        ("provider_a", {"PA1"}),
        ("provider_b", set()),
        ("lay_partner", set()),
        ("outsider", set()),
    ],
)
def test_scores_are_scoped_by_role(api_client, system, scored, who, expected):
    for level in ("metric", "dimension", "aggregate"):
        results = rows(
            api_client,
            getattr(system, who),
            level=level,
            period_from=SEPTEMBER,
            period_to=SEPTEMBER,
        )
        assert {row["organisation"] for row in results} == expected, level


def test_a_provider_cannot_filter_their_way_to_a_peer(api_client, system, scored):
    assert rows(api_client, system.provider_a, level="metric", organisation="PA2") == []
    assert rows(api_client, system.provider_a, level="metric", organisation="NETA") == []


def test_anonymous_is_refused(api_client, system, scored):
    assert get(api_client, None, SCORES).status_code in (401, 403)


# --- Small numbers: comparisons a person may not work others' figures out of ---

WITHHELD = REASON.format(k=3)
COMPARISON = ("comparator", "comparison", "peer_rank", "peer_quintile", "peer_count")


def september(client, user, code):
    return by_org(rows(client, user, level="metric", period=SEPTEMBER))[code]


def add_members(system, values):
    """More members of network A, each with EMADM per 1,000 in September."""
    for code in values:
        add_member(system.network_a, OrganisationFactory(code=code, name=f"Provider {code}"))
    send(system.admin, [f"EMADM,{code},2025-09-01,{value},1000," for code, value in values.items()])
    rescore.rescore_contract(system.contract_a.pk, RunTrigger.MANUAL, today=D(2025, 10, 15))


def test_a_member_of_two_is_not_given_the_others_value(api_client, system, scored):
    """Issue 29: PA1 (26 per 1,000) and PA2 (32) are network A's only
    members. PA1's score carried the network's pooled 29 and "1 of 2":
    with equal denominators 2 x 29 - 26 = 32, PA2's value. Now PA1's people
    get none of it, and are told why; PA1's own figures stay."""
    stored = MetricScore.objects.current().get(organisation=system.pa1, period_start=SEPTEMBER)
    assert (stored.comparator, stored.peer_count) == (pytest.approx(29.0), 2)
    assert 2 * stored.comparator - stored.value == pytest.approx(32.0)  # PA2's, before
    pa1 = september(api_client, system.provider_a, "PA1")
    assert all(pa1[name] is None for name in COMPARISON)
    assert pa1["comparison_withheld"] == WITHHELD
    assert (pa1["value"], pa1["score"]) == (26.0, 5.0)
    assert pa1["ci_lower"] < 26 < pa1["ci_upper"]


@pytest.mark.parametrize("who", ["network_manager_a", "commissioner", "admin"])
def test_who_sees_every_member_still_sees_the_comparison(api_client, system, scored, who):
    pa1 = september(api_client, getattr(system, who), "PA1")
    assert pa1["comparator"] == pytest.approx(29.0) and pa1["comparison"] == "similar"
    assert (pa1["peer_rank"], pa1["peer_quintile"], pa1["peer_count"]) == (1, 1, 2)
    assert pa1["comparison_withheld"] is None


def test_two_other_members_are_too_few(api_client, system, scored):
    """With PA3 too, PA1's people know the others' total (3 x 27 - 26 =
    55) but not PA2's or PA3's: still fewer than three others."""
    add_members(system, {"PA3": 23})
    pa1 = september(api_client, system.provider_a, "PA1")
    assert all(pa1[name] is None for name in COMPARISON)
    assert pa1["comparison_withheld"] == WITHHELD


def test_three_other_members_are_enough(api_client, system, scored):
    """PA2 (32), PA3 (20) and PA4 (40) besides PA1 (26): pooled 29.5, PA1
    second of four. PA1's people learn the others' total (4 x 29.5 - 26 =
    92) and that one does better, never whose is which."""
    add_members(system, {"PA3": 20, "PA4": 40})
    pa1 = september(api_client, system.provider_a, "PA1")
    assert pa1["comparator"] == pytest.approx(29.5)
    assert (pa1["peer_rank"], pa1["peer_quintile"], pa1["peer_count"]) == (2, 2, 4)
    assert pa1["comparison_withheld"] is None


def test_others_all_reporting_the_same_are_withheld(api_client, system, scored):
    """PA2 (32), PA3 and PA4 (32 each): the others' total, 96, gives each."""
    add_members(system, {"PA3": 32, "PA4": 32})
    pa1 = september(api_client, system.provider_a, "PA1")
    assert pa1["comparison_withheld"] == WITHHELD and pa1["comparator"] is None
    assert september(api_client, system.network_manager_a, "PA1")["peer_count"] == 4


def test_scores_stored_before_the_counts_are_withheld_until_rescored(api_client, system, scored):
    add_members(system, {"PA3": 20, "PA4": 40})
    MetricScore.objects.update(peer_distinct=None)  # as rule version 2026.2 stored them
    assert september(api_client, system.provider_a, "PA1")["comparison_withheld"] == WITHHELD
    assert september(api_client, system.network_manager_a, "PA1")["comparator"] is not None
    rescore.rescore_contract(system.contract_a.pk, RunTrigger.NIGHTLY, today=D(2025, 10, 15))
    assert september(api_client, system.provider_a, "PA1")["comparison_withheld"] is None


@pytest.fixture
def peers(system, contract, scored):
    """CON-S of provider PS alone, holding EMADM like network A (PA1 26,
    PA2 32) and providers PT and PU: PS (20), PT (40), PU (50) report
    September 2025, so PS is compared with five (itself included)."""
    contracts = single_provider_contracts(
        system.commissioner_org, contract.metric_versions.get().metric, ("PS", "PT", "PU")
    )
    send(system.admin, ["EMADM,PS,2025-09-01,20,1000,", "EMADM,PT,2025-09-01,40,1000,"])
    send(system.admin, ["EMADM,PU,2025-09-01,50,1000,"])
    rescore.rescore_contract(contracts["PS"].pk, RunTrigger.MANUAL, today=D(2025, 10, 15))
    return contracts["PS"]


def person_at(*codes):
    user = UserFactory()
    for code in codes:
        MembershipFactory(
            user=user, organisation=Organisation.objects.get(code=code), role=Role.PROVIDER_USER
        )
    return user


@pytest.mark.parametrize(
    "codes, shown",
    [
        (("PS",), True),  # four others unseen
        (("PS", "PT"), True),  # three
        (("PS", "PT", "PU"), False),  # two: PA1 and PA2's total only, but too few
    ],
)
@pytest.mark.parametrize("named", [True, False])
def test_a_single_providers_peers_seen_by_its_people(
    api_client, system, peers, monkeypatch, codes, shown, named
):
    """PS's comparison pools five peers. Named (few peers), those a person
    sees are counted exactly; counted (many), the organisations in their
    scope with a value that month: the same here."""
    if not named:
        monkeypatch.setattr(rescore, "PEER_IDS_UP_TO", 2)
        rescore.rescore_contract(peers.pk, RunTrigger.MANUAL, today=D(2025, 10, 15))
    ps = september(api_client, person_at(*codes), "PS")
    assert (ps["peer_count"] == 5) is shown
    assert (ps["comparison_withheld"] is None) is shown
    assert (ps["comparator"] == pytest.approx(33.6)) is shown  # 168 / 5000 x 1000


def test_a_commissioner_seeing_every_peer_sees_the_comparison(api_client, system, peers):
    """QCOM commissions all five peers: it sees each value anyway."""
    ps = september(api_client, system.commissioner, "PS")
    assert (ps["comparator"], ps["peer_rank"], ps["peer_count"]) == (pytest.approx(33.6), 1, 5)
    assert ps["comparison_withheld"] is None


@pytest.mark.parametrize("who", ["commissioner", "provider_a", "admin"])
@pytest.mark.parametrize("level", ["metric", "dimension", "aggregate"])
def test_scores_take_a_fixed_number_of_queries(
    api_client, system, contract, django_assert_max_num_queries, level, who
):
    """Also as people who do not see every organisation compared: the
    small-numbers rule reads what it needs with the scores themselves."""
    send(system.network_manager_a, ["EMADM,PA1,2024-04-01,26,1000,"])
    api_client.force_authenticate(getattr(system, who))
    counts = []
    for today in (D(2024, 5, 15), D(2025, 12, 15)):  # 2 months of scores, then 21
        rescore.rescore_contract(contract.pk, RunTrigger.MANUAL, today=today)
        with django_assert_max_num_queries(6) as captured:
            response = api_client.get(SCORES, {"level": level})
        assert response.status_code == 200
        counts.append((len(captured.captured_queries), response.data["count"]))
    (small_queries, small_rows), (big_queries, big_rows) = counts
    assert big_rows > 5 * small_rows
    assert small_queries == big_queries


# --- SPC ---

HIGH = [30, 31, 29] * 4  # 12 months around 30 ...
LOW = [15, 16, 14] * 4  # ... then 12 around 15: a clear fall (an improvement)


def months(start, n):
    out, (year, month) = [], (start.year, start.month)
    for _ in range(n):
        out.append(D(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


@pytest.fixture
def shifted(system, contract):
    """24 months of EMADM for PA1 from April 2024 with a shift at April 2025."""
    periods = months(D(2024, 4, 1), 24)
    send(
        system.network_manager_a,
        [f"EMADM,PA1,{p},{v},1000," for p, v in zip(periods, HIGH + LOW, strict=True)],
    )
    return periods


def spc_url(metric):
    return reverse("api:metric-spc", args=[metric.pk])


def test_spc_finds_the_shift_and_the_icons(api_client, system, contract, metric, shifted):
    response = get(
        api_client, system.commissioner, spc_url(metric), organisation="PA1", contract=contract.pk
    )
    assert response.status_code == 200, response.data
    data = response.data
    assert (data["metric"], data["organisation"], data["contract"]) == ("EMADM", "PA1", contract.pk)
    points = data["points"]
    assert [p["period_start"] for p in points] == [p.isoformat() for p in shifted]
    assert points[0]["value"] == 30.0
    # Mean 22.5; mean moving range 30/22 once the 29 -> 15 jump is screened out.
    assert points[0]["mean"] == pytest.approx(22.5)
    assert points[0]["upl"] == pytest.approx(22.5 + 2.66 * 30 / 22)
    assert all(p["outside_limits"] == 1 for p in points[:12])
    assert all(p["special_cause_type"] == "Above the upper process limit" for p in points[:12])
    assert all(p["point_type"] == "special_cause_concern" for p in points[:12])  # lower is better
    assert all(p["point_type"] == "special_cause_improvement" for p in points[12:])
    summary = data["summary"]
    assert summary["improvement_direction"] == "decrease"
    assert summary["variation"] == "improvement_low"
    assert summary["target"] == 22.0 and summary["assurance"] == "inconsistent"
    assert len(summary["segments"]) == 1 and summary["segments"][0]["n"] == 24
    assert summary["warnings"] == []


def test_spc_without_a_contract_has_no_assurance(api_client, system, metric, shifted):
    summary = get(api_client, system.provider_a, spc_url(metric), organisation="PA1").data[
        "summary"
    ]
    assert summary["target"] is None and summary["assurance"] is None


def test_fewer_than_twelve_points_warn(api_client, system, contract, metric):
    send(
        system.provider_a,
        [f"EMADM,PA1,{p},{25 + i % 3},1000," for i, p in enumerate(months(D(2025, 1, 1), 5))],
    )
    data = get(api_client, system.commissioner, spc_url(metric), organisation="PA1").data
    assert len(data["points"]) == 5
    assert len(data["summary"]["warnings"]) == 1
    assert "5 points" in data["summary"]["warnings"][0]


def test_spc_of_a_series_without_data(api_client, system, metric):
    data = get(api_client, system.commissioner, spc_url(metric), organisation="PA2").data
    assert data["points"] == [] and data["summary"]["variation"] is None
    assert data["summary"]["warnings"]


@pytest.mark.parametrize(
    "who, code",
    [
        ("provider_a", "PA2"),
        ("provider_b", "PA1"),
        ("lay_partner", "PA1"),
        ("outsider", "PA1"),
        ("commissioner", "NOPE"),
    ],
)
def test_spc_of_an_organisation_out_of_scope_is_404(api_client, system, metric, shifted, who, code):
    response = get(api_client, getattr(system, who), spc_url(metric), organisation=code)
    assert response.status_code == 404


def test_spc_needs_an_organisation(api_client, system, metric):
    response = get(api_client, system.commissioner, spc_url(metric))
    assert response.status_code == 400 and "organisation" in response.data


def test_spc_with_a_contract_one_cannot_see_is_404(api_client, system, metric, shifted):
    response = get(
        api_client,
        system.provider_a,
        spc_url(metric),
        organisation="PA1",
        contract=system.contract_b.pk,
    )
    assert response.status_code == 404


# --- Rebasing ---


def rebase(client, user, **overrides):
    """POST a rebase of CON-A's chart of PA1's EMADM (by default)."""
    client.force_authenticate(user)
    body = {
        "contract": Contract.objects.get(reference="CON-A").pk,
        "metric": "EMADM",
        "organisation": "PA1",
        "period_start": "2025-04-01",
        "reason": "New falls service from April 2025",
        **overrides,
    }
    return client.post(REBASES, {k: v for k, v in body.items() if v is not None}, format="json")


def test_a_rebase_starts_a_second_segment(api_client, system, contract, metric, shifted):
    response = rebase(api_client, system.commissioner)
    assert response.status_code == 201, response.data
    assert response.data["created_by"] == "commissioner"
    assert response.data["period_start"] == "2025-04-01"
    data = get(
        api_client, system.commissioner, spc_url(metric), organisation="PA1", contract=contract.pk
    ).data
    segments = data["summary"]["segments"]
    assert [(s["segment"], s["n"], s["period_from"]) for s in segments] == [
        (0, 12, "2024-04-01"),
        (1, 12, "2025-04-01"),
    ]
    assert [s["mean"] for s in segments] == [pytest.approx(30), pytest.approx(15)]
    assert {p["segment"] for p in data["points"][12:]} == {1}
    # Target 22 is above the new upper limit (15 + 2.66 x 15/11) of a falling-is-good metric.
    assert data["summary"]["assurance"] == "consistent_pass"
    assert data["summary"]["variation"] == "common_cause"
    assert data["summary"]["rebases"] == ["2025-04-01"]
    assert data["summary"]["warnings"] == []


def test_a_rebase_needs_a_reason(api_client, system, shifted):
    for reason in (None, "", "   "):
        response = rebase(api_client, system.commissioner, reason=reason)
        assert response.status_code == 400 and "reason" in response.data, reason
    assert not SpcRebase.objects.exists()


@pytest.mark.parametrize("period", ["2023-01-01", "2026-05-01", "2024-04-01", "2025-04-15"])
def test_a_rebase_must_be_at_a_later_period_of_the_series(api_client, system, shifted, period):
    response = rebase(api_client, system.commissioner, period_start=period)
    assert response.status_code == 400 and "period_start" in response.data


def test_a_period_can_be_rebased_once(api_client, system, shifted):
    assert rebase(api_client, system.commissioner).status_code == 201
    response = rebase(api_client, system.commissioner)
    assert response.status_code == 400 and "period_start" in response.data


@pytest.mark.parametrize("who", ["network_manager_a", "provider_a", "lay_partner", "outsider"])
def test_only_commissioners_rebase(api_client, system, shifted, who):
    assert rebase(api_client, getattr(system, who)).status_code == 403
    assert not SpcRebase.objects.exists()


def test_a_commissioner_without_the_metric_in_a_contract_cannot_rebase(
    api_client, system, metric, shifted
):
    other = UserFactory(username="other_commissioner")
    MembershipFactory(
        user=other, organisation=system.other_commissioner_org, role=Role.COMMISSIONER
    )
    # PB1 is in their scope (contract CON-B) but CON-B holds no EMADM.
    send(system.provider_b, ["EMADM,PB1,2025-01-01,20,1000,", "EMADM,PB1,2025-02-01,21,1000,"])
    response = rebase(
        api_client,
        other,
        contract=system.contract_b.pk,
        organisation="PB1",
        period_start="2025-02-01",
    )
    assert response.status_code == 403
    # PA1 is not in their scope at all: the organisation does not exist for them.
    response = rebase(api_client, other)
    assert response.status_code == 400 and "organisation" in response.data


def test_admins_rebase(api_client, system, shifted):
    assert rebase(api_client, system.admin).status_code == 201


def test_rebases_are_listed_within_scope(api_client, system, shifted):
    rebase(api_client, system.commissioner)
    for who, expected in [
        ("provider_a", 1),
        ("network_manager_a", 1),
        ("provider_b", 0),
        ("lay_partner", 0),
        ("outsider", 0),
    ]:
        response = get(api_client, getattr(system, who), REBASES)
        assert response.status_code == 200 and response.data["count"] == expected, who
    row = get(api_client, system.provider_a, REBASES, metric="EMADM").data["results"][0]
    assert (row["metric"], row["organisation"], row["reason"]) == (
        "EMADM",
        "PA1",
        "New falls service from April 2025",
    )


def test_a_withdrawn_rebase_is_kept_in_history(api_client, system, metric, shifted):
    created = rebase(api_client, system.commissioner).data
    url = reverse("api:spc-rebase-detail", args=[created["id"]])
    other = UserFactory(username="another_commissioner")
    MembershipFactory(user=other, organisation=system.commissioner_org, role=Role.COMMISSIONER)
    api_client.force_authenticate(other)
    assert api_client.delete(url).status_code == 403
    api_client.force_authenticate(system.provider_a)
    assert api_client.delete(url).status_code == 403
    api_client.force_authenticate(system.commissioner)
    assert api_client.delete(url).status_code == 204
    assert not SpcRebase.objects.exists()
    deleted = SpcRebase.history.get(history_type="-")
    assert deleted.reason == "New falls service from April 2025"
    assert deleted.history_user == system.commissioner
    data = get(api_client, system.commissioner, spc_url(metric), organisation="PA1").data
    assert len(data["summary"]["segments"]) == 1


def test_admins_withdraw_any_rebase(api_client, system, shifted):
    created = rebase(api_client, system.commissioner).data
    api_client.force_authenticate(system.admin)
    response = api_client.delete(reverse("api:spc-rebase-detail", args=[created["id"]]))
    assert response.status_code == 204
