"""group_visitors: who opened a group exercise's block, the XBlock face's roster; a
group's Open edX team

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_visitors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("user", sa.String(length=64), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=True),
        sa.Column("region", sa.String(length=10), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["group_exercises.id"],
            name=op.f("fk_group_visitors_exercise_id_group_exercises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_visitors")),
        sa.UniqueConstraint("exercise_id", "user", name="seen_once"),
    )
    op.create_index(
        op.f("ix_group_visitors_exercise_id"), "group_visitors", ["exercise_id"], unique=False
    )
    with op.batch_alter_table("exercise_groups") as batch:
        batch.add_column(sa.Column("team_id", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("exercise_groups") as batch:
        batch.drop_column("team_id")
    op.drop_index(op.f("ix_group_visitors_exercise_id"), table_name="group_visitors")
    op.drop_table("group_visitors")
