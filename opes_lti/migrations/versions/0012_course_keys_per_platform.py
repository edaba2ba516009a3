"""instructors' tokens taken once; the report's course is its id with its platform instance

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03

Two platforms may both have a course ``2``: the stored course becomes
``Context.course_key()`` and, where that changed anything, the rollups (derived data
only, never an event) are emptied and every event queued to be counted again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from opes_lti.events.domain import Context

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_events = sa.table(
    "events",
    sa.column("id", sa.Uuid),
    sa.column("course", sa.String),
    sa.column("envelope", sa.JSON),
    sa.column("received_at", sa.DateTime(timezone=True)),
)
_DERIVED = ("gap_pairs", "gap_cells", "community_members", "facts")


def upgrade() -> None:
    op.create_table(
        "dashboard_handoffs",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_dashboard_handoffs")),
    )
    op.create_index(op.f("ix_dashboard_handoffs_expires_at"), "dashboard_handoffs", ["expires_at"])
    _qualify_courses()


def _qualify_courses() -> None:
    bind = op.get_bind()
    changed = 0
    rows = bind.execute(
        sa.select(_events.c.id, _events.c.envelope).where(_events.c.course.is_not(None))
    )
    for event_id, envelope in rows.all():
        key = Context.model_validate(envelope["context"]).course_key()
        if key == envelope["context"].get("course"):
            continue
        bind.execute(sa.update(_events).where(_events.c.id == event_id).values(course=key))
        changed += 1
    if not changed:
        return
    for table in _DERIVED:
        op.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608 (our own table names)
    op.execute(sa.text("DELETE FROM events_uncounted"))
    op.execute(
        sa.text(
            "INSERT INTO events_uncounted (event_id) SELECT id FROM events ORDER BY received_at"
        )
    )
    op.execute(sa.text("UPDATE rollup_mark SET counted = 0"))


def downgrade() -> None:
    # The plain course ids stay in each envelope; the qualified ones are harmless to keep.
    op.drop_index(op.f("ix_dashboard_handoffs_expires_at"), table_name="dashboard_handoffs")
    op.drop_table("dashboard_handoffs")
