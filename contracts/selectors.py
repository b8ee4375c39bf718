"""Read-side computations for contracts: values derived from several rows,
computed in a fixed number of queries. Writes live in contracts.services."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

from contracts.choices import NoticeStatus
from contracts.models import ActualCost, BudgetPlanMonth, PerformanceNotice

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")


def pennies(amount: Decimal) -> Decimal:
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


@dataclass
class MonthPosition:
    """One month of a contract year's financial plan. `actual` is None when no
    actual cost has been recorded (missing, never zero); so are the variance
    and the to-date figures, which are only given for months with an actual."""

    month: dt.date
    planned: Decimal
    actual: Decimal | None = None
    variance: Decimal | None = None  # savings: planned - actual; negative is overspend
    planned_to_date: Decimal | None = None
    actual_to_date: Decimal | None = None
    variance_to_date: Decimal | None = None

    @property
    def has_actual(self) -> bool:
        return self.actual is not None


@dataclass
class YearPosition:
    """A contract year's plan against actual cost. `planned_to_date`,
    `actual_to_date` and `variance_to_date` cover the months with an actual,
    so a month not yet reported never reads as a saving."""

    number: int
    start_date: dt.date
    end_date: dt.date
    contract_value: Decimal
    planned_budget: Decimal
    has_monthly_plan: bool
    months: list[MonthPosition] = field(default_factory=list)
    planned_total: Decimal = ZERO
    actual_total: Decimal = ZERO
    months_with_actual: int = 0
    planned_to_date: Decimal = ZERO
    actual_to_date: Decimal = ZERO
    variance_to_date: Decimal = ZERO


def month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of the calendar months from `start`'s month to `end`'s."""
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month += relativedelta(months=1)
    return months


def year_months(year, first_year: bool) -> list[dt.date]:
    """The months of a contract year: those whose first day falls in the year,
    and the contract's first month even when it starts mid-month. A year from
    the 1st of a month has 12; each calendar month belongs to one year."""
    months = month_starts(year.start_date, year.end_date)
    if months and months[0] < year.start_date and not first_year:
        months = months[1:]
    return months


def even_split(budget: Decimal, count: int) -> list[Decimal]:
    """`budget` over `count` months, rounded to the penny, with the rounding
    remainder on the last month so the months add up exactly."""
    if count == 0:
        return []
    share = pennies(budget / count)
    return [share] * (count - 1) + [budget - share * (count - 1)]


def financial_position(contract) -> list[YearPosition]:
    """Per contract year: the planned budget, the monthly plan (the year's
    BudgetPlanMonth rows when it has them, otherwise the planned budget split
    evenly over its months), actual cost per month, the variance and the
    cumulative figures. Three queries whatever the size: years, plan months,
    actual costs."""
    years = list(contract.years.order_by("start_date"))
    plans: dict[int, dict[dt.date, Decimal]] = {}
    for row in BudgetPlanMonth.objects.filter(year__contract=contract).values_list(
        "year_id", "month", "planned_amount"
    ):
        plans.setdefault(row[0], {})[row[1]] = row[2]
    actuals = dict(
        ActualCost.objects.filter(contract=contract).order_by().values_list("month", "amount")
    )

    positions = []
    for index, year in enumerate(years):
        months = year_months(year, first_year=index == 0)
        plan = plans.get(year.pk)
        if plan:
            planned = [plan.get(month, ZERO) for month in months]
        else:
            planned = even_split(year.planned_budget, len(months))
        position = YearPosition(
            number=year.number,
            start_date=year.start_date,
            end_date=year.end_date,
            contract_value=year.contract_value,
            planned_budget=year.planned_budget,
            has_monthly_plan=bool(plan),
            planned_total=sum(planned, ZERO),
        )
        for month, planned_amount in zip(months, planned, strict=True):
            row = MonthPosition(month=month, planned=planned_amount)
            actual = actuals.get(month)
            if actual is not None:
                position.months_with_actual += 1
                position.planned_to_date += planned_amount
                position.actual_to_date += actual
                position.actual_total += actual
                row.actual = actual
                row.variance = planned_amount - actual
                row.planned_to_date = position.planned_to_date
                row.actual_to_date = position.actual_to_date
                row.variance_to_date = position.planned_to_date - position.actual_to_date
            position.months.append(row)
        position.variance_to_date = position.planned_to_date - position.actual_to_date
        positions.append(position)
    return positions


def contract_metrics(contract):
    """The metrics attached to `contract` (by their terms), as a queryset of
    outcomes' Metric, ordered by code: what a notice on it may name. Reached
    through the notice-metric relation that outcomes declares, as contracts
    sit below outcomes and import nothing of it."""
    metric_model = PerformanceNotice.metrics.field.model
    return metric_model.objects.filter(
        pk__in=contract.metric_versions.values("metric_id")
    ).order_by("code")


@dataclass(frozen=True)
class NoticeDeadline:
    """The deadline an open notice is waiting on."""

    step: str  # "meeting", "plan" or "milestone"
    what: str  # in words: "Contract management meeting"
    due_on: dt.date
    overdue: bool


def pending_deadline(notice, today: dt.date) -> NoticeDeadline | None:
    """The deadline `notice` is waiting on and whether it is overdue: the one
    "notice overdue" rule, for the API, the contract page and the dashboard.
    Raised: the contract management meeting; remedial action plan due: the
    plan; plan agreed or exception notice: the next milestone not completed
    (read from NoticeQuerySet.with_next_milestone's annotation: a notice
    without it waits on no milestone here). A deadline
    is overdue from the day after its date. None when the notice waits on no
    date (investigating, closed, or no date set)."""
    if notice.status == NoticeStatus.RAISED:
        step, what, due = "meeting", "Contract management meeting", notice.meeting_due
    elif notice.status == NoticeStatus.PLAN_DUE:
        step, what, due = "plan", "Remedial action plan", notice.plan_due
    elif notice.status in (NoticeStatus.PLAN_AGREED, NoticeStatus.EXCEPTION):
        step, what, due = "milestone", "Next milestone", getattr(notice, "next_milestone", None)
    else:
        return None
    if due is None:
        return None
    return NoticeDeadline(step, what, due, overdue=today > due)
