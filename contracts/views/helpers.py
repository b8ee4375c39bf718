"""Helpers shared by the contract and notice pages: error summaries and tags."""

import datetime as dt

from django.forms import BaseFormSet

from contracts.choices import NoticeStatus


def error_summary(*forms) -> list[tuple[str, str]]:
    """(link target, message) for the NHS.UK error summary, in page order.
    Non-field errors link to the form's first field."""
    items = []
    for form in forms:
        if form is None:
            continue
        if isinstance(form, BaseFormSet):
            for message in form.non_form_errors():
                items.append((f"#{form.forms[0]['description'].auto_id}", message))
            for row in form.forms:
                items.extend(error_summary(row))
            continue
        first = next(iter(form), None)
        for name, field_errors in form.errors.items():
            target = form[name].auto_id if name in form.fields else first and first.auto_id
            items.extend((f"#{target}", message) for message in field_errors)
    return items


def tag(text: str, colour: str) -> dict:
    return {"text": text, "css": f"nhsuk-tag--{colour}" if colour else ""}


NOTICE_STATUS_COLOURS = {
    NoticeStatus.RAISED: "blue",
    NoticeStatus.INVESTIGATING: "yellow",
    NoticeStatus.PLAN_DUE: "orange",
    NoticeStatus.PLAN_AGREED: "aqua-green",
    NoticeStatus.EXCEPTION: "red",
    NoticeStatus.REMEDIED: "green",
    NoticeStatus.WITHDRAWN: "grey",
}


def due_tag(due: dt.date, today: dt.date) -> dict:
    if due < today:
        return tag("Overdue", "red")
    if due == today:
        return tag("Due today", "orange")
    return tag("Due", "yellow")


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
