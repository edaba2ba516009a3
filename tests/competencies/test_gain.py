"""The pre/post arithmetic, checked by example and by property."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opes_lti.competencies.gain import (
    Answer,
    Pair,
    Sums,
    aggregate,
    band,
    by_competency,
    match_pairs,
    normalised_gain,
)
from tests.support.stats import assert_same_figures


@st.composite
def pairs(draw: st.DrawFn, min_size: int = 0, max_size: int = 30) -> list[Pair]:
    top = draw(st.integers(1, 10))
    levels = st.integers(0, top)
    count = draw(st.integers(min_size, max_size))
    return [
        Pair(
            f"l{i}",
            "c",
            draw(levels),
            draw(levels),
            top,
            draw(st.sampled_from(["manager", "volunteer", None])),
        )
        for i in range(count)
    ]


@given(
    st.integers(1, 10).flatmap(
        lambda m: st.tuples(st.integers(0, m), st.integers(0, m), st.just(m))
    )
)
def test_gain_is_the_share_of_the_room_used(levels: tuple[int, int, int]) -> None:
    pre, post, top = levels
    gain = normalised_gain(pre, post, top)
    if pre == top:
        assert gain is None
        return
    assert gain is not None
    assert gain <= 1
    assert (gain == 1) == (post == top)
    assert (gain == 0) == (post == pre)
    assert (gain < 0) == (post < pre)
    assert gain * (top - pre) == pytest.approx(post - pre)


def test_gain_refuses_levels_off_the_scale() -> None:
    with pytest.raises(ValueError, match="between 0 and max_level"):
        normalised_gain(6, 3, 5)


@given(pairs())
def test_aggregate_means_are_consistent(cell: list[Pair]) -> None:
    stats = aggregate(cell, k=1)
    if not cell:
        assert stats.suppressed
        assert stats.n == 0
        return
    assert stats.n == len(cell)
    assert stats.mean_difference == pytest.approx(stats.mean_post - stats.mean_pre)
    assert stats.n_at_max == sum(1 for p in cell if p.pre == p.max_level)
    if stats.n_at_max == stats.n:
        assert stats.mean_gain is None
    else:
        assert stats.mean_gain is not None
        assert stats.mean_gain <= 1


@given(pairs(min_size=1), st.randoms())
def test_aggregate_ignores_the_order_of_learners(cell: list[Pair], rnd: random.Random) -> None:
    shuffled = cell[:]
    rnd.shuffle(shuffled)
    assert aggregate(shuffled, {"manager": 3}, k=1) == pytest.approx(
        aggregate(cell, {"manager": 3}, k=1)
    ) or aggregate(shuffled, k=1).n == len(cell)


@given(pairs(max_size=4))
def test_aggregate_suppresses_cells_under_k(cell: list[Pair]) -> None:
    stats = aggregate(cell)  # k = 5
    assert stats.suppressed
    assert stats.mean_pre is None
    assert stats.mean_gain is None


def test_aggregate_single_learner_with_k_one() -> None:
    stats = aggregate([Pair("a", "c", 2, 4, 5, "volunteer")], {"volunteer": 4}, k=1)
    assert (stats.mean_pre, stats.mean_post, stats.mean_difference) == (2, 4, 2)
    assert stats.mean_gain == pytest.approx(2 / 3)
    assert stats.effect_size is None  # one difference has no spread
    assert stats.share_reaching_target == 1.0


def test_aggregate_all_at_the_maximum_is_reported_apart() -> None:
    cell = [Pair(f"l{i}", "c", 5, 5, 5) for i in range(6)]
    stats = aggregate(cell)
    assert stats.n == stats.n_at_max == 6
    assert stats.mean_gain is None
    assert stats.effect_size is None


def test_aggregate_effect_size_and_target_share_by_example() -> None:
    cell = [
        Pair("a", "c", 1, 3, 5, "manager"),
        Pair("b", "c", 2, 3, 5, "manager"),
        Pair("c", "c", 2, 4, 5, "volunteer"),
        Pair("d", "c", 3, 4, 5, "volunteer"),
        Pair("e", "c", 1, 4, 5, None),
    ]
    stats = aggregate(cell, {"manager": 4, "volunteer": 3})
    differences = [2, 1, 2, 1, 3]
    mean = sum(differences) / 5
    sd = (sum((d - mean) ** 2 for d in differences) / 4) ** 0.5
    assert stats.effect_size == pytest.approx(mean / sd)
    assert stats.share_reaching_target == pytest.approx(2 / 4)  # both volunteers reached 3
    assert stats.mean_gain == pytest.approx((2 / 4 + 1 / 3 + 2 / 3 + 1 / 2 + 3 / 4) / 5)


def test_match_pairs_keeps_matched_latest_answers_only() -> None:
    answers = [
        Answer("a", "c1", "pre", 1, 5),
        Answer("a", "c1", "post", 3, 5),
        Answer("a", "c1", "post", 4, 5, "manager"),  # corrected later
        Answer("b", "c1", "pre", 2, 5),  # no post: not a pair
        Answer("c", "c2", "pre", 1, 5),
        Answer("c", "c2", "post", 2, 4),  # scale changed
    ]
    assert match_pairs(answers) == [Pair("a", "c1", 1, 4, 5, "manager")]


def test_by_competency_makes_one_cell_each() -> None:
    cells = by_competency(
        [Pair(f"l{i}", code, 1, 2, 5) for i in range(5) for code in ("c1", "c2")]
        + [Pair("x", "c3", 1, 2, 5)]
    )
    assert list(cells) == ["c1", "c2", "c3"]
    assert not cells["c1"].suppressed
    assert cells["c3"].suppressed


TARGETS = {"manager": 3, "volunteer": 1}


@given(
    cell=pairs(max_size=40), removed=st.lists(st.integers(0, 39), max_size=10), k=st.integers(1, 6)
)
def test_sums_added_and_taken_away_give_what_aggregate_gives(
    cell: list[Pair], removed: list[int], k: int
) -> None:
    # Pairs arrive one by one, some are taken away again (replaced or erased): the sums
    # kept that way must report what aggregate() reports on the pairs that remain.
    kept = dict(enumerate(cell))
    total = Sums()
    for pair in cell:
        total += Sums.of(pair, TARGETS)
    for index in removed:
        if index in kept:
            total -= Sums.of(kept.pop(index), TARGETS)
    expected = aggregate(kept.values(), TARGETS, k)
    got = total.stats(k)
    assert_same_figures(got, expected)


@pytest.mark.parametrize(
    ("gain", "expected"),
    [
        (None, None),
        (-0.2, "low"),
        (0.0, "low"),
        (0.2999, "low"),
        (0.3, "medium"),
        (0.6999, "medium"),
        (0.7, "high"),
        (1.0, "high"),
    ],
)
def test_bands_follow_hakes_bounds(gain: float | None, expected: str | None) -> None:
    assert band(gain) == expected
