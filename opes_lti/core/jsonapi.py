"""What every JSON API of the app shares: errors as ``{"error": {"code", "message"}}``.

The reporting service's ingestion API and the tool's API for blocks answer alike,
routing errors (404, 405) and body limits (413) included.
"""

from __future__ import annotations

from typing import NoReturn

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from opes_lti.core import errors

#: The JSON Schema of every error answer, for the APIs' OpenAPI documents.
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}


class ApiError(HTTPException):
    """An error answered as ``{"error": {"code", "message"}}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.code = status
        self.error_code = code


def fail(status: int, code: str, message: str) -> NoReturn:
    """End the request with a JSON error."""
    raise ApiError(status, code, message)


def answers_json(bp: Blueprint, realm: str) -> None:
    """Make every error under ``bp``'s URL prefix a JSON answer (401s name ``realm``)."""

    def handler(exc: HTTPException) -> tuple[Response, int]:
        code = getattr(exc, "error_code", None) or (exc.name or "error").lower().replace(" ", "_")
        status = exc.code or 500
        response = jsonify({"error": {"code": code, "message": exc.description or exc.name}})
        if status == 401:
            response.headers["WWW-Authenticate"] = f'Bearer realm="{realm}"'
        return response, status

    @bp.record_once
    def _register(state: object) -> None:
        # Routing errors happen before any blueprint is chosen: the app's handler must
        # know that everything under the prefix answers JSON.
        errors.answer_prefix(state.app, bp.url_prefix or "/", handler)  # type: ignore[attr-defined]


def bearer() -> str | None:
    """The request's bearer token, if it sent one."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None
