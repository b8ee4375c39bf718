"""What several dialogue pages share: the related rows an action table
needs, its tag (overdue stands out), and reading a posted id."""

import datetime as dt

from core.views import tag
from dialogues.choices import ActionStatus
from dialogues.models import (
    Action,
)

ACTION_RELATED = ("owner", "owner_organisation", "provider")


def posted_id(request, name: str) -> int | None:
    """The id posted as `name`, or None when it is missing or not a number
    (a tampered form is then "not found", not a server error)."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else None


def action_tag(action: Action, today: dt.date) -> dict:
    """Overdue stands out in red; otherwise the status colour."""
    if action.is_overdue(today):
        return tag("Overdue", "red")
    return ActionStatus(action.status).tag


def with_tags(actions, today):
    actions = list(actions)
    for action in actions:
        action.tag = action_tag(action, today)
        action.overdue = action.is_overdue(today)
    return actions
