"""A table as a CSV or Excel (.xlsx) download.

CSV goes through outcomes.exports (every formula-leading cell escaped). In a
workbook, numbers and dates are written as typed cells, which a spreadsheet
never evaluates, so they stay numbers; every other value is written as the
text `exports.escape_cell` gives it, so text such as `=HYPERLINK(...)` is
shown, not run (openpyxl itself would store a string starting with = as a
formula)."""

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO

from django.http import Http404, HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from outcomes.exports import csv_response, escape_cell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def as_shown(value, unit: str = "", digits: int = 1) -> Decimal | None:
    """A figure as the pages show it, still a number: rounded half up (as
    outcomes.charts.fmt and floatformat round) to one decimal place, or two
    for money; None when missing. A Decimal keeps its places in a CSV
    (1416.10, not 1416.1) and is a typed number in a workbook."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if unit == "£":
        digits = 2
    return Decimal(str(float(value))).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)


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
