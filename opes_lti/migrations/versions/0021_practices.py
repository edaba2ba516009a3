"""practices, their history, scores and files: the communities' practice library

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07

On PostgreSQL the library is searched with its own Italian text search, over a GIN
index on each practice's stored ``tsvector``; SQLite searches the stems it keeps.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "practices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("sheet", JSON, nullable=False),
        sa.Column("region", sa.String(length=2), nullable=True),
        sa.Column("organisation", sa.String(length=200), nullable=True),
        sa.Column("themes", sa.String(length=700), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("stems", sa.Text(), nullable=False),
        sa.Column(
            "search_vector", postgresql.TSVECTOR().with_variant(sa.Text(), "sqlite"), nullable=True
        ),
        sa.Column("comment", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('draft', 'submitted', 'published', 'returned', 'withdrawn')",
            name=op.f("ck_practices_state_known"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_practices_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practices")),
        sa.UniqueConstraint("ref", name=op.f("uq_practices_ref")),
    )
    op.create_index(op.f("ix_practices_author"), "practices", ["author"])
    op.create_index(op.f("ix_practices_community_id"), "practices", ["community_id"])
    op.create_index("ix_practices_library", "practices", ["community_id", "state", "published_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_practices_search",
            "practices",
            ["search_vector"],
            postgresql_using="gin",
        )
    op.create_table(
        "practice_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("move", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.String(length=2000), nullable=False),
        sa.Column("sheet", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
            name=op.f("fk_practice_changes_practice_id_practices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_changes")),
    )
    op.create_index(op.f("ix_practice_changes_practice_id"), "practice_changes", ["practice_id"])
    op.create_table(
        "practice_scores",
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(length=64), nullable=False),
        sa.Column("scores", JSON, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
            name=op.f("fk_practice_scores_practice_id_practices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("practice_id", "reviewer", name=op.f("pk_practice_scores")),
    )
    op.create_table(
        "practice_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
            name=op.f("fk_practice_files_practice_id_practices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_files")),
    )
    op.create_index(op.f("ix_practice_files_practice_id"), "practice_files", ["practice_id"])


def downgrade() -> None:
    op.drop_table("practice_files")
    op.drop_table("practice_scores")
    op.drop_table("practice_changes")
    op.drop_table("practices")
