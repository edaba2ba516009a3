"""what each source sent, by hour: items per status, refusals per reason

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_traffic",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("field", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.String(length=240), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_source_traffic_source_id_sources")
        ),
        sa.PrimaryKeyConstraint(
            "source_id", "hour", "status", "field", "reason", name=op.f("pk_source_traffic")
        ),
    )


def downgrade() -> None:
    op.drop_table("source_traffic")
