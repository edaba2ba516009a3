"""The ingestion API (``/api/v1``): thin views over :mod:`opes_lti.reporting.ingest`."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import gettext as _

from opes_lti.core import limits, safejson
from opes_lti.core.db import Contended, session, utcnow, with_retries
from opes_lti.core.jsonapi import ApiError, answers_json, bearer, fail
from opes_lti.reporting import sources, traffic
from opes_lti.reporting.ingest import ingest, summarise
from opes_lti.reporting.openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
log = logging.getLogger(__name__)

#: HTTP status of a single-event request, by what became of the event.
_SINGLE_STATUS = {"accepted": 201, "duplicate": 200, "conflict": 409, "rejected": 422}


answers_json(bp, "opes-reporting")


def _read_items(limit_items: int) -> tuple[list[Any], bool]:
    if request.mimetype != "application/json":
        fail(415, "unsupported_media_type", _("Send the events as application/json."))
    raw = limits.read_body()  # over the limit: 413 body_too_large
    try:
        body = safejson.loads(raw)
    except safejson.JsonError as exc:
        fail(400, "malformed_json", _("The body is not valid JSON: %(reason)s", reason=str(exc)))
    if isinstance(body, dict):
        return [body], True
    if not isinstance(body, list):
        fail(
            400,
            "not_an_event",
            _("Send one event (a JSON object) or a batch (a JSON array of events)."),
        )
    if not body:
        fail(400, "empty_batch", _("The batch is empty."))
    if len(body) > limit_items:
        fail(
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
    source = sources.authenticate(db, bearer())
    if source is None:
        fail(
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
    try:
        items, single = _read_items(settings.max_batch_items)
    except ApiError as refused:
        _record_refused(db, source, refused)
        raise

    def store() -> list[Any]:
        now = utcnow()
        stored = ingest(db, source, items, now)
        traffic.record(db, source.id, traffic.of_items(stored), now)
        sources.record_use(db, source)
        db.commit()
        return stored

    try:
        results = with_retries(db, store)
    except Contended:
        fail(
            503,
            "busy",
            _("The reporting service is busy with other batches: send this one again shortly."),
        )
    body = {"results": [r.to_json() for r in results], "summary": summarise(results)}
    return jsonify(body), _SINGLE_STATUS[results[0].status] if single else 200


def _record_refused(db: Any, source: sources.Caller, refused: ApiError) -> None:
    """Count a request refused whole for its source's operator; never in its way."""
    why = traffic.refusal(traffic.REQUEST, refused.error_code, str(refused.description))
    try:
        traffic.record(db, source.id, Counter({why: 1}), utcnow())
        db.commit()
    except Exception:
        db.rollback()
        log.warning("could not count a refused request of source %s", source.name, exc_info=True)


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI document of this API."""
    settings = current_app.config["OPES_SETTINGS"]
    return jsonify(openapi_document(settings.max_batch_items, settings.max_body_bytes))
