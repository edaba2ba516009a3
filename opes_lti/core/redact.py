"""Secrets out of log lines: values of known secret parameters in URLs become ``***``.

A dynamic-registration invitation, Moodle's ``registration_token`` (a bearer token valid
an hour) and LTI's state and hints travel in query strings, and access logs print query
strings. Used by the access log (``opes_lti.server``); pure, so anything logging a URL can.
"""

from __future__ import annotations

import re

#: Query parameters whose values are secrets or one-time credentials.
SECRET_PARAMETERS = (
    "access_token",
    "check",
    "client_assertion",
    "code",
    "id_token",
    "invite",
    "lti_message_hint",
    "login_hint",
    "nonce",
    "password",
    "registration_token",
    "secret",
    "state",
    "token",
)
#: Request headers that carry credentials, never logged at all.
SECRET_HEADERS = ("authorization", "cookie", "proxy-authorization", "x-api-key")

MASK = "***"

# A parameter starts the query or follows & or ;, possibly percent-encoded in its name's
# separators when the URL itself travels in another URL (a Referer, a redirect_uri).
_SECRET = re.compile(
    r"(?i)((?:^|[?&;]|%3F|%26)(?:" + "|".join(map(re.escape, SECRET_PARAMETERS)) + r")"
    r"(?:=|%3D))[^&;#\s\"']*"
)


def redact_url(text: str) -> str:
    """``text`` with the value of every secret parameter replaced by ``***``."""
    if "=" not in text and "%3d" not in text.lower():
        return text
    return _SECRET.sub(lambda m: m.group(1) + MASK, text)
