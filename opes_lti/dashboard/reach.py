"""Whose data a viewer may see: an account's scope rows, or an instructor's course.

A reach is a set of (kind, value) rows the queries join on, so a scope is never spelt
into a query's text. Kinds of one reach intersect (``region:12`` and ``community:giovani``
is region 12 within that community); values of one kind unite (``region:12``,
``region:13``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from opes_lti.accounts.models import AccountScope

#: The scope kinds and the cell dimension each restricts ('national' restricts none).
KINDS = {
    "national": None,
    "region": "region",
    "community": "community",
    "organisation": "organisation",
    "course": "course",
}


@dataclass(frozen=True)
class Reach:
    """A viewer's scope: the (kind, value) rows as a selectable, and which kinds it has."""

    rows: Any
    kinds: frozenset[str]

    @property
    def empty(self) -> bool:
        """Sees nothing (an account given no scope yet)."""
        return not self.kinds

    @property
    def national(self) -> bool:
        """Sees everything."""
        return "national" in self.kinds

    @property
    def dimensions(self) -> set[str]:
        """The cell dimensions this reach restricts."""
        return set() if self.national else {d for k in self.kinds if (d := KINDS[k])}

    def restrict(self, column: Any, kind: str) -> Any:
        """``column IN (the values of kind)``, as a join on the reach's rows."""
        value = self.rows.c.value
        return column.in_(sa.select(value).where(self.rows.c.kind == kind))

    def values(self, db: Session, kind: str) -> list[str]:
        """The values of ``kind`` in this reach (a community viewer's choice of community)."""
        rows = self.rows
        query = sa.select(rows.c.value).where(rows.c.kind == kind)
        return sorted(db.scalars(query.order_by(rows.c.value)))


def of_account(db: Session, account_id: int) -> Reach:
    """An account's reach: its scope rows (none: it sees nothing)."""
    rows = (
        sa.select(AccountScope.kind, AccountScope.value)
        .where(AccountScope.account_id == account_id)
        .subquery("reach")
    )
    kinds = frozenset(db.scalars(sa.select(rows.c.kind).distinct()))
    return Reach(rows, kinds)


def _given(kind: str, value: str) -> Reach:
    # A one-row select of bound values: SQLite cannot name the columns of a VALUES list.
    row = sa.select(
        sa.literal(kind, sa.String).label("kind"), sa.literal(value, sa.String).label("value")
    )
    return Reach(row.subquery("reach"), frozenset({kind}))


def of_course(course: str) -> Reach:
    """An instructor's reach: the one course they launched the dashboard from."""
    return _given("course", course)


def national() -> Reach:
    """Everything (operators' tools and the benchmark)."""
    return _given("national", "")
