"""Who may do what in reporting (docs/permissions.md): publishing and
withdrawing scorecards, reading the audit trail."""

from contracts.choices import Role
from contracts.permissions import can_manage_contract
from core.roles import has_role


def can_audit(user) -> bool:
    """Commissioners read the audit trail of their contracts and
    organisations; admins read all of it."""
    return has_role(user, Role.COMMISSIONER)


def can_publish(user, commissioner_id) -> bool:
    """Admins and the commissioner's people publish and withdraw its
    scorecards (`commissioner_id` as Subject.commissioner_id or
    PublishedScorecard.publisher_id give it): a contract's scorecard by that
    contract's commissioner, never by another commissioner of the same
    provider. What must be true of the contract first (agreed; of a
    terminated one, a month up to its termination) is the subject's
    (reporting.contract_publishing.ContractScorecard.problems)."""
    if commissioner_id is None:
        return False
    # The role, cached for the request, spares everyone else a query.
    return has_role(user, Role.COMMISSIONER) and can_manage_contract(user, commissioner_id)
