"""demo course items and scores

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "demo_course_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("custom", JSON, nullable=False),
        sa.Column("score_maximum", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demo_course_items")),
    )
    op.create_table(
        "demo_course_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=40), nullable=False),
        sa.Column("score_given", sa.Float(), nullable=True),
        sa.Column("score_maximum", sa.Float(), nullable=True),
        sa.Column("activity_progress", sa.String(length=40), nullable=False),
        sa.Column("grading_progress", sa.String(length=40), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["demo_course_items.id"],
            name=op.f("fk_demo_course_scores_item_id_demo_course_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demo_course_scores")),
    )
    op.create_index(
        op.f("ix_demo_course_scores_item_id"), "demo_course_scores", ["item_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_demo_course_scores_item_id"), table_name="demo_course_scores")
    op.drop_table("demo_course_scores")
    op.drop_table("demo_course_items")
