"""Inserting or updating many rows in one statement, fast on PostgreSQL, right on SQLite.

A multi-row ``VALUES`` has one placeholder per cell: SQLAlchemy compiles it anew for
every batch and psycopg re-parses it (its statement cache stops at 50 parameters), which
cost more than the database's own work. On PostgreSQL the rows go as one array per
column, expanded by ``unnest``, in a short statement compiled once, and the arrays go in
binary: the text form runs a quoting regex over every element, which was a quarter of the
rollups' counting time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import sqlalchemy as sa
from psycopg.types.json import Jsonb
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

#: Rows per statement on SQLite: within its bound on parameters.
_SQLITE_CHUNK = 400


def upsert(
    db: Session,
    table: Any,
    rows: Sequence[dict[str, Any]],
    conflict: Sequence[str],
    *,
    add: Sequence[str] = (),
    replace: Sequence[str] = (),
    if_earlier: str | None = None,
) -> None:
    """Insert ``rows``; on a ``conflict`` key, add the ``add`` columns and set ``replace``.

    ``if_earlier``: update only when the new row's value of that column is smaller (the
    earliest event wins, whatever order events come in). Nothing to add or replace: a
    conflicting row is left as it is.
    """
    if rows:
        columns = {name: [row[name] for row in rows] for name in rows[0]}
        upsert_columns(
            db, table, columns, conflict, add=add, replace=replace, if_earlier=if_earlier
        )


def upsert_columns(
    db: Session,
    table: Any,
    columns: Mapping[str, Sequence[Any]],
    conflict: Sequence[str],
    *,
    add: Sequence[str] = (),
    replace: Sequence[str] = (),
    if_earlier: str | None = None,
) -> None:
    """:func:`upsert` for rows given as one sequence per column (all of one length)."""
    names = tuple(columns)
    if not names or not columns[names[0]]:
        return
    if db.connection().dialect.name == "postgresql":
        statement = _unnest(
            table.name, names, tuple(conflict), tuple(add), tuple(replace), if_earlier
        )
        arrays = {}
        for name, values in columns.items():
            is_json = isinstance(table.c[name].type, sa.JSON)
            arrays[name] = [Jsonb(v) for v in values] if is_json else list(values)
        driver: Any = db.connection().connection.driver_connection  # same transaction
        with driver.cursor() as cursor:
            cursor.execute(statement, arrays)
        return
    rows = [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]
    for start in range(0, len(rows), _SQLITE_CHUNK):
        stmt = sqlite.insert(table).values(rows[start : start + _SQLITE_CHUNK])
        changes = {c: table.c[c] + stmt.excluded[c] for c in add}
        changes |= {c: stmt.excluded[c] for c in replace}
        if not changes:
            db.execute(stmt.on_conflict_do_nothing(index_elements=list(conflict)))
            continue
        where = stmt.excluded[if_earlier] < table.c[if_earlier] if if_earlier else None
        db.execute(
            stmt.on_conflict_do_update(index_elements=list(conflict), set_=changes, where=where)
        )


@cache
def _unnest(
    table: str,
    names: tuple[str, ...],
    conflict: tuple[str, ...],
    add: tuple[str, ...],
    replace: tuple[str, ...],
    if_earlier: str | None,
) -> str:
    from opes_lti.core.db import Base

    defined = Base.metadata.tables[table]
    unknown = set(names) - set(defined.c.keys())
    if unknown:
        raise ValueError(f"{table} has no columns {sorted(unknown)}")
    dialect = postgresql.dialect()
    arrays = ", ".join(
        f"CAST(%({n})b AS {defined.c[n].type.compile(dialect=dialect)}[])" for n in names
    )
    # Names come from our own table definitions (checked above); every value is bound.
    sql = f"INSERT INTO {table} ({', '.join(names)}) SELECT * FROM unnest({arrays}) "  # noqa: S608
    changes = [f"{c} = {table}.{c} + EXCLUDED.{c}" for c in add]
    changes += [f"{c} = EXCLUDED.{c}" for c in replace]
    target = f"ON CONFLICT ({', '.join(conflict)}) "
    if not changes:
        return sql + target + "DO NOTHING"
    where = f" WHERE EXCLUDED.{if_earlier} < {table}.{if_earlier}" if if_earlier else ""
    return sql + target + "DO UPDATE SET " + ", ".join(changes) + where
