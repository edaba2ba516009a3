"""events keep only the indexes a query reads, so each accepted event writes fewer

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07

No dashboard page reads ``events``: they read the rollups. What still reads it is the
deduplication (by primary key), a learner's export and erasure (by actor), and the
erasure's recounts: an organisation's remaining answers to one competence, and the first
remaining event of an organisation, a region or a course. Every other index cost each
insert a descent into a B-tree of ten million entries, which at 10 M events competed with
the pages for the CPU. ``(organisation, competency)`` serves both organisation reads, so it
replaces ``organisation`` and ``(framework, competency, phase)``.
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

DROPPED = (
    ("ix_events_community", ["community"]),
    ("ix_events_source_id", ["source_id"]),
    ("ix_events_type_occurred_at", ["type", "occurred_at"]),
    ("ix_events_competency", ["framework", "competency", "phase"]),
    ("ix_events_organisation", ["organisation"]),
)


def upgrade() -> None:
    op.create_index("ix_events_organisation_competency", "events", ["organisation", "competency"])
    for name, _ in DROPPED:
        op.drop_index(name, table_name="events")


def downgrade() -> None:
    for name, columns in DROPPED:
        op.create_index(name, "events", columns)
    op.drop_index("ix_events_organisation_competency", table_name="events")
