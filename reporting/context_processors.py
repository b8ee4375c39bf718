from contracts.access import PRIVATE_DATA_ROLES
from core.roles import has_role, is_admin
from outcomes.permissions import can_submit
from reporting.permissions import can_audit


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
            ("Contracts", "contracts:contract-list"),
            ("Organisations", "contracts:organisation-list"),
            ("Outcomes", "outcomes:outcome-browser"),
            ("Dialogues", "dialogues:overview"),
            ("Incentives", "incentives:home"),
        ]
    if can_submit(user):
        items.append(("Submit data", "outcomes:submission-create"))
    if is_admin(user):
        items.append(("Administration", "admin:index"))
    if not items:  # e.g. a lay partner
        items.append(("Published scorecards", "reporting:scorecard-list"))
    return {"nav_items": items, "can_audit": can_audit(user)}
