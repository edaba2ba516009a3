"""Comparing gap figures computed two ways (floating sums differ in the last bits)."""

from __future__ import annotations

from typing import Any

from opes_lti.competencies.gain import CellStats

FIGURES = (
    "mean_pre",
    "mean_post",
    "mean_difference",
    "mean_gain",
    "effect_size",
    "share_reaching_target",
)


def close(a: float | None, b: float | None) -> bool:
    """Equal, or both None, to nine significant digits."""
    return (a is None and b is None) or (
        a is not None and b is not None and abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    )


def assert_same_figures(got: CellStats, expected: CellStats, where: Any = None) -> None:
    """The same count and, to nine digits, the same figures."""
    assert (got.n, got.suppressed, got.n_at_max) == (
        expected.n,
        expected.suppressed,
        expected.n_at_max,
    ), where
    for name in FIGURES:
        assert close(getattr(got, name), getattr(expected, name)), (where, name)
