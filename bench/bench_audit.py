"""Audit trail benchmark: server time per request for /audit/ and
/api/v1/audit/ on a synthetic national system, for an admin and for a
commissioner unfiltered, filtered by one contract, one organisation and one
month, and for an older page (a cursor in the middle of the data).

Runs `generate_national` in a scratch database (`concord_bench_audit`,
created with Django's test database machinery and dropped afterwards).
Requests go through Django's test client in this process, as
bench_dashboard. Reproduce with:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test make bench BENCH_ARGS=audit

BENCH_AUDIT_SIZE (default 300x30x3: organisations x metrics x years) sets
the system's size; BENCH_REPEAT (default 20) the timed requests per page.
docs/audit.md ("At scale") has figures for 3.3 million measurements.
"""

import io
import os
import time

from bench.bench_dashboard import _report, _times

SCRATCH_DB = "concord_bench_audit"
COMMAND = "DATABASE_URL=postgres://postgres@127.0.0.1:5432/test make bench BENCH_ARGS=audit"


def _people():
    """An admin, and a commissioner of the first ICB: (admin, commissioner, icb)."""
    from django.contrib.auth import get_user_model

    from contracts.choices import Role
    from contracts.models import Contract, Membership

    User = get_user_model()
    admin = User.objects.create(username="bench-admin", is_staff=True, is_superuser=True)
    icb = Contract.objects.order_by("commissioner__code").first().commissioner
    commissioner = User.objects.create(username="bench-commissioner")
    Membership.objects.create(user=commissioner, organisation=icb, role=Role.COMMISSIONER)
    return admin, commissioner, icb


def run():
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_databases, teardown_databases

    repeat = int(os.environ.get("BENCH_REPEAT", 20))
    organisations, metrics, years = os.environ.get("BENCH_AUDIT_SIZE", "300x30x3").split("x")
    connection.settings_dict.setdefault("TEST", {})["NAME"] = SCRATCH_DB
    print(f"scratch database {SCRATCH_DB} (created now, dropped at the end)")
    created = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        start = time.perf_counter()
        call_command(
            "generate_national",
            organisations=int(organisations),
            metrics=int(metrics),
            years=int(years),
            stdout=io.StringIO(),
        )
        print(
            f"generate_national {organisations}x{metrics}x{years}: "
            f"{time.perf_counter() - start:.0f} s"
        )

        from contracts.models import Contract
        from outcomes.models import Measurement
        from reporting.audit_trail import Cursor

        admin, commissioner, icb = _people()
        contract = Contract.objects.filter(commissioner=icb).order_by("reference").first()
        organisation = contract.provider.code
        middle = Measurement.objects.order_by("id")[Measurement.objects.count() // 2]
        older = Cursor(middle.recorded_at, "measurement", middle.id).token
        month = "since=2025-03-01&until=2025-03-31"
        print(
            f"{Measurement.objects.count():,} measurements; {icb.code} commissions "
            f"{Contract.objects.filter(commissioner=icb).count()} contracts"
        )
        cases = [
            ("admin, unfiltered", admin, ""),
            ("admin, an older page", admin, f"older={older}"),
            ("commissioner, unfiltered", commissioner, ""),
            ("commissioner, one contract", commissioner, f"contract={contract.pk}"),
            ("commissioner, one organisation", commissioner, f"organisation={organisation}"),
            ("commissioner, one month", commissioner, month),
        ]
        for name, user, query in cases:
            client = Client()
            client.force_login(user)
            for label, path in (("page", "/audit/"), ("API", "/api/v1/audit/")):
                _report(f"{name} ({label})", _times(client, f"{path}?{query}", repeat))
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"reproduce: {COMMAND}")
    finally:
        teardown_databases(created, verbosity=0)
