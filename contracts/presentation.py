"""What pages show of a notice beyond its fields: its next deadline, with a
tag saying how near it is."""

import datetime as dt

from contracts.selectors import pending_deadline
from core.views import due_tag


def next_deadline(notice, today: dt.date):
    """(what, date, tag) of an open notice's next deadline, or None
    (contracts.selectors.pending_deadline). A list of notices annotated with
    `next_milestone` (NoticeQuerySet.with_next_milestone) costs one query."""
    pending = pending_deadline(notice, today)
    if pending is None:
        return None
    return {"what": pending.what, "date": pending.due_on, "tag": due_tag(pending.due_on, today)}
