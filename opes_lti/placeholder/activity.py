"""The placeholder: shows what the launch carried, and the class view link to instructors."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l

from opes_lti.lti.activities import Activity
from opes_lti.lti.launch import Launch
from opes_lti.lti.views import page_sessions


def render(launch: Launch) -> str:
    """The page a launched learner or instructor sees."""
    return render_template(
        "placeholder/launch.html",
        launch=launch,
        course=launch.context.get("title") or launch.context.get("label") or "",
        reporting_url=current_app.config["OPES_SETTINGS"].base_url + "/",
        token=page_sessions().remember(launch),
    )


ACTIVITY = Activity(
    key="placeholder", title=_l("Test activity"), render=render, graded=True, offered=False
)
