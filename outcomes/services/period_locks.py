"""Period locks belong to a contract (docs/outcomes-data.md, Locks).

A commissioner accepting an organisation's month for its contract locks it
for that contract only. A correction to a value of that month is:

- refused, as before, when every binding contract holding the metric for
  the organisation in that month has accepted it (nobody would take it);
- otherwise stored, and each contract that accepted the month keeps scoring
  the revision it accepted (an AcceptedRevision, made when the correction is
  stored) until its commissioner unlocks the month and takes the correction.

`locks` says which of a file's values are refused and which are kept by
some contracts (before storing, for validation and the submitter's
warnings); `keep_accepted` makes the AcceptedRevision rows inside the
storing transaction; `release` removes a review's rows when it is unlocked.
Measurement.objects.scored_by reads them back."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from contracts.choices import BINDING_CONTRACT_STATUSES
from contracts.models import Contract, NetworkMember
from core.history import bulk_create_as, delete_as
from outcomes.choices import ReviewStatus
from outcomes.models import AcceptedRevision, ContractMetric, PendingRescore, PeriodReview
from outcomes.selectors import month_start

Key = tuple[int, int, dt.date]  # (metric, organisation, period start)


@dataclass
class Locks:
    """`refused`: values every contract holding them has locked. `kept`:
    values some contracts have locked, each with the references of the
    contracts that keep the revision they accepted."""

    refused: set[Key] = field(default_factory=set)
    kept: dict[Key, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Holder:
    contract_id: int
    reference: str
    first: dt.date  # its first and last months
    last: dt.date


def _holders(metric_ids: set[int], organisation_ids: set[int]) -> dict:
    """(metric, organisation) -> the binding contracts holding the metric and
    reviewing the organisation's data (its provider when not a network, a
    member of its provider network, its commissioner). Two queries."""
    networks = defaultdict(set)
    for network_id, provider_id in NetworkMember.objects.filter(
        provider_id__in=organisation_ids
    ).values_list("network_id", "provider_id"):
        networks[network_id].add(provider_id)
    contracts = Contract.objects.binding().filter(
        Q(provider_id__in=organisation_ids)
        | Q(provider_id__in=list(networks))
        | Q(commissioner_id__in=organisation_ids)
    )
    holders = defaultdict(list)
    for row in (
        ContractMetric.objects.filter(contract__in=contracts, metric_id__in=metric_ids)
        .values_list(
            "contract_id",
            "metric_id",
            "contract__reference",
            "contract__provider_id",
            "contract__commissioner_id",
            "contract__start_date",
            "contract__end_date",
            "contract__terminated_on",
        )
        .distinct()
    ):
        contract_id, metric_id, reference, provider_id, commissioner_id, start, end, ended = row
        holder = _Holder(contract_id, reference, month_start(start), month_start(ended or end))
        reviewed = networks.get(provider_id) or {provider_id}
        for organisation_id in (reviewed | {commissioner_id}) & organisation_ids:
            holders[metric_id, organisation_id].append(holder)
    return holders


def locks(keys: set[Key]) -> Locks:
    """Which of `keys` are refused and which are kept by some contracts
    (see the module's doc). Three queries."""
    found = Locks()
    if not keys:
        return found
    metrics = {m for m, _, _ in keys}
    organisations = {o for _, o, _ in keys}
    holders = _holders(metrics, organisations)
    accepted = set(
        PeriodReview.objects.filter(
            contract__status__in=BINDING_CONTRACT_STATUSES,
            status=ReviewStatus.ACCEPTED,
            organisation_id__in=organisations,
            period_start__in={p for _, _, p in keys},
        ).values_list("contract_id", "organisation_id", "period_start")
    )
    for key in keys:
        metric_id, organisation_id, period = key
        holding = holders.get((metric_id, organisation_id), [])
        lockers = [h for h in holding if (h.contract_id, organisation_id, period) in accepted]
        if not lockers:
            continue
        open_to_it = [
            h for h in holding if h not in lockers and h.first <= month_start(period) <= h.last
        ]
        if open_to_it:
            found.kept[key] = sorted({h.reference for h in lockers})
        else:
            found.refused.add(key)
    return found


def keep_accepted(written: dict[Key, int | None], user) -> int:
    """Inside the storing transaction, with the organisations' rows locked:
    for each value about to be written (key -> the revision it supersedes,
    None when there was none), each binding contract holding the metric that
    accepted the month keeps the revision it accepted, unless it already
    keeps one. Returns how many were kept. Three queries, and one write."""
    if not written:
        return 0
    keys = set(written)
    reviews = defaultdict(list)
    for review_id, contract_id, organisation_id, period in PeriodReview.objects.filter(
        contract__status__in=BINDING_CONTRACT_STATUSES,
        status=ReviewStatus.ACCEPTED,
        organisation_id__in={o for _, o, _ in keys},
        period_start__in={p for _, _, p in keys},
    ).values_list("pk", "contract_id", "organisation_id", "period_start"):
        reviews[organisation_id, period].append((review_id, contract_id))
    if not reviews:
        return 0
    review_ids = [r for found in reviews.values() for r, _ in found]
    holding = set(
        ContractMetric.objects.filter(
            contract_id__in={c for found in reviews.values() for _, c in found},
            metric_id__in={m for m, _, _ in keys},
        ).values_list("contract_id", "metric_id")
    )
    already = set(
        AcceptedRevision.objects.filter(review_id__in=review_ids).values_list(
            "review_id", "metric_id"
        )
    )
    kept = [
        AcceptedRevision(review_id=review_id, metric_id=metric_id, measurement_id=superseded)
        for (metric_id, organisation_id, period), superseded in written.items()
        for review_id, contract_id in reviews.get((organisation_id, period), [])
        if (contract_id, metric_id) in holding and (review_id, metric_id) not in already
    ]
    bulk_create_as(AcceptedRevision, kept, user)
    return len(kept)


def release(review: PeriodReview, user) -> bool:
    """Unlocking `review`'s month: the contract takes the corrections that
    arrived since it accepted it. Its kept revisions go (each in history)
    and the month is marked for rescoring, in the caller's transaction.
    Returns whether there were any."""
    kept = list(review.kept_revisions.all())
    for row in kept:
        delete_as(row, user)
    if kept:
        PendingRescore.objects.update_or_create(
            contract_id=review.contract_id,
            period_start=review.period_start,
            defaults={"marked_at": timezone.now()},
        )
    return bool(kept)
