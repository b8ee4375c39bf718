"""Validating a batch of measurements: pure pandas, no Django, so every
submission path (browser, API, command) shares it and it is fast to test.

`parse_csv` turns bytes into rows of text; `validate` checks every row against
the reference data and returns the clean rows and every error, each naming its
row (the line in the file: the header is row 1) and column."""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

COLUMNS = ["metric_code", "organisation_code", "period_start", "numerator", "denominator", "value"]
NUMBER_COLUMNS = ["numerator", "denominator", "value"]
FIRST_MONTH = {"monthly": range(1, 13), "quarterly": (1, 4, 7, 10), "annual": (4,)}
FREQUENCY_RULE = {
    "monthly": "the first day of a month",
    "quarterly": "the first day of a quarter (1 January, 1 April, 1 July or 1 October)",
    "annual": "1 April, the start of a financial year",
}


@dataclass(frozen=True)
class MetricSpec:
    id: int
    frequency: str  # monthly, quarterly, annual
    is_ratio: bool
    is_proportion: bool
    factor: float


@dataclass
class Reference:
    """What validation needs to know, gathered once per submission."""

    metrics: dict[str, MetricSpec]
    organisations: dict[str, int]  # code -> id
    allowed_organisation_ids: set[int] | None  # None: any (admins)
    locked: set[tuple[int, int, dt.date]] = field(default_factory=set)  # (metric, org, period)
    today: dt.date = field(default_factory=dt.date.today)


class FileError(Exception):
    """The file as a whole cannot be read; nothing in it is checked further."""


def parse_csv(content: bytes) -> pd.DataFrame:
    """Rows of text with the six columns, or FileError naming the problem."""
    if not content.strip():
        raise FileError("The file is empty.")
    try:
        text = content.decode("utf-8-sig")  # a byte-order mark is fine
    except UnicodeDecodeError as exc:
        raise FileError(
            f"The file is not UTF-8 text (unreadable byte at position {exc.start}). "
            "Save it as 'CSV UTF-8' and try again."
        ) from None
    header = next(csv.reader(io.StringIO(text)), [])
    names = [name.strip() for name in header]
    missing = [c for c in COLUMNS if c not in names]
    extra = [n for n in names if n not in COLUMNS]
    problems = []
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    if extra:
        problems.append(f"unexpected column(s): {', '.join(extra) or '(blank)'}")
    if len(set(names)) != len(names):
        problems.append("a column appears twice")
    if problems:
        raise FileError(
            "The header row is wrong: "
            + "; ".join(problems)
            + ". The columns must be "
            + ", ".join(COLUMNS)
            + "."
        )
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True
        )
    except pd.errors.ParserError as exc:
        raise FileError(f"The file is not valid CSV: {exc}") from None
    frame.columns = names
    if frame.empty:
        raise FileError("The file has a header row but no data rows.")
    return rows_frame(frame)


def rows_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Normalise a frame of text rows (from CSV or JSON) and number its rows
    as lines in a CSV file would be (the header is row 1)."""
    frame = frame.reindex(columns=COLUMNS).fillna("").astype(str)
    frame = frame.apply(lambda column: column.str.strip())
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")
    return frame


def _errors(mask: pd.Series, column: str, message) -> pd.DataFrame:
    """Errors for the rows where `mask` holds. `message` is text, a Series of
    text per row, or a callable building that Series for the flagged rows only
    (so a clean file of 100,000 rows builds no messages)."""
    rows = mask[mask].index
    if callable(message):
        messages = message(rows) if len(rows) else []
    elif isinstance(message, str):
        messages = message
    else:
        messages = message[mask]
    return pd.DataFrame({"row": rows, "column": column, "message": messages})


NHS_NUMBER_MESSAGE = (
    "This looks like an NHS number. Concord holds aggregate data only: remove patient identifiers."
)
# A number whose value is a whole number of ten digits however it is written:
# 9434765919.0, -9434765919.00, 0009434765919 (a JSON number that passed
# through a float, or a spreadsheet's export); the ten digits are group 1.
WHOLE_TEN_DIGITS = r"[+-]?0*([1-9]\d{9})(?:\.0*)?"
EXPONENT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)e[+-]?\d+", re.IGNORECASE)


def _exponent_ten_digits(text: str) -> str | None:
    """The ten digits of a number written with an exponent (9.434765919e9)
    whose value is a whole number of ten digits, else None."""
    if not EXPONENT.fullmatch(text):
        return None
    number = abs(Decimal(text))
    if not 10**9 <= number < 10**10 or number != number.to_integral_value():
        return None
    return str(int(number))


def _looks_like_nhs_number(text: pd.Series) -> pd.Series:
    """Ten digits whose modulus-11 check digit is valid, written as digits
    (spaces and hyphens allowed) or as a number whose value is such a whole
    number (9434765919.0): Concord holds aggregate data only, so such a value
    is refused wherever it appears. A number with a fraction is not one."""
    # Checked once per distinct text, and only texts long enough to hold ten
    # digits or with an exponent: a column of codes or dates has few distinct
    # values.
    distinct = pd.Series(
        [s for s in pd.unique(text.to_numpy()) if len(s) >= 10 or "e" in s or "E" in s],
        dtype=object,
    )
    if distinct.empty:
        return pd.Series(False, index=text.index)
    digits = distinct.str.replace(r"[\s-]", "", regex=True)
    ten = digits.where(digits.str.fullmatch(r"\d{10}"))
    compact = distinct.str.replace(r"\s", "", regex=True)
    ten = ten.where(ten.notna(), compact.str.extract(f"^{WHOLE_TEN_DIGITS}$", expand=False))
    exponent = ten.isna() & compact.str.contains("e", case=False, regex=False)
    if exponent.any():
        ten[exponent] = compact[exponent].map(_exponent_ten_digits)
    candidate = ten.notna()
    if not candidate.any():
        return pd.Series(False, index=text.index)
    matrix = np.array([[int(ch) for ch in s] for s in ten[candidate]])
    remainder = (matrix[:, :9] * np.arange(10, 1, -1)).sum(axis=1) % 11
    check = (11 - remainder) % 11
    valid = distinct[candidate][(check != 10) & (check == matrix[:, 9])]
    return text.isin(set(valid))


def _attribute(codes: pd.Series, metrics: dict[str, MetricSpec], name: str) -> pd.Series:
    """A MetricSpec attribute per row (looked up by code), NaN where unknown."""
    return codes.map({code: getattr(spec, name) for code, spec in metrics.items()})


def _flag(codes: pd.Series, metrics: dict[str, MetricSpec], name: str) -> pd.Series:
    """A boolean MetricSpec attribute per row, False where the metric is unknown."""
    return _attribute(codes, metrics, name).eq(True)


def validate(rows: pd.DataFrame, ref: Reference) -> tuple[pd.DataFrame, list[dict]]:
    """Check every row. Returns (clean rows, errors); the clean rows are only
    meaningful when there are no errors. Clean rows have metric_id,
    organisation_id, period_start (date), numerator, denominator, value."""
    found = []

    for column in COLUMNS:
        found.append(
            _errors(
                _looks_like_nhs_number(rows[column]),
                column,
                NHS_NUMBER_MESSAGE,
            )
        )

    metric = rows["metric_code"].map(ref.metrics)
    found.append(_errors(rows["metric_code"] == "", "metric_code", "Give a metric code."))
    found.append(
        _errors(
            (rows["metric_code"] != "") & metric.isna(),
            "metric_code",
            lambda at: "Unknown metric code '" + rows.loc[at, "metric_code"] + "'.",
        )
    )

    org_id = rows["organisation_code"].map(ref.organisations)
    found.append(
        _errors(rows["organisation_code"] == "", "organisation_code", "Give an organisation code.")
    )
    found.append(
        _errors(
            (rows["organisation_code"] != "") & org_id.isna(),
            "organisation_code",
            lambda at: "Unknown organisation code '" + rows.loc[at, "organisation_code"] + "'.",
        )
    )
    if ref.allowed_organisation_ids is not None:
        forbidden = org_id.notna() & ~org_id.isin(ref.allowed_organisation_ids)
        found.append(
            _errors(
                forbidden,
                "organisation_code",
                lambda at: (
                    "You may not submit data for '" + rows.loc[at, "organisation_code"] + "'."
                ),
            )
        )

    period = pd.to_datetime(rows["period_start"], format="%Y-%m-%d", errors="coerce")
    found.append(
        _errors(
            period.isna(), "period_start", "Not a date: use the form YYYY-MM-DD, e.g. 2025-04-01."
        )
    )
    found.append(
        _errors(
            period.notna() & (period > pd.Timestamp(ref.today)),
            "period_start",
            "The period is in the future.",
        )
    )
    frequency = _attribute(rows["metric_code"], ref.metrics, "frequency")
    month = period.dt.month
    month_ok = frequency.isna() | month.isna()
    for name, months in FIRST_MONTH.items():
        month_ok |= frequency.eq(name) & month.isin(list(months))
    aligned = period.dt.day.eq(1) & month_ok
    misaligned = period.notna() & frequency.notna() & ~aligned
    found.append(
        _errors(
            misaligned,
            "period_start",
            lambda at: (
                "The metric is "
                + frequency[at].fillna("")
                + ": the period must start on "
                + frequency[at].map(FREQUENCY_RULE).fillna("")
                + "."
            ),
        )
    )

    numbers = {}
    for column in NUMBER_COLUMNS:
        given = rows[column] != ""
        numbers[column] = pd.to_numeric(rows[column].where(given), errors="coerce")
        found.append(
            _errors(
                given & numbers[column].isna(),
                column,
                lambda at, column=column: "Not a number: '" + rows.loc[at, column] + "'.",
            )
        )
        found.append(
            _errors(given & ~np.isfinite(numbers[column].fillna(0)), column, "Not a finite number.")
        )
    numerator, denominator, value = (numbers[c] for c in NUMBER_COLUMNS)
    has = {c: rows[c] != "" for c in NUMBER_COLUMNS}

    is_ratio = _flag(rows["metric_code"], ref.metrics, "is_ratio")
    is_proportion = _flag(rows["metric_code"], ref.metrics, "is_proportion")
    known = metric.notna()
    found.append(
        _errors(
            known & is_ratio & has["value"],
            "value",
            "This metric is a ratio: give the numerator and denominator, not a value.",
        )
    )
    found.append(_errors(known & is_ratio & ~has["numerator"], "numerator", "Give the numerator."))
    found.append(
        _errors(known & is_ratio & ~has["denominator"], "denominator", "Give the denominator.")
    )
    found.append(
        _errors(
            known & is_ratio & (denominator <= 0),
            "denominator",
            "The denominator must be above zero.",
        )
    )
    found.append(
        _errors(
            known & is_ratio & (numerator < 0), "numerator", "The numerator cannot be negative."
        )
    )
    found.append(
        _errors(
            known & is_proportion & (numerator > denominator),
            "numerator",
            "For a proportion the numerator cannot be larger than the denominator.",
        )
    )
    found.append(_errors(known & ~is_ratio & ~has["value"], "value", "Give a value."))
    found.append(
        _errors(
            known & ~is_ratio & (has["numerator"] | has["denominator"]),
            "numerator",
            "This metric takes a single value: leave numerator and denominator empty.",
        )
    )

    metric_id = _attribute(rows["metric_code"], ref.metrics, "id")
    keys = pd.DataFrame({"m": metric_id, "o": org_id, "p": period})
    complete = keys.notna().all(axis=1)
    duplicated = complete & keys.duplicated(keep="first")
    first_row = keys[complete].reset_index().groupby(["m", "o", "p"])["row"].transform("first")
    first_row.index = keys[complete].index
    found.append(
        _errors(
            duplicated,
            "metric_code",
            lambda at: (
                "Duplicate of row "
                + first_row.reindex(at).fillna(0).astype(int).astype(str)
                + " (same metric, organisation and period)."
            ),
        )
    )
    if ref.locked:
        locked = pd.Series(False, index=rows.index)
        present = keys[complete].astype({"m": int, "o": int})
        locked[complete] = pd.MultiIndex.from_frame(present).isin(
            [(m, o, pd.Timestamp(p)) for m, o, p in ref.locked]
        )
        found.append(
            _errors(
                locked,
                "period_start",
                "The commissioner has accepted and locked this period; ask them to unlock it "
                "before resubmitting.",
            )
        )

    errors = pd.concat(found, ignore_index=True)
    errors = errors.sort_values(["row", "column"], kind="stable")
    clean = pd.DataFrame(
        {
            "metric_id": metric_id,
            "organisation_id": org_id,
            "period_start": period.dt.date,
            "numerator": numerator,
            "denominator": denominator,
            "value": np.where(
                is_ratio,
                numerator / denominator * _attribute(rows["metric_code"], ref.metrics, "factor"),
                value,
            ),
        },
        index=rows.index,
    )
    return clean, [
        {"row": int(row), "column": column, "message": message}
        for row, column, message in errors.itertuples(index=False)
    ]
