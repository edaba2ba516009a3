"""Group exercises as the launch machinery and the Deep Linking picker see them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from opes_lti.groupwork import launched, views
from opes_lti.groupwork import staff_views as _staff_views  # noqa: F401 (its routes)
from opes_lti.lti.activities import Activity, Choice, Option


def options(_db: Session, _lang: str) -> tuple[Option, ...]:
    """What the designer picks when placing it; the rest is set in the activity itself."""
    return (
        Option(
            "formation",
            _l("How groups are formed"),
            (
                Choice("mix_organisations", _l("At random, mixing organisations")),
                Choice("mix_regions", _l("At random, mixing regions")),
                Choice("random", _l("At random")),
                Choice("by_community", _l("By community of practice")),
                Choice("choice", _l("Learners choose a group")),
                Choice("instructor", _l("By the instructor (also from a spreadsheet)")),
            ),
        ),
        Option(
            "deliverable",
            _l("What groups hand in"),
            (
                Choice("text", _l("A text written together")),
                Choice("file", _l("A file")),
                Choice("link", _l("A link")),
            ),
        ),
        Option(
            "scheme",
            _l("How members are graded"),
            (
                Choice("group", _l("The group's grade for every member")),
                Choice("webpa", _l("The group's grade adjusted by peer assessment (WebPA)")),
                Choice("individual", _l("The instructor grades each member")),
            ),
        ),
    )


ACTIVITY = Activity(
    key=launched.KEY,
    title=_l("Group exercise"),
    render=views.render,
    blueprint=views.bp,
    graded=True,
    options=options,
    placed=launched.placed,
)
