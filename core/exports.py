"""Exporting rows as CSV that is safe to open in a spreadsheet.

A cell whose text starts with =, +, - or @ (or a tab or carriage return) is
read by Excel, LibreOffice and Google Sheets as a formula, so a value such as
`=HYPERLINK("http://evil.example", "click")` in a submitted file could run
when someone opens an export (CSV or formula injection, OWASP). Every such
cell is prefixed with a single quote, which spreadsheets show as text.

Numbers are the exception: a finite int, float or Decimal is written as
the number it is, so -41035.93 stays a number that a spreadsheet adds up.
It cannot be a formula, and as text (as '-41035.93, which an earlier rule
wrote) a SUM over a column of net transfers silently left out every
negative one. Text that merely looks like a negative number ("-5" typed in
a file) is still escaped: only the value's type exempts it.

`escape_cell` and `export_text` work on single values; `csv_response`
streams rows as a UTF-8 CSV attachment (with a byte-order mark, so Excel
reads the text as UTF-8). In an Excel (.xlsx) workbook numbers and dates are
typed cells, which a spreadsheet never evaluates; every other value is the
text `escape_cell` gives it, so `=HYPERLINK(...)` is shown, not run (openpyxl
itself would store a string starting with = as a formula). `table_response`
answers a `Table` as either.
"""

import csv
import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from django.http import Http404, HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BYTE_ORDER_MARK = "\ufeff"


def export_text(value) -> str:
    """A value as the text a cell shows: None is empty, booleans are
    true/false, dates ISO 8601, Decimals as stored (no exponent)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def escape_cell(value) -> str:
    """The cell's text, prefixed with a single quote when a spreadsheet would
    read it as a formula; a finite number is left as it is (-5 -> -5, but the
    text "-5" -> '-5)."""
    text = export_text(value)
    if _is_number(value) or not text.startswith(FORMULA_PREFIXES):
        return text
    return "'" + text


def _is_number(value) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return False
    return math.isfinite(value)


class _Echo:
    """A file-like object whose write returns what it was given, so
    csv.writer can produce one line at a time for a streaming response."""

    def write(self, value):
        return value


def csv_lines(header: Iterable, rows: Iterable[Iterable]) -> Iterable[str]:
    """The header and each row as escaped CSV lines, lazily."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield BYTE_ORDER_MARK + writer.writerow([escape_cell(cell) for cell in header])
    for row in rows:
        yield writer.writerow([escape_cell(cell) for cell in row])


def csv_response(
    filename: str, header: Iterable, rows: Iterable[Iterable]
) -> StreamingHttpResponse:
    """A streamed `text/csv` attachment: rows are written as they are read,
    so a large export never sits in memory."""
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(header, rows)),
        content_type="text/csv; charset=utf-8",
    )
    safe_name = "".join(ch for ch in filename if ch.isalnum() or ch in "._-") or "export.csv"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def xlsx_cell(value):
    """The value a workbook cell holds: typed numbers and dates, escaped text."""
    if isinstance(value, bool) or value is None:
        return escape_cell(value) or None
    if isinstance(value, int | float | Decimal | dt.date):
        return value
    return escape_cell(value)


def sheet_title(title: str) -> str:
    """Excel's sheet names are at most 31 characters, without []:*?/ or a
    backslash: a longer title is cut at a word and ends with '…'."""
    clean = "".join(ch for ch in title if ch not in "[]:*?/\\").strip()
    if len(clean) > 31:
        clean = clean[:30].rsplit(" ", 1)[0] + "…"
    return clean or "Table"


def xlsx_bytes(title: str, header, rows) -> bytes:
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = sheet_title(title)
    sheet.append([escape_cell(cell) for cell in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([xlsx_cell(cell) for cell in row])
    for column in sheet.columns:
        width = max(len(str(cell.value or "")) for cell in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def safe_stem(stem: str) -> str:
    return "".join(ch for ch in stem if ch.isalnum() or ch in "._-") or "table"


def table_response(stem: str, file_format: str, title: str, header, rows):
    """`stem.csv` or `stem.xlsx` as an attachment."""
    stem = safe_stem(stem)
    if file_format == "csv":
        return csv_response(f"{stem}.csv", header, rows)
    if file_format != "xlsx":
        raise Http404("Downloads are CSV or Excel (.xlsx).")
    response = HttpResponse(xlsx_bytes(title, header, rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@dataclass
class Table:
    """A table as downloaded: a title, a header and rows of plain values."""

    name: str
    title: str
    header: list
    rows: list
