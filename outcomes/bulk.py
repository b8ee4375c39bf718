"""Reading and writing many rows fast.

Writing: PostgreSQL's COPY inside the current transaction, Django's
bulk_create elsewhere (SQLite in the embedded default and tests). Rows come
either as tuples (`insert_rows`) or as a pandas frame whose columns are
attribute names (`insert_frame`); in both, a missing value (None, NaN, NA)
is written as NULL and JSON fields hold lists or dicts.

Reading: `read_frame` runs a values_list queryset's SQL straight through
psycopg2 on PostgreSQL, whose types already match the fields', sparing
Django's per-row converters; elsewhere it iterates the queryset."""

import csv
import io
import json

import pandas as pd
from django.db import connection, models

# NULL in COPY's input: an empty field then stays an empty string.
NULL = r"\N"


def read_frame(queryset, columns: list[str]) -> pd.DataFrame:
    """The rows of a values_list `queryset` as a frame named by `columns`."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(*queryset.query.sql_with_params())
            rows = cursor.fetchall()
    else:
        rows = list(queryset)
    return pd.DataFrame.from_records(rows, columns=columns)


def insert_rows(model: type[models.Model], fields: list[str], records) -> None:
    """Insert `records` (tuples in the order of `fields`, attribute names such
    as "metric_id")."""
    records = list(records)
    if not records:
        return
    meta = _fields(model, fields)
    if _can_copy():
        json_columns = [i for i, f in enumerate(meta) if isinstance(f, models.JSONField)]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for record in records:
            record = [NULL if value is None else value for value in record]
            for i in json_columns:
                record[i] = json.dumps(record[i])
            writer.writerow(record)
        _copy(model, meta, buffer)
    else:
        _bulk_create(model, fields, records)


def insert_frame(model: type[models.Model], frame: pd.DataFrame) -> None:
    """Insert every row of `frame` (columns named by attribute)."""
    if frame.empty:
        return
    fields = list(frame.columns)
    meta = _fields(model, fields)
    if _can_copy():
        frame = frame.copy()
        for name, field in zip(fields, meta, strict=True):
            if isinstance(field, models.JSONField):
                frame[name] = [json.dumps(value) for value in frame[name]]
        buffer = io.StringIO()
        frame.to_csv(buffer, header=False, index=False, na_rep=NULL, lineterminator="\n")
        _copy(model, meta, buffer)
    else:
        cells = frame.astype(object).where(frame.notna(), None)
        _bulk_create(model, fields, cells.itertuples(index=False, name=None))


def _fields(model, names: list[str]) -> list:
    return [model._meta.get_field(name.removesuffix("_id")) for name in names]


def _can_copy() -> bool:
    """COPY needs PostgreSQL (through psycopg2, as the stack fixes)."""
    return connection.vendor == "postgresql"


def _copy(model, meta, buffer: io.StringIO) -> None:
    buffer.seek(0)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in meta)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN "
            f"WITH (FORMAT csv, NULL '{NULL}')",
            buffer,
        )


def _bulk_create(model, fields: list[str], records) -> None:
    model.objects.bulk_create(
        (model(**dict(zip(fields, record, strict=True))) for record in records),
        batch_size=5000,
    )
