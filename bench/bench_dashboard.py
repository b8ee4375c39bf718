"""Dashboard and public scorecard benchmark: server time per request for the
commissioner dashboard of the largest demo network, for one metric's SPC
page, and for a published scorecard read anonymously, on PostgreSQL.

Runs `seed_demo` in a scratch database (`concord_bench_dashboard`, created
with Django's test database machinery and dropped afterwards). Requests go
through Django's test client in this process, so the time is the server's
(URL routing, middleware, queries, pandas, charts, template), not a
network's. Reproduce with:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test make bench BENCH_ARGS=dashboard

BENCH_REPEAT (default 50) sets the number of timed requests per page;
BENCH_PROFILE=1 prints a cProfile of one dashboard request.
"""

import io
import os
import statistics
import time

SCRATCH_DB = "concord_bench_dashboard"
COMMAND = "DATABASE_URL=postgres://postgres@127.0.0.1:5432/test make bench BENCH_ARGS=dashboard"


def _times(client, url, repeat: int) -> list[float]:
    response = client.get(url)  # warm-up (and the scorecard's cache fill)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return times


def _report(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    print(
        f"{name:<46} median {statistics.median(ordered):7.1f} ms   "
        f"p95 {p95:7.1f} ms   ({len(ordered)} requests)"
    )


def _profile(client, url) -> None:
    import cProfile
    import pstats

    client.get(url)
    profile = cProfile.Profile()
    profile.enable()
    client.get(url)
    profile.disable()
    pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


def largest_network_contract():
    """The demo contract with the most network members, and one of its
    commissioner's people (the commissioner role): (contract, user)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from contracts.choices import Role
    from contracts.models import Contract

    contract = (
        Contract.objects.filter(provider__kind="network")
        .annotate(members=Count("provider__member_links"))
        .order_by("-members", "reference")
        .first()
    )
    user = (
        get_user_model()
        .objects.filter(
            memberships__organisation=contract.commissioner, memberships__role=Role.COMMISSIONER
        )
        .first()
    )
    return contract, user


def run():
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_databases, teardown_databases

    repeat = int(os.environ.get("BENCH_REPEAT", 50))
    connection.settings_dict.setdefault("TEST", {})["NAME"] = SCRATCH_DB
    print(f"scratch database {SCRATCH_DB} (created now, dropped at the end)")
    created = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        start = time.perf_counter()
        call_command("seed_demo", stdout=io.StringIO())
        print(f"seed_demo: {time.perf_counter() - start:.0f} s")

        from outcomes.models import MetricScore
        from reporting.models import PublishedScorecard

        contract, user = largest_network_contract()
        scores = MetricScore.objects.current().filter(run__contract_id=contract.pk)
        print(
            f"{contract.reference}: {contract.members} members, "
            f"{scores.values('metric').distinct().count()} metrics, "
            f"{scores.values('period_start').distinct().count()} months, "
            f"{scores.count():,} metric scores"
        )
        client = Client()
        client.force_login(user)
        if os.environ.get("BENCH_PROFILE"):
            _profile(client, f"/dashboard/?contract={contract.pk}")
        _report(
            "commissioner dashboard (whole network)",
            _times(client, f"/dashboard/?contract={contract.pk}", repeat),
        )
        metric_id = scores.order_by("metric__code").values_list("metric_id", flat=True).first()
        member = contract.provider.members.order_by("code").first()
        _report(
            "metric SPC page (a member)",
            _times(
                client,
                f"/dashboard/metrics/{metric_id}/?contract={contract.pk}&organisation={member.pk}",
                repeat,
            ),
        )
        scorecard = PublishedScorecard.objects.live().filter(contract=contract).first()
        _report(
            "public scorecard (anonymous, cached snapshot)",
            _times(Client(), scorecard.get_absolute_url(), repeat * 4),
        )
        _report("public scorecard list (anonymous)", _times(Client(), "/scorecards/", repeat))
        print(f"reproduce: {COMMAND}")
    finally:
        teardown_databases(created, verbosity=0)
