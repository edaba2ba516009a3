"""Every route refuses a body over its limit with 413, before parsing it, chunked or not."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opes_lti.core import limits
from opes_lti.lti.views import LAUNCH_BYTES, LOGIN_BYTES
from tests.lti.conftest import Tool

#: (path, the route's limit, content type)
ROUTES = [
    ("/lti/login", LOGIN_BYTES, "application/x-www-form-urlencoded"),
    ("/lti/launch", LAUNCH_BYTES, "application/x-www-form-urlencoded"),
    ("/lti/launch/verified", LAUNCH_BYTES, "application/x-www-form-urlencoded"),
    ("/lti/deep-link", limits.DEFAULT_BYTES, "application/x-www-form-urlencoded"),
    ("/login", limits.DEFAULT_BYTES, "application/x-www-form-urlencoded"),
]


def _send(url: str, path: str, body: bytes, content_type: str, chunked: bool) -> tuple[int, str]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        headers = {"Content-Type": content_type}
        if chunked:
            connection.putrequest("POST", path)
            for name, value in (headers | {"Transfer-Encoding": "chunked"}).items():
                connection.putheader(name, value)
            connection.endheaders()
            for start in range(0, len(body), 8192):
                piece = body[start : start + 8192]
                connection.send(b"%x\r\n%s\r\n" % (len(piece), piece))
            connection.send(b"0\r\n\r\n")
        else:
            connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    except (BrokenPipeError, ConnectionResetError):
        # The server may answer 413 and close before the whole body is sent.
        return 413, ""
    finally:
        connection.close()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=st.sampled_from(ROUTES),
    over=st.integers(1, 200_000),
    chunked=st.booleans(),
)
def test_a_body_over_the_routes_limit_is_413(
    tool: Tool, route: tuple[str, int, str], over: int, chunked: bool
) -> None:
    path, limit, content_type = route
    body = b"id_token=" + b"a" * (limit + over)
    status, text = _send(tool.url, path, body, content_type, chunked)
    assert status == 413, (path, chunked, text[-300:])
    assert "Traceback" not in text


@pytest.mark.parametrize("chunked", [False, True])
def test_a_launch_within_the_limit_is_read(tool: Tool, chunked: bool) -> None:
    # Not 413: read and refused for what it is (no state), the body was parsed.
    status, text = _send(
        tool.url, "/lti/launch", b"state=x&id_token=y", "application/x-www-form-urlencoded", chunked
    )
    assert status == 401, text[-300:]
    assert "state_mismatch" in text
