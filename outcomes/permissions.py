"""Who may change outcomes' data (docs/permissions.md): submitting
measurements, reviewing a contract's months, rebasing SPC series, and
setting a contract's metric terms (contracts.permissions.can_manage_contract).

Reads are scoped by contracts.access.data_scope and the querysets'
visible_to; these functions decide writes and what a page offers. Services
call `require(...)` with them; views and serializers call them to decide what
to show."""

from django.db.models import Q

from contracts.choices import Role
from contracts.models import Contract, Membership
from contracts.permissions import acting_party, can_act_on_agreement, can_manage_contract
from core.roles import has_role, is_admin

# Who may send measurements (each only for organisations in their data scope).
SUBMITTER_ROLES = (Role.PROVIDER_USER, Role.NETWORK_MANAGER, Role.COMMISSIONER)
PROVIDER_SIDE_ROLES = (Role.NETWORK_MANAGER, Role.PROVIDER_USER)


def can_submit(user) -> bool:
    return has_role(user, *SUBMITTER_ROLES)


def can_edit_framework(user) -> bool:
    """Dimensions, outcomes and metrics are configured by admins."""
    return is_admin(user)


def can_review_data(user, contract) -> bool:
    """The contract's commissioner (or an admin) accepts, queries and locks
    its months."""
    return can_manage_contract(user, contract)


def can_read_data_review(user, contract) -> bool:
    """The parties read the review: the commissioner, and the provider's own
    people (a network's managers, a directly contracted provider's users).
    Members of a network see their own months on their submissions."""
    return can_review_data(user, contract) or (
        user.is_authenticated
        and Membership.objects.filter(
            user=user, organisation_id=contract.provider_id, role__in=PROVIDER_SIDE_ROLES
        ).exists()
    )


def can_rebase(user, contract, metric, organisation) -> bool:
    """The commissioner of `contract` (its people) and admins rebase the
    contract's SPC chart of `organisation`'s `metric`, while the contract
    binds, holds the metric and covers the organisation (as its provider, a
    member of its provider network, or its commissioner). The rebase is the
    contract's: another contract's charts of the same series never change."""
    if not has_role(user, Role.COMMISSIONER):  # cached; admins pass
        return False
    held = (
        Contract.objects.binding()
        .filter(pk=contract.pk, metric_versions__metric=metric)
        .filter(
            Q(provider=organisation)
            | Q(provider__member_links__provider=organisation)
            | Q(commissioner=organisation)
        )
    )
    if not is_admin(user):
        held = held.filter(
            commissioner__memberships__user=user,
            commissioner__memberships__role=Role.COMMISSIONER,
        )
    return held.exists()


def can_withdraw_rebase(user, rebase) -> bool:
    """The person who rebased the series, or an admin."""
    return is_admin(user) or (user.is_authenticated and rebase.created_by_id == user.pk)


# --- Variations of an agreed contract's terms ---


def can_propose_variation(user, contract) -> bool:
    """Either party's deciding people (contracts.permissions.can_act_on_agreement)."""
    return can_act_on_agreement(user, contract)


def _speaks_for(user, variation):
    if not can_act_on_agreement(user, variation.contract):
        return None
    return acting_party(user, variation.contract)


def can_answer_variation(user, variation) -> bool:
    """The other party answers a variation: not the one that proposed it."""
    party = _speaks_for(user, variation)
    return party is not None and party.pk != variation.proposed_by_organisation_id


def can_withdraw_variation(user, variation) -> bool:
    """The party that proposed it takes it back."""
    party = _speaks_for(user, variation)
    return party is not None and party.pk == variation.proposed_by_organisation_id
