import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.forms import BaseFormSet
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.generic import DetailView, ListView, TemplateView

from contracts import notices as notices_service
from contracts import services
from contracts.access import PRIVATE_DATA_ROLES, has_role, roles_of
from contracts.choices import NoticeStatus, NoticeStep, OrganisationKind, Role
from contracts.forms import (
    AgreePlanForm,
    CompleteMilestoneForm,
    ConcludeInvestigationForm,
    ContractForm,
    ContractMetricForm,
    ContractYearsForm,
    MilestoneFormSet,
    RaiseNoticeForm,
    RecordMeetingForm,
    StepForm,
    WithholdForm,
    add_service_errors,
)
from contracts.models import (
    Contract,
    ContractMetric,
    ContractYear,
    NoticeEvent,
    Organisation,
    PerformanceNotice,
)
from contracts.notices import ALLOWED_STEPS, acting_party
from contracts.services import contract_year_bounds
from contracts.views_base import ScopedViewMixin
from outcomes.models import Metric


def home(request):
    """`/`: the public landing page, or a signed-in person's role-aware home."""
    if not request.user.is_authenticated:
        return render(request, "landing.html")
    user = request.user
    memberships = list(user.memberships.select_related("organisation"))
    contracts = (
        Contract.objects.visible_to(user).select_related("commissioner", "provider")[:20]
        if user.is_staff or roles_of(user) & set(PRIVATE_DATA_ROLES)
        else []
    )
    return render(
        request,
        "home.html",
        {
            "memberships": memberships,
            "contracts": contracts,
            "roles": roles_of(user),
            "Role": Role,
        },
    )


class OrganisationListView(ScopedViewMixin, ListView):
    model = Organisation
    template_name = "contracts/organisation_list.html"
    allowed_roles = PRIVATE_DATA_ROLES
    paginate_by = 50

    def scoped_queryset(self, queryset):
        return queryset.order_by("kind", "name")


class OrganisationDetailView(ScopedViewMixin, DetailView):
    model = Organisation
    template_name = "contracts/organisation_detail.html"
    allowed_roles = PRIVATE_DATA_ROLES
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.object
        visible = Organisation.objects.visible_to(self.request.user)
        context["members"] = visible.filter(networks=organisation)
        context["networks"] = visible.filter(members=organisation)
        context["contracts"] = Contract.objects.visible_to(self.request.user).filter(
            provider=organisation
        ).select_related("commissioner", "provider") | Contract.objects.visible_to(
            self.request.user
        ).filter(commissioner=organisation).select_related("commissioner", "provider")
        return context


# --- Contracts and contract management ---------------------------------------


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


class ContractListView(ScopedViewMixin, ListView):
    """`/contracts/`: the contracts the person can see, with open notices."""

    model = Contract
    template_name = "contracts/contract_list.html"
    allowed_roles = PRIVATE_DATA_ROLES
    paginate_by = 50

    def scoped_queryset(self, queryset):
        def count_of(rows):
            # order_by() clears the model ordering, which would split the GROUP BY.
            return Coalesce(
                Subquery(
                    rows.filter(contract=OuterRef("pk"))
                    .order_by()
                    .values("contract")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            )

        return (
            queryset.select_related("commissioner", "provider")
            .annotate(
                open_notices=count_of(PerformanceNotice.objects.open()),
                year_count=count_of(ContractYear.objects.all()),
            )
            .order_by("reference")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = has_role(self.request.user, Role.COMMISSIONER)
        return context


def commissioners_of(user):
    """The commissioner organisations `user` may create contracts for."""
    commissioners = Organisation.objects.filter(kind=OrganisationKind.COMMISSIONER)
    if user.is_staff:
        return commissioners.order_by("name")
    return (
        commissioners.filter(memberships__user=user, memberships__role=Role.COMMISSIONER)
        .distinct()
        .order_by("name")
    )


class ContractCreateView(ScopedViewMixin, TemplateView):
    """`/contracts/new/`: a commissioner creates a contract in two steps on one
    page: its terms, then a value and planned budget for each contract year
    (the years follow from the dates)."""

    model = Contract
    template_name = "contracts/contract_form.html"
    allowed_roles = (Role.COMMISSIONER,)

    def get(self, request, *args, **kwargs):
        form = ContractForm(commissioners=commissioners_of(request.user))
        return self.render_to_response(self.get_context_data(form=form, years_form=None))

    def post(self, request, *args, **kwargs):
        form = ContractForm(request.POST, commissioners=commissioners_of(request.user))
        years_form = None
        if form.is_valid():
            start, end = form.cleaned_data["start_date"], form.cleaned_data["end_date"]
            bounds = contract_year_bounds(start, end)
            years_for = f"{start:%Y-%m-%d}:{end:%Y-%m-%d}"
            if (
                request.POST.get("action") == "create"
                and request.POST.get("years_for") == years_for
            ):
                years_form = ContractYearsForm(request.POST, bounds=bounds)
                if years_form.is_valid():
                    try:
                        contract = services.create_contract(
                            user=request.user, years=years_form.years(), **form.cleaned_data
                        )
                    except ValidationError as exc:
                        add_service_errors(form, exc)
                    else:
                        messages.success(request, f"Contract {contract.reference} created.")
                        return redirect("contract-detail", pk=contract.pk)
            else:
                # First step, or the dates changed: ask for the years' values,
                # keeping any already typed in.
                initial = {k: v for k, v in request.POST.items() if k.startswith("year_")}
                years_form = ContractYearsForm(initial=initial, bounds=bounds)
            years_form.years_for = years_for
        return self.render_to_response(
            self.get_context_data(
                form=form, years_form=years_form, errors=error_summary(form, years_form)
            )
        )


class ContractDetailView(ScopedViewMixin, DetailView):
    """`/contracts/<id>/`: parties, years, metrics in force, open notices and
    the contract-management timeline; the commissioner sets metric terms."""

    model = Contract
    template_name = "contracts/contract_detail.html"
    allowed_roles = PRIVATE_DATA_ROLES

    def scoped_queryset(self, queryset):
        return queryset.select_related("commissioner", "provider", "population_group")

    def post(self, request, *args, **kwargs):
        self.object = contract = self.get_object()
        services.require_commissioner_of(request.user, contract)
        form = ContractMetricForm(request.POST)
        if form.is_valid():
            try:
                version = services.set_contract_metric(
                    user=request.user, contract=contract, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"{version.metric.code} terms in force from "
                    f"{version.effective_from.day} {version.effective_from:%B %Y}.",
                )
                return redirect("contract-detail", pk=contract.pk)
        return self.render_to_response(self.get_context_data(metric_form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contract, user = self.object, self.request.user
        today = timezone.localdate()
        party = acting_party(user, contract)
        is_commissioner = party is not None and party.pk == contract.commissioner_id
        notices = list(
            contract.notices.open()
            .select_related("raised_by_organisation")
            .annotate(
                next_milestone=Min(
                    "milestones__due_on", filter=Q(milestones__completed_on__isnull=True)
                )
            )
        )
        for notice in notices:
            notice.deadline = next_deadline(notice, today)
            notice.status_tag = tag(
                notice.get_status_display(), NOTICE_STATUS_COLOURS[notice.status]
            )
        metric_form = kwargs.get("metric_form")
        if is_commissioner and metric_form is None:
            metric_form = ContractMetricForm(initial={"effective_from": today})
        context.update(
            today=today,
            years=contract.years.all(),
            metrics=ContractMetric.objects.in_force_on(today)
            .filter(contract=contract)
            .select_related("metric", "metric__dimension")
            .order_by("metric__dimension__order", "metric__code"),
            notices=notices,
            timeline=NoticeEvent.objects.filter(notice__contract=contract)
            .select_related("author", "notice")
            .order_by("-on", "-recorded_at", "-pk")[:TIMELINE_LENGTH],
            timeline_length=TIMELINE_LENGTH,
            can_raise=party is not None,
            metric_form=metric_form,
            errors=error_summary(metric_form) if metric_form is not None else [],
        )
        return context


TIMELINE_LENGTH = 100


class ContractMetricHistoryView(ScopedViewMixin, ListView):
    """`/contracts/<id>/metrics/<metric id>/`: every version of a metric's terms."""

    model = ContractMetric
    template_name = "contracts/contract_metric_history.html"
    allowed_roles = PRIVATE_DATA_ROLES

    def scoped_queryset(self, queryset):
        return (
            queryset.filter(contract_id=self.kwargs["pk"], metric_id=self.kwargs["metric_id"])
            .select_related("contract", "metric", "created_by")
            .order_by("-effective_from")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        versions = list(context["object_list"])
        if not versions:
            raise Http404("No such metric in this contract.")
        today = timezone.localdate()
        in_force = next((v for v in versions if v.effective_from <= today), None)
        context.update(
            versions=versions,
            contract=versions[0].contract,
            metric=versions[0].metric,
            in_force=in_force,
        )
        return context


class NoticeCreateView(ScopedViewMixin, DetailView):
    """`/contracts/<id>/notices/new/`: either party raises a Contract
    Performance Notice against the other."""

    model = Contract
    template_name = "contracts/notice_form.html"
    allowed_roles = PRIVATE_DATA_ROLES

    def get_object(self, queryset=None):
        contract = super().get_object(queryset)
        self.party = acting_party(self.request.user, contract)
        if self.party is None:
            raise PermissionDenied("Only the parties to this contract can raise a notice.")
        return contract

    def make_form(self, data=None):
        contract_metrics = ContractMetric.objects.filter(contract=self.object).values("metric_id")
        return RaiseNoticeForm(
            data, metrics=Metric.objects.filter(pk__in=contract_metrics).order_by("code")
        )

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
                return redirect("notice-detail", pk=notice.pk)
        return self.render_to_response(self.get_context_data(form=form, errors=error_summary(form)))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["party"] = self.party
        return context


@dataclass(frozen=True)
class Step:
    """A step form on the notice page: what it records and who may use it."""

    step: str
    form_class: type
    title: str
    button: str
    who: str = "party"  # "party", "raiser" or "commissioner raiser"


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
        who="commissioner raiser",
    ),
    "escalate": Step(
        NoticeStep.ESCALATED,
        StepForm,
        "Escalate towards termination",
        "Escalate",
        who="raiser",
    ),
    "remedied": Step(
        NoticeStep.REMEDIED, StepForm, "Mark as remedied", "Mark as remedied", who="raiser"
    ),
    "withdraw": Step(
        NoticeStep.WITHDRAWN, StepForm, "Withdraw the notice", "Withdraw", who="raiser"
    ),
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
        notice, party, step = self.object, self.party, STEPS[action]
        if party is None or step.step not in ALLOWED_STEPS[NoticeStatus(notice.status)]:
            return False
        is_raiser = party.pk == notice.raised_by_organisation_id
        if step.who == "raiser" and not is_raiser:
            return False
        if step.who == "commissioner raiser" and not (
            is_raiser and party.pk == notice.contract.commissioner_id
        ):
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
        if self.party is None:
            raise PermissionDenied("Only the parties to this contract can act on its notices.")
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
                return redirect("notice-detail", pk=notice.pk)
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
            party=self.party,
            status_tag=tag(notice.get_status_display(), NOTICE_STATUS_COLOURS[notice.status]),
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
