"""The outbound guard: nothing reaches a refused address, not even a connection.

Tests send nothing beyond loopback, ever: the guard is tested by making it refuse
loopback and checking that a loopback trap sees no connection at all.
"""

from __future__ import annotations

import ipaddress

import pytest
import requests
from flask import Flask, redirect
from hypothesis import given
from hypothesis import strategies as st

from opes_lti.core import outbound
from opes_lti.core.outbound import OutboundRefused, Policy
from tests.support.servers import serve_wsgi, trap

STRICT = Policy(allow_loopback=False)
LOOPBACK = Policy(allow_loopback=True)

SPECIAL_NETWORKS = [
    "127.0.0.0/8",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "169.254.0.0/16",
    "100.64.0.0/10",
    "0.0.0.0/8",
    "224.0.0.0/4",
    "240.0.0.0/4",
    "198.18.0.0/15",
    "::1/128",
    "fe80::/10",
    "fc00::/7",
    "ff00::/8",
    "::ffff:127.0.0.0/104",
    "::ffff:10.0.0.0/104",
    "64:ff9b:1::/48",
]


@st.composite
def _special(draw: st.DrawFn) -> str:
    network = ipaddress.ip_network(draw(st.sampled_from(SPECIAL_NETWORKS)))
    offset = draw(st.integers(0, network.num_addresses - 1))
    return str(network[offset])


@given(address=_special())
def test_no_private_loopback_or_special_address_is_allowed(address: str) -> None:
    with pytest.raises(OutboundRefused):
        STRICT.check_address(address)


@given(address=_special().filter(lambda a: not ipaddress.ip_address(a).is_loopback))
def test_allowing_loopback_allows_nothing_else_special(address: str) -> None:
    mapped = ipaddress.ip_address(address)
    inner = mapped.ipv4_mapped if isinstance(mapped, ipaddress.IPv6Address) else None
    if inner is not None and inner.is_loopback:
        return
    with pytest.raises(OutboundRefused):
        LOOPBACK.check_address(address)


@given(address=st.ip_addresses(v=4).filter(lambda a: a.is_global and not a.is_multicast))
def test_public_addresses_are_allowed(address: ipaddress.IPv4Address) -> None:
    STRICT.check_address(str(address))  # a pure check: nothing is sent


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "gopher://127.0.0.1/",
        "ftp://127.0.0.1/",
        "http://127.0.0.1/x",
        "https:///no-host",
        "javascript:alert(1)",
    ],
)
def test_only_https_urls_leave_a_strict_tool(url: str) -> None:
    with pytest.raises(OutboundRefused):
        STRICT.check_url(url)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]"])
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_refused_address_sees_no_connection(host: str, scheme: str) -> None:
    with trap() as listener:
        # https and http both, so the refusal is the address's, not the scheme's.
        policy = Policy(allow_loopback=False, trusted=frozenset())
        url = f"{scheme}://{host}:{listener.port}/.well-known/openid-configuration"
        with pytest.raises(requests.RequestException) as refused, outbound.http(5, policy) as http:
            http.get(url)
        assert isinstance(refused.value, OutboundRefused) or "Refused" in repr(refused.value)
    assert listener.connections == 0


def test_a_redirect_to_a_refused_address_is_not_followed() -> None:
    with trap() as listener:
        app = Flask("redirector")
        app.add_url_rule("/go", "go", lambda: redirect(f"{listener.url}/internal", 302))
        with serve_wsgi(app) as allowed:
            # The first hop is an origin the operator trusts; the redirect is not.
            policy = Policy(allow_loopback=False, trusted=frozenset({outbound.origin(allowed)}))
            with pytest.raises(OutboundRefused), outbound.http(5, policy) as http:
                http.get(allowed + "/go")
    assert listener.connections == 0


def test_loopback_allowed_reaches_loopback() -> None:
    app = Flask("answer")
    app.add_url_rule("/", "home", lambda: "fine")
    with serve_wsgi(app) as url, outbound.http(5, LOOPBACK) as http:
        assert http.get(url).text == "fine"


@pytest.mark.parametrize(
    ("base_url", "setting", "allowed"),
    [
        ("http://127.0.0.1:5000", "auto", True),
        ("http://localhost:8000", "auto", True),
        ("https://opes.example.it", "auto", False),
        ("https://opes.example.it", "on", True),
        ("http://127.0.0.1:5000", "off", False),
    ],
)
def test_loopback_follows_the_setting(base_url: str, setting: str, allowed: bool) -> None:
    assert outbound.policy_for(base_url, setting).allow_loopback is allowed
