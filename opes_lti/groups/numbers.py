"""Numbers as people type them in Italian and English forms (pure)."""

from __future__ import annotations


def decimal(raw: object) -> float | None:
    """``raw`` as a number, with a decimal comma or point ("7,5", "7.5"); None if not one."""
    try:
        return float(str(raw).replace(",", ".").strip())
    except ValueError:
        return None
