"""The self-assessment as the launch machinery and the Deep Linking picker see it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from opes_lti.framework_library import services as library
from opes_lti.lti.activities import Activity, Choice, Option
from opes_lti.selfassessment import services, views


def options(db: Session, lang: str) -> tuple[Option, ...]:
    """Framework, phase, areas and display mode, as the picker offers them."""
    frameworks = library.all_frameworks(db)
    return (
        Option(
            "framework",
            _l("Competency framework"),
            tuple(Choice(f.id, f.title.get(lang)) for f in frameworks),
        ),
        Option(
            "phase",
            _l("Phase"),
            (
                Choice("pre", _l("Before the course (pre)")),
                Choice("post", _l("After the course (post)")),
            ),
        ),
        Option(
            "areas",
            _l("Areas to ask"),
            tuple(
                Choice(area.code, area.title.get(lang), scope=f.id)
                for f in frameworks
                for area in f.areas
            ),
            multiple=True,
            scoped_by="framework",
        ),
        Option(
            "display",
            _l("On each screen"),
            (Choice("competency", _l("One competence")), Choice("area", _l("A whole area"))),
        ),
    )


ACTIVITY = Activity(
    key=services.KEY,
    title=_l("Competency self-assessment"),
    render=views.render,
    blueprint=views.bp,
    graded=True,
    options=options,
)
