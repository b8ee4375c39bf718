"""Demo organisations, people and contracts for `manage.py seed_demo`.

Every record is created with `upsert` on a natural key, so running
the seed twice changes nothing. Names are fictional; codes are ODS-style.
"""

import datetime as dt

from django.contrib.auth import get_user_model

from contracts.choices import CommissionerType, OrganisationKind, Role
from contracts.models import Contract, Membership, NetworkMember, Organisation

DEMO_PASSWORD = "concord-demo"

COMMISSIONERS = [
    ("QNW", "North Wessex Integrated Care Board", CommissionerType.ICB),
    ("LAW01", "Westbury Borough Council", CommissionerType.LOCAL_AUTHORITY),
]

NETWORKS = {
    ("NWK01", "Riverside Older People's Care Network"): [
        ("RVA", "Riverside Community Health NHS Trust"),
        ("RVB", "Riverside University Hospitals NHS Foundation Trust"),
        ("RVC", "Riverside Mental Health Partnership NHS Trust"),
        ("RVD", "Westbury Primary Care Federation"),
        ("RVE", "Riverside Hospice Care"),
        ("RVF", "Westbury Care Homes Alliance"),
    ],
    ("NWK02", "Downland Long-Term Conditions Network"): [
        ("DLA", "Downland Healthcare NHS Trust"),
        ("DLB", "Downland Community Services"),
        ("DLC", "Chalkhill Primary Care Network"),
        ("DLD", "Downland Pharmacy Partnership"),
        ("DLE", "Southdown Social Care Collaborative"),
    ],
}

SOLE_PROVIDER = ("RSP", "Stonebridge Physiotherapy Services")

# (username, full name, organisation code, role, is_staff)
PEOPLE = [
    ("admin", "Alex Admin", None, None, True),
    ("commissioner", "Carys Commissioner", "QNW", Role.COMMISSIONER, False),
    ("la_commissioner", "Lewis Council", "LAW01", Role.COMMISSIONER, False),
    ("network_manager", "Nadia Network", "NWK01", Role.NETWORK_MANAGER, False),
    ("network_manager_downland", "Dev Downland", "NWK02", Role.NETWORK_MANAGER, False),
    ("provider", "Priya Provider", "RVA", Role.PROVIDER_USER, False),
    ("provider_downland", "Dan Provider", "DLA", Role.PROVIDER_USER, False),
    ("lay_partner", "Lee Partner", "QNW", Role.LAY_PARTNER, False),
]

CONTRACTS = [
    {
        "reference": "QNW-OPC-2024",
        "title": "Older people's integrated care (outcomes-based)",
        "commissioner": "QNW",
        "provider": "NWK01",
        "service": "Integrated health and care for people aged 75 and over",
        "start_date": dt.date(2024, 4, 1),
        "end_date": dt.date(2029, 3, 31),
        "payment_model": Contract.PaymentModel.CAPITATED_OUTCOMES,
    },
    {
        "reference": "QNW-LTC-2024",
        "title": "Long-term conditions network contract",
        "commissioner": "QNW",
        "provider": "NWK02",
        "service": "Care for people with long-term conditions",
        "start_date": dt.date(2024, 4, 1),
        "end_date": dt.date(2027, 3, 31),
        "payment_model": Contract.PaymentModel.API,
    },
    {
        "reference": "LAW-MSK-2025",
        "title": "Community musculoskeletal physiotherapy",
        "commissioner": "LAW01",
        "provider": "RSP",
        "service": "Community physiotherapy for adults",
        "start_date": dt.date(2025, 4, 1),
        "end_date": dt.date(2028, 3, 31),
        "payment_model": Contract.PaymentModel.ACTIVITY,
    },
]


def upsert(model, defaults=None, **lookup):
    """get_or_create that updates changed fields only, so a second run writes
    nothing (update_or_create would save, and so add history rows, every time)."""
    defaults = defaults or {}
    obj, created = model.objects.get_or_create(**lookup, defaults=defaults)
    if not created:
        changed = [name for name, value in defaults.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, defaults[name])
            obj.save(update_fields=changed)
    return obj, created


def _organisation(code, name, kind, commissioner_type=""):
    organisation, _ = upsert(
        Organisation,
        code=code,
        defaults={"name": name, "kind": kind, "commissioner_type": commissioner_type},
    )
    return organisation


def seed_organisations() -> dict[str, Organisation]:
    orgs = {}
    for code, name, ctype in COMMISSIONERS:
        orgs[code] = _organisation(code, name, OrganisationKind.COMMISSIONER, ctype)
    for (code, name), members in NETWORKS.items():
        network = orgs[code] = _organisation(code, name, OrganisationKind.NETWORK)
        for member_code, member_name in members:
            provider = orgs[member_code] = _organisation(
                member_code, member_name, OrganisationKind.PROVIDER
            )
            upsert(
                NetworkMember,
                network=network,
                provider=provider,
                defaults={"joined_on": dt.date(2024, 4, 1)},
            )
    orgs[SOLE_PROVIDER[0]] = _organisation(*SOLE_PROVIDER, OrganisationKind.PROVIDER)
    return orgs


def seed_people(orgs: dict[str, Organisation]) -> list[tuple[str, str]]:
    """Create one person per role; returns (username, role label) log-ins."""
    User = get_user_model()
    logins = []
    for username, full_name, org_code, role, is_staff in PEOPLE:
        first, last = full_name.split(" ", 1)
        user, created = upsert(
            User,
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.nhs.uk",
                "is_staff": is_staff,
                "is_superuser": is_staff,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if role:
            Membership.objects.get_or_create(user=user, organisation=orgs[org_code], role=role)
            logins.append((username, f"{Role(role).label}, {orgs[org_code].name}"))
        else:
            logins.append((username, "Administrator"))
    return logins


def seed_contracts(orgs: dict[str, Organisation]) -> None:
    for spec in CONTRACTS:
        defaults = {
            **spec,
            "commissioner": orgs[spec["commissioner"]],
            "provider": orgs[spec["provider"]],
        }
        reference = defaults.pop("reference")
        upsert(Contract, reference=reference, defaults=defaults)


def seed() -> list[tuple[str, str]]:
    orgs = seed_organisations()
    logins = seed_people(orgs)
    seed_contracts(orgs)
    return logins
