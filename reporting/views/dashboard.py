"""The dashboard (/dashboard/) for commissioners, network managers and
provider users, and its tables as CSV and Excel downloads.

The page reads everything through reporting.dashboards (a fixed number of
queries), draws charts with outcomes.charts and shows each chart's data as
a table. `dashboard_tables` is the one definition of those tables' columns,
used by the downloads (the page lays the same data out for reading)."""

import datetime as dt

import pandas as pd
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.generic import TemplateView

from contracts.access import PRIVATE_DATA_ROLES, small_numbers_k
from contracts.choices import Role
from contracts.models import Contract
from core.exports import Table, table_response
from core.forms import NHSForm, add_service_errors
from core.numbers import clean
from core.permissions import require
from core.roles import has_role, is_admin
from core.views import ScopedViewMixin, chart, error_summary
from outcomes import charts
from outcomes.choices import Rating, SpcAssurance, SpcPointType, Variation
from outcomes.models import SpcRebase
from outcomes.permissions import can_rebase, can_withdraw_rebase
from outcomes.services import rebasing
from reporting import dashboards
from reporting.dashboards import parse_id
from reporting.permissions import can_publish

# The column saying why the small-numbers rule withheld a row's comparison
# (docs/permissions.md; empty when it is shown).
WITHHELD = "Comparison not shown because"


def _pct(value):
    return None if value is None else round(100 * value, 1)


def _round(value, digits=2):
    return None if value is None else round(value, digits)


def dashboard_tables(board: dashboards.Dashboard) -> dict[str, Table]:
    """Every table of the dashboard, keyed by the name used in download URLs.
    Missing values are empty cells, never zero."""
    selection = board.selection
    names = {org.pk: org for org in selection.organisations}
    trend = board.trend
    tables = [
        Table(
            "trend",
            "Aggregate outcome score by month",
            ["Month", "Score (0-100)", "Coverage (%)"],
            []
            if trend is None
            else [
                [
                    row.period_start,
                    _round(clean(row.score), 1),
                    _pct(clean(row.coverage)),
                ]
                for row in trend.itertuples()
            ],
        ),
        Table(
            "dimensions",
            "Dimension scores",
            ["Dimension", "Score (0-10)", "Coverage (%)"],
            [
                [row["dimension"].name, _round(row["score"], 1), _pct(row["coverage"])]
                for row in board.dimensions
            ],
        ),
        Table(
            "metrics",
            "Metrics",
            [
                "Dimension",
                "Metric code",
                "Metric",
                "Value",
                "Unit",
                "Target",
                "Minimum",
                "Score (0-10)",
                "Rating",
                "SPC variation",
                "SPC assurance",
                "95% interval lower",
                "95% interval upper",
                "Compared with (network or peers' value)",
                "Benchmark",
                "Rank",
                "Ranked out of",
                "Quintile",
                WITHHELD,
            ],
            [
                [
                    row["dimension"],
                    row["code"],
                    row["name"],
                    _round(row["value"], 4),
                    row["unit"],
                    row["target"],
                    row["minimum"],
                    _round(row["score"]),
                    row["rating_label"],
                    row["variation_label"],
                    row["assurance_label"],
                    _round(row["ci_lower"], 4),
                    _round(row["ci_upper"], 4),
                    _round(row["comparator"], 4),
                    row["comparison"],
                    row["peer_rank"],
                    row["peer_count"],
                    row["peer_quintile"],
                    row["comparison_withheld"],
                ]
                for row in board.metric_rows
            ],
        ),
        Table(
            "members",
            "Organisations compared",
            ["Organisation code", "Organisation", "Aggregate score (0-100)", "Coverage (%)"],
            []
            if board.member_aggregates is None
            else [
                [
                    names[row.organisation_id].code,
                    names[row.organisation_id].name,
                    _round(clean(row.score), 1),
                    _pct(clean(row.coverage)),
                ]
                for row in board.member_aggregates.itertuples()
                if row.organisation_id in names
            ],
        ),
        Table(
            "comparison",
            "Members compared on one metric",
            [
                "Organisation code",
                "Organisation",
                "Metric code",
                "Value",
                "95% interval lower",
                "95% interval upper",
                "Network value",
                "Benchmark",
                "Rank",
                WITHHELD,
            ],
            [
                [
                    row["code"],
                    row["name"],
                    board.compare_metric["metric"]["code"],
                    _round(row["value"], 4),
                    _round(row["ci_lower"], 4),
                    _round(row["ci_upper"], 4),
                    _round(row["comparator"], 4),
                    row["comparison"],
                    row["peer_rank"],
                    row["comparison_withheld"],
                ]
                for row in compare_rows(board)
            ]
            if board.compare_metric
            else [],
        ),
        Table(
            "completeness",
            "Data completeness and timeliness",
            [
                "Month",
                "Organisation code",
                "Organisation",
                "Expected",
                "Arrived",
                "Late",
                "Missing",
                "Not due yet",
                "Completeness (%)",
                "Timeliness (%)",
            ],
            [
                [
                    item.period_start,
                    item.organisation.code,
                    item.organisation.name,
                    item.expected,
                    item.arrived,
                    item.late,
                    item.missing,
                    item.not_due_yet,
                    _round(item.completeness, 1),
                    _round(item.timeliness, 1),
                ]
                for item in board.completeness
            ],
        ),
        Table(
            "due",
            "Still to submit",
            ["Due", "Organisation code", "Metric code", "Metric", "Period", "State"],
            [
                [
                    due["expected"].due,
                    due["organisation"].code,
                    due["expected"].metric.code,
                    due["expected"].metric.name,
                    due["period_start"],
                    due["expected"].state(board.today),
                ]
                for due in board.due_next
            ],
        ),
        Table(
            "actions",
            "Overdue actions",
            ["Due", "Action", "Organisation", "Owner organisation", "Status"],
            [
                [
                    action.due_on,
                    action.title,
                    action.provider.name,
                    action.owner_organisation.name,
                    action.get_status_display(),
                ]
                for action in board.overdue_actions
            ],
        ),
        Table(
            "notices",
            "Open contract performance notices",
            ["Raised on", "Title", "Status", "Meeting due"],
            [
                [notice.raised_on, notice.title, notice.get_status_display(), notice.meeting_due]
                for notice in board.notices
            ],
        ),
    ]
    return {table.name: table for table in tables}


def compare_rows(board) -> list[dict]:
    """The compared metric's rows with organisation names, in scope only."""
    names = {org.pk: org for org in board.selection.organisations}
    rows = []
    for row in board.compare_metric["rows"].itertuples():
        org = names.get(row.organisation_id)
        if org is None:
            continue
        rows.append(
            {
                "organisation": org,
                "code": org.code,
                "name": org.name,
                "is_network": org.is_network,
                "value": clean(row.value),
                "ci_lower": clean(row.ci_lower),
                "ci_upper": clean(row.ci_upper),
                "comparator": clean(row.comparator),
                "comparison": row.comparison or None,
                "peer_rank": None if pd.isna(row.peer_rank) else int(row.peer_rank),
                "comparison_withheld": row.comparison_withheld,
            }
        )
    return rows


class DashboardMixin(ScopedViewMixin):
    """Reads the selection from GET and builds the dashboard for the user."""

    model = Contract
    allowed_roles = PRIVATE_DATA_ROLES

    # Whether the page's form may have changed the contract (it says which
    # contract its organisation and month were listed for: `shown_contract`).
    # Downloads and the metric page are reached by links, never by the form.
    from_form = False

    def get_selection(self) -> dashboards.Selection:
        params = self.request.GET
        return dashboards.select(
            self.request.user,
            contract=params.get("contract"),
            organisation=params.get("organisation"),
            period=params.get("period"),
            shown_contract=params.get("shown_contract") if self.from_form else None,
        )

    def get_board(self) -> dashboards.Dashboard:
        selection = self.get_selection()
        return dashboards.build(
            self.request.user, selection, compare=self.request.GET.get("compare")
        )


class DashboardView(DashboardMixin, TemplateView):
    """`/dashboard/`: a contract (or network), one of its organisations and a
    month: aggregate score and trend, dimensions, metrics with SPC and
    benchmarks, members compared, data completeness, what is due, notices."""

    template_name = "reporting/dashboard.html"
    from_form = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        board = self.get_board()
        selection = board.selection
        user = self.request.user
        context.update(board=board, selection=selection)
        if selection.contract is None or selection.period is None:
            return context
        query = selection.query()
        tables = dashboard_tables(board)
        dimension_rows = [{**d, "name": d["dimension"].name} for d in board.dimensions]
        chart_list = {
            "trend": chart(
                "chart-trend",
                charts.trend_figure(board.trend),
                charts.trend_text(
                    board.trend, not_due_from=selection.period if board.month_not_due else None
                ),
            ),
        }
        # A month whose data is not due yet has no dimension scores to draw
        # (the chart would call each one short of data): the page says why.
        if not board.month_not_due or any(d["score"] is not None for d in board.dimensions):
            chart_list["dimensions"] = chart(
                "chart-dimensions",
                charts.dimensions_figure(dimension_rows),
                charts.dimensions_text(dimension_rows),
            )
        comparison = compare_rows(board) if board.compare_metric else []
        if comparison:
            metric = board.compare_metric["metric"]
            chart_list["comparison"] = chart(
                "chart-comparison",
                charts.caterpillar_figure(comparison, metric),
                charts.caterpillar_text(comparison, metric),
            )
        for row in board.metric_rows:
            row["sparkline_runs"] = charts.sparkline(row["sparkline"])
            row["rating_css"] = Rating(row["rating"]).css if row["rating"] else ""
            row["variation_tag"] = Variation(row["variation"]).tag if row["variation"] else None
            row["assurance_tag"] = SpcAssurance(row["assurance"]).tag if row["assurance"] else None
            row["url"] = (
                f"{reverse('reporting:dashboard-metric', args=[row['id']])}?{urlencode(query)}"
            )
        trend_months = list(board.trend["period_start"])
        compared = {"compare": board.compare_metric["metric"]["id"]} if comparison else {}
        context.update(
            query=urlencode(query),
            # The comparison download names the metric the page shows.
            compare_query=urlencode({**query, **compared}),
            charts=chart_list,
            comparison=comparison,
            tables=tables,
            # The dimensions table as downloaded, with whether each missing
            # score is only not due yet.
            dimension_table=[
                (*row, d["not_due"])
                for row, d in zip(tables["dimensions"].rows, board.dimensions, strict=True)
            ],
            trend_first=trend_months[0],
            member_rows=tables["members"].rows,
            is_network_manager=has_role(user, Role.NETWORK_MANAGER) and not is_admin(user),
            can_publish=can_publish(user, selection.contract.commissioner_id),
            small_numbers_k=small_numbers_k(),
        )
        return context


class DashboardDownloadView(DashboardMixin, TemplateView):
    """`/dashboard/download/<table>.<csv|xlsx>`: one table of the dashboard
    for the same selection, formula-leading cells escaped."""

    def get(self, request, *args, **kwargs):
        board = self.get_board()
        selection = board.selection
        if selection.contract is None or selection.period is None:
            raise Http404("There is no dashboard to download.")
        if selection.notes:
            # A file cannot carry the page's note: never another contract's,
            # organisation's or month's figures under a stale address.
            raise Http404(" ".join(selection.notes))
        table = dashboard_tables(board).get(kwargs["table"])
        if table is None:
            raise Http404("No such table.")
        stem = "-".join(
            [
                selection.contract.reference,
                selection.organisation.code,
                f"{selection.period:%Y-%m}",
                table.name,
            ]
        )
        return table_response(stem, kwargs["format"], table.title, table.header, table.rows)


# --- One metric: its SPC chart, data table and rebases ---

SPC_HEADER = [
    "Month",
    "Value",
    "Mean",
    "Lower process limit",
    "Upper process limit",
    "Calculation period",
    "Special cause",
    "Point type",
]


class RebaseForm(NHSForm):
    period_start = forms.TypedChoiceField(
        label="First month of the new limits",
        coerce=dt.date.fromisoformat,
        help_text="The limits are recalculated from this month on.",
    )
    reason = forms.CharField(
        label="Reason for rebasing",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, a change to the service that changed the process.",
    )

    def __init__(self, *args, periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_start"].choices = [
            (f"{day:%Y-%m-%d}", f"{day:%B %Y}") for day in periods
        ]


class MetricSpcView(DashboardMixin, TemplateView):
    """`/dashboard/metrics/<id>/`: the XmR chart of one metric for the
    selected organisation (limits, special causes, target, rebases), its data
    table, and for commissioners who may, rebasing and withdrawing rebases
    (the rules are in outcomes.services.rebasing)."""

    template_name = "reporting/dashboard_metric.html"

    def load(self):
        self.selection = self.get_selection()
        selection = self.selection
        if selection.contract is None or selection.organisation is None or not selection.period:
            raise Http404("There is no such contract or organisation for you.")
        info = dashboards.metric_info(selection.contract, selection.period)
        self.metric = info.get(self.kwargs["pk"])
        if self.metric is None or self.metric["submitted_by"] != selection.side:
            raise Http404(
                f"The contract holds no such metric for {selection.organisation.name} "
                "in that month."
            )
        result = dashboards.metric_spc(self.request.user, selection, self.metric)
        self.result = result

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and has_role(request.user, *PRIVATE_DATA_ROLES):
            self.load()
        return super().dispatch(request, *args, **kwargs)

    def may_rebase(self) -> bool:
        selection = self.selection
        return not selection.is_network and can_rebase(
            self.request.user, selection.contract, self.metric["metric"], selection.organisation
        )

    def rebase_periods(self):
        return [point["period_start"] for point in self.result["points"][1:]]

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        selection, metric, result = self.selection, self.metric, self.result
        summary = result["summary"]
        variation = Variation(summary["variation"]).description if summary["variation"] else None
        assurance = SpcAssurance(summary["assurance"]).description if summary["assurance"] else None
        may_rebase = self.may_rebase()
        if may_rebase and form is None:
            form = RebaseForm(periods=self.rebase_periods())
        user = self.request.user
        rebases = list(
            SpcRebase.objects.visible_to(user)
            .filter(
                contract_id=selection.contract.pk,
                metric_id=metric["id"],
                organisation_id=selection.organisation.pk,
            )
            .select_related("created_by")
            .order_by("period_start")
        )
        for rebase in rebases:
            rebase.may_withdraw = can_withdraw_rebase(user, rebase)
        query = selection.query()
        context.update(
            selection=selection,
            metric=metric,
            summary=summary,
            points=[
                {**point, "point_label": SpcPointType(point["point_type"]).label}
                for point in result["points"]
            ],
            variation_label=variation,
            assurance_label=assurance,
            chart=chart(
                "chart-xmr",
                charts.xmr_figure(result, metric),
                charts.xmr_text(result, metric, variation, assurance),
            ),
            rebases=rebases,
            may_rebase=may_rebase,
            form=form,
            errors=error_summary(form) if form is not None and form.is_bound else [],
            query=urlencode(query),
            dashboard_url=f"{reverse('reporting:dashboard')}?{urlencode(query)}",
        )
        return context

    def post(self, request, *args, **kwargs):
        user = request.user
        if request.POST.get("withdraw"):
            rebase = (
                SpcRebase.objects.visible_to(user)
                .filter(
                    pk=parse_id(request.POST["withdraw"]),
                    contract_id=self.selection.contract.pk,
                    metric_id=self.metric["id"],
                    organisation_id=self.selection.organisation.pk,
                )
                .first()
            )
            if rebase is None:
                raise Http404("No such rebase.")
            rebasing.withdraw_rebase(user=user, rebase=rebase)
            messages.success(request, f"The rebase from {rebase.period_start:%B %Y} was withdrawn.")
            return redirect(request.get_full_path())
        require(self.may_rebase(), "Only the commissioner of this contract may rebase its charts.")
        form = RebaseForm(request.POST, periods=self.rebase_periods())
        if form.is_valid():
            try:
                rebasing.add_rebase(
                    user=user,
                    contract=self.selection.contract,
                    metric=self.metric["metric"],
                    organisation=self.selection.organisation,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"The limits are recalculated from {form.cleaned_data['period_start']:%B %Y}.",
                )
                return redirect(request.get_full_path())
        return self.render_to_response(self.get_context_data(form=form))


class MetricSpcDownloadView(MetricSpcView):
    """The SPC data table of the metric page as CSV or Excel."""

    def get(self, request, *args, **kwargs):
        selection, metric = self.selection, self.metric
        if selection.notes:
            raise Http404(" ".join(selection.notes))  # as DashboardDownloadView
        rows = [
            [
                point["period_start"],
                round(point["value"], 4),
                round(point["mean"], 4),
                round(point["lpl"], 4),
                round(point["upl"], 4),
                point["segment"] + 1,
                point["special_cause_type"],
                SpcPointType(point["point_type"]).label,
            ]
            for point in self.result["points"]
        ]
        stem = f"{selection.contract.reference}-{selection.organisation.code}-{metric['code']}-spc"
        return table_response(stem, kwargs["format"], f"{metric['code']} SPC", SPC_HEADER, rows)

    def post(self, request, *args, **kwargs):
        raise Http404()
