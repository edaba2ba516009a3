"""dashboard rollups (pairs, cells, members, facts), account scopes, uncounted events

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "community_members",
        sa.Column("learner", sa.String(length=200), nullable=False),
        sa.Column("community", sa.String(length=200), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("learner", "community", name=op.f("pk_community_members")),
    )
    op.create_table(
        "gap_cells",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("grain", sa.SmallInteger(), nullable=False),
        sa.Column("scope", sa.String(length=12), nullable=False),
        sa.Column("framework", sa.String(length=200), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=False),
        sa.Column("competency", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("course", sa.String(length=200), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("community", sa.String(length=200), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("n_at_max", sa.Integer(), nullable=False),
        sa.Column("sum_pre", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("sum_post", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "sum_diff_sq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("sum_gain", sa.Float(), nullable=False),
        sa.Column("n_target", sa.Integer(), nullable=False),
        sa.Column("n_reached", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gap_cells")),
        sa.UniqueConstraint(
            "grain",
            "scope",
            "framework",
            "area",
            "competency",
            "region",
            "organisation",
            "role",
            "course",
            "platform",
            "community",
            "month",
            name="uq_gap_cells_key",
        ),
    )
    op.create_table(
        "gap_pairs",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=12), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("framework", sa.String(length=200), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=False),
        sa.Column("competency", sa.String(length=200), nullable=False),
        sa.Column("course", sa.String(length=200), nullable=False),
        sa.Column(
            "state",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_gap_pairs")),
    )
    with op.batch_alter_table("gap_pairs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gap_pairs_subject"), ["subject"], unique=False)

    op.create_table(
        "rollup_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counted", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollup_mark")),
    )
    op.create_table(
        "account_scopes",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "kind IN ('national', 'region', 'community', 'organisation', 'course')",
            name=op.f("ck_account_scopes_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_scopes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "kind", "value", name=op.f("pk_account_scopes")),
    )
    op.create_table(
        "events_uncounted",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_events_uncounted_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_events_uncounted")),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "facts",
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("key", sa.String(length=420), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("learner", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("community", sa.String(length=200), nullable=False),
        sa.Column("course", sa.String(length=200), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("variant", sa.String(length=24), nullable=False),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("kind", "key", name=op.f("pk_facts")),
    )
    with op.batch_alter_table("facts", schema=None) as batch_op:
        batch_op.create_index("ix_facts_kind_learner", ["kind", "learner"], unique=False)
        batch_op.create_index("ix_facts_kind_month", ["kind", "month"], unique=False)
        batch_op.create_index("ix_facts_kind_region", ["kind", "region"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("facts", schema=None) as batch_op:
        batch_op.drop_index("ix_facts_kind_region")
        batch_op.drop_index("ix_facts_kind_month")
        batch_op.drop_index("ix_facts_kind_learner")

    op.drop_table("facts")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("disabled_at")

    op.drop_table("events_uncounted")
    op.drop_table("account_scopes")
    op.drop_table("rollup_mark")
    with op.batch_alter_table("gap_pairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gap_pairs_subject"))

    op.drop_table("gap_pairs")
    op.drop_table("gap_cells")
    op.drop_table("community_members")
