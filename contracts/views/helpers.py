"""Notice status colours and deadlines, shared by the contract and notice pages."""

import datetime as dt

from contracts.choices import NoticeStatus
from core.views import due_tag

NOTICE_STATUS_COLOURS = {
    NoticeStatus.RAISED: "blue",
    NoticeStatus.INVESTIGATING: "yellow",
    NoticeStatus.PLAN_DUE: "orange",
    NoticeStatus.PLAN_AGREED: "aqua-green",
    NoticeStatus.EXCEPTION: "red",
    NoticeStatus.REMEDIED: "green",
    NoticeStatus.WITHDRAWN: "grey",
}


def next_deadline(notice, today: dt.date):
    """(what, date, tag) of an open notice's next deadline, or None. Uses the
    `next_milestone` annotation so a list of notices costs one query."""
    if notice.status == NoticeStatus.RAISED:
        what, due = "Contract management meeting", notice.meeting_due
    elif notice.status == NoticeStatus.PLAN_DUE and notice.plan_due:
        what, due = "Remedial action plan", notice.plan_due
    elif notice.status in (NoticeStatus.PLAN_AGREED, NoticeStatus.EXCEPTION) and getattr(
        notice, "next_milestone", None
    ):
        what, due = "Next milestone", notice.next_milestone
    else:
        return None
    return {"what": what, "date": due, "tag": due_tag(due, today)}
