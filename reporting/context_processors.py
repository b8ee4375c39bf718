from contracts.access import PRIVATE_DATA_ROLES
from contracts.choices import Role
from core.roles import has_role
from outcomes.submissions import SUBMITTER_ROLES


def navigation(request):
    """Header navigation items for the person's roles. Few enough to fit a
    laptop's width without folding into "More": the service logo leads home,
    the published scorecards are in the footer for everyone signed in, and
    the audit trail is in the account area (`can_audit`)."""
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": [("Published scorecards", "reporting:scorecard-list")]}
    items = []
    if has_role(user, *PRIVATE_DATA_ROLES):
        items += [
            ("Dashboard", "reporting:dashboard"),
            ("Contracts", "contract-list"),
            ("Organisations", "organisation-list"),
            ("Outcomes", "outcome-browser"),
            ("Dialogues", "dialogues:overview"),
            ("Incentives", "incentives-home"),
        ]
    if has_role(user, *SUBMITTER_ROLES):
        items.append(("Submit data", "submission-create"))
    if user.is_staff:
        items.append(("Administration", "admin:index"))
    if not items:  # e.g. a lay partner
        items.append(("Published scorecards", "reporting:scorecard-list"))
    return {"nav_items": items, "can_audit": has_role(user, Role.COMMISSIONER)}
