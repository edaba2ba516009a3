"""The shared draft: a save on an old version is a conflict with both texts, never a loss."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opes_lti.groups.drafts import Conflict, DraftError, Saved, Version, diff, save

AT = datetime(2026, 12, 3, 10, tzinfo=UTC)


def test_two_members_saving_at_once_never_lose_text() -> None:
    first = save(None, 0, "Bando: progetto di quartiere", "anna", AT)
    assert isinstance(first, Saved)
    assert first.version.number == 1
    # Both opened version 1; Bruno saves first, then Anna's save is refused with both texts.
    bruno = save(first.version, 1, "Bando: progetto di quartiere\nObiettivi", "bruno", AT)
    assert isinstance(bruno, Saved)
    assert bruno.version.number == 2
    anna = save(bruno.version, 1, "Bando: progetto di quartiere\nBudget", "anna", AT)
    assert anna == Conflict(bruno.version, "Bando: progetto di quartiere\nBudget")
    # After merging she saves on version 2.
    merged = save(bruno.version, 2, "Bando: progetto di quartiere\nObiettivi\nBudget", "anna", AT)
    assert isinstance(merged, Saved)
    assert merged.version.number == 3


def test_the_same_text_again_changes_nothing() -> None:
    v1 = Version(1, "testo", "anna", AT)
    assert save(v1, 1, "testo", "bruno", AT) == Saved(v1, changed=False)
    assert save(v1, 0, "testo", "bruno", AT) == Saved(v1, changed=False)


def test_bad_saves_are_refused_with_a_reason() -> None:
    v1 = Version(1, "testo", "anna", AT)
    for based_on, text, what in [(2, "x", "no_such_version"), (-1, "x", "no_such_version"),
                                 (1, "x" * 200_001, "too_long")]:  # fmt: skip
        with pytest.raises(DraftError) as refused:
            save(v1, based_on, text, "anna", AT)
        assert refused.value.what == what


@given(st.lists(st.text(alphabet="ab \n", max_size=30), min_size=1, max_size=12), st.data())
def test_any_sequence_of_saves_keeps_every_text_someone_typed(
    texts: list[str], data: st.DataObject
) -> None:
    latest: Version | None = None
    kept: list[str] = []
    for text in texts:
        current = latest.number if latest else 0
        based_on = data.draw(st.integers(0, current))
        outcome = save(latest, based_on, text, "x", AT)
        if isinstance(outcome, Saved):
            if outcome.changed:
                assert outcome.version.number == current + 1
            latest = outcome.version
            kept.append(latest.text)
        else:
            assert outcome.mine == text  # handed back, for the learner to merge
            assert outcome.theirs == latest
    assert latest is None or latest.text in kept


@given(st.text(alphabet="ab\n", max_size=60), st.text(alphabet="ab\n", max_size=60))
def test_the_diff_rebuilds_both_texts(before: str, after: str) -> None:
    changes = diff(before, after)
    assert [t for k, t in changes if k != "added"] == before.splitlines()
    assert [t for k, t in changes if k != "removed"] == after.splitlines()
