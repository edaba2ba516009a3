"""The blocks' client for the OPES tool's API: shared state the tool service keeps.

Groups, communities and the framework library are shared across learners, courses and
platforms, so the tool service is their system of record. A block reaches it from the
LMS server (never from the learner's browser) with the site token of its settings,
with a timeout and one retry; when the tool cannot be reached the caller gets
:class:`ToolUnavailable` and shows a clear message instead of a broken page.
"""

from __future__ import annotations

import time
from typing import Any

import requests

#: Seconds to wait for the tool: a block's page must not hang on it.
TIMEOUT = 5.0
#: Extra tries after a connection failure or a 502/503/504, with this pause between.
RETRIES = 1
PAUSE = 0.5


class ToolUnavailable(Exception):
    """The tool did not answer usefully; the message says why, for logs and staff."""


class ToolClient:
    """JSON over HTTP to ``TOOL_URL``, authenticated by the site token."""

    def __init__(
        self,
        base_url: str,
        token: str = "",
        timeout: float = TIMEOUT,
        retries: int = RETRIES,
        session: requests.Session | None = None,
        acting: dict[str, str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        #: Who the calls act for (the tool checks it on every call): learner, role, course.
        self.acting = acting or {}
        self.timeout = timeout
        self.retries = retries
        self.http = session or requests.Session()

    @classmethod
    def from_settings(
        cls,
        settings: dict[str, Any],
        actor: str = "",
        role: str = "learner",
        course: str = "",
        language: str = "it",
    ) -> ToolClient | None:
        """The client for the settings' ``TOOL_URL`` and ``TOOL_TOKEN``; None when unset."""
        url = str(settings.get("TOOL_URL") or "").strip()
        if not url:
            return None
        acting = {"X-OPES-Actor": actor, "X-OPES-Role": role, "X-OPES-Course": course}
        # The tool's refusals come back in the learner's language.
        acting["Accept-Language"] = language
        return cls(url, str(settings.get("TOOL_TOKEN") or ""), acting=acting)

    def get(self, path: str, **params: str) -> Any:
        """The decoded JSON of ``GET path``."""
        return self._call("GET", path, params=params)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        """The decoded JSON of ``POST path`` with a JSON body."""
        return self._call("POST", path, json=body)

    def exchange(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        """``POST path``: (status, decoded JSON), refusals (4xx) included.

        Only an unreachable tool or a broken answer is :class:`ToolUnavailable`.
        """
        return self._call("POST", path, refusals=True, json=body)  # type: ignore[no-any-return]

    def text(self, path: str) -> str:
        """The body of ``GET path`` as text (a framework file)."""
        return str(self._call("GET", path, decode=False))

    def _call(
        self, method: str, path: str, decode: bool = True, refusals: bool = False, **kwargs: Any
    ) -> Any:
        headers = {"Accept": "application/json", **self.acting}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        url = self.base_url + path
        for attempt in range(self.retries + 1):
            try:
                response = self.http.request(
                    method, url, headers=headers, timeout=self.timeout, **kwargs
                )
            except requests.RequestException as exc:
                problem = f"the OPES tool at {self.base_url} did not answer ({type(exc).__name__})"
            else:
                if refusals and 400 <= response.status_code < 500:
                    return response.status_code, self._json(response)
                if response.status_code not in (502, 503, 504):
                    result = self._read(response, decode)
                    return (response.status_code, result) if refusals else result
                problem = f"the OPES tool answered {response.status_code}"
            if attempt < self.retries:
                time.sleep(PAUSE)
        raise ToolUnavailable(problem)

    def _read(self, response: requests.Response, decode: bool) -> Any:
        if response.status_code >= 400:
            try:
                message = response.json().get("message") or response.json().get("error")
            except (ValueError, AttributeError):
                message = None
            raise ToolUnavailable(
                f"the OPES tool refused the request ({response.status_code}"
                + (f": {message}" if message else "")
                + ")"
            )
        if not decode:
            return response.text
        return self._json(response)

    @staticmethod
    def _json(response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise ToolUnavailable("the OPES tool answered something that is not JSON") from None
