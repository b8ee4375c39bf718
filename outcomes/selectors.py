"""Reads for the commissioner's data review: what each organisation was
expected to submit for a contract and period, what arrived, and when; and
which stored comparisons a person is shown (`Comparisons`).

`completeness(contract, periods)` costs a fixed number of queries (five)
whatever the number of organisations, metrics and periods.

And what of a submission a person may read: `visible_warnings`."""

import datetime as dt
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db.models import Max, Min
from django.utils import timezone

from contracts.access import data_scope, organisations_seen, small_numbers_k
from contracts.choices import Side
from contracts.models import Organisation
from core import small_numbers
from core.numbers import is_missing
from core.request_cache import per_request
from core.roles import is_admin
from outcomes.choices import Frequency
from outcomes.models import ContractMetric, Measurement, PeriodReview

PERIOD_MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.ANNUAL: 12}
FIRST_MONTHS = {
    Frequency.MONTHLY: range(1, 13),
    Frequency.QUARTERLY: (1, 4, 7, 10),
    Frequency.ANNUAL: (4,),
}


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def contract_months(contract, today: dt.date | None = None) -> list[dt.date]:
    """The first day of every month of the contract up to `today`, newest first."""
    today = today or timezone.localdate()
    last = month_start(min(today, contract.end_date))
    month = month_start(contract.start_date)
    months = []
    while month <= last:
        months.append(month)
        month += relativedelta(months=1)
    return months[::-1]


def starts_a_period(metric, period_start: dt.date) -> bool:
    """Whether a period of the metric's frequency starts on `period_start`."""
    return period_start.day == 1 and period_start.month in FIRST_MONTHS[metric.frequency]


def period_end(metric, period_start: dt.date) -> dt.date:
    return period_start + relativedelta(months=PERIOD_MONTHS[metric.frequency]) - dt.timedelta(1)


def due_date(metric, period_start: dt.date) -> dt.date:
    """Data is due `metric.due_days` days after the period ends."""
    return period_end(metric, period_start) + dt.timedelta(days=metric.due_days)


@dataclass
class Expected:
    """One value an organisation was expected to submit."""

    metric: object
    due: dt.date
    arrived_at: dt.datetime | None = None  # first arrival (its submission's created_at)
    revised_at: dt.datetime | None = None  # latest revision, when there are several

    @property
    def arrived(self) -> bool:
        return self.arrived_at is not None

    @property
    def on_time(self) -> bool:
        return self.arrived and timezone.localdate(self.arrived_at) <= self.due

    @property
    def late(self) -> bool:
        return self.arrived and not self.on_time

    def state(self, today: dt.date) -> str:
        if self.arrived:
            return "on time" if self.on_time else "late"
        return "missing" if self.due < today else "not due yet"


@dataclass
class OrganisationPeriod:
    """What one organisation was expected to submit for one period, and how it went."""

    organisation: Organisation
    period_start: dt.date
    today: dt.date
    items: list[Expected] = field(default_factory=list)
    review: PeriodReview | None = None

    @property
    def expected(self) -> int:
        return len(self.items)

    @property
    def arrived(self) -> int:
        return sum(item.arrived for item in self.items)

    @property
    def on_time(self) -> int:
        return sum(item.on_time for item in self.items)

    @property
    def late(self) -> int:
        return sum(item.late for item in self.items)

    @property
    def missing(self) -> int:
        """Not arrived and past its due date."""
        return sum(not item.arrived and item.due < self.today for item in self.items)

    @property
    def not_due_yet(self) -> int:
        return sum(not item.arrived and item.due >= self.today for item in self.items)

    @property
    def completeness(self) -> float | None:
        """Arrived / expected so far (items not yet due and not arrived are
        left out), as a percentage; None when nothing is due yet."""
        due_so_far = self.expected - self.not_due_yet
        return 100 * self.arrived / due_so_far if due_so_far else None

    @property
    def timeliness(self) -> float | None:
        """Arrived by the due date / expected so far, as a percentage."""
        due_so_far = self.expected - self.not_due_yet
        return 100 * self.on_time / due_so_far if due_so_far else None


def expected_organisations(contract) -> tuple[list[Organisation], Organisation]:
    """(providers expected to submit, the commissioner): for a network
    contract its member providers, otherwise the provider. Two queries."""
    parties = {
        org.pk: org
        for org in Organisation.objects.filter(
            pk__in=[contract.provider_id, contract.commissioner_id]
        )
    }
    provider = parties[contract.provider_id]
    if provider.is_network:
        providers = list(
            Organisation.objects.filter(network_links__network_id=provider.pk).order_by("name")
        )
    else:
        providers = [provider]
    return providers, parties[contract.commissioner_id]


def metrics_in_force(versions: list, day: dt.date) -> list:
    """The metrics whose latest version on or before `day` exists (in force)."""
    latest = {}
    for version in versions:
        if version.effective_from <= day:
            current = latest.get(version.metric_id)
            if current is None or version.effective_from > current.effective_from:
                latest[version.metric_id] = version
    return [version.metric for version in latest.values()]


def completeness(contract, periods, today: dt.date | None = None) -> list[OrganisationPeriod]:
    """Per organisation and period (month starts), what was expected, what
    arrived and when. A metric is expected in a period when it is in force
    on the period's last day and one of its periods (by frequency) starts
    then: from the providers expected to submit, or from the commissioner
    for metrics the commissioner submits. Newest period first, then
    organisations by name (the commissioner last)."""
    today = today or timezone.localdate()
    periods = sorted(set(periods), reverse=True)
    versions = list(
        ContractMetric.objects.filter(contract_id=contract.pk)
        .select_related("metric")
        .order_by("metric__code", "effective_from")
    )
    providers, commissioner = expected_organisations(contract)
    results: dict[tuple[int, dt.date], OrganisationPeriod] = {}
    for period in periods:
        metrics = [
            metric
            for metric in metrics_in_force(versions, month_start(period) + relativedelta(day=31))
            if starts_a_period(metric, period)
        ]
        metrics.sort(key=lambda metric: metric.code)
        for organisation, side in [(org, Side.PROVIDER) for org in providers] + [
            (commissioner, Side.COMMISSIONER)
        ]:
            items = [
                Expected(metric=metric, due=due_date(metric, period))
                for metric in metrics
                if metric.submitted_by == side
            ]
            if items or side == Side.PROVIDER:
                results[organisation.pk, period] = OrganisationPeriod(
                    organisation=organisation, period_start=period, today=today, items=items
                )
    organisation_ids = {org_id for org_id, _ in results}
    arrivals = (
        Measurement.objects.filter(
            organisation_id__in=organisation_ids,
            metric_id__in={version.metric_id for version in versions},
            period_start__in=periods,
        )
        .order_by()
        .values("metric_id", "organisation_id", "period_start")
        .annotate(first=Min("submission__created_at"), last=Max("submission__created_at"))
    )
    index = {
        (item.metric.pk, key[0], key[1]): item
        for key, result in results.items()
        for item in result.items
    }
    for row in arrivals:
        item = index.get((row["metric_id"], row["organisation_id"], row["period_start"]))
        if item is not None:
            item.arrived_at = row["first"]
            item.revised_at = row["last"] if row["last"] != row["first"] else None
    for review in PeriodReview.objects.filter(
        contract_id=contract.pk, period_start__in=periods
    ).select_related("reviewed_by"):
        result = results.get((review.organisation_id, review.period_start))
        if result is not None:
            result.review = review
    return list(results.values())


def visible_warnings(submission, user) -> list[dict]:
    """The submission's outlier warnings about organisations whose data
    `user` may see (contracts.access.data_scope): a provider shown a network
    manager's submission that holds its rows sees the warnings about those
    rows, not about the network's other members. At most one query in a
    request, however many submissions are shown."""
    named = [warning for warning in submission.warnings if warning.get("organisation")]
    if not named or is_admin(user):
        return named

    def scope():
        return frozenset(data_scope(user).values_list("pk", flat=True))

    seen = per_request(("visible_warnings", user.pk), scope)
    seen = scope() if seen is None else seen
    return [warning for warning in named if warning["organisation"] in seen]


# --- Comparisons a person is shown ---


class Comparisons:
    """The small-numbers rule (core.small_numbers) for the comparisons
    stored with metric scores, for one person. A score's comparator, its
    better/similar/worse, rank, quintile and how many were compared
    (`FIELDS`) are shown or withheld together; `withheld` says why they are
    withheld, from the score's `peer_count`, `peer_distinct` and `peer_ids`
    and the `seen_contributors` that
    MetricScore.objects.with_seen_contributors(user) adds."""

    FIELDS = ("comparator", "comparison", "peer_rank", "peer_quintile", "peer_count")

    def __init__(self, user):
        self.seen = organisations_seen(user)
        self.k = small_numbers_k()

    def withheld(self, comparator, peer_count, peer_distinct, peer_ids, seen_contributors):
        """Why this score's comparison is not shown to the person, or None.
        When the score names whom it pools (a network's members, a single
        provider's peers when few), those the person sees are counted
        exactly; otherwise at most `seen_contributors` of them are seen.
        What a score stored before the counts were (rule version 2026.2)
        does not say is taken at its worst until it is rescored (nightly)."""
        if is_missing(comparator) or self.seen is small_numbers.EVERYONE:
            return None
        different = 0 if is_missing(peer_distinct) else int(peer_distinct)
        if peer_ids is not None:
            seen = sum(1 for organisation in peer_ids if organisation in self.seen)
            unseen = small_numbers.Unseen.counted(len(peer_ids), different, seen, seen)
        elif not is_missing(peer_count) and not is_missing(seen_contributors):
            unseen = small_numbers.Unseen.counted(
                int(peer_count), different, 0, int(seen_contributors)
            )
        else:
            unseen = small_numbers.Unseen.unknown()
        return small_numbers.withheld(unseen, self.k)


@dataclass
class Correction:
    """A value corrected after the contract accepted its month: the revision
    the contract keeps scoring (None: it accepted the month without a value)
    and the current one."""

    metric: object
    kept: Measurement | None
    current: Measurement | None


def corrections_after_acceptance(reviews) -> dict[int, list[Correction]]:
    """Review id -> the values of its accepted month corrected since, by
    metric code. Two queries."""
    from outcomes.models import AcceptedRevision

    kept = list(
        AcceptedRevision.objects.filter(review__in=[r.pk for r in reviews])
        .select_related("metric", "measurement", "review")
        .order_by("metric__code")
    )
    if not kept:
        return {}
    current = {
        (m.metric_id, m.organisation_id, m.period_start): m
        for m in Measurement.objects.current().filter(
            metric_id__in={row.metric_id for row in kept},
            organisation_id__in={row.review.organisation_id for row in kept},
            period_start__in={row.review.period_start for row in kept},
        )
    }
    found: dict[int, list[Correction]] = {}
    for row in kept:
        key = (row.metric_id, row.review.organisation_id, row.review.period_start)
        found.setdefault(row.review_id, []).append(
            Correction(metric=row.metric, kept=row.measurement, current=current.get(key))
        )
    return found
