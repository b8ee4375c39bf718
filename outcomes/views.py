"""Outcome pages: submitting data and following a
submission, measurement revisions, the commissioner's data review and the
outcomes and metrics browser."""

import csv
import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, ListView, TemplateView

from contracts.access import PRIVATE_DATA_ROLES
from contracts.choices import Role
from contracts.forms import ContractMetricForm
from contracts.models import Contract, Membership, Organisation
from core.forms import add_service_errors
from core.roles import has_role
from core.views import ScopedViewMixin, error_summary, tag
from outcomes import reviews, selectors, submissions, tasks
from outcomes.choices import Channel, MetricType, ReviewStatus, SubmissionStatus
from outcomes.forms import MetricFilterForm, ReviewForm, UploadForm
from outcomes.models import Dimension, Measurement, Metric, Outcome, Submission
from outcomes.validation import COLUMNS

# --- Submitting data ---

STATUS_COLOURS = {
    SubmissionStatus.RECEIVED: "blue",
    SubmissionStatus.VALIDATING: "blue",
    SubmissionStatus.STORING: "blue",
    SubmissionStatus.STORED: "green",
    SubmissionStatus.REJECTED: "red",
    SubmissionStatus.FAILED: "red",
}
STAGES = [
    (SubmissionStatus.RECEIVED, "File received"),
    (SubmissionStatus.VALIDATING, "Checking the rows"),
    (SubmissionStatus.STORING, "Storing the values"),
]
STAGE_ORDER = [SubmissionStatus.RECEIVED, SubmissionStatus.VALIDATING, SubmissionStatus.STORING]


def status_tag(submission) -> dict:
    return tag(submission.get_status_display(), STATUS_COLOURS[submission.status])


def stages_of(submission) -> list[dict]:
    """The stages with their state (done, in progress, waiting, not needed) for
    the task-list display; the last stage is the outcome."""
    status = submission.status
    if submission.is_finished:
        reached = len(STAGE_ORDER) if status == SubmissionStatus.STORED else None
    else:
        reached = STAGE_ORDER.index(status)
    rows = []
    for number, (stage, name) in enumerate(STAGES):
        if submission.is_finished:
            if status == SubmissionStatus.STORED or stage == SubmissionStatus.RECEIVED:
                state = tag("Done", "")
            elif stage == SubmissionStatus.VALIDATING and submission.row_count:
                state = tag("Problems found", "red")
            elif stage == SubmissionStatus.VALIDATING:
                state = tag("Could not read the file", "red")
            else:
                state = tag("Not done", "grey")
        elif number < reached:
            state = tag("Done", "")
        elif number == reached:
            state = tag("In progress", "blue")
        else:
            state = tag("Waiting", "grey")
        rows.append({"name": name, "state": state})
    if submission.is_finished:
        outcome = status_tag(submission)
        if status == SubmissionStatus.STORED:
            outcome = tag("Stored", "")
    else:
        outcome = tag("Waiting", "grey")
    rows.append({"name": "Stored or rejected", "state": outcome})
    return rows


def status_payload(submission) -> dict:
    return {
        "id": submission.pk,
        "status": submission.status,
        "label": submission.get_status_display(),
        "finished": submission.is_finished,
        "counts": {
            "rows": submission.row_count,
            "added": submission.added,
            "revised": submission.revised,
            "unchanged": submission.unchanged,
            "errors": len(submission.errors),
            "warnings": len(submission.warnings),
        },
    }


class SubmissionCreateView(ScopedViewMixin, TemplateView):
    """`/submissions/new/`: upload a CSV file; it is checked in the
    background and the person is taken to the submission's page."""

    model = Submission
    template_name = "outcomes/submission_form.html"
    allowed_roles = submissions.SUBMITTER_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context.setdefault("form", UploadForm())
        context.update(
            columns=COLUMNS,
            max_bytes=submissions.max_upload_bytes(),
            errors=error_summary(form),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            submission = submissions.receive(
                user=request.user, content=upload.read(), name=upload.name, channel=Channel.WEB
            )
            if not submission.is_finished:
                tasks.enqueue_processing(submission)
            return redirect("submission-detail", pk=submission.pk)
        return self.render_to_response(self.get_context_data(form=form))


def example_csv(request):
    """`/submissions/example.csv`: a template file with the header and one
    example row of each kind (a ratio metric, and a metric with a value)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="concord-submission-example.csv"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(COLUMNS)
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    ratio = Metric.objects.filter(metric_type__in=(MetricType.PROPORTION, MetricType.RATE)).first()
    other = Metric.objects.exclude(metric_type__in=(MetricType.PROPORTION, MetricType.RATE)).first()
    organisation = "ORG01"
    if request.user.is_authenticated:
        mine = Membership.objects.filter(user=request.user).select_related("organisation").first()
        organisation = mine.organisation.code if mine else organisation
    writer.writerow(
        [
            ratio.code if ratio else "EXAMPLE_RATIO",
            organisation,
            f"{last_month:%Y-%m-%d}",
            45,
            50,
            "",
        ]
    )
    writer.writerow(
        [
            other.code if other else "EXAMPLE_COUNT",
            organisation,
            f"{last_month:%Y-%m-%d}",
            "",
            "",
            17,
        ]
    )
    return response


class SubmissionListView(ScopedViewMixin, ListView):
    """`/submissions/`: the person's submissions and those about organisations
    they can see, newest first."""

    model = Submission
    template_name = "outcomes/submission_list.html"
    allowed_roles = PRIVATE_DATA_ROLES
    paginate_by = 50

    def scoped_queryset(self, queryset):
        return queryset.select_related("submitted_by").order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for submission in context["object_list"]:
            submission.status_tag = status_tag(submission)
        context["can_submit"] = has_role(self.request.user, *submissions.SUBMITTER_ROLES)
        return context


class SubmissionDetailView(ScopedViewMixin, DetailView):
    """`/submissions/<id>/`: where a submission is, and what became of it."""

    model = Submission
    template_name = "outcomes/submission_detail.html"
    context_object_name = "submission"

    def scoped_queryset(self, queryset):
        return queryset.select_related("submitted_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        submission = self.object
        errors = [
            {**error, "anchor": f"problem-{number}"}
            for number, error in enumerate(submission.errors, start=1)
        ]
        context.update(
            status_tag=status_tag(submission),
            stages=stages_of(submission),
            problems=errors,
            summary_errors=[(f"#{e['anchor']}", describe_error(e)) for e in errors[:SUMMARY_MAX]],
            more_errors=max(len(errors) - SUMMARY_MAX, 0),
        )
        return context


SUMMARY_MAX = 10


def describe_error(error: dict) -> str:
    where = []
    if error.get("row") is not None:
        where.append(f"Row {error['row']}")
    if error.get("column"):
        where.append(f"column {error['column']}")
    return f"{', '.join(where)}: {error['message']}" if where else error["message"]


class SubmissionStatusView(ScopedViewMixin, DetailView):
    """`/submissions/<id>/status.json`: polled by static/js/status-poll.js."""

    model = Submission

    def render_to_response(self, context, **response_kwargs):
        response = JsonResponse(status_payload(self.object))
        response["Cache-Control"] = "no-store"
        return response


# --- Measurement revisions ---


class MeasurementHistoryView(ScopedViewMixin, ListView):
    """`/measurements/history/?metric=CODE&organisation=CODE&period=YYYY-MM-DD`:
    every revision of one value, who submitted it and when."""

    model = Measurement
    template_name = "outcomes/measurement_history.html"
    allowed_roles = PRIVATE_DATA_ROLES
    context_object_name = "revisions"

    def scoped_queryset(self, queryset):
        params = self.request.GET
        try:
            period = dt.date.fromisoformat(params.get("period", ""))
        except ValueError:
            raise Http404("Give the period as YYYY-MM-DD.") from None
        return (
            queryset.filter(
                metric__code=params.get("metric", ""),
                organisation__code=params.get("organisation", ""),
                period_start=period,
            )
            .select_related("metric", "organisation", "submission__submitted_by")
            .order_by("-revision")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        revisions = list(context["revisions"])
        if not revisions:
            raise Http404("No value for that metric, organisation and period.")
        context.update(
            revisions=revisions,
            metric=revisions[0].metric,
            organisation=revisions[0].organisation,
            period=revisions[0].period_start,
        )
        return context


# --- The commissioner's data review ---

REVIEW_COLOURS = {
    ReviewStatus.ACCEPTED: "green",
    ReviewStatus.QUERIED: "orange",
    ReviewStatus.UNLOCKED: "yellow",
}
STATE_COLOURS = {"on time": "green", "late": "orange", "missing": "red", "not due yet": "grey"}


def review_tag(review) -> dict:
    if review is None:
        return tag("Not reviewed", "grey")
    return tag(review.get_status_display(), REVIEW_COLOURS[review.status])


def review_options(review) -> list[str]:
    if review is not None and review.status == ReviewStatus.ACCEPTED:
        return ["unlock"]
    return ["accept", "query"]


class ContractDataView(ScopedViewMixin, DetailView):
    """`/contracts/<id>/data/`: completeness and timeliness of each
    organisation's data for a month, and the commissioner's review of it.
    The commissioner (and admins) review; the provider side reads."""

    model = Contract
    template_name = "outcomes/contract_data.html"
    context_object_name = "contract"
    allowed_roles = (Role.COMMISSIONER, Role.NETWORK_MANAGER, Role.PROVIDER_USER)

    def scoped_queryset(self, queryset):
        return queryset.select_related("commissioner", "provider")

    def get_object(self, queryset=None):
        contract = super().get_object(queryset)
        user = self.request.user
        self.can_review = (
            user.is_staff
            or Membership.objects.filter(
                user=user, organisation_id=contract.commissioner_id, role=Role.COMMISSIONER
            ).exists()
        )
        # The provider side reads: a network's managers, or a directly
        # contracted provider's own people. Members of a network do not.
        if (
            not self.can_review
            and not Membership.objects.filter(
                user=user,
                organisation_id=contract.provider_id,
                role__in=(Role.NETWORK_MANAGER, Role.PROVIDER_USER),
            ).exists()
        ):
            raise PermissionDenied("Only the parties to this contract can see its data review.")
        return contract

    def chosen_period(self, contract, months):
        text = self.request.POST.get("period") or self.request.GET.get("period", "")
        if text:
            try:
                period = dt.date.fromisoformat(f"{text[:7]}-01")
            except ValueError:
                period = None
            if period in months:
                return period
        # Default: the latest month that has ended, else the current one.
        return months[1] if len(months) > 1 else (months[0] if months else None)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.object = contract = self.get_object()
        if not self.can_review:
            raise PermissionDenied("Only the commissioner of this contract can review its data.")
        months = selectors.contract_months(contract)
        period = self.chosen_period(contract, months)
        organisation = get_object_or_404(Organisation, pk=request.POST.get("organisation") or 0)
        form = ReviewForm(request.POST, prefix=f"org-{organisation.pk}")
        if period is not None and form.is_valid():
            try:
                review = reviews.review_period(
                    request.user,
                    contract,
                    organisation,
                    period,
                    form.cleaned_data["decision"],
                    form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"{organisation.name}, {period:%B %Y}: {review.get_status_display().lower()}.",
                )
                return redirect(
                    f"{reverse('contract-data', args=[contract.pk])}?period={period:%Y-%m}"
                )
        return self.render_to_response(
            self.get_context_data(bound_form=(organisation.pk, form)), status=200
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contract = self.object
        today = timezone.localdate()
        months = selectors.contract_months(contract, today)
        period = self.chosen_period(contract, months)
        rows = selectors.completeness(contract, [period], today) if period else []
        bound_org, bound_form = kwargs.get("bound_form", (None, None))
        for row in rows:
            row.review_tag = review_tag(row.review)
            row.options = review_options(row.review)
            for item in row.items:
                item.state_text = item.state(today)
                item.state_tag = tag(item.state_text.capitalize(), STATE_COLOURS[item.state_text])
            if self.can_review:
                if row.organisation.pk == bound_org:
                    row.form = bound_form
                else:
                    row.form = ReviewForm(prefix=f"org-{row.organisation.pk}")
        totals = selectors.OrganisationPeriod(organisation=None, period_start=period, today=today)
        totals.items = [item for row in rows for item in row.items]
        context.update(
            today=today,
            months=months,
            period=period,
            rows=rows,
            totals=totals,
            can_review=self.can_review,
            errors=error_summary(bound_form) if bound_form is not None else [],
        )
        return context


# --- Outcomes and metrics ---


class OutcomeBrowserView(ScopedViewMixin, TemplateView):
    """`/outcomes/`: outcomes and their metrics by dimension and population
    group, with what each metric costs to report (who submits it, how often)."""

    template_name = "outcomes/outcome_browser.html"
    allowed_roles = PRIVATE_DATA_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = MetricFilterForm(self.request.GET or None)
        metrics = form.filter(
            Metric.objects.select_related("dimension", "outcome__population_group").order_by("code")
        )
        dimensions = list(
            Dimension.objects.prefetch_related(
                Prefetch("metrics", queryset=metrics, to_attr="shown_metrics")
            )
        )
        for dimension in dimensions:
            groups = {}
            for metric in dimension.shown_metrics:
                groups.setdefault(metric.outcome, []).append(metric)
            dimension.groups = sorted(
                groups.items(), key=lambda item: (item[0] is None, item[0] and item[0].name)
            )
        context.update(
            form=form,
            dimensions=[d for d in dimensions if d.shown_metrics],
            metric_count=sum(len(d.shown_metrics) for d in dimensions),
            outcome_count=Outcome.objects.count(),
            can_add=has_role(self.request.user, Role.COMMISSIONER),
            filtered=bool(self.request.GET),
        )
        return context


def commissioned_contracts(user):
    """The contracts whose terms `user` may set (as their commissioner)."""
    contracts = Contract.objects.visible_to(user).select_related("provider").order_by("reference")
    if user.is_staff:
        return contracts
    return contracts.filter(
        commissioner__memberships__user=user, commissioner__memberships__role=Role.COMMISSIONER
    ).distinct()


class AddMetricToContractView(ScopedViewMixin, TemplateView):
    """`/outcomes/metrics/<id>/add/`: choose one of your contracts, then set the
    metric's terms in it. The form posts to the contract page, which saves it
    (and shows any errors there); this page only preselects the metric."""

    template_name = "outcomes/add_metric.html"
    allowed_roles = (Role.COMMISSIONER,)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        metric = get_object_or_404(Metric.objects.select_related("dimension"), pk=kwargs["pk"])
        contracts = list(commissioned_contracts(self.request.user))
        contract, form = None, None
        chosen = self.request.GET.get("contract")
        if chosen:
            contract = next((c for c in contracts if str(c.pk) == chosen), None)
            if contract is None:
                raise Http404("No such contract of yours.")
            form = ContractMetricForm(
                initial={"metric": metric.pk, "effective_from": timezone.localdate()}
            )
        context.update(metric=metric, contracts=contracts, contract=contract, form=form)
        return context
