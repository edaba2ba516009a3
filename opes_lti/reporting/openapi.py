"""The ingestion API's OpenAPI 3.1 document, built from the event schema itself."""

from __future__ import annotations

from typing import Any

from opes_lti import __version__
from opes_lti.core.jsonapi import ERROR_SCHEMA
from opes_lti.events.domain import json_schema


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _results_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Results"}}},
    }


def openapi_document(max_items: int, max_body_bytes: int) -> dict[str, Any]:
    """The document, with the limits this instance enforces."""
    event = json_schema()
    definitions = event.pop("$defs")
    definitions["Event"] = event
    definitions["FieldError"] = {
        "type": "object",
        "required": ["field", "message"],
        "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
    }
    definitions["ItemResult"] = {
        "type": "object",
        "required": ["index", "id", "status"],
        "properties": {
            "index": {"type": "integer", "description": "Position of the item in the request."},
            "id": {"type": ["string", "null"]},
            "status": {"enum": ["accepted", "duplicate", "conflict", "rejected"]},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
        },
    }
    definitions["Results"] = {
        "type": "object",
        "required": ["results", "summary"],
        "properties": {
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/ItemResult"}},
            "summary": {
                "type": "object",
                "additionalProperties": {"type": "integer"},
            },
        },
    }
    definitions["Error"] = ERROR_SCHEMA
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "OPES reporting: event ingestion",
            "version": __version__,
            "description": (
                "Senders post outcome events, one object or a JSON array of at most "
                f"{max_items} objects (request body at most {max_body_bytes} bytes). "
                "Each item is answered on its own: accepted, duplicate (same id and content, "
                "not stored twice), conflict (same id, other content) or rejected (with the "
                "fields at fault). Beyond the schema: every event's `source` must be the "
                "name of the token's source; a self-assessment's level must not exceed "
                "max_level, and organisation is required when scope is 'organisation'; a "
                "grade's score must not exceed max_score; occurred_at lies between 2000 and "
                "2099."
            ),
        },
        "paths": {
            "/api/v1/source": {
                "get": {
                    "operationId": "getSource",
                    "summary": "The source the bearer token belongs to",
                    "description": (
                        "Senders call it at start to check that the source name they put in "
                        "events is their token's."
                    ),
                    "security": [{"bearer": []}],
                    "responses": {
                        "200": {
                            "description": "The token's source",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["source"],
                                        "properties": {
                                            "source": {
                                                "type": "object",
                                                "required": ["name"],
                                                "properties": {"name": {"type": "string"}},
                                            }
                                        },
                                    }
                                }
                            },
                        },
                        "401": _error_response("Missing, unknown or revoked token"),
                    },
                }
            },
            "/api/v1/events": {
                "post": {
                    "operationId": "postEvents",
                    "summary": "Post one outcome event or a batch",
                    "security": [{"bearer": []}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [
                                        {"$ref": "#/components/schemas/Event"},
                                        {
                                            "type": "array",
                                            "minItems": 1,
                                            "maxItems": max_items,
                                            "items": {"$ref": "#/components/schemas/Event"},
                                        },
                                    ]
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _results_response("Batch processed, or a single duplicate"),
                        "201": _results_response("The single event was stored"),
                        "400": _error_response("The body is not JSON, or is empty"),
                        "401": _error_response("Missing, unknown or revoked token"),
                        "409": _results_response("The single event conflicts with a stored one"),
                        "413": _error_response("Body or batch over the limit"),
                        "415": _error_response("The body is not application/json"),
                        "422": _results_response("The single event is not valid"),
                    },
                }
            },
        },
        "components": {
            "schemas": definitions,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
