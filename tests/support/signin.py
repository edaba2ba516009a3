"""Signing in through the form, as a person does (the CSRF token read from the page)."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient


def sign_in(client: FlaskClient, username: str, password: str, **request: Any) -> Any:
    """POST the sign-in form with the token from a fresh GET of it; the response."""
    page = client.get("/login", **request).get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token, page[:500]
    data = {"csrf": token.group(1), "username": username, "password": password}
    return client.post("/login", data=data, **request)
