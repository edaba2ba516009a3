"""The blocks' client for the tool: timeouts, one retry, and a clear message when down."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from opes_xblocks.toolclient import ToolClient, ToolUnavailable
from tests.support.servers import Trap, serve_wsgi


@contextmanager
def answering(statuses: list[int], body: Any = None) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A loopback tool answering ``statuses`` in turn (then 200), recording each request."""
    seen: list[dict[str, Any]] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        seen.append({"path": environ["PATH_INFO"], "auth": environ.get("HTTP_AUTHORIZATION")})
        status = statuses[len(seen) - 1] if len(seen) <= len(statuses) else 200
        start_response(f"{status} X", [("Content-Type", "application/json")])
        return [json.dumps(body if status == 200 else {"message": "no such site"}).encode()]

    with serve_wsgi(app) as url:
        yield url, seen


def test_the_site_token_is_sent_and_json_comes_back() -> None:
    with answering([], {"frameworks": []}) as (url, seen):
        assert ToolClient(url, "site-token").get("/frameworks/index.json") == {"frameworks": []}
    assert seen == [{"path": "/frameworks/index.json", "auth": "Bearer site-token"}]


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_gateway_error_is_tried_once_more(status: int) -> None:
    with answering([status], {"ok": 1}) as (url, seen):
        assert ToolClient(url).get("/x") == {"ok": 1}
    assert len(seen) == 2


def test_a_refusal_is_not_retried_and_says_what_the_tool_said() -> None:
    with answering([403]) as (url, seen), pytest.raises(ToolUnavailable, match="403: no such"):
        ToolClient(url).get("/x")
    assert len(seen) == 1


def test_a_tool_that_does_not_answer_is_a_clear_error_within_the_timeout() -> None:
    trap = Trap()  # accepts and hangs up
    try:
        with pytest.raises(ToolUnavailable, match="did not answer"):
            ToolClient(trap.url, timeout=2.0).get("/x")
        assert trap.connections == 2  # the try and the one retry, no more
    finally:
        trap.close()


def test_no_tool_url_means_no_client() -> None:
    assert ToolClient.from_settings({}) is None
    assert ToolClient.from_settings({"TOOL_URL": "  "}) is None
    client = ToolClient.from_settings({"TOOL_URL": "http://127.0.0.1:1/", "TOOL_TOKEN": "t"})
    assert client is not None
    assert client.base_url == "http://127.0.0.1:1"
