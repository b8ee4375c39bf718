"""outcomes migrations 0022-0024: existing SPC rebases get the contracts they
were made for (see 0023's comment), on a fresh SQLite database and a fresh
PostgreSQL one, migrated from the migration before them with rebases in
place."""

import json
import uuid

from tests.config.test_settings import manage

BEFORE = [
    "contracts",
    "0007_contract_agreement",
    "outcomes",
    "0021_metric_score_small_numbers",
]

# Rows made with the models as they were at BEFORE: QCOM holds CON-A (agreed)
# and CON-D (a draft) with network NETA, QOTH holds CON-A2 (agreed) with it,
# all three with EMADM; QCOM's CON-X with NETA holds no EMADM. Rebases of
# PA1's EMADM: one by QCOM's commissioner, one by an admin; one of PB1's,
# which no contract holds.
SEED = """
import datetime as dt
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
state = MigrationExecutor(connection).loader.project_state(
    [
        ("contracts", "0007_contract_agreement"),
        ("outcomes", "0021_metric_score_small_numbers"),
    ]
)
get = state.apps.get_model
Org, Member = get("contracts", "Organisation"), get("contracts", "NetworkMember")
Contract, Membership = get("contracts", "Contract"), get("contracts", "Membership")
User = get("auth", "User")
Dimension, Metric = get("outcomes", "Dimension"), get("outcomes", "Metric")
Version, Rebase = get("outcomes", "ContractMetric"), get("outcomes", "SpcRebase")
org = {code: Org.objects.create(code=code, name=code, kind=kind) for code, kind in [
    ("QCOM", "commissioner"), ("QOTH", "commissioner"), ("NETA", "network"),
    ("PA1", "provider"), ("PB1", "provider")]}
Member.objects.create(network=org["NETA"], provider=org["PA1"])
person = User.objects.create(username="commissioner")
admin = User.objects.create(username="admin", is_staff=True)
Membership.objects.create(user=person, organisation=org["QCOM"], role="commissioner")
dimension = Dimension.objects.create(name="Care", weight=20, order=1)
metric = Metric.objects.create(code="EMADM", name="Admissions", dimension=dimension,
    metric_type="rate", factor=1000, direction="lower", frequency="monthly",
    data_source="SUS")
def contract(reference, commissioner, status="accepted", emadm=True):
    made = Contract.objects.create(reference=reference, title=reference,
        commissioner=org[commissioner], provider=org["NETA"], service="Care",
        start_date=dt.date(2024, 4, 1), end_date=dt.date(2029, 3, 31),
        payment_model="block", status=status)
    if emadm:
        Version.objects.create(contract=made, metric=metric, effective_from=dt.date(2024, 4, 1),
            minimum_threshold=30, target=22, baseline=31)
contract("CON-A", "QCOM"); contract("CON-D", "QCOM", status="draft")
contract("CON-A2", "QOTH"); contract("CON-X", "QCOM", emadm=False)
def rebase(organisation, month, by, reason):
    Rebase.objects.create(metric=metric, organisation=org[organisation],
        period_start=dt.date(2025, month, 1), reason=reason, created_by=by)
rebase("PA1", 5, person, "QCOM's"); rebase("PA1", 6, admin, "An admin's")
rebase("PB1", 5, person, "Nobody's")
"""

READ = """
import json
from outcomes.models import SpcRebase
print(json.dumps({
    "rebases": sorted([r.reason, r.contract.reference, str(r.created_at)]
                      for r in SpcRebase.objects.all()),
    "history": sorted([h.reason, h.history_type, h.history_change_reason]
                      for h in SpcRebase.history.exclude(history_change_reason=None)),
}))
"""


def migrate_with_rebases(database_url):
    env = {"DATABASE_URL": database_url}
    for app, target in zip(BEFORE[::2], BEFORE[1::2], strict=True):
        result = manage("migrate", app, target, "--noinput", **env)
        assert result.returncode == 0, result.stderr
    result = manage("shell", "-c", SEED, **env)
    assert result.returncode == 0, result.stderr
    result = manage("migrate", "--noinput", **env)
    assert result.returncode == 0, result.stderr
    result = manage("shell", "-c", READ, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def check(found):
    rebases = found["rebases"]
    # QCOM's goes to QCOM's agreed contract only; the admin's to both agreed
    # contracts holding EMADM for PA1 (a copy keeping its time); PB1's is gone.
    assert [[reason, reference] for reason, reference, _ in rebases] == [
        ["An admin's", "CON-A"],
        ["An admin's", "CON-A2"],
        ["QCOM's", "CON-A"],
    ]
    assert rebases[0][2] == rebases[1][2]
    assert found["history"] == [
        ["An admin's", "+", "Rebases belong to a contract: copied to this one"],
        ["An admin's", "~", "Rebases belong to a contract: kept for this one"],
        ["Nobody's", "-", "Rebases belong to a contract: no agreed contract holds it"],
        ["QCOM's", "~", "Rebases belong to a contract: kept for this one"],
    ]


def test_existing_rebases_get_their_contracts_on_sqlite(tmp_path):
    check(migrate_with_rebases(f"sqlite:///{tmp_path / 'concord.sqlite3'}"))


def test_existing_rebases_get_their_contracts_on_postgresql(postgres_url):
    import psycopg2
    from psycopg2 import sql

    name = f"concord_rebases_{uuid.uuid4().hex[:8]}"
    base = postgres_url.rsplit("/", 1)[0]
    admin = psycopg2.connect(postgres_url)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        check(migrate_with_rebases(f"{base}/{name}"))
    finally:
        with admin.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        admin.close()
