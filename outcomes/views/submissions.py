"""Submitting data and following a submission; a measurement's revisions."""

import csv
import datetime as dt

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import DetailView, ListView, TemplateView

from contracts.access import PRIVATE_DATA_ROLES
from contracts.models import Membership
from core.views import ScopedViewMixin, error_summary, tag
from outcomes import tasks
from outcomes.choices import Channel, MetricType, SubmissionStatus
from outcomes.forms import UploadForm
from outcomes.models import Measurement, Metric, Submission
from outcomes.permissions import SUBMITTER_ROLES, can_submit
from outcomes.selectors import visible_warnings
from outcomes.services import submissions
from outcomes.validation import COLUMNS, describe_error

# --- Submitting data ---

STAGES = [
    (SubmissionStatus.RECEIVED, "File received"),
    (SubmissionStatus.VALIDATING, "Checking the rows"),
    (SubmissionStatus.STORING, "Storing the values"),
]
STAGE_ORDER = [SubmissionStatus.RECEIVED, SubmissionStatus.VALIDATING, SubmissionStatus.STORING]


def status_tag(submission) -> dict:
    return SubmissionStatus(submission.status).tag


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


def status_payload(submission, user) -> dict:
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
            "warnings": len(visible_warnings(submission, user)),
        },
    }


class SubmissionCreateView(ScopedViewMixin, TemplateView):
    """`/submissions/new/`: upload a CSV file; it is checked in the
    background and the person is taken to the submission's page."""

    model = Submission
    template_name = "outcomes/submission_form.html"
    allowed_roles = SUBMITTER_ROLES

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
            return redirect("outcomes:submission-detail", pk=submission.pk)
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
        context["can_submit"] = can_submit(self.request.user)
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
            warnings=visible_warnings(submission, self.request.user),
            problems=errors,
            summary_errors=[(f"#{e['anchor']}", describe_error(e)) for e in errors[:SUMMARY_MAX]],
            more_errors=max(len(errors) - SUMMARY_MAX, 0),
        )
        return context


SUMMARY_MAX = 10


class SubmissionStatusView(ScopedViewMixin, DetailView):
    """`/submissions/<id>/status.json`: polled by static/js/status-poll.js."""

    model = Submission

    def render_to_response(self, context, **response_kwargs):
        response = JsonResponse(status_payload(self.object, self.request.user))
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
