"""Every request the tool sends out goes through one guard.

Platforms name URLs the tool then calls (a registration's OpenID configuration and
registration endpoint, key sets, token and service endpoints). Without a guard, anyone
holding an invitation could make the tool fetch an address inside its own network.
So each request checks its scheme (https only, unless loopback is allowed), and each
connection resolves its host once, checks every address it resolves to, and connects
to the address it checked: nothing is sent to a refused address, not even a probe, and
a name that changes its answer between check and use (DNS rebinding) gains nothing.
Redirects are new requests and are checked again.

Loopback (and plain http) are allowed for the embedded default, the demo course and
tests: ``OPES_OUTBOUND_LOOPBACK`` (``auto``: when the tool's own base URL is loopback).
Private, link-local and other special addresses are never allowed, except the
operator's own configured services (the reporting service), which are trusted by
origin.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import current_app, has_app_context
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_EXTENSION = "opes_outbound"
#: IPv6 prefixes that carry an IPv4 address to a translator (NAT64, 6to4, Teredo): the
#: address inside could be anything, so none is reached this way.
_TRANSLATED = tuple(
    ipaddress.ip_network(n) for n in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32")
)


class OutboundRefused(requests.ConnectionError):
    """A request the guard did not let out, with the reason.

    A ``requests`` error, so what callers do for an unreachable service covers it.
    """


@dataclass(frozen=True)
class Policy:
    """What may be reached."""

    #: Loopback addresses and plain http (the embedded default, the demo, tests).
    allow_loopback: bool = False
    #: Origins (``scheme://host:port``) configured by the operator, reachable whatever
    #: their address: the reporting service on an internal network.
    trusted: frozenset[str] = field(default_factory=frozenset)

    def check_url(self, url: str) -> None:
        """Refuse a URL this policy never lets out, before anything is resolved."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OutboundRefused(f"only http(s) URLs are fetched, not {url[:100]!r}")
        if parts.scheme == "http" and not self.allow_loopback and not self.trusts(url):
            raise OutboundRefused(f"only https URLs are fetched here, not {url[:100]!r}")

    def trusts(self, url: str) -> bool:
        """Whether ``url`` is on an origin the operator configured."""
        return origin(url) in self.trusted

    def check_address(self, address: str) -> None:
        """Refuse an address outside what this policy allows."""
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if ip.is_loopback:
            if self.allow_loopback:
                return
            raise OutboundRefused(f"{address} is a loopback address")
        if not ip.is_global or ip.is_multicast or any(ip in net for net in _TRANSLATED):
            raise OutboundRefused(f"{address} is a private or special address")


def origin(url: str) -> str:
    """``scheme://host:port`` of ``url``, lower case, the port always written."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}"


def policy_for(base_url: str, loopback: str, trusted: Iterable[str] = ()) -> Policy:
    """The policy of settings: ``loopback`` is on, off or auto (on for a loopback base URL)."""
    if loopback == "auto":
        host = urlsplit(base_url).hostname or ""
        allow = host == "localhost" or _is_loopback_literal(host)
    else:
        allow = loopback == "on"
    return Policy(allow, frozenset(origin(u) for u in trusted if u))


def from_settings(settings: Any) -> Policy:
    """The policy the settings ask for (the reporting service's and the tool's origins trusted)."""
    trusted = [settings.reporting_url, settings.tool_url]
    return policy_for(settings.base_url, settings.outbound_loopback, trusted)


def _is_loopback_literal(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_default = Policy()


def configure(policy: Policy) -> Policy:
    """Set the policy outside any app (the CLI's workers); the one it replaces back.

    Apps carry their own.
    """
    global _default
    previous, _default = _default, policy
    return previous


def init_app(app: Any, policy: Policy) -> None:
    """Give ``app`` its policy."""
    app.extensions[_EXTENSION] = policy


def current_policy() -> Policy:
    """The app's policy in a request or app context, else the process's."""
    if has_app_context():
        found = current_app.extensions.get(_EXTENSION)
        if found is not None:
            return found
    return _default


def _resolve_checked(host: str, port: int, policy: Policy) -> str:
    """The address to connect to: every address ``host`` resolves to must be allowed."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise OutboundRefused(f"{host} could not be resolved: {exc}") from None
    addresses = [info[4][0] for info in found]
    for address in addresses:
        policy.check_address(str(address))
    return str(addresses[0])


class _Checked:
    """A urllib3 connection that connects only to an address the policy allows."""

    opes_policy: Policy
    _dns_host: str
    port: int

    def _new_conn(self) -> socket.socket:
        self._dns_host = _resolve_checked(self._dns_host, self.port, self.opes_policy)
        return super()._new_conn()  # type: ignore[misc]


def _pools(policy: Policy) -> dict[str, type]:
    http_conn = type("CheckedHTTP", (_Checked, HTTPConnection), {"opes_policy": policy})
    https_conn = type("CheckedHTTPS", (_Checked, HTTPSConnection), {"opes_policy": policy})
    return {
        "http": type("CheckedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
        "https": type("CheckedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
    }


class _GuardedAdapter(HTTPAdapter):
    def __init__(self, policy: Policy, trusted_adapter: bool = False) -> None:
        self.policy = policy
        self.unchecked_addresses = trusted_adapter
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        if not self.unchecked_addresses:
            self.poolmanager.pool_classes_by_scheme = _pools(self.policy)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        self.policy.check_url(request.url or "")
        return super().send(request, *args, **kwargs)


class _GuardedSession(requests.Session):
    """Each URL to the checked adapter, or to the trusted one for the operator's origins.

    No proxies or .netrc from the environment: they would change where a request goes.
    """

    def __init__(self, policy: Policy, timeout: float) -> None:
        super().__init__()
        self.trust_env = False
        self.timeout = timeout
        self.policy = policy
        self._checked = _GuardedAdapter(policy)
        self._trusted = _GuardedAdapter(policy, trusted_adapter=True)

    def get_adapter(self, url: str) -> HTTPAdapter:
        """The trusted adapter for a configured origin, the checked one for the rest."""
        self.policy.check_url(url)
        return self._trusted if self.policy.trusts(url) else self._checked

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        """Every request with a timeout."""
        kwargs.setdefault("timeout", self.timeout)
        return super().request(*args, **kwargs)

    def close(self) -> None:
        """Close both adapters' pools."""
        self._checked.close()
        self._trusted.close()
        super().close()


def http(timeout: float = 10.0, policy: Policy | None = None) -> requests.Session:
    """A requests session whose every request and redirect passes the guard."""
    return _GuardedSession(policy or current_policy(), timeout)
