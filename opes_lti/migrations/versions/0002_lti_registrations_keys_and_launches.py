"""lti registrations keys and launches

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lti_launch_values",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_lti_launch_values")),
    )
    with op.batch_alter_table("lti_launch_values", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lti_launch_values_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "lti_platforms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=500), nullable=False),
        sa.Column("auth_login_url", sa.String(length=1000), nullable=False),
        sa.Column("auth_token_url", sa.String(length=1000), nullable=False),
        sa.Column("key_set_url", sa.String(length=1000), nullable=False),
        sa.Column("auth_audience", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_platforms")),
        sa.UniqueConstraint("issuer", "client_id", name="issuer_client"),
    )
    op.create_table(
        "lti_tool_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kid", sa.String(length=100), nullable=False),
        sa.Column("private_pem", sa.Text(), nullable=False),
        sa.Column(
            "public_jwk",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_tool_keys")),
        sa.UniqueConstraint("kid", name=op.f("uq_lti_tool_keys_kid")),
    )
    op.create_table(
        "lti_deployments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["lti_platforms.id"],
            name=op.f("fk_lti_deployments_platform_id_lti_platforms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_deployments")),
        sa.UniqueConstraint("platform_id", "deployment_id", name="per_platform"),
    )
    op.create_table(
        "lti_launches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.String(length=500), nullable=False),
        sa.Column("user", sa.String(length=64), nullable=False),
        sa.Column("context_id", sa.String(length=500), nullable=True),
        sa.Column("resource_link_id", sa.String(length=500), nullable=True),
        sa.Column("message_type", sa.String(length=64), nullable=False),
        sa.Column(
            "roles",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["lti_platforms.id"],
            name=op.f("fk_lti_launches_platform_id_lti_platforms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_launches")),
    )
    with op.batch_alter_table("lti_launches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lti_launches_platform_id"), ["platform_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_lti_launches_user"), ["user"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lti_launches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_launches_user"))
        batch_op.drop_index(batch_op.f("ix_lti_launches_platform_id"))

    op.drop_table("lti_launches")
    op.drop_table("lti_deployments")
    op.drop_table("lti_tool_keys")
    op.drop_table("lti_platforms")
    with op.batch_alter_table("lti_launch_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_launch_values_expires_at"))

    op.drop_table("lti_launch_values")
