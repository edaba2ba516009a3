"""Course outcomes: an instructor's launch opens the dashboard, scoped to that course."""

from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l

from opes_lti.lti import pages
from opes_lti.lti.activities import Activity
from opes_lti.lti.context import context_of
from opes_lti.lti.launch import Launch
from opes_lti.outcomes import views


def render(launch: Launch) -> str:
    """An instructor's way to the course's dashboard; a learner is told where to look."""
    return render_template(
        "outcomes/launch.html",
        launch=launch,
        course=views.course_title(launch),
        in_course=context_of(launch).course_key() is not None,
        token=pages.issue(launch) if launch.is_instructor else "",
    )


ACTIVITY = Activity(
    key="outcomes",
    title=_l("Course outcomes"),
    render=render,
    blueprint=views.bp,
)
