"""Who may change what in incentives (docs/permissions.md).

A contract's schemes and settlements are its commissioner's to write
(contracts.permissions.can_manage_contract: its commissioner's people, or an
admin); both parties comment on a draft settlement; commissioners and network
managers try what-ifs. Reads are scoped by incentives.querysets; these
functions decide writes. Services call the require_ functions before
changing anything; views and API views call the can_ functions to decide
what to offer."""

from contracts.choices import Role
from contracts.models import Membership
from contracts.permissions import COMMISSIONER_ONLY, can_manage_contract
from core.permissions import require
from core.roles import has_role

# The parties' roles that comment on a settlement (a lay partner is no party).
COMMENTING_ROLES = (Role.COMMISSIONER, Role.NETWORK_MANAGER, Role.PROVIDER_USER)
WHAT_IF_ROLES = (Role.COMMISSIONER, Role.NETWORK_MANAGER)


def can_write_scheme(user, contract) -> bool:
    """Add a version of `contract`'s incentive scheme: its commissioner."""
    return can_manage_contract(user, contract)


def can_settle(user, contract) -> bool:
    """Compute (or recompute) the draft settlement of a year of `contract`:
    its commissioner."""
    return can_manage_contract(user, contract)


def can_sign_off(user, settlement) -> bool:
    """Sign off and lock `settlement`: the commissioner of its contract."""
    return can_manage_contract(user, settlement.contract)


def commenting_organisation(user, settlement):
    """The organisation `user` comments on `settlement` for: the contract's
    commissioner or its provider/network, whichever they belong to (None: they
    may not comment)."""
    contract = settlement.contract
    membership = (
        Membership.objects.filter(user=user)
        .filter(
            organisation_id__in=(contract.commissioner_id, contract.provider_id),
            role__in=COMMENTING_ROLES,
        )
        .select_related("organisation")
        .first()
    )
    return membership.organisation if membership else None


def can_comment(user, settlement) -> bool:
    """Comment on `settlement`: the people of either party to its contract
    (while it is a draft: comments close at sign-off, a rule of the
    settlement's state that incentives.services checks)."""
    return commenting_organisation(user, settlement) is not None


def can_try_what_if(user) -> bool:
    """Try what-ifs on the settlements one can see: commissioners and network
    managers (and admins)."""
    return has_role(user, *WHAT_IF_ROLES)


# --- Refusals: the can_ functions above, with what the person is told --------


def require_scheme_author(user, contract) -> None:
    require(can_write_scheme(user, contract), COMMISSIONER_ONLY)


def require_settler(user, contract) -> None:
    require(can_settle(user, contract), COMMISSIONER_ONLY)


def require_signatory(user, settlement) -> None:
    require(can_sign_off(user, settlement), COMMISSIONER_ONLY)


def require_commenter(user, settlement):
    """The organisation `user` comments for; PermissionDenied if none."""
    organisation = commenting_organisation(user, settlement)
    require(organisation is not None, "Only the parties to the contract comment on its settlement.")
    return organisation


def require_what_if(user) -> None:
    require(can_try_what_if(user), "Only commissioners and network managers try what-ifs.")
