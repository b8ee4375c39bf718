"""What several dialogues services share: a meeting's local day and whether
it has started, and who takes part (the organisations a series may have and
has, and a person's organisation among them)."""

import datetime as dt

from django.utils import timezone

from contracts.access import PRIVATE_DATA_ROLES
from contracts.models import Contract, Membership, Organisation
from dialogues.models import Meeting, MeetingSeries


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def participating_org_ids(series: MeetingSeries) -> set[int]:
    return set(series.organisations.values_list("pk", flat=True))


def has_started(meeting: Meeting) -> bool:
    """Whether the meeting has begun: only then can anyone be recorded
    present or absent, or minutes and decisions be recorded."""
    return meeting.starts_at <= timezone.now()


def allowed_organisation_ids(provider: Organisation, contract: Contract | None) -> set[int]:
    """Who may take part: the network (or provider), its members, and the
    commissioner of the contract concerned."""
    allowed = {provider.pk}
    allowed |= set(provider.member_links.values_list("provider_id", flat=True))
    if contract is not None:
        allowed.add(contract.commissioner_id)
    return allowed


def person_organisation(person, org_ids: set[int]) -> int | None:
    """The participating organisation a person belongs to (their first)."""
    return (
        Membership.objects.filter(
            user=person, organisation_id__in=org_ids, role__in=PRIVATE_DATA_ROLES
        )
        .order_by("organisation__name")
        .values_list("organisation_id", flat=True)
        .first()
    )
