"""Who may change a contract and what hangs from it (docs/permissions.md).

Reads are scoped by contracts.access.data_scope; these functions decide
writes. Services call `require(...)` with them; views and serializers call
them to decide what to offer."""

from contracts.choices import Role
from contracts.models import Membership
from core.permissions import require
from core.roles import is_admin


def is_commissioner_member(user, commissioner_id: int) -> bool:
    """`user` speaks for the commissioner `commissioner_id` (admins do not:
    use can_manage_contract where admins act too)."""
    return (
        user.is_authenticated
        and Membership.objects.filter(
            user=user, organisation_id=commissioner_id, role=Role.COMMISSIONER
        ).exists()
    )


def can_manage_contract(user, contract_or_commissioner_id) -> bool:
    """The contract's commissioner (or an admin) changes its terms, finance,
    scores, schemes and settlements. Takes a contract, or the commissioner's
    id where the contract is not at hand."""
    commissioner_id = getattr(
        contract_or_commissioner_id, "commissioner_id", contract_or_commissioner_id
    )
    return is_admin(user) or is_commissioner_member(user, commissioner_id)


COMMISSIONER_ONLY = "Only the commissioner of this contract can do that."


def require_commissioner_of(user, contract_or_commissioner_id) -> None:
    require(can_manage_contract(user, contract_or_commissioner_id), COMMISSIONER_ONLY)
