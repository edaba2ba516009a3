"""Calls to a platform's LTI Advantage services, authorised by a client-credentials token.

pylti1p3's ServiceConnector obtains the token (a JWT signed with the tool's key); the
calls themselves are made here, with timeouts (pylti1p3 sets none) and with a status that
tells a retryable failure from a final one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import requests
from pylti1p3.exception import LtiException
from pylti1p3.registration import Registration
from pylti1p3.service_connector import ServiceConnector

from opes_lti.core import outbound

TIMEOUT = 10


class ServiceError(Exception):
    """A service call that failed; ``transient`` failures are worth retrying."""

    def __init__(self, message: str, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class PlatformServices:
    """One platform's services, with its access tokens cached for this object's life."""

    def __init__(self, registration: Registration) -> None:
        self.http = outbound.http(timeout=TIMEOUT)  # pylti1p3's token request too
        self.connector = ServiceConnector(registration, requests_session=self.http)

    def call(
        self,
        method: str,
        url: str,
        scopes: Sequence[str],
        *,
        body: str | None = None,
        content_type: str = "application/json",
        accept: str = "application/json",
    ) -> requests.Response:
        """Make one authorised call; raise :class:`ServiceError`."""
        try:
            token = self.connector.get_access_token(list(scopes))
        except (LtiException, requests.RequestException, ValueError, KeyError) as exc:
            raise ServiceError(f"no access token from the platform: {exc}", True) from None
        headers = {"Authorization": f"Bearer {token}", "Accept": accept}
        if body is not None:
            headers["Content-Type"] = content_type
        try:
            response = self.http.request(method, url, data=body, headers=headers)
        except requests.RequestException as exc:
            raise ServiceError(f"{url} unreachable: {type(exc).__name__}", True) from None
        if response.status_code >= 400:
            transient = response.status_code in (401, 408, 429) or response.status_code >= 500
            raise ServiceError(
                f"{method} {url}: HTTP {response.status_code} {response.text[:200]}", transient
            )
        return response

    def paged(self, url: str, scopes: Sequence[str], accept: str) -> list[dict[str, Any]]:
        """GET every page, following ``Link: <…>; rel="next"`` (URL case kept as sent)."""
        pages = []
        seen: set[str] = set()
        next_url: str | None = url
        while next_url and next_url not in seen:
            seen.add(next_url)
            response = self.call("GET", next_url, scopes, accept=accept)
            pages.append(response.json())
            next_url = response.links.get("next", {}).get("url")
        return pages
