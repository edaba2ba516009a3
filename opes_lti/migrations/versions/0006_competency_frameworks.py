"""competency frameworks

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "competency_frameworks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("package", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competency_frameworks")),
        sa.UniqueConstraint("framework_id", name=op.f("uq_competency_frameworks_framework_id")),
    )


def downgrade() -> None:
    op.drop_table("competency_frameworks")
