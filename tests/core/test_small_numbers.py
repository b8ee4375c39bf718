"""The small-numbers rule (core.small_numbers), by hand and by property: no
database. The hand cases are those of docs/permissions.md, "Small numbers"."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.small_numbers import (
    EVERYONE,
    REASON,
    Unseen,
    narrowed,
    withheld,
    withheld_from_any,
)

K = 3


def test_two_members_give_each_other_away_so_nothing_is_shown():
    """The issue's case: PA1 (26 per 1,000) and PA2 (32) pooled into the
    network's 29. PA1 knows its 26 and that two were pooled (peer_count):
    2 x 29 - 26 = 32, PA2's value exactly (with equal denominators; the
    rank, 1 of 2, alone says only that PA2's is worse)."""
    figures = {"PA1": 26.0, "PA2": 32.0}
    assert 2 * 29.0 - figures["PA1"] == figures["PA2"]
    unseen = Unseen.of(figures, {"PA1"})
    assert unseen == Unseen(1, 1, 1)
    assert withheld(unseen, K) == REASON.format(k=3)
    assert "Fewer than 3 other organisations" in withheld(unseen, K)


def test_three_others_with_different_figures_are_shown():
    """Four members, PA1 sees its own: the pooled mean (20) less its own
    gives the others' total, 3 x 20 + 20 - 14 = 66, and no one of 20, 22, 24."""
    figures = {"PA1": 14.0, "PA2": 20.0, "PA3": 22.0, "PA4": 24.0}
    assert 4 * 20.0 - figures["PA1"] == 66.0 == 20.0 + 22.0 + 24.0
    assert Unseen.of(figures, {"PA1"}) == Unseen(3, 3, 3)
    assert withheld(Unseen.of(figures, {"PA1"}), K) is None


def test_others_all_the_same_are_given_away_by_their_total():
    """Three others all reporting no events: their total, 0, gives each."""
    figures = {"PA1": 2.0, "PA2": 0.0, "PA3": 0.0, "PA4": 0.0}
    assert withheld(Unseen.of(figures, {"PA1"}), K) == REASON.format(k=3)
    figures["PA4"] = 1.0
    assert withheld(Unseen.of(figures, {"PA1"}), K) is None


def test_who_sees_every_contributor_is_shown_however_few():
    figures = {"PA1": 26.0, "PA2": 32.0}
    assert withheld(Unseen.of(figures, {"PA1", "PA2", "NETA"}), K) is None
    assert withheld(Unseen.of(figures, EVERYONE), K) is None
    assert withheld(Unseen.of({}, set()), K) is None  # nothing pooled


def test_k_is_the_setting_given():
    figures = {"A": 1.0, "B": 2.0, "C": 3.0}
    assert withheld(Unseen.of(figures, set()), 3) is None
    assert withheld(Unseen.of(figures, set()), 4) == REASON.format(k=4)
    assert withheld(Unseen.of(figures, {"A"}), 2) is None


def test_counts_alone_give_bounds():
    """Five peers with five different values; the person sees between one
    and two of them: three to four unseen with at least three different
    values. Seeing up to three leaves possibly two: withheld."""
    assert Unseen.counted(5, 5, seen_at_least=1, seen_at_most=2) == Unseen(3, 4, 3)
    assert withheld(Unseen.counted(5, 5, 1, 2), K) is None
    assert withheld(Unseen.counted(5, 5, 1, 3), K) == REASON.format(k=3)
    assert withheld(Unseen.counted(5, 3, 1, 1), K) is None  # 4 unseen, 2 values at least
    # Two values among five, one of them perhaps the seen one's alone: the
    # other four could all hold the other value.
    assert withheld(Unseen.counted(5, 2, 1, 1), K) is not None
    assert withheld(Unseen.counted(2, 2, 2, 2), K) is None  # sees both
    assert withheld(Unseen.unknown(), K) == REASON.format(k=3)


def test_a_published_figure_must_suit_every_reader():
    """A network of four: its manager sees all, each member its own, the
    public none. With three members pooled, a member is left with two."""
    figures = {"PA1": 1.0, "PA2": 2.0, "PA3": 3.0, "PA4": 4.0}
    readers = [{"NETA", "PA1", "PA2", "PA3", "PA4"}, {"PA1"}, {"PA2"}, set()]
    assert withheld_from_any(figures, readers, K) is None
    del figures["PA4"]
    assert withheld_from_any(figures, readers, K) == REASON.format(k=3)


def test_a_contributor_is_seen_by_who_sees_everything_behind_it():
    """Commissioners' values come from their providers': a reader seeing
    provider P sees QB's value (P is all it has) but not QC's (P and R)."""
    figures = {"QA": 1.0, "QB": 2.0, "QC": 3.0, "QD": 4.0}
    behind = {"QA": {"QA"}, "QB": {"P"}, "QC": {"P", "R"}, "QD": {"S"}}
    # Seeing P: QB is seen, three unseen with different values.
    assert withheld_from_any(figures, [{"P"}], K, behind=behind) is None
    # Seeing P and R: QB and QC seen, two unseen.
    assert withheld_from_any(figures, [{"P", "R"}], K, behind=behind) is not None
    assert withheld_from_any(figures, [EVERYONE], K, behind=behind) is None


# --- Properties ---

scenarios = st.integers(min_value=1, max_value=7).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 3), min_size=n, max_size=n),  # few values: many ties
        st.sets(st.integers(0, n - 1)),  # whom the person sees
        st.integers(2, 5),  # K
    )
)


@given(scenarios)
def test_whatever_is_shown_no_unseen_value_can_be_solved_for(scenario):
    """Give the person the most any pooled figure can tell them of the
    contributors they do not see: the collection of their values, but not
    which is whose (a sum, a mean, a rank, a quintile, a quartile are all
    worked out from that collection). Whenever the rule shows the figure and
    someone is unseen, there are at least K of them, and every one of them
    could hold another value given everything the person knows: no single
    value can be solved for."""
    values, seen, k = scenario
    figures = dict(enumerate(values))
    if withheld(Unseen.of(figures, seen), k) is not None:
        return
    hidden = [who for who in figures if who not in seen]
    if not hidden:
        return
    assert len(hidden) >= k
    collection = [figures[who] for who in hidden]
    worlds = set(itertools.permutations(collection))  # each way to hand them out
    for place, who in enumerate(hidden):
        possible = {world[place] for world in worlds}
        assert len(possible) > 1, f"{who}'s value {figures[who]} is given away"


@given(scenarios, st.integers(0, 3), st.integers(0, 3))
def test_counting_never_shows_more_than_knowing(scenario, under, over):
    """Bounds on how many are seen (fewer for sure, more at most) never show
    a figure that exact knowledge would withhold."""
    values, seen, k = scenario
    figures = dict(enumerate(values))
    truly = len(seen)
    counted = Unseen.counted(
        len(figures),
        len(set(values)),
        seen_at_least=max(truly - under, 0),
        seen_at_most=min(truly + over, len(figures)),
    )
    if withheld(counted, k) is None:
        assert withheld(Unseen.of(figures, seen), k) is None


@pytest.mark.parametrize("k", [2, 3, 4])
def test_one_unseen_is_always_withheld(k):
    """One other organisation pooled is given away whatever its value."""
    for value in (0.0, 7.5):
        assert withheld(Unseen.of({"own": 1.0, "other": value}, {"own"}), k) is not None


def test_readers_are_narrowed_to_the_contributors():
    readers = [{1, 2, 9}, {2, 1}, EVERYONE, set(), {9}]
    narrow = narrowed(readers, {1, 2, 3})
    assert EVERYONE in narrow and len(narrow) == 3
    assert {frozenset(r) for r in narrow if r is not EVERYONE} == {frozenset({1, 2}), frozenset()}
