"""Receiving and storing measurements: the one service every submission path
(browser upload, API, `manage.py import_measurements`) goes through.

Before anything else, `receive` screens the raw file for what looks like an
NHS number (outcomes.validation.screen): a file holding one is rejected at
once and nothing of it is kept, neither the file nor its checksum, only
which rows and columns held one. Then the file is kept and a submission is
validated whole (outcomes.validation). If any row is wrong nothing is stored
and every error is kept on the submission; otherwise every row is stored in
one transaction as added, revised (a new revision, the old one kept) or
unchanged (nothing written)."""

import datetime as dt
import hashlib
import logging
from decimal import Decimal

import pandas as pd
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from contracts.access import data_scope
from contracts.models import Organisation
from core.permissions import require
from core.roles import is_admin
from outcomes.bulk import insert_rows
from outcomes.choices import RATIO_TYPES, MetricType, SubmissionStatus
from outcomes.locks import SUBMISSION_PROCESSING, held_alone
from outcomes.models import Measurement, Metric, Submission
from outcomes.permissions import can_submit
from outcomes.services import period_locks
from outcomes.services.rescore import mark_pending
from outcomes.validation import (
    FILE_NOT_KEPT,
    FileError,
    MetricSpec,
    Reference,
    file_error,
    parse_csv,
    redact,
    screen,
    validate,
)

logger = logging.getLogger(__name__)
VALUE_PLACES = Decimal("0.00000001")
OUTLIER_Z = 3


def max_upload_bytes() -> int:
    return getattr(settings, "SUBMISSION_MAX_BYTES", 10_000_000)


def too_big(size: int) -> str:
    return (
        f"The file is {filesizeformat(size)}; the most Concord accepts is "
        f"{filesizeformat(max_upload_bytes())}. Split it into smaller files."
    )


def receive(*, user, content: bytes, name: str, channel: str) -> Submission:
    """Keep the original file and open a submission for it; `process` does
    the rest. A file that looks like it holds an NHS number, or is too
    large, is rejected at once and not kept."""
    require(can_submit(user), "Your role does not allow submitting data.")
    submission = Submission(submitted_by=user, channel=channel, original_name=redact(name)[:255])
    screening = screen(content)  # before anything else is done with the file
    if screening.errors:
        submission.row_count = screening.rows
        _reject_at_once(submission, [file_error(FILE_NOT_KEPT), *screening.errors])
        logger.warning(
            "Submission %s by %s rejected: %d cell(s) look like NHS numbers; the file was not kept",
            submission.pk,
            user.username,
            len(screening.errors),
        )
        return submission
    submission.sha256 = hashlib.sha256(content).hexdigest()
    if len(content) > max_upload_bytes():
        _reject_at_once(submission, [file_error(too_big(len(content)))])  # no copy is kept
    else:
        submission.original_file.save(
            f"{channel}-{submission.sha256[:16]}.csv", ContentFile(content), save=False
        )
        submission.save()
    return submission


def _reject_at_once(submission: Submission, errors: list[dict]) -> None:
    """Reject a submission as it is received, keeping no copy of its file."""
    submission.status = SubmissionStatus.REJECTED
    submission.finished_at = timezone.now()
    submission.errors = errors
    submission.save()


def json_rows_to_csv(rows: list[dict]) -> bytes:
    """JSON rows are kept as the equivalent CSV, so all paths share one parser."""
    frame = pd.DataFrame(rows)
    return frame.to_csv(index=False).encode()


def reference_for(user, today: dt.date | None = None) -> Reference:
    metrics = {
        code: MetricSpec(
            id=pk,
            frequency=frequency,
            is_ratio=metric_type in RATIO_TYPES,
            is_proportion=metric_type == MetricType.PROPORTION,
            factor=float(factor),
        )
        for pk, code, frequency, metric_type, factor in Metric.objects.values_list(
            "pk", "code", "frequency", "metric_type", "factor"
        )
    }
    organisations = dict(Organisation.objects.values_list("code", "pk"))
    allowed = None if is_admin(user) else set(data_scope(user).values_list("pk", flat=True))
    return Reference(
        metrics=metrics,
        organisations=organisations,
        allowed_organisation_ids=allowed,
        today=today or timezone.localdate(),
    )


def file_keys(clean: pd.DataFrame) -> set[tuple[int, int, dt.date]]:
    """The (metric, organisation, period) of every clean row."""
    return set(
        zip(
            clean["metric_id"].astype(int),
            clean["organisation_id"].astype(int),
            clean["period_start"],
            strict=True,
        )
    )


def kept_warnings(rows, clean, kept: dict) -> list[dict]:
    """A warning for each row correcting a month some contracts accepted:
    stored, but they keep the value they accepted until they unlock it.
    Each names its organisation, as the outlier warnings do: only those who
    may see its data are shown it (selectors.visible_warnings)."""
    warnings = []
    for row, metric, organisation, period in zip(
        clean.index,
        clean["metric_id"].astype(int),
        clean["organisation_id"].astype(int),
        clean["period_start"],
        strict=True,
    ):
        contracts = kept.get((metric, organisation, period))
        if contracts:
            warnings.append(
                {
                    "row": int(row),
                    "organisation": int(organisation),
                    "message": redact(
                        f"{rows.at[row, 'metric_code']} for {rows.at[row, 'organisation_code']} "
                        f"in {rows.at[row, 'period_start']}: the commissioner of "
                        f"{', '.join(contracts)} accepted and locked this period, so that "
                        "contract keeps the value it accepted until its commissioner unlocks "
                        "the month. Your correction counts for the other contracts holding "
                        "this metric."
                    ),
                }
            )
    return warnings


def _set_status(submission, status, **fields):
    submission.status = status
    for name, value in fields.items():
        setattr(submission, name, value)
    if status in (SubmissionStatus.STORED, SubmissionStatus.REJECTED, SubmissionStatus.FAILED):
        submission.finished_at = timezone.now()
    submission.save()


def process(submission: Submission, today: dt.date | None = None) -> Submission:
    """Validate the submission's file and store it or reject it. Idempotent:
    a finished submission is left as it is, and while one worker processes it
    another given the same submission (a task published twice) leaves it
    alone. An unexpected failure marks it failed (storing is one transaction,
    so nothing of it is kept)."""
    with held_alone(SUBMISSION_PROCESSING, submission.pk) as mine:
        if not mine:
            return submission
        submission.refresh_from_db()
        if submission.is_finished:
            return submission
        return _process(submission, today)


def _process(submission: Submission, today: dt.date | None) -> Submission:
    try:
        return _validate_and_store(submission, today)
    except Exception:
        logger.exception("Submission %s could not be processed", submission.pk)
        message = (
            "Concord could not finish processing this file, so nothing in it was stored. "
            f"Try again; if it fails again, contact support quoting submission {submission.pk}."
        )
        _set_status(
            submission,
            SubmissionStatus.FAILED,
            errors=[file_error(message)],
        )
        return submission


def _validate_and_store(submission: Submission, today: dt.date | None) -> Submission:
    _set_status(submission, SubmissionStatus.VALIDATING)
    user = submission.submitted_by
    try:
        with submission.original_file.open("rb") as handle:
            content = handle.read()
        rows = parse_csv(content)
    except FileError as exc:
        _set_status(
            submission,
            SubmissionStatus.REJECTED,
            errors=[file_error(str(exc))],
        )
        return submission
    ref = reference_for(user, today)
    clean, errors = validate(rows, ref)
    held = period_locks.Locks()
    if not errors:
        # Validated again only if the file restates a value every contract
        # holding it has accepted (locked): some contract must be open to it.
        held = period_locks.locks(file_keys(clean))
        ref.locked = held.refused
        if ref.locked:
            clean, errors = validate(rows, ref)
    submission.row_count = len(rows)
    if errors:
        _set_status(submission, SubmissionStatus.REJECTED, errors=errors)
        return submission
    _set_status(submission, SubmissionStatus.STORING)
    # Before store(), outside its locks.
    warnings = outlier_warnings(rows, clean) + kept_warnings(rows, clean, held.kept)
    added, revised, unchanged = store(submission, rows, clean)
    _set_status(
        submission,
        SubmissionStatus.STORED,
        added=added,
        revised=revised,
        unchanged=unchanged,
        warnings=warnings,
    )
    return submission


def _decimals(texts: pd.Series) -> list[Decimal | None]:
    return [Decimal(text) if text != "" else None for text in texts.tolist()]


def _rows_with_values(rows: pd.DataFrame, metric_ids: list[int], metrics: dict):
    """(numerator, denominator, value) per row as exact Decimals: for a ratio
    numerator / denominator x factor, otherwise the value given; quantized to
    8 places. The same arithmetic for every path, one tight loop."""
    ratio_factor = {pk: m.factor if m.is_ratio else None for pk, m in metrics.items()}
    places = VALUE_PLACES
    numerators, denominators = _decimals(rows["numerator"]), _decimals(rows["denominator"])
    values = []
    for metric_id, numerator, denominator, text in zip(
        metric_ids, numerators, denominators, rows["value"].tolist(), strict=True
    ):
        factor = ratio_factor[metric_id]
        if factor is not None:
            values.append((numerator / denominator * factor).quantize(places))
        else:
            values.append(Decimal(text).quantize(places))
    return numerators, denominators, values


@transaction.atomic
def store(submission, rows: pd.DataFrame, clean: pd.DataFrame):
    """Write the new revisions. Returns (added, revised, unchanged)."""
    metric_ids = clean["metric_id"].astype(int).tolist()
    organisation_ids = clean["organisation_id"].astype(int).tolist()
    periods = clean["period_start"].tolist()
    metrics = {m.pk: m for m in Metric.objects.filter(pk__in=set(metric_ids))}
    pair_filter = series_filter(clean)
    # Two submissions about one organisation queue up here, so the second
    # reads the first's revisions once it has committed (locking the current
    # measurements instead would miss a period that had none). In pk order,
    # so submissions about several organisations cannot deadlock.
    list(
        Organisation.objects.select_for_update()
        .filter(pk__in=set(organisation_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    current = {
        (metric_id, organisation_id, period): rest
        for metric_id, organisation_id, period, *rest in Measurement.objects.filter(
            pair_filter, is_current=True
        )
        .order_by()
        .values_list(
            "metric_id",
            "organisation_id",
            "period_start",
            "pk",
            "numerator",
            "denominator",
            "value",
            "revision",
        )
    }
    numerators, denominators, values = _rows_with_values(rows, metric_ids, metrics)
    new, superseded, unchanged = [], [], 0
    for key, numerator, denominator, value in zip(
        zip(metric_ids, organisation_ids, periods, strict=True),
        numerators,
        denominators,
        values,
        strict=True,
    ):
        old = current.get(key)
        revision = 1
        if old is not None:
            pk, old_numerator, old_denominator, old_value, old_revision = old
            if (old_numerator, old_denominator, old_value) == (numerator, denominator, value):
                unchanged += 1
                continue
            superseded.append(pk)
            revision = old_revision + 1
        new.append((*key, numerator, denominator, value, revision, True, submission.pk))
    # Contracts that accepted a month keep the revision they accepted.
    period_locks.keep_accepted(
        {key: current[key][0] if key in current else None for key in (row[:3] for row in new)},
        submission.submitted_by,
    )
    Measurement.objects.filter(pk__in=superseded).update(is_current=False)
    insert_rows(Measurement, FIELD_ATTNAMES, new)
    if new:
        mark_pending(submission)  # in this transaction: stored rows are never left unscored
    return len(new) - len(superseded), len(superseded), unchanged


def series_filter(clean: pd.DataFrame) -> Q:
    """A superset of the rows' series by metric and organisation: one query,
    not one OR per pair; series not in the file are never looked up."""
    return Q(
        metric_id__in=set(clean["metric_id"].astype(int)),
        organisation_id__in=set(clean["organisation_id"].astype(int)),
    )


FIELD_ATTNAMES = [
    "metric_id",
    "organisation_id",
    "period_start",
    "numerator",
    "denominator",
    "value",
    "revision",
    "is_current",
    "submission_id",
]


def outlier_warnings(rows, clean) -> list[dict]:
    """|z| > 3 against the organisation's own history of the metric (DHIS2's
    default): warned about, never rejected. The history is every current
    value of the series for periods other than those submitted now. Each
    warning names its organisation's id: only those who may see that
    organisation's data are shown it."""
    keys = ["metric_id", "organisation_id"]
    history = pd.DataFrame.from_records(
        Measurement.objects.filter(series_filter(clean), is_current=True).values_list(
            "metric_id", "organisation_id", "period_start", "value"
        ),
        columns=[*keys, "period_start", "value"],
    )
    if history.empty:
        return []
    submitted = clean.assign(row=clean.index).astype({"metric_id": int, "organisation_id": int})
    history = history.merge(
        submitted[[*keys, "period_start"]],
        on=[*keys, "period_start"],
        how="left",
        indicator=True,
    )
    history = history[history["_merge"] == "left_only"]
    stats = (
        history.assign(value=history["value"].astype(float))
        .groupby(keys)["value"]
        .agg(["mean", "std", "count"])
    )
    stats = stats[(stats["count"] >= 3) & (stats["std"] > 0)].reset_index()
    scored = submitted.merge(stats, on=keys)
    scored["z"] = (scored["value"].astype(float) - scored["mean"]) / scored["std"]
    flagged = scored[scored["z"].abs() > OUTLIER_Z]
    return [
        {
            "row": int(row),
            "organisation": int(organisation),  # who may read it (selectors.visible_warnings)
            "message": redact(
                f"{rows.at[row, 'metric_code']} for {rows.at[row, 'organisation_code']} "
                f"in {rows.at[row, 'period_start']} is {abs(z):.1f} standard deviations from "
                "this organisation's usual values: check it is right."
            ),
        }
        for row, organisation, z in zip(
            flagged["row"], flagged["organisation_id"], flagged["z"], strict=True
        )
    ]


def submit(*, user, content: bytes, name: str, channel: str, today=None) -> Submission:
    """Receive and process in one go (the command and tests)."""
    return process(receive(user=user, content=content, name=name, channel=channel), today)
