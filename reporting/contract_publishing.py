"""A contract's scorecard for a month (kind "contract", issue 6): what the
dashboard shows for the contract's network (or provider) and month, frozen
by the one publishing mechanism (reporting.publishing), which also
withdraws it.

A scorecard is published only about an agreed contract's provider (the
network, or the provider itself), by that contract's commissioner's people
or an admin (reporting.permissions.can_publish): never about a draft, an
offer or a declined or withdrawn one, and of a terminated contract only its
months up to the termination. Published scorecards use accepted data only
(docs/outcomes-data.md): the month must be accepted for every organisation
expected to submit, and months of the trend that are not are left out
(shown as not accepted), never scored as zero. The snapshot is plain
values that later rescoring, rebasing or changes to metric names never
reach.

The snapshot also freezes, in plain words, how the network's payment
depended on its outcomes in each contract year whose settlement was signed
off by the time of publishing (incentives.selectors.public_settlements):
drafts never reach it (see docs/incentives.md).

A network's figures pool its members' values, and anyone may read a
published scorecard, each member's people included: a network value is
frozen only where the small-numbers rule (core.small_numbers) shows it to
every person's data scope and the public's, and so are the score, rating,
trend and the area and overall scores computed from it; otherwise they are
null and `withheld` says why (`withheld_network_figures`)."""

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import ValidationError

from contracts.access import reader_scopes, small_numbers_k
from contracts.choices import ContractStatus
from contracts.models import Contract, Organisation
from core import small_numbers
from core.permissions import require
from incentives.selectors import public_settlements
from outcomes.choices import ReviewStatus, Variation
from outcomes.models import PeriodReview
from outcomes.selectors import expected_organisations, month_start
from reporting import dashboards, publishing
from reporting.choices import ScorecardKind, ScorecardTrend
from reporting.models import PublishedScorecard

# 2: "payments" (version 1 snapshots have none); 3: "commissioner_metrics";
# 4: a network's figures the small-numbers rule withholds are null, with
# "withheld" saying why.
SNAPSHOT_VERSION = 4

# A measure's trend word (stored in the snapshot) by its SPC variation.
TRENDS = {
    Variation.IMPROVEMENT_HIGH: ScorecardTrend.IMPROVING,
    Variation.IMPROVEMENT_LOW: ScorecardTrend.IMPROVING,
    Variation.CONCERN_HIGH: ScorecardTrend.GETTING_WORSE,
    Variation.CONCERN_LOW: ScorecardTrend.GETTING_WORSE,
    Variation.COMMON_CAUSE: ScorecardTrend.NO_SIGNIFICANT_CHANGE,
    Variation.NEUTRAL_HIGH: ScorecardTrend.CHANGED_HIGHER,
    Variation.NEUTRAL_LOW: ScorecardTrend.CHANGED_LOWER,
}


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


@dataclass
class ContractScorecard(publishing.Subject):
    """The scorecard of `organisation` (the contract's provider: its network,
    or the provider itself) for the month starting `period`."""

    contract: Contract
    organisation: Organisation
    period: dt.date

    kind = ScorecardKind.CONTRACT
    field = "period"
    summary_hint = "how the services are doing"

    @property
    def commissioner_id(self) -> int:
        return self.contract.commissioner_id

    @property
    def name(self) -> str:
        return f"The scorecard for {self.period:%B %Y}"

    def identity(self) -> dict:
        return {
            "contract": self.contract,
            "organisation": self.organisation,
            "period_start": self.period,
        }

    def scorecard_fields(self) -> dict:
        return self.identity()

    def default_title(self) -> str:
        return f"{self.organisation.name}: scorecard for {self.period:%B %Y}"

    @cached_property
    def accepted_months(self) -> set[dt.date]:
        return accepted_months(self.contract)

    def lock(self) -> None:
        """Reread the contract's agreement under a lock: a termination or
        any other step taken meanwhile is seen before publishing."""
        locked = Contract.objects.select_for_update().get(pk=self.contract.pk)
        self.contract.status, self.contract.terminated_on = locked.status, locked.terminated_on

    @property
    def after_termination(self) -> bool:
        """The month starts after the contract was terminated."""
        ended = self.contract.terminated_on
        return ended is not None and self.period > month_start(ended)

    def problems(self) -> dict[str, str]:
        contract = self.contract
        if not contract.is_binding:
            return {
                "contract": f"{contract.reference} is not agreed "
                f"({ContractStatus(contract.status).label.lower()}): a scorecard is published "
                "only about a contract its provider has accepted."
            }
        if self.after_termination:
            return {
                "period": f"{contract.reference} was terminated on "
                f"{contract.terminated_on:%-d %B %Y}: its months up to then may be published, "
                f"not {self.period:%B %Y}."
            }
        if self.organisation.pk != self.contract.provider_id:
            return {
                "organisation": f"Scorecards are published for {self.contract.provider.name} "
                "as a whole."
            }
        if self.period not in self.accepted_months:
            return {
                "period": f"{self.period:%B %Y} is not accepted for every organisation yet: "
                "published scorecards use accepted data only. Accept the month's data first."
            }
        return {}

    def build_snapshot(self, user) -> dict:
        contract, organisation, period = self.contract, self.organisation, self.period
        selection = dashboards.select(
            user, contract=contract.pk, organisation=organisation.pk, period=f"{period:%Y-%m}"
        )
        require(
            selection.contract == contract and selection.organisation == organisation,
            "You cannot see this contract's scores.",
        )
        if selection.period != period:
            raise ValidationError({"period": "Choose a month of the contract that has started."})
        months = self.accepted_months
        board = dashboards.build(user, selection)
        names = {org.pk: org for org in selection.organisations}
        withheld = withheld_network_figures(board) if organisation.is_network else {}
        by_month = {month: reason for (_, month), reason in withheld.items()}
        by_dimension = {
            row["dimension_id"]: withheld[(row["id"], period)]
            for row in board.metric_rows
            if (row["id"], period) in withheld
        }
        overall = by_month.get(period)
        return {
            "version": SNAPSHOT_VERSION,
            "contract": {
                "reference": contract.reference,
                "title": contract.title,
                "service": contract.service,
            },
            "commissioner": {
                "code": contract.commissioner.code,
                "name": contract.commissioner.name,
            },
            "organisation": {
                "code": organisation.code,
                "name": organisation.name,
                "is_network": organisation.is_network,
            },
            "period_start": period.isoformat(),
            "aggregate": {
                "score": None
                if overall
                else publishing.snapshot_number((board.aggregate or {}).get("score")),
                "coverage": publishing.snapshot_number((board.aggregate or {}).get("coverage")),
                "withheld": overall,
            },
            "trend": [
                {
                    "period_start": row.period_start.isoformat(),
                    "accepted": row.period_start in months,
                    "score": publishing.snapshot_number(dashboards.as_value(row.score))
                    if row.period_start in months and row.period_start not in by_month
                    else None,
                    "withheld": by_month.get(row.period_start),
                }
                for row in board.trend.itertuples()
            ],
            "dimensions": [
                {
                    "name": item["dimension"].name,
                    "description": item["dimension"].description,
                    "score": None
                    if item["dimension"].pk in by_dimension
                    else publishing.snapshot_number(item["score"]),
                    "coverage": publishing.snapshot_number(item["coverage"]),
                    "withheld": by_dimension.get(item["dimension"].pk),
                }
                for item in board.dimensions
            ],
            "metrics": _metrics(board, months, withheld),
            "commissioner_metrics": _commissioner_metrics(user, contract, period, months),
            "members": [
                {
                    "code": names[row.organisation_id].code,
                    "name": names[row.organisation_id].name,
                    "is_network": names[row.organisation_id].is_network,
                    "score": None
                    if overall and row.organisation_id == organisation.pk
                    else publishing.snapshot_number(dashboards.as_value(row.score)),
                    "coverage": publishing.snapshot_number(dashboards.as_value(row.coverage)),
                }
                for row in board.member_aggregates.itertuples()
                if row.organisation_id in names
            ],
            "payments": public_settlements(contract, organisation.name),
        }


def _metrics(board, months: set[dt.date], withheld: dict | None = None) -> list[dict]:
    """The board's metric rows as plain values; history only of accepted
    months; nothing computed from a value `withheld` ((metric id, month) ->
    why) but its target and minimum."""
    withheld = withheld or {}
    window = list(board.trend["period_start"])
    period = board.selection.period
    rows = []
    for row in board.metric_rows:
        reason = withheld.get((row["id"], period))
        shown = dict.fromkeys(("value", "score", "rating", "variation", "assurance", "trend"))
        if not reason:
            shown = {
                "value": publishing.snapshot_number(row["value"]),
                "score": publishing.snapshot_number(row["score"]),
                "rating": row["rating"],
                "variation": row["variation"],
                "assurance": row["assurance"],
                "trend": TRENDS.get(row["variation"]),
            }
        rows.append(
            {
                "code": row["code"],
                "name": row["name"],
                "description": row["description"],
                "dimension": row["dimension"],
                "unit": row["unit"],
                "direction": row["direction"],
                "expected": row["expected"],
                "target": publishing.snapshot_number(row["target"]),
                "minimum": publishing.snapshot_number(row["minimum"]),
                **shown,
                "withheld": reason,
                "history": [
                    {
                        "period_start": month.isoformat(),
                        "value": publishing.snapshot_number(value)
                        if month in months and (row["id"], month) not in withheld
                        else None,
                        "withheld": withheld.get((row["id"], month)),
                    }
                    for month, value in zip(window, row["sparkline"], strict=True)
                ],
            }
        )
    return rows


def withheld_network_figures(board) -> dict[tuple[int, dt.date], str]:
    """The network's values (metric id, month) of the board's trend window
    that the small-numbers rule withholds from some reader of a published
    scorecard (every person's data scope, and the public's: reader_scopes),
    with why. Each pools the values its members reported that month; the
    publisher (the commissioner's people, admins) sees them all."""
    network_id = board.selection.contract.provider_id
    scores = board.scores
    pooled = scores[
        scores["organisation_id"].ne(network_id)
        & scores["value"].notna()
        & scores["metric_id"].isin(list(board.metrics))
    ]
    readers = small_numbers.narrowed(reader_scopes(), set(pooled["organisation_id"]))
    k = small_numbers_k()
    withheld = {}
    for (metric_id, month), group in pooled.groupby(["metric_id", "period_start"]):
        figures = dict(zip(group["organisation_id"], group["value"], strict=True))
        reason = small_numbers.withheld_from_any(figures, readers, k)
        if reason:
            withheld[(int(metric_id), month)] = reason
    return withheld


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


def publish(
    *, user, contract, organisation, period: dt.date, summary: str, title: str = ""
) -> PublishedScorecard:
    """Freeze and publish the contract's scorecard of `organisation` for the
    month starting `period` (reporting.publishing.publish)."""
    return publishing.publish(
        ContractScorecard(contract, organisation, period), user=user, summary=summary, title=title
    )
