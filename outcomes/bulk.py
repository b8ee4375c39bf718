"""Writing many rows fast: PostgreSQL's COPY inside the current transaction,
Django's bulk_create elsewhere (SQLite in the embedded default and tests)."""

import csv
import io
import json

from django.db import connection, models

# NULL in COPY's input: an empty field then stays an empty string.
NULL = r"\N"


def insert_rows(model: type[models.Model], fields: list[str], records) -> None:
    """Insert `records` (tuples in the order of `fields`, attribute names such
    as "metric_id"; None for NULL; lists or dicts for JSON fields)."""
    records = list(records)
    if not records:
        return
    meta = [model._meta.get_field(name.removesuffix("_id")) for name in fields]
    if not _copy(model, fields, meta, records):
        model.objects.bulk_create(
            (model(**dict(zip(fields, record, strict=True))) for record in records),
            batch_size=5000,
        )


def _copy(model, fields, meta, records) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        raw = getattr(cursor, "cursor", None)
        if not hasattr(raw, "copy_expert"):
            return False
        json_columns = [i for i, f in enumerate(meta) if isinstance(f, models.JSONField)]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for record in records:
            record = [NULL if value is None else value for value in record]
            for i in json_columns:
                record[i] = json.dumps(record[i])
            writer.writerow(record)
        buffer.seek(0)
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in meta)
        raw.copy_expert(
            f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN "
            f"WITH (FORMAT csv, NULL '{NULL}')",
            buffer,
        )
    return True
