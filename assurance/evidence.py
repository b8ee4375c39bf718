"""Concerns the provider side raises about a commissioner, as evidence in its
assessment. Providers and networks raise them as Contract Performance
Notices on the commissioner's contracts (notices run both ways); those
raised in the assessed year are listed on the round's scorecard under
competency 10, which covers the commissioner's own commitments in managing
the local health system."""

from contracts.models import PerformanceNotice

# The framework competency these notices evidence (by number).
NOTICE_COMPETENCY = 10


def notices_against(round) -> list[PerformanceNotice]:
    """Notices raised against the round's commissioner (by the other party,
    on its contracts) with a raised date in the assessed year (one query)."""
    return list(
        PerformanceNotice.objects.filter(
            contract__commissioner_id=round.commissioner_id, raised_on__year=round.year
        )
        .exclude(raised_by_organisation_id=round.commissioner_id)
        .select_related("contract", "raised_by_organisation")
        .order_by("raised_on", "pk")
    )
