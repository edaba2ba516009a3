"""The community activity as the launch machinery and the Deep Linking picker see it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

# The library's routes live on the communities' blueprint: importing them registers them.
from opes_lti.cdp import library_views, meeting_views, record_views, views  # noqa: F401
from opes_lti.communities import services as communities
from opes_lti.lti.activities import Activity, Choice, Option

KEY = "community"


def options(db: Session, _lang: str) -> tuple[Option, ...]:
    """Every community, or the one the designer chooses for this course."""
    return (
        Option(
            "community",
            _l("Which communities"),
            (
                Choice("", _l("All the communities")),
                *(Choice(c.slug, c.name) for c in communities.listing(db)),
            ),
        ),
    )


ACTIVITY = Activity(
    key=KEY,
    title=_l("Communities of practice"),
    render=views.render,
    blueprint=views.bp,
    options=options,
)
