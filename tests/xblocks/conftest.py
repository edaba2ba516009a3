"""The XBlocks in xblock-sdk's workbench runtime, a fresh learner per test."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.support import djangoconf


@pytest.fixture
def make_runtime() -> Callable[..., Any]:
    """A workbench runtime for a user (a new one unless named), publishing into a list."""
    djangoconf.setup()
    from workbench.runtime import WorkbenchRuntime

    def make(user_id: str | None = None, staff: bool = False) -> Any:
        runtime = WorkbenchRuntime(user_id or f"learner-{uuid.uuid4().hex[:8]}")
        runtime.published = []
        runtime.publish = lambda block, kind, data: runtime.published.append((kind, data))
        runtime.user_is_staff = staff
        return runtime

    return make


def block_from(runtime: Any, xml: str) -> Any:
    """Parse a scenario's XML into a block."""
    return runtime.get_block(runtime.parse_xml_string(xml))


def call(runtime: Any, block: Any, handler: str, body: Any) -> tuple[int, Any]:
    """POST JSON to a handler: (status, decoded body)."""
    import webob

    request = webob.Request.blank("/", method="POST", body=json.dumps(body).encode())
    response = runtime.handle(block, handler, request)
    return response.status_code, json.loads(response.body or b"null")
