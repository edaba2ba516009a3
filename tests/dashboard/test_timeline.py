"""The month-by-month chart: escaped, every value told, hidden values marked, round scale."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from opes_lti.dashboard import timeline

_values = st.lists(st.one_of(st.none(), st.integers(0, 10**9)), min_size=1, max_size=30)


@given(_values, _values)
def test_every_value_is_a_column_or_a_marked_gap_on_a_scale_that_holds_it(
    first: list[int | None], second: list[int | None]
) -> None:
    size = min(len(first), len(second))
    months = [f"2026-{m % 12 + 1:02d}" for m in range(size)]
    series = [timeline.Series("A", first[:size]), timeline.Series("B", second[:size])]
    drawn = timeline.svg(months, series, "t", "d", "hidden")
    for one in series:
        for month, value in zip(months, one.values, strict=True):
            told = "hidden" if value is None else str(value)
            assert f"<title>{one.name}, {month}: {told}</title>" in drawn
    heights = [
        float(h) for h in re.findall(r'height="([0-9.]+)" fill="[^"]*"[^>]*><title>[AB], ', drawn)
    ]
    assert len(heights) == sum(v is not None for s in series for v in s.values)
    assert all(h <= timeline.HEIGHT - timeline.BOTTOM - timeline.TOP + 0.1 for h in heights)


@given(st.integers(1, 10**15))
def test_the_scale_is_round_holds_the_top_and_has_few_marks(top: int) -> None:
    marks = timeline.ticks(top)
    assert marks[0] == 0
    assert marks[-1] >= top
    assert 2 <= len(marks) <= 6
    step = marks[1]
    assert str(step).rstrip("0") in ("1", "2", "5")


def test_names_and_months_are_escaped() -> None:
    hostile = '<script>alert("x")</script>'
    drawn = timeline.svg([hostile], [timeline.Series(hostile, [3])], hostile, hostile, hostile)
    assert "<script>" not in drawn
    assert "&lt;script&gt;" in drawn
