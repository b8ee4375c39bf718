"""Publishing and withdrawing scorecards (issue 6): the only writes of
PublishedScorecard.

`publish` freezes a snapshot of what the dashboard shows for a contract's
network (or provider) and month, in plain values that the public page and
the API render as they are, forever: later rescoring, rebasing or changes
to metric names never reach it. Published scorecards use accepted data
only (docs/outcomes-data.md): the month must be accepted for every
organisation expected to submit, and months of the trend that are not are
left out (shown as not accepted), never scored as zero.

The snapshot also freezes, in plain words, how the network's payment
depended on its outcomes in each contract year whose settlement was signed
off by the time of publishing (incentives.selectors.public_settlements):
drafts never reach it (see docs/incentives.md).

`withdraw` records who withdrew it, when and why; the reason is public."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from contracts.choices import Role
from contracts.models import Membership
from contracts.permissions import require_commissioner_of
from core.roles import has_role
from incentives.selectors import public_settlements
from outcomes.choices import ReviewStatus
from outcomes.models import PeriodReview
from outcomes.selectors import expected_organisations
from reporting import dashboards
from reporting.models import PublishedScorecard

# 2: "payments" (version 1 snapshots have none); 3: "commissioner_metrics".
SNAPSHOT_VERSION = 3

TRENDS = {
    "improvement_high": "improving",
    "improvement_low": "improving",
    "concern_high": "getting worse",
    "concern_low": "getting worse",
    "common_cause": "no significant change",
    "neutral_high": "changed (higher)",
    "neutral_low": "changed (lower)",
}


def may_publish(user, contract_or_commissioner_id) -> bool:
    """Admins and the commissioner's people (a contract's commissioner, or
    the commissioner id itself, as PublishedScorecard.publisher_id gives)."""
    if contract_or_commissioner_id is None or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    commissioner_id = getattr(
        contract_or_commissioner_id, "commissioner_id", contract_or_commissioner_id
    )
    return (
        has_role(user, Role.COMMISSIONER)
        and Membership.objects.filter(
            user=user, organisation_id=commissioner_id, role=Role.COMMISSIONER
        ).exists()
    )


def accepted_months(contract) -> set[dt.date]:
    """Months accepted for every organisation expected to submit (providers
    or a network's members). Three queries."""
    providers, _ = expected_organisations(contract)
    expected = {org.pk for org in providers}
    accepted: dict[dt.date, set[int]] = {}
    for org_id, month in PeriodReview.objects.filter(
        contract_id=contract.pk, status=ReviewStatus.ACCEPTED
    ).values_list("organisation_id", "period_start"):
        accepted.setdefault(month, set()).add(org_id)
    return {month for month, orgs in accepted.items() if expected <= orgs}


def _number(value):
    return None if value is None else round(float(value), 6)


def build_snapshot(user, contract, organisation, period: dt.date) -> dict:
    """The frozen content of a scorecard: plain JSON values only."""
    selection = dashboards.select(
        user, contract=contract.pk, organisation=organisation.pk, period=f"{period:%Y-%m}"
    )
    if selection.contract != contract or selection.organisation != organisation:
        raise PermissionDenied("You cannot see this contract's scores.")
    if selection.period != period:
        raise ValidationError({"period": "Choose a month of the contract that has started."})
    months = accepted_months(contract)
    if period not in months:
        raise ValidationError(
            {
                "period": f"{period:%B %Y} is not accepted for every organisation yet: "
                "published scorecards use accepted data only. Accept the month's data first."
            }
        )
    board = dashboards.build(user, selection)
    names = {org.pk: org for org in selection.organisations}
    return {
        "version": SNAPSHOT_VERSION,
        "contract": {
            "reference": contract.reference,
            "title": contract.title,
            "service": contract.service,
        },
        "commissioner": {"code": contract.commissioner.code, "name": contract.commissioner.name},
        "organisation": {
            "code": organisation.code,
            "name": organisation.name,
            "is_network": organisation.is_network,
        },
        "period_start": period.isoformat(),
        "aggregate": {
            "score": _number((board.aggregate or {}).get("score")),
            "coverage": _number((board.aggregate or {}).get("coverage")),
        },
        "trend": [
            {
                "period_start": row.period_start.isoformat(),
                "accepted": row.period_start in months,
                "score": _number(dashboards.as_value(row.score))
                if row.period_start in months
                else None,
            }
            for row in board.trend.itertuples()
        ],
        "dimensions": [
            {
                "name": item["dimension"].name,
                "description": item["dimension"].description,
                "score": _number(item["score"]),
                "coverage": _number(item["coverage"]),
            }
            for item in board.dimensions
        ],
        "metrics": _metrics(board, months),
        "commissioner_metrics": _commissioner_metrics(user, contract, period, months),
        "members": [
            {
                "code": names[row.organisation_id].code,
                "name": names[row.organisation_id].name,
                "is_network": names[row.organisation_id].is_network,
                "score": _number(dashboards.as_value(row.score)),
                "coverage": _number(dashboards.as_value(row.coverage)),
            }
            for row in board.member_aggregates.itertuples()
            if row.organisation_id in names
        ],
        "payments": public_settlements(contract, organisation.name),
    }


def _metrics(board, months: set[dt.date]) -> list[dict]:
    """The board's metric rows as plain values; history only of accepted months."""
    window = list(board.trend["period_start"])
    return [
        {
            "code": row["code"],
            "name": row["name"],
            "description": row["description"],
            "dimension": row["dimension"],
            "unit": row["unit"],
            "direction": row["direction"],
            "expected": row["expected"],
            "value": _number(row["value"]),
            "target": _number(row["target"]),
            "minimum": _number(row["minimum"]),
            "score": _number(row["score"]),
            "rating": row["rating"],
            "variation": row["variation"],
            "assurance": row["assurance"],
            "trend": TRENDS.get(row["variation"]),
            "history": [
                {
                    "period_start": month.isoformat(),
                    "value": _number(value) if month in months else None,
                }
                for month, value in zip(window, row["sparkline"], strict=True)
            ],
        }
        for row in board.metric_rows
    ]


def _commissioner_metrics(user, contract, period: dt.date, months: set[dt.date]) -> list[dict]:
    """The metrics the contract holds the commissioner to, with its values:
    accountability runs both ways (docs/permissions.md). Empty when there
    are none."""
    selection = dashboards.select(
        user,
        contract=contract.pk,
        organisation=contract.commissioner_id,
        period=f"{period:%Y-%m}",
    )
    if selection.organisation is None or selection.organisation.pk != contract.commissioner_id:
        return []
    return _metrics(dashboards.build(user, selection), months)


def default_title(contract, organisation, period: dt.date) -> str:
    return f"{organisation.name}: scorecard for {period:%B %Y}"


@transaction.atomic
def publish(*, user, contract, organisation, period: dt.date, summary: str, title: str = ""):
    """Freeze and publish the scorecard of `organisation` (the contract's
    provider: its network, or the provider itself) for the month starting
    `period`."""
    require_commissioner_of(user, contract)
    if organisation.pk != contract.provider_id:
        raise ValidationError(
            {"organisation": f"Scorecards are published for {contract.provider.name} as a whole."}
        )
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError(
            {"summary": "Enter a summary for lay readers: how the service is doing and why."}
        )
    title = (title or "").strip() or default_title(contract, organisation, period)
    if (
        PublishedScorecard.objects.live()
        .filter(contract=contract, organisation=organisation, period_start=period)
        .exists()
    ):
        raise ValidationError(
            {
                "period": f"The scorecard for {period:%B %Y} is already published: withdraw it "
                "first to publish a new one."
            }
        )
    snapshot = build_snapshot(user, contract, organisation, period)
    scorecard = PublishedScorecard(
        contract=contract,
        organisation=organisation,
        period_start=period,
        title=title,
        summary=summary,
        snapshot=snapshot,
        published_by=user,
    )
    scorecard._history_user = user
    try:
        with transaction.atomic():
            scorecard.save()
    except IntegrityError as exc:  # published by someone else meanwhile
        raise ValidationError(
            {"period": f"The scorecard for {period:%B %Y} has just been published."}
        ) from exc
    return scorecard


@transaction.atomic
def withdraw(*, user, scorecard: PublishedScorecard, reason: str) -> PublishedScorecard:
    """Withdraw a published scorecard (of either kind); the reason is shown
    publicly."""
    require_commissioner_of(user, scorecard.publisher_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "Enter the reason for withdrawing: it is shown to the public."}
        )
    locked = PublishedScorecard.objects.select_for_update().get(pk=scorecard.pk)
    if locked.is_withdrawn:
        raise ValidationError({"reason": "This scorecard has already been withdrawn."})
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by = user
    locked.withdrawal_reason = reason
    locked._history_user = user
    locked.save(update_fields=list(PublishedScorecard.WITHDRAWAL_FIELDS))
    return locked
