"""Which sites may frame an activity's pages, and the nonce their scripts carry.

LTI pages live in the platforms' iframes: exactly the registered platforms may frame
them (and one that is registering right now). Every other page of the app forbids
framing (``app._security_headers``).
"""

from __future__ import annotations

import secrets

from flask import Blueprint, Response, g

from opes_lti.core.db import session
from opes_lti.lti import registrations


def allow_framing_by(*origins: str) -> None:
    """Let ``origins`` frame this response too (a platform registering now)."""
    g.framing_origins = tuple(g.get("framing_origins", ())) + origins


def _frame_policy(response: Response) -> Response:
    if "Content-Security-Policy" in response.headers:
        # The view's own, stricter one: a download served sandboxed, never a framed page.
        return response
    allowed = registrations.platform_origins(session()) | set(g.get("framing_origins", ()))
    origins = " ".join(sorted(allowed))
    nonce = g.get("csp_nonce", "")
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"frame-ancestors 'self' {origins}".rstrip()
    )
    return response


def _script_nonce() -> None:
    g.csp_nonce = secrets.token_urlsafe(16)


def _nonce() -> dict[str, str]:
    return {"csp_nonce": g.get("csp_nonce", "")}


def embeddable(blueprint: Blueprint) -> None:
    """Let the registered platforms frame ``blueprint``'s pages; give its scripts a nonce.

    Every activity's blueprint calls this once: its pages open inside the course's iframe.
    """
    blueprint.before_request(_script_nonce)
    blueprint.after_request(_frame_policy)
    blueprint.context_processor(_nonce)
