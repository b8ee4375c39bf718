"""Choices for organisations, roles and contracts: one spelling each, with
the colour a status is shown in (core.choices)."""

from django.db import models

from core.choices import ColourTextChoices


class OrganisationKind(models.TextChoices):
    COMMISSIONER = "commissioner", "Commissioner"
    PROVIDER = "provider", "Provider"
    NETWORK = "network", "Provider network"


class CommissionerType(models.TextChoices):
    ICB = "icb", "Integrated care board"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    COMMISSIONER = "commissioner", "Commissioner"
    NETWORK_MANAGER = "network_manager", "Network manager"
    PROVIDER_USER = "provider_user", "Provider user"
    LAY_PARTNER = "lay_partner", "Lay partner"


# Which organisation kinds each role may be held in.
ROLE_ORGANISATION_KINDS = {
    Role.COMMISSIONER: {OrganisationKind.COMMISSIONER},
    Role.NETWORK_MANAGER: {OrganisationKind.NETWORK},
    Role.PROVIDER_USER: {OrganisationKind.PROVIDER, OrganisationKind.NETWORK},
    Role.LAY_PARTNER: {
        OrganisationKind.COMMISSIONER,
        OrganisationKind.NETWORK,
        OrganisationKind.PROVIDER,
    },
}


class ContractStatus(ColourTextChoices):
    """Where a contract is in its agreement (docs/contracts.md, Agreement):
    nothing binds a provider, and no one's data is shared, until the
    provider's people accept the commissioner's offer."""

    DRAFT = "draft", "Draft", "grey"
    OFFERED = "offered", "Offered: waiting for the provider", "blue"
    DECLINED = "declined", "Declined by the provider", "red"
    WITHDRAWN = "withdrawn", "Offer withdrawn", "grey"
    ACCEPTED = "accepted", "Agreed", "green"
    TERMINATED = "terminated", "Terminated", "orange"


# The statuses in which a contract binds its parties and shares data between
# them: accepted, and terminated (its months before the end stay readable).
BINDING_CONTRACT_STATUSES = (ContractStatus.ACCEPTED, ContractStatus.TERMINATED)


# Who answers an offer for the provider: a network's managers, a single
# provider's own people (contracts.permissions.can_answer_offer).
OFFER_ANSWERED_BY = {
    OrganisationKind.NETWORK: Role.NETWORK_MANAGER,
    OrganisationKind.PROVIDER: Role.PROVIDER_USER,
}


class ContractStep(models.TextChoices):
    """The moves of a contract's agreement, each a service in contracts.services."""

    OFFER = "offer", "Offer the contract"
    WITHDRAW = "withdraw", "Withdraw the offer"
    ACCEPT = "accept", "Accept the offer"
    DECLINE = "decline", "Decline the offer"
    TERMINATE = "terminate", "Terminate the contract"


class NoticeStatus(ColourTextChoices):
    """Where a Contract Performance Notice is in the contract-management process."""

    RAISED = "raised", "Raised: meeting due", "blue"
    INVESTIGATING = "investigating", "Joint investigation", "yellow"
    PLAN_DUE = "plan_due", "Remedial action plan due", "orange"
    PLAN_AGREED = "plan_agreed", "Remedial action plan agreed", "aqua-green"
    EXCEPTION = "exception", "Exception notice: plan not met", "red"
    REMEDIED = "remedied", "Remedied", "green"
    WITHDRAWN = "withdrawn", "Withdrawn", "grey"


CLOSED_NOTICE_STATUSES = (NoticeStatus.REMEDIED, NoticeStatus.WITHDRAWN)


class MeetingOutcome(models.TextChoices):
    WITHDRAWN = "withdrawn", "Notice withdrawn"
    JOINT_INVESTIGATION = "joint_investigation", "Joint investigation"
    REMEDIAL_PLAN = "remedial_plan", "Remedial action plan"


class NoticeStep(models.TextChoices):
    """The steps recorded in a notice's timeline."""

    RAISED = "raised", "Notice raised"
    MEETING_HELD = "meeting_held", "Contract management meeting held"
    INVESTIGATION_CONCLUDED = "investigation_concluded", "Joint investigation concluded"
    PLAN_AGREED = "plan_agreed", "Remedial action plan agreed"
    MILESTONE_COMPLETED = "milestone_completed", "Milestone completed"
    EXCEPTION_RAISED = "exception_raised", "Exception notice raised"
    WITHHELD = "withheld", "Payment withheld"
    RETAINED = "retained", "Withheld payments retained"
    ESCALATED = "escalated", "Escalated for termination"
    REMEDIED = "remedied", "Remedied"
    WITHDRAWN = "withdrawn", "Withdrawn"


class WithholdingStatus(models.TextChoices):
    WITHHELD = "withheld", "Withheld"
    REPAID = "repaid", "Repaid"
    RETAINED = "retained", "Retained"


class Side(models.TextChoices):
    """Who submits a metric, or who is accountable for it in a contract."""

    PROVIDER = "provider", "Provider side"
    COMMISSIONER = "commissioner", "Commissioner side"
