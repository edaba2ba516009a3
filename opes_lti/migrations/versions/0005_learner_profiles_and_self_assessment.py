"""learner profiles and self-assessment answers

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learner_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("organisation", sa.String(length=200), nullable=True),
        sa.Column("region", sa.String(length=2), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IS NULL OR role IN ('manager', 'volunteer', 'staff')",
            name=op.f("ck_learner_profiles_role_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner_profiles")),
        sa.UniqueConstraint("user", name=op.f("uq_learner_profiles_user")),
    )
    op.create_table(
        "selfassessment_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("context_id", sa.String(length=500), nullable=False),
        sa.Column("resource_link_id", sa.String(length=500), nullable=False),
        sa.Column("user", sa.String(length=64), nullable=False),
        sa.Column("phase", sa.String(length=4), nullable=False),
        sa.Column("framework_id", sa.String(length=64), nullable=False),
        sa.Column("framework_version", sa.String(length=64), nullable=False),
        sa.Column(
            "answers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "phase IN ('pre', 'post')", name=op.f("ck_selfassessment_answers_phase_known")
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["lti_platforms.id"],
            name=op.f("fk_selfassessment_answers_platform_id_lti_platforms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selfassessment_answers")),
        sa.UniqueConstraint("platform_id", "resource_link_id", "user", name="one_per_placement"),
    )
    with op.batch_alter_table("selfassessment_answers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_selfassessment_course", ["platform_id", "context_id", "framework_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("selfassessment_answers", schema=None) as batch_op:
        batch_op.drop_index("ix_selfassessment_course")

    op.drop_table("selfassessment_answers")
    op.drop_table("learner_profiles")
