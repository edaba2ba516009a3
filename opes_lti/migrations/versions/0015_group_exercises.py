"""group exercises: groups, memberships with history, drafts, files, submissions, reviews, ratings, grades

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "group_exercises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("context_id", sa.String(length=500), nullable=False),
        sa.Column("placement_id", sa.String(length=500), nullable=False),
        sa.Column("settings", JSON, nullable=False),
        sa.Column("config_key", sa.String(length=36), nullable=False),
        sa.Column("context", JSON, nullable=False),
        sa.Column("grade_endpoint", sa.Text(), nullable=True),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("formed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(platform_id IS NULL) <> (site_id IS NULL)", name=op.f("ck_group_exercises_one_origin")
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["lti_platforms.id"],
            name=op.f("fk_group_exercises_platform_id_lti_platforms"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["tool_sites.id"],
            name=op.f("fk_group_exercises_site_id_tool_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_exercises")),
        sa.UniqueConstraint("platform_id", "placement_id", name="one_per_resource_link"),
        sa.UniqueConstraint("site_id", "placement_id", name="one_per_block"),
    )
    op.create_index(
        op.f("ix_group_exercises_config_key"), "group_exercises", ["config_key"], unique=False
    )
    op.create_table(
        "exercise_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["group_exercises.id"],
            name=op.f("fk_exercise_groups_exercise_id_group_exercises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_groups")),
        sa.UniqueConstraint("exercise_id", "number", name="numbered_once"),
    )
    op.create_index(
        op.f("ix_exercise_groups_exercise_id"), "exercise_groups", ["exercise_id"], unique=False
    )
    op.create_table(
        "group_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["exercise_groups.id"],
            name=op.f("fk_group_drafts_group_id_exercise_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_drafts")),
        sa.UniqueConstraint("group_id", "version", name="versioned_once"),
    )
    op.create_index(op.f("ix_group_drafts_group_id"), "group_drafts", ["group_id"], unique=False)
    op.create_table(
        "group_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["exercise_groups.id"],
            name=op.f("fk_group_files_group_id_exercise_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_files")),
        sa.UniqueConstraint("key", name=op.f("uq_group_files_key")),
    )
    op.create_index(op.f("ix_group_files_group_id"), "group_files", ["group_id"], unique=False)
    op.create_table(
        "group_member_grades",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user", sa.String(length=64), nullable=False),
        sa.Column("computed", sa.Double(), nullable=True),
        sa.Column("factor", sa.Double(), nullable=True),
        sa.Column("parts", JSON, nullable=False),
        sa.Column("override", sa.Double(), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("overridden_by", sa.String(length=64), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["group_exercises.id"],
            name=op.f("fk_group_member_grades_exercise_id_group_exercises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["exercise_groups.id"],
            name=op.f("fk_group_member_grades_group_id_exercise_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_member_grades")),
        sa.UniqueConstraint("exercise_id", "user", name="graded_once"),
    )
    op.create_index(
        op.f("ix_group_member_grades_exercise_id"),
        "group_member_grades",
        ["exercise_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_group_member_grades_group_id"), "group_member_grades", ["group_id"], unique=False
    )
    op.create_table(
        "group_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user", sa.String(length=64), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=True),
        sa.Column("region", sa.String(length=10), nullable=True),
        sa.Column("community", sa.String(length=64), nullable=True),
        sa.Column("subject", sa.String(length=500), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("placed_by", sa.String(length=64), nullable=False),
        sa.Column("ended_by", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["group_exercises.id"],
            name=op.f("fk_group_memberships_exercise_id_group_exercises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["exercise_groups.id"],
            name=op.f("fk_group_memberships_group_id_exercise_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_memberships")),
    )
    op.create_index(
        op.f("ix_group_memberships_exercise_id"), "group_memberships", ["exercise_id"], unique=False
    )
    op.create_index(
        op.f("ix_group_memberships_group_id"), "group_memberships", ["group_id"], unique=False
    )
    op.create_index(
        "one_group_at_a_time",
        "group_memberships",
        ["exercise_id", "user"],
        unique=True,
        sqlite_where=sa.text("left_at IS NULL"),
        postgresql_where=sa.text("left_at IS NULL"),
    )
    op.create_table(
        "group_peer_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("rater", sa.String(length=64), nullable=False),
        sa.Column("rated", sa.String(length=64), nullable=False),
        sa.Column("mark", sa.Double(), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["exercise_groups.id"],
            name=op.f("fk_group_peer_ratings_group_id_exercise_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_peer_ratings")),
        sa.UniqueConstraint("group_id", "rater", "rated", name="rated_once"),
    )
    op.create_index(
        op.f("ix_group_peer_ratings_group_id"), "group_peer_ratings", ["group_id"], unique=False
    )
    op.create_table(
        "group_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_group_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_group_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("choices", JSON, nullable=True),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["group_exercises.id"],
            name=op.f("fk_group_reviews_exercise_id_group_exercises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_group_id"],
            ["exercise_groups.id"],
            name=op.f("fk_group_reviews_reviewed_group_id_exercise_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_group_id"],
            ["exercise_groups.id"],
            name=op.f("fk_group_reviews_reviewer_group_id_exercise_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_reviews")),
    )
    op.create_index(
        op.f("ix_group_reviews_exercise_id"), "group_reviews", ["exercise_id"], unique=False
    )
    op.create_index(
        "one_current_review",
        "group_reviews",
        ["reviewer_group_id", "reviewed_group_id"],
        unique=True,
        sqlite_where=sa.text("withdrawn_at IS NULL"),
        postgresql_where=sa.text("withdrawn_at IS NULL"),
    )
    op.create_table(
        "group_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=2000), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("submitted_by", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("members", JSON, nullable=False),
        sa.Column("staff_choices", JSON, nullable=True),
        sa.Column("staff_score", sa.Double(), nullable=True),
        sa.Column("staff_comment", sa.Text(), nullable=False),
        sa.Column("staff_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["file_id"], ["group_files.id"], name=op.f("fk_group_submissions_file_id_group_files")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["exercise_groups.id"],
            name=op.f("fk_group_submissions_group_id_exercise_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_submissions")),
        sa.UniqueConstraint("group_id", name=op.f("uq_group_submissions_group_id")),
    )


def downgrade() -> None:
    op.drop_table("group_submissions")
    op.drop_index(
        "one_current_review",
        table_name="group_reviews",
        sqlite_where=sa.text("withdrawn_at IS NULL"),
        postgresql_where=sa.text("withdrawn_at IS NULL"),
    )
    op.drop_index(op.f("ix_group_reviews_exercise_id"), table_name="group_reviews")
    op.drop_table("group_reviews")
    op.drop_index(op.f("ix_group_peer_ratings_group_id"), table_name="group_peer_ratings")
    op.drop_table("group_peer_ratings")
    op.drop_index(
        "one_group_at_a_time",
        table_name="group_memberships",
        sqlite_where=sa.text("left_at IS NULL"),
        postgresql_where=sa.text("left_at IS NULL"),
    )
    op.drop_index(op.f("ix_group_memberships_group_id"), table_name="group_memberships")
    op.drop_index(op.f("ix_group_memberships_exercise_id"), table_name="group_memberships")
    op.drop_table("group_memberships")
    op.drop_index(op.f("ix_group_member_grades_group_id"), table_name="group_member_grades")
    op.drop_index(op.f("ix_group_member_grades_exercise_id"), table_name="group_member_grades")
    op.drop_table("group_member_grades")
    op.drop_index(op.f("ix_group_files_group_id"), table_name="group_files")
    op.drop_table("group_files")
    op.drop_index(op.f("ix_group_drafts_group_id"), table_name="group_drafts")
    op.drop_table("group_drafts")
    op.drop_index(op.f("ix_exercise_groups_exercise_id"), table_name="exercise_groups")
    op.drop_table("exercise_groups")
    op.drop_index(op.f("ix_group_exercises_config_key"), table_name="group_exercises")
    op.drop_table("group_exercises")
