"""Validating a batch of measurements: pure pandas, no Django, so every
submission path (browser, API, command) shares it and it is fast to test.

`screen` comes first: it looks through the raw file, every cell and the
header, for what looks like an NHS number, whatever the file's encoding or
shape, so a file holding one is refused before it is kept or read further.
`parse_csv` turns bytes into rows of text; `validate` checks every row against
the reference data and returns the clean rows and every error, each naming its
row (the line in the file: the header is row 1) and column. A message that
quotes what was sent passes it through `redact`, so no message repeats what
looks like an NHS number."""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from core.inputs import is_nhs_number

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


def file_error(message: str) -> dict:
    """An error about the file as a whole: no row, no column."""
    return {"row": None, "column": None, "message": message}


def describe_error(error: dict) -> str:
    """An error as one line: "Row 3, column value: ..." (the file as a
    whole: the message alone)."""
    where = []
    if error.get("row") is not None:
        where.append(f"Row {error['row']}")
    if error.get("column"):
        where.append(f"column {error['column']}")
    return f"{', '.join(where)}: {error['message']}" if where else error["message"]


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
        problems.append(f"unexpected column(s): {redact(', '.join(extra)) or '(blank)'}")
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
        raise FileError(f"The file is not valid CSV: {redact(exc)}") from None
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


# --- Patient identifiers: screened before anything else is read ---

NHS_NUMBER_MESSAGE = (
    "This looks like an NHS number. Concord holds aggregate data only: remove patient identifiers."
)
FILE_NOT_KEPT = (
    "The file was not kept: it holds what looks like an NHS number, so Concord kept no copy "
    "of it. Remove the patient identifiers and submit the file again."
)
IDENTIFIER_MASK = "[suspected NHS number]"
# What people put between the digits of an NHS number: spaces (also no-break
# and thin ones, tabs) and hyphens or dashes. Never a line break, comma or
# quote: those end a cell, so a run of digits never crosses cells.
SEPARATORS = " \t\v\f\u00a0\u2007\u202f-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
# A run of at least ten digits with separators between them, as long as it
# goes (twelve digits are not ten digits and two more).
DIGIT_RUN = re.compile(f"[0-9](?:[{re.escape(SEPARATORS)}]*+[0-9]){{9,}}+")
# After a run written as a plain number: a fraction and an exponent.
NUMBER_TAIL = re.compile(r"(\.[0-9]*)?([eE][+-]?[0-9])?")
# A number written with an exponent (9.434765919e9), not part of a code.
EXPONENT = re.compile(r"(?<![0-9A-Za-z.])[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+")
# A quick test every file passes through: a text can hold an identifier only
# if, with the separators taken out (and anything not ASCII), it has ten
# digits in a row or a digit or point before an exponent. Searched for as
# plain bytes, with every digit written 0: several times faster than a regex.
SQUEEZE = str.maketrans("", "", SEPARATORS)
DIGITS_AS_ZERO = bytes.maketrans(b"0123456789E", b"0000000000e")
MAY_HOLD = (b"0" * 10, b"0e0", b"0e+0", b".e0", b".e+0")


def _ten_digits(digits: str) -> str | None:
    """Ten digits, also with leading zeros (0009434765919 is 9434765919)."""
    if len(digits) > 10:
        digits = digits.lstrip("0")
    return digits if len(digits) == 10 else None


def _exponent_ten_digits(text: str) -> str | None:
    """The ten digits of a number written with an exponent (9.434765919e9)
    whose value is a whole number of ten digits, else None."""
    try:
        number = abs(Decimal(text))
        whole = number == number.to_integral_value()
    except ArithmeticError:  # an exponent too large for any arithmetic
        return None
    return str(int(number)) if whole and 10**9 <= number < 10**10 else None


def identifier_spans(text: str) -> list[tuple[int, int]]:
    """Where `text` holds what looks like an NHS number: ten digits whose
    modulus-11 check digit is valid, however they are spaced or hyphenated
    (9434765919, 943 476 5919, 943-476-5919), or a number whose value is
    such a whole number (9434765919.0, +0009434765919, 9.434765919e9).
    Anywhere in the text, not only as the whole of it. A number with a
    fraction (9434765919.5, 0.9434765919) is not one, nor is a run of more
    than ten digits."""
    spans = []
    for run in DIGIT_RUN.finditer(text):
        start, end = run.span()
        plain = run.group().isdigit()  # a number, not digits spaced out
        if plain:
            before = text[max(start - 2, 0) : start]
            if before.endswith(".") and not before[:-1].isalpha():
                continue  # the fraction of a number
            fraction, exponent = NUMBER_TAIL.match(text, end).groups()
            if exponent or (fraction and fraction.strip(".0")):
                continue  # a number with an exponent (below) or a fraction
            end += len(fraction or "")  # 9434765919.0 is masked whole
        ten = _ten_digits(re.sub("[^0-9]", "", run.group()))
        if ten and is_nhs_number(ten):
            spans.append((start, end))
    for number in EXPONENT.finditer(text):
        ten = _exponent_ten_digits(number.group())
        if ten and is_nhs_number(ten):
            spans.append(number.span())
    return sorted(spans)


def redact(text: str) -> str:
    """`text` with whatever looks like an NHS number masked: every message
    that quotes what someone sent passes it through this."""
    text = str(text)
    for start, end in reversed(identifier_spans(text)):
        text = text[:start] + IDENTIFIER_MASK + text[end:]
    return text


def quoted(texts: pd.Series) -> pd.Series:
    """Cell values quoted for a message, redacted."""
    return "'" + texts.map(redact) + "'"


def column_label(index: int, header: list[str]) -> str:
    """A column by its name when it is one of COLUMNS, else by its letter as
    a spreadsheet shows it (a header can hold anything, even an identifier)."""
    name = header[index] if index < len(header) else ""
    return name if name in COLUMNS else get_column_letter(index + 1)


@dataclass
class Screening:
    """What screening found: an error per cell holding what looks like an
    NHS number (none: the file may be read), and how many data rows the file
    has."""

    errors: list[dict]
    rows: int = 0


CSV_BREAK = re.compile(r'"|,|\r\n?|\n')


def _cells(text: str):
    """(row, column index, start, end) of every cell of `text` read leniently
    as CSV: a quote opens or closes quoted text wherever it is and nothing
    is an error, so a malformed file is cut into cells too. Rows are
    numbered as parse_csv numbers them: the header is row 1, and blank lines
    are skipped."""
    row, column, start, quoted_text = 1, 0, 0, False
    for mark in CSV_BREAK.finditer(text):
        if mark.group() == '"':
            quoted_text = not quoted_text
            continue
        if quoted_text:
            continue
        yield row, column, start, mark.start()
        if mark.group() == ",":
            column += 1
        else:
            if column or mark.start() > start:
                row += 1
            column = 0
        start = mark.end()
    yield row, column, start, len(text)


def screening_text(content: bytes) -> str:
    """The file as text, however it is encoded: UTF-8, else Latin-1 (which
    reads any bytes), without NUL characters (so UTF-16, whose digits are
    ASCII bytes between NULs, reads as its digits)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
    return text.replace("\x00", "")


def screen(content: bytes) -> Screening:
    """Every cell and the header of a submitted file, checked for what looks
    like an NHS number before anything else is done with the file: before
    it is kept, whatever its encoding, whether or not it is well-formed CSV.
    Each error names the row and column, never the value."""
    text = screening_text(content)
    squeezed = text.translate(SQUEEZE).encode("ascii", "ignore").translate(DIGITS_AS_ZERO)
    if not any(hint in squeezed for hint in MAY_HOLD):
        return Screening(errors=[])
    spans = identifier_spans(text)
    if not spans:
        return Screening(errors=[])
    header, found, rows = [], {}, 0
    starts = iter(start for start, _ in spans)
    start = next(starts, None)
    for row, column, cell_start, cell_end in _cells(text):
        if row == 1:
            header.append(text[cell_start:cell_end].strip().strip('"').strip())
        if column or cell_end > cell_start:
            rows = row
        while start is not None and start < cell_end:
            found[(row, column)] = True
            start = next(starts, None)
    return Screening(
        errors=[
            {"row": row, "column": column_label(column, header), "message": NHS_NUMBER_MESSAGE}
            for row, column in found
        ],
        rows=rows - 1,
    )


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
    metric = rows["metric_code"].map(ref.metrics)
    found.append(_errors(rows["metric_code"] == "", "metric_code", "Give a metric code."))
    found.append(
        _errors(
            (rows["metric_code"] != "") & metric.isna(),
            "metric_code",
            lambda at: "Unknown metric code " + quoted(rows.loc[at, "metric_code"]) + ".",
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
            lambda at: (
                "Unknown organisation code " + quoted(rows.loc[at, "organisation_code"]) + "."
            ),
        )
    )
    if ref.allowed_organisation_ids is not None:
        forbidden = org_id.notna() & ~org_id.isin(ref.allowed_organisation_ids)
        found.append(
            _errors(
                forbidden,
                "organisation_code",
                lambda at: (
                    "You may not submit data for " + quoted(rows.loc[at, "organisation_code"]) + "."
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
                lambda at, column=column: "Not a number: " + quoted(rows.loc[at, column]) + ".",
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
                "The commissioners of every contract holding this metric for the organisation "
                "have accepted and locked this period; ask one of them to unlock it before "
                "resubmitting.",
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
