"""partnerships and interventions

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08

One table holds both kinds of record: they move the same way (recorded, confirmed or
returned, withdrawn) and the history of each is kept beside it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "community_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("sheet", JSON, nullable=False),
        sa.Column("comment", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "kind IN ('partnership', 'intervention')", name=op.f("ck_community_records_kind_known")
        ),
        sa.CheckConstraint(
            "state IN ('submitted', 'confirmed', 'returned', 'withdrawn')",
            name=op.f("ck_community_records_state_known"),
        ),
        sa.CheckConstraint(
            "status IN ('', 'planned', 'running', 'completed')",
            name=op.f("ck_community_records_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_community_records_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_records")),
        sa.UniqueConstraint("ref", name=op.f("uq_community_records_ref")),
    )
    with op.batch_alter_table("community_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_community_records_author"), ["author"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_community_records_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            "ix_community_records_listed", ["community_id", "kind", "state"], unique=False
        )

    op.create_table(
        "community_record_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("move", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.String(length=2000), nullable=False),
        sa.Column("sheet", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["community_records.id"],
            name=op.f("fk_community_record_changes_record_id_community_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_record_changes")),
    )
    with op.batch_alter_table("community_record_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_community_record_changes_record_id"), ["record_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("community_record_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_record_changes_record_id"))

    op.drop_table("community_record_changes")
    with op.batch_alter_table("community_records", schema=None) as batch_op:
        batch_op.drop_index("ix_community_records_listed")
        batch_op.drop_index(batch_op.f("ix_community_records_community_id"))
        batch_op.drop_index(batch_op.f("ix_community_records_author"))

    op.drop_table("community_records")
