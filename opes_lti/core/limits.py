"""How much a request may send, per route, refused with 413 before anything is parsed.

Every route has a limit: the default suits a form a person fills in; a route that
takes more (the ingestion API's batches) or far less (an LTI login or launch, a few
KiB from a platform) says so with :func:`body_limit`. A declared length over the limit
is refused before a byte is read; a body sent without one (chunked) is read up to the
limit and refused at the first byte beyond it, never cut short and parsed.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

#: Forms people fill in: generous for text, nowhere near what would hurt a worker.
DEFAULT_BYTES = 256 * 1024
_ATTRIBUTE = "opes_body_limit"

View = TypeVar("View", bound=Callable[..., Any])


def body_limit(nbytes: int | Callable[[], int]) -> Callable[[View], View]:
    """Let the decorated view take at most ``nbytes`` (or what a setting says, if callable)."""

    def mark(view: View) -> View:
        setattr(view, _ATTRIBUTE, nbytes)
        return view

    return mark


def current_limit() -> int:
    """The limit of the route being answered."""
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, _ATTRIBUTE, DEFAULT_BYTES)
    return limit() if callable(limit) else limit


class TooLarge(RequestEntityTooLarge):
    """A body over its route's limit, saying the limit (the JSON API's code too)."""

    error_code = "body_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(
            _("The request body is over %(limit)d bytes: send less at once.", limit=limit)
        )
        self.limit = limit


def _check_length() -> None:
    limit = current_limit()
    if request.content_length is not None:
        if request.content_length > limit:
            raise TooLarge(limit)
    elif "wsgi.input_terminated" in request.environ:
        # Sent without a length (chunked). Werkzeug's guard on such a stream stops at
        # the limit without saying so, and the form or JSON then parsed is a cut one:
        # read it here, up to the limit, and let the view see it as a sized body.
        body = read_body()
        request.environ.pop("wsgi.input_terminated")
        request.environ["wsgi.input"] = io.BytesIO(body)
        request.environ["CONTENT_LENGTH"] = str(len(body))
        request.__dict__.pop("stream", None)  # built from the old input, if it was read
    request.max_content_length = limit
    request.max_form_memory_size = limit


def read_body() -> bytes:
    """The whole body, at most the route's limit: one byte more is a 413, not a cut."""
    limit = current_limit()
    if request.content_length is not None and request.content_length > limit:
        raise TooLarge(limit)
    request.max_content_length = None  # the loop below is the guard
    # request.stream stops at a declared length; a chunked body is read as it comes.
    chunks, size = [], 0
    try:
        while size <= limit:
            chunk = request.stream.read(min(64 * 1024, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except RequestEntityTooLarge:  # Werkzeug's own guard on the stream, same limit
        raise TooLarge(limit) from None
    if size > limit:
        raise TooLarge(limit)
    return b"".join(chunks)


def init_app(app: Flask) -> None:
    """Check every request's declared length against its route's limit, first."""
    app.before_request(_check_length)
