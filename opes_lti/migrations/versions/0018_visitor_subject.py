"""group_visitors.subject: the platform's own id for a block's visitor (Open edX's
anonymous user id), which only the LMS can turn into a name for the instructors

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("group_visitors") as batch:
        batch.add_column(sa.Column("subject", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("group_visitors") as batch:
        batch.drop_column("subject")
