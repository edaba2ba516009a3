"""The OpenAPI 3.1 document of the tool's API for blocks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from opes_lti import __version__
from opes_lti.core.jsonapi import ERROR_SCHEMA
from opes_lti.sites.services import ACTOR, COURSE, ROLE

_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_ACTING = [
    {
        "name": ACTOR,
        "in": "header",
        "required": True,
        "description": "The learner's pseudonymous id (SHA-256 hex, never a name).",
        "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    },
    {
        "name": ROLE,
        "in": "header",
        "required": True,
        "schema": {"enum": ["learner", "staff"]},
    },
    {
        "name": COURSE,
        "in": "header",
        "required": True,
        "description": "The course the block sits in.",
        "schema": {"type": "string", "pattern": "^[!-~](?:[ -~]{0,198}[!-~])?$"},
    },
]


def _get(summary: str, ok: dict[str, Any], *extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "security": [{"site": []}],
            "parameters": [*_ACTING, *extra],
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": ok}}},
                "400": {"description": "An acting header is missing or malformed", **_ERROR},
                "401": {"description": "No valid site token", **_ERROR},
            },
        }
    }


_OBJECT = {"type": "object"}
#: Paths other packages add to this API (group work's, the communities'), by path.
EXTRA_PATHS: dict[str, dict[str, Any]] = {}
#: The schemas those paths refer to (``#/components/schemas/NAME``).
EXTRA_SCHEMAS: dict[str, dict[str, Any]] = {}


def post(summary: str, body: dict[str, Any], refusals: dict[str, str]) -> dict[str, Any]:
    """A POST operation taking ``body`` (a JSON Schema) and answering JSON or an error."""
    answers = {
        "200": {"description": "OK", "content": {"application/json": {"schema": _OBJECT}}},
        "400": {"description": "A field or an acting header is missing or wrong", **_ERROR},
        "401": {"description": "No valid site token", **_ERROR},
    }
    answers |= {status: {"description": why, **_ERROR} for status, why in refusals.items()}
    return {
        "post": {
            "summary": summary,
            "security": [{"site": []}],
            "parameters": _ACTING,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": body}},
            },
            "responses": answers,
        }
    }


def document() -> dict[str, Any]:
    """The document."""
    listed = {
        "type": "object",
        "required": ["frameworks"],
        "properties": {
            "frameworks": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "version", "title", "shipped", "url"],
                    "properties": {
                        "id": {"type": "string"},
                        "version": {"type": "string"},
                        "title": {"type": "string"},
                        "shipped": {"type": "boolean"},
                        "url": {"type": "string"},
                    },
                },
            }
        },
    }
    whoami = {
        "type": "object",
        "required": ["site", "actor", "role", "course"],
        "properties": {k: {"type": "string"} for k in ("site", "actor", "role", "course")},
    }
    framework_id = {
        "name": "framework_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
    }
    one = _get("One framework as CASE JSON", {"type": "object"}, framework_id)
    one["get"]["responses"]["404"] = {"description": "No such framework", **_ERROR}
    return {
        "openapi": "3.1.0",
        "info": {"title": "OPES tool API for blocks", "version": __version__},
        "paths": {
            "/api/v1/blocks/whoami": _get("Who the call acts for", whoami),
            "/api/v1/blocks/frameworks": _get("The frameworks the tool offers", listed),
            "/api/v1/blocks/frameworks/{framework_id}": one,
            **EXTRA_PATHS,
        },
        "components": {
            "securitySchemes": {"site": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR_SCHEMA, **EXTRA_SCHEMAS},
        },
    }


def describe(prefix: str, bodies: Mapping[str, type[BaseModel]], summaries: Mapping[str, str],
             refusals: dict[str, str]) -> None:  # fmt: skip
    """Add the POST calls ``prefix/<name>`` taking ``bodies[name]`` to the document."""
    for name, model in bodies.items():
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        EXTRA_SCHEMAS.update(schema.pop("$defs", {}))
        EXTRA_PATHS[f"{prefix}/{name}"] = post(summaries[name], schema, refusals)
