"""The ingestion API (``/api/v1``): thin views over :mod:`opes_lti.reporting.ingest`."""

from __future__ import annotations

from typing import Any, NoReturn

from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from opes_lti.core import errors, limits, safejson
from opes_lti.core.db import Contended, session, with_retries
from opes_lti.reporting import sources
from opes_lti.reporting.ingest import ingest, summarise
from opes_lti.reporting.openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")

#: HTTP status of a single-event request, by what became of the event.
_SINGLE_STATUS = {"accepted": 201, "duplicate": 200, "conflict": 409, "rejected": 422}


class ApiError(HTTPException):
    """An error answered as ``{"error": {"code", "message"}}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.code = status
        self.error_code = code


def _fail(status: int, code: str, message: str) -> NoReturn:
    raise ApiError(status, code, message)


@bp.record_once
def _register_app_handler(state: Any) -> None:
    # Routing errors (404, 405) happen before any blueprint is chosen, so the app's error
    # handler must know that everything under /api/ answers JSON.
    errors.answer_prefix(state.app, bp.url_prefix or "/api/v1", _json_error)


def _json_error(exc: HTTPException) -> tuple[Response, int]:
    # Werkzeug's own errors (413 from the body limit, 405) get the same JSON shape.
    code = getattr(exc, "error_code", None) or (exc.name or "error").lower().replace(" ", "_")
    status = exc.code or 500
    response = jsonify({"error": {"code": code, "message": exc.description or exc.name}})
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="opes-reporting"'
    return response, status


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _read_items(limit_items: int) -> tuple[list[Any], bool]:
    if request.mimetype != "application/json":
        _fail(415, "unsupported_media_type", _("Send the events as application/json."))
    raw = limits.read_body()  # over the limit: 413 body_too_large
    try:
        body = safejson.loads(raw)
    except safejson.JsonError as exc:
        _fail(400, "malformed_json", _("The body is not valid JSON: %(reason)s", reason=str(exc)))
    if isinstance(body, dict):
        return [body], True
    if not isinstance(body, list):
        _fail(
            400,
            "not_an_event",
            _("Send one event (a JSON object) or a batch (a JSON array of events)."),
        )
    if not body:
        _fail(400, "empty_batch", _("The batch is empty."))
    if len(body) > limit_items:
        _fail(
            413,
            "batch_too_large",
            _(
                "A batch holds at most %(limit)d events; this one has %(count)d.",
                limit=limit_items,
                count=len(body),
            ),
        )
    return body, False


def _caller(db: Any) -> sources.Caller:
    source = sources.authenticate(db, _bearer())
    if source is None:
        _fail(
            401,
            "unauthorized",
            _(
                "A valid bearer token is required: ask the operator of this reporting "
                "service for a source token (made with 'opes-lti sources add NAME')."
            ),
        )
    return source


@bp.get("/source")
def whoami() -> Response:
    """The source the token belongs to: senders check their configured name against it."""
    source = _caller(session())
    return jsonify({"source": {"name": source.name}})


def _batch_bytes() -> int:
    return current_app.config["OPES_SETTINGS"].max_body_bytes


@bp.post("/events")
@limits.body_limit(_batch_bytes)
def post_events() -> tuple[Response, int]:
    """Ingest one event or a batch; answer item by item."""
    settings = current_app.config["OPES_SETTINGS"]
    db = session()
    source = _caller(db)
    items, single = _read_items(settings.max_batch_items)

    def store() -> list[Any]:
        stored = ingest(db, source, items)
        sources.record_use(db, source)
        db.commit()
        return stored

    try:
        results = with_retries(db, store)
    except Contended:
        _fail(
            503,
            "busy",
            _("The reporting service is busy with other batches: send this one again shortly."),
        )
    body = {"results": [r.to_json() for r in results], "summary": summarise(results)}
    return jsonify(body), _SINGLE_STATUS[results[0].status] if single else 200


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI document of this API."""
    settings = current_app.config["OPES_SETTINGS"]
    return jsonify(openapi_document(settings.max_batch_items, settings.max_body_bytes))
