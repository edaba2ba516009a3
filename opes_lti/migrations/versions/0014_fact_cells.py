"""fact_cells: the overview's counts, kept by triggers on facts

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03

The overview counted fact rows at every view: at 10 M events that is half a million
rows a page. Triggers keep a count per kind, variant, month and place as facts are
inserted, moved (an earlier event found later) and erased, whichever code does it; the
existing facts are counted once here, in the same transaction as the triggers.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

KEY = ("kind", "variant", "month", "region", "organisation", "course", "platform", "community")
_COLUMNS = ", ".join(KEY)


def _add(row: str, n: int) -> str:
    """The upsert adding ``n`` to the cell of the trigger's ``row`` (NEW or OLD)."""
    values = ", ".join(f"{row}.{c}" for c in KEY)
    return (
        f"INSERT INTO fact_cells ({_COLUMNS}, n) VALUES ({values}, {n}) "  # noqa: S608 - fixed names
        f"ON CONFLICT ({_COLUMNS}) DO UPDATE SET n = fact_cells.n + excluded.n;"
    )


def upgrade() -> None:
    op.create_table(
        "fact_cells",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("variant", sa.String(length=24), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("course", sa.String(length=200), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("community", sa.String(length=200), nullable=False),
        sa.Column("n", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_cells")),
        sa.UniqueConstraint(*KEY, name="uq_fact_cells_key"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION fact_cells_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {_add('OLD', -1)} END IF; "
            f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {_add('NEW', 1)} END IF; "
            "RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER facts_counted AFTER INSERT OR UPDATE OR DELETE ON facts "
            "FOR EACH ROW EXECUTE FUNCTION fact_cells_count()"
        )
    else:
        op.execute(
            f"CREATE TRIGGER facts_inserted AFTER INSERT ON facts BEGIN {_add('NEW', 1)} END"
        )
        op.execute(
            f"CREATE TRIGGER facts_deleted AFTER DELETE ON facts BEGIN {_add('OLD', -1)} END"
        )
        op.execute(
            "CREATE TRIGGER facts_updated AFTER UPDATE ON facts "
            f"BEGIN {_add('OLD', -1)} {_add('NEW', 1)} END"
        )
    op.execute(
        f"INSERT INTO fact_cells ({_COLUMNS}, n) "  # noqa: S608 - fixed names
        f"SELECT {_COLUMNS}, count(*) FROM facts GROUP BY {_COLUMNS}"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER facts_counted ON facts")
        op.execute("DROP FUNCTION fact_cells_count()")
    else:
        for name in ("facts_inserted", "facts_deleted", "facts_updated"):
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("fact_cells")
