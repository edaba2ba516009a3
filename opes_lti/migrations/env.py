"""Alembic environment: every model module is imported here so autogenerate sees it."""

from __future__ import annotations

from alembic import context

import opes_lti.accounts.models
import opes_lti.communities.models
import opes_lti.core.purges
import opes_lti.dashboard.models
import opes_lti.democourse.models
import opes_lti.events.models
import opes_lti.framework_library.models
import opes_lti.groupwork.models
import opes_lti.learners.models
import opes_lti.lti.grades
import opes_lti.lti.models
import opes_lti.reporting.models
import opes_lti.selfassessment.models
import opes_lti.sites.models  # noqa: F401
from opes_lti.core.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    url = config.attributes["database_url"]
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite alters tables by copying them; batch mode does that for us.
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
