"""Who may change a contract and what hangs from it (docs/permissions.md):
its terms, finance and scores (its commissioner), and the steps of its
Contract Performance Notices (either party, some steps one side only).

Reads are scoped by contracts.access.data_scope; these functions decide
writes. Services call `require(...)` with them; views and serializers call
them to decide what to offer."""

from contracts.choices import OFFER_ANSWERED_BY, NoticeStep, Role
from contracts.models import Membership
from core.permissions import require
from core.roles import has_role, is_admin


def can_commission(user) -> bool:
    """Commissioners (and admins) create contracts and propose their terms."""
    return has_role(user, Role.COMMISSIONER)


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


def can_answer_offer(user, contract) -> bool:
    """The provider's people answer the commissioner's offer: a network's
    managers, a single provider's own people. Never admins: nothing binds a
    provider until it agrees."""
    role = OFFER_ANSWERED_BY.get(contract.provider.kind)
    return (
        user.is_authenticated
        and role is not None
        and Membership.objects.filter(
            user=user, organisation_id=contract.provider_id, role=role
        ).exists()
    )


def can_act_on_agreement(user, contract) -> bool:
    """Either party's people who take steps of the agreement: the
    commissioner (or an admin for it), or those who answer for the provider."""
    return can_manage_contract(user, contract) or can_answer_offer(user, contract)


def can_terminate(user, contract) -> bool:
    """Either party ends an agreed contract early, with a reason."""
    return can_act_on_agreement(user, contract)


COMMISSIONER_ONLY = "Only the commissioner of this contract can do that."
PROVIDER_ANSWERS = "Only the provider's people (a network's managers) can answer an offer."


def require_commissioner_of(user, contract_or_commissioner_id) -> None:
    require(can_manage_contract(user, contract_or_commissioner_id), COMMISSIONER_ONLY)


# --- Contract Performance Notices (contracts.notices) ------------------------


def acting_party(user, contract):
    """The party to `contract` (an Organisation) that `user` acts for on its
    notices, or None. An admin acts for the commissioner."""
    roles = Membership.objects.filter(user=user).values_list("organisation_id", "role")
    for organisation_id, role in roles:
        if organisation_id == contract.commissioner_id and role == Role.COMMISSIONER:
            return contract.commissioner
        if organisation_id == contract.provider_id and role in (
            Role.NETWORK_MANAGER,
            Role.PROVIDER_USER,
        ):
            return contract.provider
    if is_admin(user):
        return contract.commissioner
    return None


NOTICE_PARTIES_ONLY = "Only the parties to this contract can act on its notices."
# Who takes each step of a notice, beyond being a party to its contract, and
# what anyone else is told. A step not listed here: either party.
RAISER, COMMISSIONER, COMMISSIONER_RAISER = "raiser", "commissioner", "commissioner raiser"
NOTICE_STEP_TAKERS = {
    NoticeStep.WITHHELD: (
        COMMISSIONER_RAISER,
        "Only the commissioner withholds, on a notice it raised.",
    ),
    NoticeStep.RETAINED: (COMMISSIONER, "Only the commissioner retains withheld payments."),
    NoticeStep.ESCALATED: (RAISER, "Only the party that raised the notice can escalate it."),
    NoticeStep.REMEDIED: (
        RAISER,
        "Only the party that raised the notice can agree it is remedied.",
    ),
    NoticeStep.WITHDRAWN: (RAISER, "Only the party that raised the notice can withdraw it."),
}


def party_may_take(party, notice, step) -> bool:
    """Whether `party` (acting_party's answer: None is no party) may take
    `step` on `notice`. Whether the notice's status allows the step now is
    contracts.notices' (ALLOWED_STEPS)."""
    if party is None:
        return False
    takers = NOTICE_STEP_TAKERS[step][0] if step in NOTICE_STEP_TAKERS else None
    is_commissioner = party.pk == notice.contract.commissioner_id
    is_raiser = party.pk == notice.raised_by_organisation_id
    if takers == RAISER:
        return is_raiser
    if takers == COMMISSIONER:
        return is_commissioner
    if takers == COMMISSIONER_RAISER:
        return is_commissioner and is_raiser
    return True


def require_notice_step(user, notice, step):
    """The party `user` acts for, if they may take `step` on `notice`;
    PermissionDenied (saying who may) if not."""
    party = acting_party(user, notice.contract)
    require(party is not None, NOTICE_PARTIES_ONLY)
    if step in NOTICE_STEP_TAKERS:
        require(party_may_take(party, notice, step), NOTICE_STEP_TAKERS[step][1])
    return party
