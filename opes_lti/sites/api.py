"""The tool's API for blocks (``/api/v1/blocks``): shared state, from the LMS server.

Every call carries a site token and says which learner, role and course it acts for;
the answers are JSON, errors included. The group exercise and the communities add
their endpoints here.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, url_for
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError

from opes_lti.competencies import case
from opes_lti.core.db import session
from opes_lti.core.jsonapi import answers_json, bearer, fail
from opes_lti.framework_library import services as library
from opes_lti.sites import services
from opes_lti.sites.openapi import document

bp = Blueprint("blocks_api", __name__, url_prefix="/api/v1/blocks")
answers_json(bp, "opes-tool")


def block_call() -> services.BlockCall:
    """The calling site and whom it acts for; a JSON 401 or 400 otherwise."""
    db = session()
    site = services.REGISTRY.authenticate(db, bearer())
    if site is None:
        fail(
            401,
            "unauthorized",
            _(
                "A valid site token is required: the operator of this tool makes one with "
                "'opes-lti sites add NAME' and sets it as TOOL_TOKEN in the LMS."
            ),
        )
    try:
        call = services.acting(site, dict(request.headers))
    except services.ActingError as exc:
        fail(400, "bad_acting_headers", str(exc))
    services.REGISTRY.record_use(db, site)
    db.commit()
    return call


def block_body[Model: BaseModel](model: type[Model]) -> Model:
    """The call's JSON body as ``model``, or a JSON 400 naming every wrong field."""
    try:
        return model.model_validate(request.get_json(silent=True))
    except ValidationError as exc:
        fields = ", ".join(sorted({".".join(map(str, e["loc"])) for e in exc.errors()}))
        said = _("These fields are missing or wrong: %(fields)s", fields=fields or "body")
        fail(400, "bad_request", said)


@bp.get("/whoami")
def whoami() -> Response:
    """The site, learner, role and course the call acts for (blocks check their setup)."""
    call = block_call()
    return jsonify(site=call.site.name, actor=call.actor, role=call.role, course=call.course)


@bp.get("/frameworks")
def frameworks() -> Response:
    """The frameworks the tool offers, for the self-assessment's Studio editor."""
    block_call()

    def url_of(framework_id: str) -> str:
        return url_for("blocks_api.framework", framework_id=framework_id, _external=True)

    return jsonify(frameworks=library.listing(session(), url_of))


@bp.get("/frameworks/<framework_id>")
def framework(framework_id: str) -> Response:
    """One framework as CASE JSON (the block keeps a copy)."""
    block_call()
    try:
        found = library.find(session(), framework_id)
    except library.UnknownFramework:
        fail(404, "unknown_framework", _("The tool has no framework %(id)s.", id=framework_id))
    return Response(case.dumps(found), mimetype="application/json")


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI document of this API."""
    return jsonify(document())
