from contracts.access import PRIVATE_DATA_ROLES, has_role
from outcomes.submissions import SUBMITTER_ROLES


def navigation(request):
    """Header navigation items for the person's roles."""
    user = request.user
    items = [("Published scorecards", "scorecard-list")]
    if user.is_authenticated:
        items.insert(0, ("Home", "home"))
        if has_role(user, *PRIVATE_DATA_ROLES):
            items.append(("Dashboard", "dashboard"))
            items.append(("Contracts", "contract-list"))
            items.append(("Organisations", "organisation-list"))
            items.append(("Outcomes", "outcome-browser"))
            items.append(("Dialogues", "dialogues:overview"))
            items.append(("Incentives", "incentives-home"))
        if has_role(user, *SUBMITTER_ROLES):
            items.append(("Submit data", "submission-create"))
        if user.is_staff:
            items.append(("Administration", "admin:index"))
    return {"nav_items": items}
