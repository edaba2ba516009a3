"""Human pages of the reporting service (the dashboard proper grows here)."""

from __future__ import annotations

from flask import Blueprint, render_template

from opes_lti import __version__

bp = Blueprint("reporting", __name__, template_folder="templates")


@bp.get("/")
def index() -> str:
    """Landing page: what this service is and where its API lives."""
    return render_template("reporting/index.html", version=__version__)
