"""Frameworks to download.

The CASE file is what a Studio designer uploads into the XBlock; the spreadsheet is where
a designer starts a new framework from.
"""

from __future__ import annotations

from functools import partial

from flask import Blueprint, Response, abort, jsonify, render_template, url_for

from opes_lti.competencies import case, csvformat
from opes_lti.core.db import session
from opes_lti.framework_library import services

bp = Blueprint("frameworks", __name__, url_prefix="/frameworks", template_folder="templates")


@bp.get("/")
def index() -> str:
    """Every framework the tool offers, with its files."""
    return render_template("frameworks/index.html", frameworks=services.all_listed(session()))


def _framework(framework_id: str) -> object:
    try:
        return services.find(session(), framework_id)
    except services.UnknownFramework:
        abort(404)


@bp.get("/index.json")
def index_json() -> Response:
    """The same list for machines: the Studio editor offers these to designers."""
    url_of = partial(url_for, "frameworks.as_case", _external=True)
    return jsonify(frameworks=services.listing(session(), lambda i: url_of(framework_id=i)))


@bp.get("/<framework_id>.json")
def as_case(framework_id: str) -> Response:
    """The framework as CASE JSON."""
    framework = _framework(framework_id)
    return Response(
        case.dumps(framework),  # type: ignore[arg-type]
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{framework_id}.json"'},
    )


@bp.get("/<framework_id>.csv")
def as_spreadsheet(framework_id: str) -> Response:
    """The framework's competences as a spreadsheet."""
    framework = _framework(framework_id)
    return Response(
        "\ufeff" + csvformat.write(framework),  # type: ignore[arg-type]
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{framework_id}.csv"'},
    )
