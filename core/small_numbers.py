"""The small-numbers rule: when a figure computed from several
organisations' figures may be shown to a person (docs/permissions.md,
"Small numbers"). No Django.

A pooled comparator, a rank, a quintile, how many were compared, a national
average or quartile: each is computed from the figures of its contributors.
A person may see some of those figures (their data scope) and not others.
The figure is shown to them only if the contributors they may not see

- number none (they could work it out from what they see anyway), or
- number at least K, and do not all have the same figure.

Otherwise it is withheld, with `REASON`. K is the setting
SMALL_NUMBERS_MIN_OTHERS (default `DEFAULT_MIN_OTHERS`).

Why that is enough: what such a figure tells about the contributors a
person may not see depends on their figures taken together (their sum, how
many lie above or below a value, one of them in sorted order) and never on
which of them has which. Exchange two of them whose figures differ and the
person receives exactly the same, so neither figure can be worked out. Only
when they all have the same figure (all zero, say) does their total give
each one. K = 3 rather than 2 keeps one in reserve for a figure learnt
outside the rule: an organisation sharing its own, or one published on a
scorecard."""

from collections.abc import Collection, Container, Hashable, Iterable, Mapping
from dataclasses import dataclass

DEFAULT_MIN_OTHERS = 3

REASON = (
    "Fewer than {k} other organisations, or their figures are all the same: "
    "not shown to protect their figures."
)


class _Everyone:
    """Every organisation: what an admin may see."""

    def __contains__(self, organisation) -> bool:
        return True

    def __repr__(self) -> str:
        return "EVERYONE"


EVERYONE = _Everyone()


@dataclass(frozen=True)
class Unseen:
    """What is known of the contributors a person may not see: how many
    (`at_least` to `at_most`; None when not known) and at least how many
    different figures they hold."""

    at_least: int
    at_most: int | None
    different_at_least: int

    @classmethod
    def of(cls, figures: Mapping[Hashable, float], seen: Container) -> "Unseen":
        """Exactly, from each contributor's figure and whom the person sees."""
        hidden = [figure for who, figure in figures.items() if who not in seen]
        return cls(len(hidden), len(hidden), len(set(hidden)))

    @classmethod
    def counted(
        cls, contributors: int, different: int, seen_at_least: int, seen_at_most: int
    ) -> "Unseen":
        """From counts alone: `contributors` holding `different` figures, of
        whom the person sees between `seen_at_least` and `seen_at_most`. Each
        one seen takes at most one of the different figures away."""
        return cls(
            max(contributors - seen_at_most, 0),
            max(contributors - seen_at_least, 0),
            max(different - seen_at_most, 0),
        )

    @classmethod
    def unknown(cls) -> "Unseen":
        """Nothing is known (a figure stored before its counts were)."""
        return cls(0, None, 0)


def withheld(unseen: Unseen, k: int) -> str | None:
    """The reason a figure is not shown, or None when it may be."""
    if unseen.at_most == 0:
        return None
    if unseen.at_least >= k and unseen.different_at_least >= 2:
        return None
    return REASON.format(k=k)


def withheld_from_any(
    figures: Mapping[Hashable, float],
    readers: Iterable[Container],
    k: int,
    behind: Mapping[Hashable, Collection[int]] | None = None,
) -> str | None:
    """The reason `figures` may not be pooled into a figure shown to one of
    `readers`, or None when it may be shown to every one of them (a
    published figure: anyone may read it). Each reader is the contributors
    they see or, with `behind` (each contributor's figure computed from
    several organisations' figures: those organisations), the organisations
    they see: they see a contributor when they see every organisation behind
    it."""
    if behind is None:
        seen_by = iter(readers)
    else:
        which: dict[int, set] = {}  # organisation -> the contributors it is behind
        for contributor, organisations in behind.items():
            for organisation in organisations:
                which.setdefault(organisation, set()).add(contributor)
        seen_by = (_seen_through(behind, which, reader) for reader in readers)
    for seen in seen_by:
        reason = withheld(Unseen.of(figures, seen), k)
        if reason:
            return reason
    return None


def narrowed(readers: Iterable[Container], organisations: Collection) -> list:
    """`readers` as far as `organisations` go, each distinct reader once: all
    the rule needs of a reader is whom among the contributors they see."""
    everyone = False
    distinct = set()
    for reader in readers:
        if isinstance(reader, _Everyone):
            everyone = True
        else:
            distinct.add(frozenset(o for o in organisations if o in reader))
    return [EVERYONE] * everyone + list(distinct)


def _seen_through(behind: Mapping, which: Mapping[int, set], organisations: Container) -> set:
    """The contributors whose every organisation behind is in `organisations`."""
    if isinstance(organisations, _Everyone):
        return set(behind)
    candidates = set().union(*(which.get(o, ()) for o in organisations if o in which))
    return {c for c in candidates if all(o in organisations for o in behind[c])}
