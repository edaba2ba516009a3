"""Secret parameters never reach a log line, whatever the URL around them."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from hypothesis import given
from hypothesis import strategies as st

from opes_lti.core.redact import MASK, SECRET_PARAMETERS, redact_url

# Values as they appear in a query string (already encoded: no separators inside).
VALUES = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFXYZ0123456789-_.~%+", min_size=8)
NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12).filter(
    lambda n: n.lower() not in SECRET_PARAMETERS
)
SECRET_NAMES = st.sampled_from(SECRET_PARAMETERS).flatmap(
    lambda n: st.sampled_from([n, n.upper(), n.title()])
)


@given(
    secrets=st.lists(st.tuples(SECRET_NAMES, VALUES), min_size=1, max_size=3),
    others=st.lists(st.tuples(NAMES, VALUES), max_size=3),
    order=st.randoms(),
    path=st.sampled_from(["/lti/register", "/lti/login", "/anything", ""]),
)
def test_every_secret_value_is_masked_and_nothing_else(
    secrets: list[tuple[str, str]], others: list[tuple[str, str]], order, path: str
) -> None:
    pairs = [*(("s", n, v) for n, v in secrets), *(("o", n, v) for n, v in others)]
    order.shuffle(pairs)
    query = "&".join(f"{n}={v}" for _kind, n, v in pairs)
    line = f'GET {path}?{query} HTTP/1.1" 200'
    redacted = redact_url(line)
    for kind, name, value in pairs:
        if kind == "s":
            assert f"{name}={MASK}" in redacted
            assert f"{name}={value}" not in redacted
        else:
            assert f"{name}={value}" in redacted


@given(secret=VALUES)
def test_a_secret_inside_a_url_inside_a_url_is_masked(secret: str) -> None:
    inner = "https://tool.example/lti/register?" + urlencode({"invite": secret})
    outer = "/lti/login?" + urlencode({"redirect_uri": inner})
    assert quote(secret, safe="") not in redact_url(outer).split("invite")[1]


def test_text_without_parameters_is_left_as_it_is() -> None:
    assert redact_url("GET /healthz HTTP/1.1") == "GET /healthz HTTP/1.1"
    assert redact_url("stateless=1&tokens=2") == "stateless=1&tokens=2"
