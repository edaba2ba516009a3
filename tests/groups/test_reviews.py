"""Review assignment: nobody reviews their own work, and everyone's work gets its reviews."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opes_lti.groups import reviews


@given(st.integers(2, 40), st.data())
def test_every_group_gives_and_receives_the_same_number_and_never_its_own(
    n: int, data: st.DataObject
) -> None:
    groups = [f"g{i}" for i in range(n)]
    gives = data.draw(st.integers(0, n - 1))
    pairs = reviews.assign(groups, gives, seed=data.draw(st.integers(0, 99)))
    assert len(set(pairs)) == len(pairs) == n * gives
    assert all(a != b for a, b in pairs)
    assert (
        Counter(a for a, _ in pairs)
        == Counter(b for _, b in pairs)
        == (Counter(dict.fromkeys(groups, gives)) if gives else Counter())
    )


@given(st.integers(3, 30), st.data())
def test_after_the_date_work_short_of_reviews_gets_them_from_those_who_reviewed(
    n: int, data: st.DataObject
) -> None:
    groups = [f"g{i}" for i in range(n)]
    needs = data.draw(st.integers(1, max(1, (n - 1) // 2)))
    gives = data.draw(st.integers(needs, n - 1))
    pairs = reviews.assign(groups, gives)
    idle = set(data.draw(st.lists(st.sampled_from(groups), max_size=n - 1, unique=True)))
    done = {(a, b) for a, b in pairs if a not in idle}
    moved = reviews.reassign(pairs, done, needs)
    assert all(a != b for a, b in moved)
    assert len(set(moved)) == len(moved)
    assert not any(a in idle and (a, b) not in done for a, b in moved)  # nothing left to idlers
    active = set(groups) - idle
    got = Counter(b for a, b in moved)  # done or now assigned to someone who reviews
    for group in groups:
        # Enough reviewers exist among the active ones (not the group itself).
        possible = len(active - {group})
        assert got[group] >= min(needs, possible), group


def test_who_is_waiting_on_whom_lists_work_short_of_reviews_fewest_first() -> None:
    pairs = reviews.assign(["a", "b", "c", "d"], 2)
    done = {p for p in pairs if p[0] != "a"}
    found = reviews.waiting(pairs, done, needs=2)
    assert [w.group for w in found] == sorted(
        {b for a, b in pairs if a == "a"}, key=lambda g: (sum(1 for p in done if p[1] == g), g)
    )
    assert all(w.owed_by == ("a",) and w.received == 1 for w in found)
    assert reviews.waiting(pairs, set(pairs), needs=2) == []


def test_more_reviews_than_other_groups_is_refused() -> None:
    with pytest.raises(ValueError, match="0 to 2"):
        reviews.assign(["a", "b", "c"], 3)


def test_work_left_with_no_reviewer_is_still_waiting_owed_by_no_one() -> None:
    listed = reviews.waiting([("a", "b")], set(), 1, groups=["a", "b", "c"])
    assert [(w.group, w.received, w.owed_by) for w in listed] == [
        ("a", 0, ()),
        ("b", 0, ("a",)),
        ("c", 0, ()),
    ]
