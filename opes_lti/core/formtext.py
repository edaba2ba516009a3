"""Form and query text that no database column can hold is refused at the door.

PostgreSQL's text and JSON types cannot store the NUL character: a field carrying one
would fail deep inside a write, after other rows of the same request were staged. Every
route is spared that by one check before any view runs: a 400 saying what to fix.
"""

from __future__ import annotations

from flask import Flask, abort, request
from flask_babel import lazy_gettext as _l


def _refuse_nul() -> None:
    for values in (request.args, request.form):
        if any("\x00" in key or "\x00" in value for key, value in values.items(multi=True)):
            abort(
                400,
                description=_l(
                    "The form contains a character that cannot be stored (NUL): remove it "
                    "and send again."
                ),
            )


def init_app(app: Flask) -> None:
    """Check every request's form and query text before its view."""
    app.before_request(_refuse_nul)
