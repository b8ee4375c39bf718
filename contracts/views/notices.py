"""Contract Performance Notice pages: raise one, and take its steps."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import DetailView

from contracts import notices as notices_service
from contracts.access import PRIVATE_DATA_ROLES
from contracts.choices import NoticeStatus, NoticeStep
from contracts.forms import (
    AgreePlanForm,
    CompleteMilestoneForm,
    ConcludeInvestigationForm,
    MilestoneFormSet,
    RaiseNoticeForm,
    RecordMeetingForm,
    StepForm,
    WithholdForm,
)
from contracts.models import Contract, Organisation, PerformanceNotice
from contracts.notices import ALLOWED_STEPS
from contracts.permissions import NOTICE_PARTIES_ONLY, acting_party, party_may_take
from contracts.selectors import contract_metrics
from core.forms import add_service_errors
from core.permissions import require
from core.views import ScopedViewMixin, due_tag, error_summary, tag


class NoticeCreateView(ScopedViewMixin, DetailView):
    """`/contracts/<id>/notices/new/`: either party raises a Contract
    Performance Notice against the other."""

    model = Contract
    template_name = "contracts/notice_form.html"
    allowed_roles = PRIVATE_DATA_ROLES

    def get_object(self, queryset=None):
        contract = super().get_object(queryset)
        self.party = acting_party(self.request.user, contract)
        require(self.party is not None, "Only the parties to this contract can raise a notice.")
        return contract

    def make_form(self, data=None):
        return RaiseNoticeForm(data, metrics=contract_metrics(self.object))

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data(form=self.make_form()))

    def post(self, request, *args, **kwargs):
        self.object = contract = self.get_object()
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                notice = notices_service.raise_notice(
                    user=request.user,
                    contract=contract,
                    raised_on=timezone.localdate(),
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                due = notice.meeting_due
                messages.success(
                    request,
                    f"Notice raised against {notice.against_organisation.name}. The contract "
                    f"management meeting is due by {due.day} {due:%B %Y}.",
                )
                return redirect("contracts:notice-detail", pk=notice.pk)
        return self.render_to_response(self.get_context_data(form=form, errors=error_summary(form)))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["party"] = self.party
        return context


@dataclass(frozen=True)
class Step:
    """A step form on the notice page: what it records (who may take it is
    contracts.permissions.NOTICE_STEP_TAKERS)."""

    step: str
    form_class: type
    title: str
    button: str


STEPS = {
    "meeting": Step(
        NoticeStep.MEETING_HELD,
        RecordMeetingForm,
        "Record the contract management meeting",
        "Record the meeting",
    ),
    "investigation": Step(
        NoticeStep.INVESTIGATION_CONCLUDED,
        ConcludeInvestigationForm,
        "Conclude the joint investigation",
        "Conclude the investigation",
    ),
    "plan": Step(
        NoticeStep.PLAN_AGREED,
        AgreePlanForm,
        "Agree the remedial action plan",
        "Agree the plan",
    ),
    "milestone": Step(
        NoticeStep.MILESTONE_COMPLETED,
        CompleteMilestoneForm,
        "Complete a milestone",
        "Complete the milestone",
    ),
    "exception": Step(
        NoticeStep.EXCEPTION_RAISED,
        StepForm,
        "Raise an exception notice",
        "Raise an exception notice",
    ),
    "withhold": Step(
        NoticeStep.WITHHELD,
        WithholdForm,
        "Withhold payment",
        "Withhold payment",
    ),
    "escalate": Step(NoticeStep.ESCALATED, StepForm, "Escalate towards termination", "Escalate"),
    "remedied": Step(NoticeStep.REMEDIED, StepForm, "Mark as remedied", "Mark as remedied"),
    "withdraw": Step(NoticeStep.WITHDRAWN, StepForm, "Withdraw the notice", "Withdraw"),
}


class NoticeDetailView(ScopedViewMixin, DetailView):
    """`/notices/<id>/`: a notice's parties, deadlines, milestones, withholdings
    and timeline, with a form for each step the person may take now. Each POST
    calls one contracts.notices function."""

    model = PerformanceNotice
    template_name = "contracts/notice_detail.html"
    allowed_roles = PRIVATE_DATA_ROLES
    context_object_name = "notice"

    def scoped_queryset(self, queryset):
        return queryset.select_related(
            "contract__commissioner", "contract__provider", "raised_by_organisation", "raised_by"
        )

    def setup_notice(self):
        self.object = notice = self.get_object()
        self.today = timezone.localdate()
        self.party = acting_party(self.request.user, notice.contract)
        self.milestones = list(notice.milestones.select_related("owner_organisation"))
        return notice

    def may_use(self, action: str) -> bool:
        """Whether the step's form is offered now: it is allowed in the current
        status and the person's side may take it (the services check again)."""
        notice, step = self.object, STEPS[action].step
        if step not in ALLOWED_STEPS[NoticeStatus(notice.status)]:
            return False
        if not party_may_take(self.party, notice, step):
            return False
        if action == "milestone":
            return any(m.completed_on is None for m in self.milestones)
        if action == "exception":
            return any(m.is_missed(self.today) for m in self.milestones)
        if action == "escalate":
            return not notice.escalated
        return True

    def make_form(self, action, data=None):
        notice = self.object
        kwargs = {"prefix": action, "initial": {"on": self.today}}
        if action == "milestone":
            kwargs["milestones"] = notice.milestones.filter(completed_on__isnull=True)
        return STEPS[action].form_class(data, **kwargs)

    def make_formset(self, data=None, extra_row=False):
        contract = self.object.contract
        parties = Organisation.objects.filter(
            pk__in=[contract.commissioner_id, contract.provider_id]
        )
        if data is not None and extra_row:
            # "Add another milestone": re-show the rows typed so far plus one.
            data = data.copy()
            total = int(data.get("milestones-TOTAL_FORMS") or 0)
            data["milestones-TOTAL_FORMS"] = str(min(total + 1, 20))
        return MilestoneFormSet(data, prefix="milestones", form_kwargs={"parties": parties})

    def get(self, request, *args, **kwargs):
        self.setup_notice()
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        notice = self.setup_notice()
        action = request.POST.get("action", "")
        if action not in STEPS:
            return HttpResponseBadRequest("Unknown step.")
        require(self.party is not None, NOTICE_PARTIES_ONLY)
        form = self.make_form(action, request.POST)
        formset = None
        if action == "plan":
            adding = "add_milestone" in request.POST
            formset = self.make_formset(request.POST, extra_row=adding)
            if adding:
                form.draft = formset.draft = True
                for row in formset.forms:
                    row.draft = True
                return self.render_to_response(
                    self.get_context_data(bound={action: form}, formset=formset, open=action)
                )
        if form.is_valid() and (formset is None or formset.is_valid()):
            try:
                message = self.perform(action, notice, form, formset)
            except ValidationError as exc:
                add_service_errors(form, exc, formset)
            else:
                messages.success(request, message)
                return redirect("contracts:notice-detail", pk=notice.pk)
        return self.render_to_response(
            self.get_context_data(
                bound={action: form},
                formset=formset,
                open=action,
                errors=error_summary(form, formset),
            )
        )

    def perform(self, action, notice, form, formset) -> str:
        """Call the one contracts.notices function for `action`."""
        user, data = self.request.user, form.cleaned_data
        on, reason = data["on"], data["reason"]
        if action == "meeting":
            notice = notices_service.record_meeting(
                user=user, notice=notice, held_on=on, outcome=data["outcome"], reason=reason
            )
            return f"Meeting recorded. The notice is now '{notice.get_status_display()}'."
        if action == "investigation":
            notice = notices_service.conclude_investigation(
                user=user, notice=notice, on=on, plan_needed=data["plan_needed"], reason=reason
            )
            return f"Investigation concluded. The notice is now '{notice.get_status_display()}'."
        if action == "plan":
            notices_service.agree_plan(
                user=user,
                notice=notice,
                agreed_on=on,
                milestones=formset.milestones(),
                reason=reason,
            )
            return "Remedial action plan agreed."
        if action == "milestone":
            milestone = data["milestone"]
            milestone.notice = notice
            notices_service.complete_milestone(
                user=user, milestone=milestone, completed_on=on, reason=reason
            )
            return f"Milestone completed: {milestone.description}."
        if action == "exception":
            notices_service.raise_exception(user=user, notice=notice, on=on, reason=reason)
            return "Exception notice raised."
        if action == "withhold":
            withholding = notices_service.withhold(
                user=user,
                notice=notice,
                on=on,
                month=data["month"],
                percent=data["percent"],
                reason=reason,
            )
            return f"£{withholding.amount:,} withheld for {withholding.month:%B %Y}."
        if action == "escalate":
            notices_service.escalate(user=user, notice=notice, on=on, reason=reason)
            return "Notice escalated towards termination."
        if action == "remedied":
            notices_service.mark_remedied(user=user, notice=notice, on=on, reason=reason)
            return "Notice marked as remedied; any sums still withheld are repaid."
        notices_service.withdraw(user=user, notice=notice, on=on, reason=reason)
        return "Notice withdrawn."

    def deadlines(self):
        notice, today = self.object, self.today
        closed = not notice.is_open
        rows = []
        if notice.meeting_held_on:
            held = notice.meeting_held_on
            meeting = tag(f"Held {held.day} {held:%B %Y}", "green")
        elif closed:
            meeting = tag("Not needed", "grey")
        else:
            meeting = due_tag(notice.meeting_due, today)
        rows.append(("Contract management meeting due", notice.meeting_due, meeting))
        if notice.plan_due:
            if notice.status == NoticeStatus.PLAN_DUE:
                plan = due_tag(notice.plan_due, today)
            elif self.milestones:
                plan = tag("Agreed", "green")
            else:
                plan = tag("Not needed", "grey")
            rows.append(("Remedial action plan due", notice.plan_due, plan))
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        notice = self.object
        bound = kwargs.get("bound", {})
        for milestone in self.milestones:
            if milestone.completed_on:
                done = milestone.completed_on
                milestone.tag = tag(f"Completed {done.day} {done:%B %Y}", "green")
            elif notice.is_open:
                milestone.tag = due_tag(milestone.due_on, self.today)
            else:
                milestone.tag = tag("Not completed", "grey")
        step_forms = []
        for action, step in STEPS.items():
            if action in bound or self.may_use(action):
                step_forms.append(
                    {
                        "action": action,
                        "title": step.title,
                        "button": step.button,
                        "form": bound.get(action) or self.make_form(action),
                        "open": kwargs.get("open") == action,
                    }
                )
        formset = kwargs.get("formset")
        if formset is None and any(f["action"] == "plan" for f in step_forms):
            formset = self.make_formset()
        context.update(
            today=self.today,
            contract=notice.contract,
            against=notice.against_organisation,
            assessment_year=notice.raised_on.year if notice.raised_against_commissioner else None,
            party=self.party,
            status_tag=NoticeStatus(notice.status).tag,
            deadlines=self.deadlines(),
            metrics=notice.metrics.order_by("code"),
            milestones=self.milestones,
            withholdings=notice.withholdings.all(),
            timeline=notice.events.select_related("author").order_by("-on", "-recorded_at", "-pk"),
            step_forms=step_forms,
            formset=formset,
            errors=kwargs.get("errors", []),
        )
        return context
