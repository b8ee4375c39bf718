"""Demo organisations, people and contracts for `manage.py seed_demo`.

Every record is created with `upsert` on a natural key, so running
the seed twice changes nothing. Names are fictional; codes are ODS-style.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model

from contracts import notices, services
from contracts.choices import (
    CommissionerType,
    ContractStatus,
    MeetingOutcome,
    OrganisationKind,
    Role,
)
from contracts.models import (
    Contract,
    ContractYear,
    Membership,
    NetworkMember,
    Organisation,
    PopulationGroup,
)
from outcomes.choices import VariationStatus
from outcomes.models import ContractMetric, Variation
from outcomes.services import contract_terms, variations

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
    # One data submitter for every other provider, so each submits its own returns.
    ("provider_rvb", "Rhys Hospital", "RVB", Role.PROVIDER_USER, False),
    ("provider_rvc", "Ruth Mental", "RVC", Role.PROVIDER_USER, False),
    ("provider_rvd", "Raj Federation", "RVD", Role.PROVIDER_USER, False),
    ("provider_rve", "Rosa Hospice", "RVE", Role.PROVIDER_USER, False),
    ("provider_rvf", "Rory Carehomes", "RVF", Role.PROVIDER_USER, False),
    ("provider_dlb", "Dina Community", "DLB", Role.PROVIDER_USER, False),
    ("provider_dlc", "Dylan Primary", "DLC", Role.PROVIDER_USER, False),
    ("provider_dld", "Delia Pharmacy", "DLD", Role.PROVIDER_USER, False),
    ("provider_dle", "Dominic Social", "DLE", Role.PROVIDER_USER, False),
    ("provider_rsp", "Sam Stonebridge", "RSP", Role.PROVIDER_USER, False),
]

# Who sends each organisation's monthly data return (the first submitter listed).
SUBMITTER_ROLES = (Role.PROVIDER_USER, Role.COMMISSIONER)


def submitters() -> dict[str, str]:
    """organisation code -> username of the person who submits its data."""
    found = {}
    for username, _, org_code, role, _ in PEOPLE:
        if role in SUBMITTER_ROLES:
            found.setdefault(org_code, username)
    return found


# Contract values per year (£), the planned budget equal to the value.
YEAR_VALUES = {
    "QNW-OPC-2024": [24_000_000, 24_720_000, 25_461_600, 26_225_448, 27_012_211],
    "QNW-LTC-2024": [15_000_000, 15_000_000, 15_450_000],
    "LAW-MSK-2025": [1_800_000, 1_850_000, 1_900_000],
    "QNW-FALLS-2027": [2_400_000, 2_450_000, 2_500_000],
}

# contract: [(metric code, minimum, target, baseline, weight)]
CONTRACT_METRICS = {
    "QNW-OPC-2024": [
        ("QOL-IND", 78, 90, 80, 2),
        ("QOL-WELL", 55, 75, 58, 1),
        ("QOC-EMADM", 30, 22, 31, 2),
        ("QOC-FALLS", 9, 6, 9.5, 1),
        ("OPS-RESP2H", 70, 90, 72, 1),
        ("PRO-RECOMMEND", 60, 80, 63, 1),
        ("PRO-VACANCY", 12, 6, 11, 1),
        ("FIN-COST", 1400, 1150, 1380, 1),
        ("FIN-DEMAND", 85, 98, 88, 1),
    ],
    "QNW-LTC-2024": [
        ("QOC-CAREPLAN", 50, 85, 48, 2),
        ("QOC-EMADM", 30, 24, 31, 1),
        ("OPS-WAIT18", 85, 95, 84, 1),
        ("PRO-RECOMMEND", 60, 80, 62, 1),
        ("FIN-DEMAND", 85, 98, 86, 1),
    ],
    "LAW-MSK-2025": [
        ("OPS-WAIT18", 80, 95, 78, 1),
        ("QOL-WELL", 50, 70, 52, 1),
        ("FIN-COST", 320, 260, 330, 1),
    ],
    "QNW-FALLS-2027": [
        ("QOC-FALLS", 9, 6, 9.5, 2),
        ("QOL-IND", 78, 88, 80, 1),
    ],
}

# Who speaks for each party in the demo: offers, acceptances, variations.
ANSWERS_FOR = {
    "QNW": "commissioner",
    "LAW01": "la_commissioner",
    "NWK01": "network_manager",
    "NWK02": "network_manager_downland",
    "RSP": "provider_rsp",
}

# Variations: a mid-year change of terms agreed at the quarterly review (kept
# as a second version), and one the network proposed, waiting for an answer.
VARIATIONS = [
    (
        "QNW-OPC-2024",
        "QOC-EMADM",
        dt.date(2025, 10, 1),
        28,
        22,
        "Winter plan: threshold tightened by agreement at the quarterly review",
        VariationStatus.ACCEPTED,
    ),
    (
        "QNW-OPC-2024",
        "OPS-RESP2H",
        dt.date(2027, 4, 1),
        65,
        85,
        "Two new rapid-response teams start in April 2027; until they are staffed a 90% "
        "target is out of reach",
        VariationStatus.PROPOSED,
    ),
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
        "population_group": "Older people (75 and over)",
        "status": ContractStatus.ACCEPTED,
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
        "population_group": "People with long-term conditions",
        "status": ContractStatus.ACCEPTED,
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
        "population_group": "Adults with musculoskeletal conditions",
        "status": ContractStatus.ACCEPTED,
    },
    # Offered to the network and waiting for its managers' answer: nothing of
    # it binds NWK01, or shares its data, until they accept.
    {
        "reference": "QNW-FALLS-2027",
        "title": "Falls prevention and bone health",
        "commissioner": "QNW",
        "provider": "NWK01",
        "service": "Falls prevention for people aged 65 and over",
        "start_date": dt.date(2027, 4, 1),
        "end_date": dt.date(2030, 3, 31),
        "payment_model": Contract.PaymentModel.CAPITATED_OUTCOMES,
        "population_group": "Older people (75 and over)",
        "status": ContractStatus.OFFERED,
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


def seed_contracts(orgs: dict[str, Organisation], metrics, admin) -> dict[str, Contract]:
    contracts = {}
    for spec in CONTRACTS:
        defaults = {
            **spec,
            "commissioner": orgs[spec["commissioner"]],
            "provider": orgs[spec["provider"]],
            "population_group": PopulationGroup.objects.get(name=spec["population_group"]),
        }
        reference = defaults.pop("reference")
        # Drafted with its terms first, then offered and (but for the offer
        # still waiting) accepted by the provider's people, below.
        defaults.pop("status")
        contract = contracts[reference] = upsert(Contract, reference=reference, defaults=defaults)[
            0
        ]
        bounds = services.contract_year_bounds(contract.start_date, contract.end_date)
        for number, ((start, end), value) in enumerate(
            zip(bounds, YEAR_VALUES[reference], strict=True), start=1
        ):
            upsert(
                ContractYear,
                contract=contract,
                number=number,
                defaults={
                    "start_date": start,
                    "end_date": end,
                    "contract_value": Decimal(value),
                    "planned_budget": Decimal(value),
                },
            )
        for code, minimum, target, baseline, weight in CONTRACT_METRICS[reference]:
            if not ContractMetric.objects.filter(contract=contract, metric=metrics[code]).exists():
                contract_terms.set_contract_metric(
                    user=admin,
                    contract=contract,
                    metric=metrics[code],
                    effective_from=contract.start_date,
                    minimum_threshold=Decimal(str(minimum)),
                    target=Decimal(str(target)),
                    baseline=Decimal(str(baseline)),
                    weight=Decimal(weight),
                    is_national=metrics[code].is_national,
                    accountable=metrics[code].submitted_by,
                )
    User = get_user_model()
    for spec in CONTRACTS:
        contract = contracts[spec["reference"]]
        if contract.status == ContractStatus.DRAFT:
            commissioner = User.objects.get(username=ANSWERS_FOR[spec["commissioner"]])
            contract = services.offer_contract(user=commissioner, contract=contract)
        if spec["status"] == ContractStatus.ACCEPTED and contract.status == ContractStatus.OFFERED:
            answerer = User.objects.get(username=ANSWERS_FOR[spec["provider"]])
            contract = services.accept_offer(user=answerer, contract=contract)
        contracts[spec["reference"]] = contract
    seed_variations(contracts, metrics)
    return contracts


def seed_variations(contracts, metrics) -> None:
    """Agreed terms change only by a variation both parties accept: one agreed
    at a quarterly review, and one the network proposed that waits for the
    commissioner's answer."""
    User = get_user_model()
    for reference, code, effective_from, minimum, target, reason, status in VARIATIONS:
        contract, metric = contracts[reference], metrics[code]
        if Variation.objects.filter(contract=contract, metric=metric).exists():
            continue
        proposer, answerer = (
            User.objects.get(username=ANSWERS_FOR[organisation.code])
            for organisation in (contract.commissioner, contract.provider)
        )
        if status == VariationStatus.PROPOSED:
            proposer = answerer
        current = (
            ContractMetric.objects.filter(contract=contract, metric=metric)
            .order_by("-effective_from")
            .first()
        )
        variation = variations.propose_variation(
            user=proposer,
            contract=contract,
            metric=metric,
            effective_from=effective_from,
            minimum_threshold=Decimal(minimum),
            target=Decimal(target),
            baseline=current.baseline,
            weight=current.weight,
            reason=reason,
        )
        if status == VariationStatus.ACCEPTED:
            variations.accept_variation(user=answerer, variation=variation)


def seed_notices(contracts, metrics) -> None:
    """A commissioner's notice part-way through its remedial plan, and a
    network's notice against the commissioner awaiting its meeting."""
    User = get_user_model()
    commissioner = User.objects.get(username="commissioner")
    manager = User.objects.get(username="network_manager")
    contract = contracts["QNW-OPC-2024"]
    title = "Urgent community response below the minimum threshold"
    if not contract.notices.filter(title=title).exists():
        notice = notices.raise_notice(
            user=commissioner,
            contract=contract,
            title=title,
            raised_on=dt.date(2026, 9, 14),
            concern="Urgent two-hour response has been below 70% for three months running.",
            metrics=[metrics["OPS-RESP2H"]],
        )
        notices.record_meeting(
            user=commissioner,
            notice=notice,
            held_on=dt.date(2026, 9, 24),
            outcome=MeetingOutcome.REMEDIAL_PLAN,
            reason="Both parties agreed a remedial action plan is needed.",
        )
        notices.agree_plan(
            user=manager,
            notice=notice,
            agreed_on=dt.date(2026, 10, 1),
            reason="Plan agreed at the contract management meeting.",
            milestones=[
                {
                    "description": "Recruit two more rapid-response nurses",
                    "owner": "Nadia Network",
                    "owner_organisation": contract.provider,
                    "due_on": dt.date(2026, 10, 30),
                },
                {
                    "description": "Extend rapid response to weekends",
                    "owner": "Nadia Network",
                    "owner_organisation": contract.provider,
                    "due_on": dt.date(2026, 11, 30),
                },
                {
                    "description": "Two-hour response above 70% for a full month",
                    "owner": "Nadia Network",
                    "owner_organisation": contract.provider,
                    "due_on": dt.date(2027, 1, 15),
                },
            ],
        )
        notices.complete_milestone(
            user=manager,
            milestone=notice.milestones.order_by("due_on").first(),
            completed_on=dt.date(2026, 10, 28),
            reason="Both nurses started on 26 October.",
        )
    title = "Funding decisions taken late"
    if not contract.notices.filter(title=title).exists():
        notices.raise_notice(
            user=manager,
            contract=contract,
            title=title,
            raised_on=dt.date(2026, 11, 16),
            concern="Four of the last six funding decisions took longer than the agreed 20 "
            "working days.",
            obligations="Commissioner decisions on care packages within 20 working days.",
        )
