"""Receiving and storing measurements: the one service every submission path
(browser upload, API, `manage.py import_measurements`) goes through.

A submission is validated whole (outcomes.validation). If any row is wrong
nothing is stored and every error is kept on the submission; otherwise every
row is stored in one transaction as added, revised (a new revision, the
old one kept) or unchanged (nothing written)."""

import datetime as dt
import hashlib
from decimal import Decimal

import pandas as pd
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from contracts.access import data_scope, has_role
from contracts.choices import Role
from contracts.models import Organisation
from outcomes.choices import RATIO_TYPES, MetricType, ReviewStatus, SubmissionStatus
from outcomes.models import Measurement, Metric, PeriodReview, Submission
from outcomes.validation import FileError, MetricSpec, Reference, parse_csv, validate

SUBMITTER_ROLES = (Role.PROVIDER_USER, Role.NETWORK_MANAGER, Role.COMMISSIONER)
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
    """Keep the original file and open a submission for it; `process` does the rest."""
    if not has_role(user, *SUBMITTER_ROLES):
        raise PermissionDenied("Your role does not allow submitting data.")
    submission = Submission(
        submitted_by=user,
        channel=channel,
        original_name=name[:255],
        sha256=hashlib.sha256(content).hexdigest(),
    )
    if len(content) > max_upload_bytes():
        # Refused at once, and no copy of an over-size file is kept.
        submission.status = SubmissionStatus.REJECTED
        submission.finished_at = timezone.now()
        submission.errors = [{"row": None, "column": None, "message": too_big(len(content))}]
    else:
        submission.original_file.save(
            f"{channel}-{submission.sha256[:16]}.csv", ContentFile(content), save=False
        )
    submission.save()
    return submission


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
    allowed = None if user.is_staff else set(data_scope(user).values_list("pk", flat=True))
    return Reference(
        metrics=metrics,
        organisations=organisations,
        allowed_organisation_ids=allowed,
        today=today or timezone.localdate(),
    )


def locked_keys(clean: pd.DataFrame) -> set[tuple[int, int, dt.date]]:
    """(metric, organisation, period) that a commissioner has accepted: the
    metric is on an accepted contract for that organisation and period."""
    organisations = set(clean["organisation_id"].dropna().astype(int))
    reviews = PeriodReview.objects.filter(
        status=ReviewStatus.ACCEPTED, organisation_id__in=organisations
    ).values_list("organisation_id", "period_start", "contract__metric_versions__metric_id")
    return {(metric, org, period) for org, period, metric in reviews if metric is not None}


def _set_status(submission, status, **fields):
    submission.status = status
    for name, value in fields.items():
        setattr(submission, name, value)
    if status in (SubmissionStatus.STORED, SubmissionStatus.REJECTED, SubmissionStatus.FAILED):
        submission.finished_at = timezone.now()
    submission.save()


def process(submission: Submission, today: dt.date | None = None) -> Submission:
    """Validate the submission's file and store it or reject it. Idempotent:
    a finished submission is left as it is."""
    if submission.is_finished:
        return submission
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
            errors=[{"row": None, "column": None, "message": str(exc)}],
        )
        return submission
    ref = reference_for(user, today)
    clean, errors = validate(rows, ref)
    if not errors:
        ref.locked = locked_keys(clean)
        if ref.locked:
            clean, errors = validate(rows, ref)
    submission.row_count = len(rows)
    if errors:
        _set_status(submission, SubmissionStatus.REJECTED, errors=errors)
        return submission
    _set_status(submission, SubmissionStatus.STORING)
    added, revised, unchanged, warnings = store(submission, rows, clean)
    _set_status(
        submission,
        SubmissionStatus.STORED,
        added=added,
        revised=revised,
        unchanged=unchanged,
        warnings=warnings,
    )
    return submission


def _decimal(text: str) -> Decimal | None:
    return Decimal(text) if text != "" else None


@transaction.atomic
def store(submission, rows: pd.DataFrame, clean: pd.DataFrame):
    """Write the new revisions. Returns (added, revised, unchanged, warnings)."""
    keys = list(
        zip(
            clean["metric_id"].astype(int),
            clean["organisation_id"].astype(int),
            clean["period_start"],
            strict=True,
        )
    )
    metrics = {m.pk: m for m in Metric.objects.filter(pk__in={k[0] for k in keys})}
    # A superset of the rows' series by metric and organisation: one query,
    # not one OR per pair; series not in the file are never looked up.
    pair_filter = Q(metric_id__in={k[0] for k in keys}, organisation_id__in={k[1] for k in keys})
    # Lock the current rows so two submissions for the same period queue up.
    current = {
        (m.metric_id, m.organisation_id, m.period_start): m
        for m in Measurement.objects.select_for_update()
        .filter(pair_filter, is_current=True)
        .only(
            "pk",
            "metric_id",
            "organisation_id",
            "period_start",
            "numerator",
            "denominator",
            "value",
            "revision",
        )
    }
    new, superseded, unchanged = [], [], 0
    for (_, text), key in zip(rows.iterrows(), keys, strict=True):
        metric = metrics[key[0]]
        numerator, denominator = _decimal(text["numerator"]), _decimal(text["denominator"])
        if metric.is_ratio:
            value = (numerator / denominator * metric.factor).quantize(VALUE_PLACES)
        else:
            value = _decimal(text["value"]).quantize(VALUE_PLACES)
        old = current.get(key)
        if old is not None and (old.numerator, old.denominator, old.value) == (
            numerator,
            denominator,
            value,
        ):
            unchanged += 1
            continue
        if old is not None:
            superseded.append(old.pk)
        new.append(
            Measurement(
                metric_id=key[0],
                organisation_id=key[1],
                period_start=key[2],
                numerator=numerator,
                denominator=denominator,
                value=value,
                revision=old.revision + 1 if old else 1,
                submission=submission,
            )
        )
    warnings = outlier_warnings(rows, clean, pair_filter)
    Measurement.objects.filter(pk__in=superseded).update(is_current=False)
    Measurement.objects.bulk_create(new, batch_size=5000)
    return len(new) - len(superseded), len(superseded), unchanged, warnings


def outlier_warnings(rows, clean, pair_filter) -> list[dict]:
    """|z| > 3 against the organisation's own history of the metric (DHIS2's
    default): warned about, never rejected. The history is every current
    value of the series for periods other than those submitted now."""
    keys = ["metric_id", "organisation_id"]
    history = pd.DataFrame.from_records(
        Measurement.objects.filter(pair_filter, is_current=True).values_list(
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
            "message": f"{rows.at[row, 'metric_code']} for {rows.at[row, 'organisation_code']} "
            f"in {rows.at[row, 'period_start']} is {abs(z):.1f} standard deviations from "
            "this organisation's usual values: check it is right.",
        }
        for row, z in zip(flagged["row"], flagged["z"], strict=True)
    ]


def submit(*, user, content: bytes, name: str, channel: str, today=None) -> Submission:
    """Receive and process in one go (the command and tests)."""
    return process(receive(user=user, content=content, name=name, channel=channel), today)
