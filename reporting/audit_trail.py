"""The audit trail (issue 10): every change to measurements, contract metric
terms, incentive scheme versions, settlements, notices and their steps, and
dialogue actions: who, when, and each field before and after.

It only reads records that are already kept, never writes:
- the django-simple-history tables of ContractMetric, IncentiveScheme,
  Settlement, PerformanceNotice and Action;
- Measurement revisions: a value is never changed in place, a submission
  adds a revision and the submission says who and when, so the revisions are
  the value's history (the is_current flag is the only in-place write);
- NoticeEvent: a notice's timeline, append-only, each step authored.

Commissioners see changes to rows in their scope (the contracts they can see
and the organisations in their data scope, as contracts.access defines
them), admins everything. A page costs a fixed number of queries: one page
of (kind, row, when, who) over a UNION ALL of the sources, then one query
per kind on the page for its rows and the rows before them, and two for the
people.

Pages are keyset pages ("older" and "newer" than an entry, `Cursor`), not
numbered ones: each source reads its next rows newest first from an index
on its time (history_date, Measurement.recorded_at) and stops, so a page
costs the same at the start and at the end of millions of entries, and
nothing counts them."""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    CharField,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from contracts.access import data_scope
from contracts.models import (
    Contract,
    Membership,
    NetworkMember,
    NoticeEvent,
    Organisation,
    PerformanceNotice,
)
from core.roles import is_admin
from dialogues.models import Action
from incentives.models import IncentiveScheme, Settlement
from outcomes.models import ContractMetric, Measurement

User = get_user_model()
AUTOMATIC = "Concord (automatic)"
CHANGE_NAMES = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass(frozen=True)
class Filters:
    """What the trail is narrowed to; every part optional. `contract`,
    `organisation` and the object are already known to be in the person's
    scope (contracts.forms.AuditFilterForm)."""

    kind: str = ""
    object_id: int | None = None
    contract: Contract | None = None
    organisation: Organisation | None = None
    person: str = ""  # a username
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass(frozen=True)
class Cursor:
    """A place in the trail: the entry (time, kind, row) a page goes on from,
    towards older entries or, with `newer`, towards newer ones. Entries are
    ordered newest first, then by kind, then newest row first, so equal
    times never make a page repeat or skip an entry."""

    at: dt.datetime
    kind: str
    row: int
    newer: bool = False

    @classmethod
    def of(cls, item, newer=False):
        return cls(item["at"], item["kind"], item["row"], newer)

    @property
    def token(self) -> str:
        """Microseconds since the epoch, kind and row: URL-safe as it is."""
        micros = (self.at - EPOCH) // dt.timedelta(microseconds=1)
        return f"{micros}.{self.kind}.{self.row}"

    @classmethod
    def parse(cls, token: str, newer=False):
        """The cursor a token names; ValueError if it names none (a time
        outside the calendar, a row no table can hold)."""
        micros, kind, row = token.split(".")
        if kind not in SOURCES:
            raise ValueError(f"No kind of record {kind!r}.")
        try:
            at = EPOCH + dt.timedelta(microseconds=int(micros))
        except OverflowError:
            raise ValueError(f"No time {micros}.") from None
        if not 0 < int(row) <= LARGEST_ROW:
            raise ValueError(f"No row {row}.")
        return cls(at, kind, int(row), newer)


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LARGEST_ROW = 2**63 - 1  # a 64-bit key's largest value


@dataclass
class Page:
    """A page of (kind, row, at, by) items, newest first, and the cursors of
    the pages either side (None at either end)."""

    items: list[dict]
    older: Cursor | None
    newer: Cursor | None


@dataclass
class Entry:
    when: dt.datetime
    who: str
    organisations: str
    record: str
    kind: str
    object_id: int
    what: str
    url: str | None
    change: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def field_changes(self) -> list[dict]:
        return [{"field": n, "before": b, "after": a} for n, b, a in self.fields]


def _contract_ids(user):
    return Contract.objects.visible_to(user).values("id")


def _contracts_of(organisation):
    return Contract.objects.filter(Q(commissioner=organisation) | Q(provider=organisation)).values(
        "id"
    )


class HistorySource:
    """One kind of record kept by django-simple-history. The history rows
    carry the model's columns, so scope and filters read the same foreign
    keys as the live model (and still find a deleted row)."""

    kind = ""
    label = ""
    model = None
    related: tuple[str, ...] = ()
    skipped = frozenset({"id", "created_at"})
    key = "history_id"  # the row an entry is
    at = "history_date"
    by = "history_user_id"

    def rows(self):
        return self.model.history.all()

    def scope(self, user) -> Q:
        return Q(contract_id__in=_contract_ids(user))

    def for_contract(self, contract) -> Q:
        return Q(contract_id=contract.id)

    def for_organisation(self, organisation) -> Q:
        return Q(contract_id__in=_contracts_of(organisation))

    def for_object(self, object_id) -> Q:
        return Q(id=object_id)

    def scoped(self, user):
        rows = self.rows()
        return rows if is_admin(user) else rows.filter(self.scope(user))

    def object_exists(self, user, object_id) -> bool:
        return self.scoped(user).filter(self.for_object(object_id)).exists()

    def previous(self):
        """The key of the row before each row: the same object's last history row."""
        return Subquery(
            self.model.history.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
            .order_by("-history_id")
            .values("history_id")[:1]
        )

    def change(self, row, previous) -> str:
        """A versioned record's new version is a change to the one before."""
        if row.history_type == "+" and previous is not None:
            return CHANGE_NAMES["~"]
        return CHANGE_NAMES[row.history_type]

    def tracked(self):
        return [f for f in self.model._meta.concrete_fields if f.name not in self.skipped]

    # --- Used by the trail ---

    def entries(self, user, filters: Filters, cursor: Cursor | None = None):
        """(kind, row, at, by) of every entry in scope matching `filters`,
        beyond `cursor` if given."""
        rows = self.scoped(user).alias(audit_at=F(self.at))
        if filters.object_id is not None:
            rows = rows.filter(self.for_object(filters.object_id))
        if filters.contract is not None:
            rows = rows.filter(self.for_contract(filters.contract))
        if filters.organisation is not None:
            rows = rows.filter(self.for_organisation(filters.organisation))
        if filters.person:
            rows = rows.filter(
                **{f"{self.by}__in": User.objects.filter(username=filters.person).values("id")}
            )
        # Local days as ranges of time, which the index on the time can serve.
        if filters.since is not None:
            rows = rows.filter(audit_at__gte=_start_of(filters.since))
        if filters.until is not None:
            rows = rows.filter(audit_at__lt=_start_of(filters.until + dt.timedelta(days=1)))
        if cursor is not None:
            rows = rows.filter(self.beyond(cursor))
        return rows.order_by().values(
            kind=Value(self.kind, output_field=CharField()),
            row=F(self.key),
            at=F("audit_at"),
            by=F(self.by),
        )

    def beyond(self, cursor: Cursor) -> Q:
        """This source's rows after `cursor` in the trail's order (before it
        when going newer). At the cursor's very time, kinds go a to z and
        rows newest first, so a kind after the cursor's takes that time
        whole, the cursor's own kind its rows past the cursor's row."""
        later = "gt" if cursor.newer else "lt"
        if self.kind == cursor.kind:
            # The first condition is a range on the time index; the second
            # only sorts out rows at the cursor's very time.
            return Q(**{f"audit_at__{later}e": cursor.at}) & (
                Q(**{f"audit_at__{later}": cursor.at}) | Q(**{f"{self.key}__{later}": cursor.row})
            )
        whole_time = (self.kind > cursor.kind) != cursor.newer
        return Q(**{f"audit_at__{later}{'e' if whole_time else ''}": cursor.at})

    def load(self, keys):
        """{key: (row, the row before it or None)} for `keys`, in one query."""
        on_page = Q(**{f"{self.key}__in": keys})
        previous = self.previous()
        if previous is None:
            rows = self.rows().filter(on_page).select_related(*self.related).order_by()
            return {getattr(row, self.key): (row, None) for row in rows}
        on_page_rows = self.rows().filter(on_page).order_by()
        # One IN over a UNION, not "on the page OR before one": PostgreSQL
        # reads an OR with a subquery by scanning the whole table.
        wanted = on_page_rows.values(self.key).union(
            on_page_rows.annotate(previous_key=previous).values("previous_key"), all=True
        )
        rows = {
            getattr(row, self.key): row
            for row in self.rows()
            .filter(**{f"{self.key}__in": wanted})
            .annotate(previous_key=previous)
            .select_related(*self.related)
            .order_by()
        }
        return {key: (rows[key], rows.get(rows[key].previous_key)) for key in keys if key in rows}


class ContractMetricSource(HistorySource):
    """Terms are versioned: a new version's row before is the last row of
    the same metric's terms in the contract (versions are never edited)."""

    kind, label, model = "contract-metric", "Contract metric terms", ContractMetric
    related = ("contract", "metric")

    def previous(self):
        return Subquery(
            ContractMetric.history.filter(
                contract_id=OuterRef("contract_id"),
                metric_id=OuterRef("metric_id"),
                history_id__lt=OuterRef("history_id"),
            )
            .order_by("-history_id")
            .values("history_id")[:1]
        )

    def describe(self, row):
        start = f"{row.effective_from.day} {row.effective_from:%B %Y}"
        return f"{row.contract.reference} {row.metric.code} terms from {start}"

    def link(self, row):
        return reverse("outcomes:contract-metric-history", args=[row.contract_id, row.metric_id])


class SchemeSource(HistorySource):
    """Versioned like contract metric terms: a version's row before is the
    contract's previous version."""

    kind, label, model = "scheme", "Incentive scheme version", IncentiveScheme
    related = ("contract",)

    def previous(self):
        return Subquery(
            IncentiveScheme.history.filter(
                contract_id=OuterRef("contract_id"), history_id__lt=OuterRef("history_id")
            )
            .order_by("-history_id")
            .values("history_id")[:1]
        )

    def describe(self, row):
        return f"{row.contract.reference} incentive scheme version {row.version}"

    def link(self, row):
        return reverse("incentives:contract", args=[row.contract_id])


class SettlementSource(HistorySource):
    kind, label, model = "settlement", "Settlement", Settlement
    related = ("contract", "contract_year__contract")
    # The gathered inputs are a large document; their digest shows each change.
    skipped = HistorySource.skipped | {"inputs"}

    def describe(self, row):
        return f"Settlement of {row.contract.reference} year {row.contract_year.number}"

    def link(self, row):
        return reverse("incentives:settlement-detail", args=[row.id])


class NoticeSource(HistorySource):
    kind, label, model = "notice", "Performance notice", PerformanceNotice
    related = ("contract",)

    def describe(self, row):
        return f"Notice {row.id} on {row.contract.reference}: {row.title}"

    def link(self, row):
        return reverse("contracts:notice-detail", args=[row.id])


class ActionSource(HistorySource):
    kind, label, model = "action", "Dialogue action", Action

    def scope(self, user):
        """As ActionQuerySet.visible_to, read from the history row's own
        columns too so a deleted action stays in its scope's trail."""
        organisations = data_scope(user).values("id")
        return (
            Q(provider_id__in=organisations)
            | Q(owner_organisation_id__in=organisations)
            | Q(id__in=Action.objects.visible_to(user).values("pk"))
        )

    def for_contract(self, contract):
        return Q(provider_id=contract.provider_id) | Q(
            notice_id__in=PerformanceNotice.objects.filter(contract=contract).values("id")
        )

    def for_organisation(self, organisation):
        return (
            Q(provider_id=organisation.id)
            | Q(owner_organisation_id=organisation.id)
            | Q(organisation_id=organisation.id)
        )

    def describe(self, row):
        return f"Action {row.id}: {row.title}"

    def link(self, row):
        return reverse("dialogues:action-detail", args=[row.id])


class NoticeStepSource(HistorySource):
    """Notice steps are append-only rows: each is its own record, created once."""

    kind, label, model = "notice-step", "Notice step", NoticeEvent
    related = ("notice__contract",)
    skipped = frozenset({"id", "notice", "recorded_at"})
    key, at, by = "id", "recorded_at", "author_id"

    def rows(self):
        return NoticeEvent.objects.all()

    def scope(self, user):
        return Q(notice__contract_id__in=_contract_ids(user))

    def for_contract(self, contract):
        return Q(notice__contract_id=contract.id)

    def for_organisation(self, organisation):
        return Q(notice__contract_id__in=_contracts_of(organisation))

    def previous(self):
        return None

    def change(self, row, previous):
        return CHANGE_NAMES["+"]

    def describe(self, row):
        notice = row.notice
        return f"Notice {notice.id} on {notice.contract.reference}: {row.get_step_display()}"

    def link(self, row):
        return reverse("contracts:notice-detail", args=[row.notice_id])


class MeasurementSource(HistorySource):
    """A measurement's revisions: the row before revision n is revision n-1
    of the same metric, organisation and period."""

    kind, label, model = "measurement", "Measurement", Measurement
    related = ("metric", "organisation", "submission")
    key, at, by = "id", "recorded_at", "submission__submitted_by_id"

    def rows(self):
        return Measurement.objects.all()

    def tracked(self):
        return [Measurement._meta.get_field(name) for name in ("value", "numerator", "denominator")]

    def scope(self, user):
        return Q(organisation_id__in=data_scope(user).values("id"))

    def for_contract(self, contract):
        """Values of the contract's metrics about its provider (or the
        provider's network members)."""
        members = NetworkMember.objects.filter(network_id=contract.provider_id).values(
            "provider_id"
        )
        return Q(
            metric_id__in=ContractMetric.objects.filter(contract=contract).values("metric_id")
        ) & (Q(organisation_id=contract.provider_id) | Q(organisation_id__in=members))

    def for_organisation(self, organisation):
        return Q(organisation_id=organisation.id)

    def for_object(self, object_id):
        """Every revision of the value that measurement `object_id` is one of."""
        return Exists(
            Measurement.objects.filter(
                pk=object_id,
                metric_id=OuterRef("metric_id"),
                organisation_id=OuterRef("organisation_id"),
                period_start=OuterRef("period_start"),
            )
        )

    def previous(self):
        return Subquery(
            Measurement.objects.filter(
                metric_id=OuterRef("metric_id"),
                organisation_id=OuterRef("organisation_id"),
                period_start=OuterRef("period_start"),
                revision=OuterRef("revision") - 1,
            )
            .order_by()
            .values("id")[:1]
        )

    def change(self, row, previous):
        return CHANGE_NAMES["+" if previous is None else "~"]

    def describe(self, row):
        return (
            f"{row.metric.code} for {row.organisation.code}, {row.period_start:%B %Y} "
            f"(revision {row.revision})"
        )

    def link(self, row):
        query = urlencode(
            {
                "metric": row.metric.code,
                "organisation": row.organisation.code,
                "period": row.period_start.isoformat(),
            }
        )
        return f"{reverse('outcomes:measurement-history')}?{query}"


SOURCES = {
    source.kind: source
    for source in (
        MeasurementSource(),
        ContractMetricSource(),
        SchemeSource(),
        SettlementSource(),
        NoticeSource(),
        NoticeStepSource(),
        ActionSource(),
    )
}
KIND_CHOICES = [(kind, source.label) for kind, source in SOURCES.items()]


CURSORS = ("older", "newer")


def cursor_from(params) -> Cursor | None:
    """The cursor `?older=` or `?newer=` names (None for the first page);
    ValueError if the token names none."""
    for name in CURSORS:
        if params.get(name):
            return Cursor.parse(params[name], newer=name == "newer")
    return None


NEWEST_FIRST = ("-at", "kind", "-row")
OLDEST_FIRST = ("at", "-kind", "row")


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def read_page(user, filters: Filters, size: int, cursor: Cursor | None = None) -> Page:
    """A page of the matching entries as dicts (kind, row, at, by), newest
    first: the first page, or the one beyond `cursor`; then `describe` it.
    One query: each source's next size + 1 rows (newest first, from its
    index), merged and cut to size + 1, the last telling if there is more."""
    newer = cursor is not None and cursor.newer
    order = OLDEST_FIRST if newer else NEWEST_FIRST
    sources = [SOURCES[filters.kind]] if filters.kind else list(SOURCES.values())
    branches = [source.entries(user, filters, cursor) for source in sources]
    if len(branches) > 1 and connection.features.supports_slicing_ordering_in_compound:
        branches = [rows.order_by(order[0], order[2])[: size + 1] for rows in branches]
    first, *others = branches
    if others:
        first = first.union(*others, all=True)
    items = list(first.order_by(*order)[: size + 1])
    more, items = len(items) > size, items[:size]
    if newer:
        items.reverse()
    if not items:
        return Page([], None, None)
    return Page(
        items,
        older=Cursor.of(items[-1]) if newer or more else None,
        newer=Cursor.of(items[0], newer=True) if (more if newer else cursor) else None,
    )


def _people(user_ids):
    """{user id: (username, organisation codes)} in two queries."""
    people = {
        person.id: (person.username, [])
        for person in User.objects.filter(id__in=user_ids).only("id", "username")
    }
    for membership in (
        Membership.objects.filter(user_id__in=people)
        .select_related("organisation")
        .order_by("organisation__code")
    ):
        people[membership.user_id][1].append(membership.organisation.code)
    return {key: (name, ", ".join(dict.fromkeys(codes))) for key, (name, codes) in people.items()}


def _display(row, model_field, people, loaded_relations) -> str:
    value = getattr(row, model_field.attname)
    if value is None or value == "":
        return "(none)"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation and model_field.related_model is User and value in people:
        return people[value][0]
    if model_field.is_relation and any(
        name.split("__")[0] == model_field.name for name in loaded_relations
    ):
        related = getattr(row, model_field.name)
        return getattr(related, "reference", None) or getattr(related, "code", None) or str(related)
    if model_field.is_relation:
        return f"#{value}"
    return str(value)


def describe(page) -> list[Entry]:
    """Entries for a page of `entries(...)`: one query per kind on the page
    (its rows and the rows before them) and two for the people."""
    keys_by_kind = {}
    for item in page:
        keys_by_kind.setdefault(item["kind"], []).append(item["row"])
    loaded = {kind: SOURCES[kind].load(keys) for kind, keys in keys_by_kind.items()}
    user_fields = {
        kind: [f for f in SOURCES[kind].tracked() if f.is_relation and f.related_model is User]
        for kind in loaded
    }
    user_ids = {item["by"] for item in page if item["by"] is not None}
    for kind, rows in loaded.items():
        for row, previous in rows.values():
            for candidate in (row, previous):
                for f in user_fields[kind]:
                    if candidate is not None and getattr(candidate, f.attname) is not None:
                        user_ids.add(getattr(candidate, f.attname))
    people = _people(user_ids)
    described = []
    for item in page:
        source = SOURCES[item["kind"]]
        row, previous = loaded[item["kind"]][item["row"]]
        change = source.change(row, previous)
        fields = []
        if change != CHANGE_NAMES["-"]:
            for f in source.tracked():
                after = _display(row, f, people, source.related)
                before = (
                    _display(previous, f, people, source.related) if previous is not None else ""
                )
                if previous is None or before != after:
                    fields.append((str(f.verbose_name), before, after))
        who, organisations = people.get(item["by"], (AUTOMATIC, ""))
        described.append(
            Entry(
                when=item["at"],
                who=who,
                organisations=organisations,
                record=source.label,
                kind=source.kind,
                object_id=row.id,
                what=source.describe(row),
                url=None if change == CHANGE_NAMES["-"] else source.link(row),
                change=change,
                fields=fields,
            )
        )
    return described


CSV_HEADER = [
    "When",
    "Who",
    "Their organisations",
    "Kind of record",
    "Record id",
    "Record",
    "Change",
    "Field",
    "Before",
    "After",
]


def csv_rows(described: list[Entry]):
    """A line per changed field (one for an entry with none)."""
    for entry in described:
        start = [
            entry.when.isoformat(),
            entry.who,
            entry.organisations,
            entry.record,
            entry.object_id,
            entry.what,
            entry.change,
        ]
        for name, before, after in entry.fields or [("", "", "")]:
            yield [*start, name, before, after]
