"""The placeholder: shows what the launch carried, and the class view link to instructors."""

from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l

from opes_lti.lti import pages
from opes_lti.lti.activities import Activity
from opes_lti.lti.launch import Launch
from opes_lti.lti.runtime import base_url
from opes_lti.placeholder import views


def render(launch: Launch) -> str:
    """The page a launched learner or instructor sees."""
    return render_template(
        "placeholder/launch.html",
        launch=launch,
        course=launch.context.get("title") or launch.context.get("label") or "",
        reporting_url=base_url() + "/",
        token=pages.issue(launch),
    )


ACTIVITY = Activity(
    key="placeholder",
    title=_l("Test activity"),
    render=render,
    blueprint=views.bp,
    graded=True,
    offered=False,
)
