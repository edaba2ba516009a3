"""Claims and header fields of any JSON type: always a 4xx page, never a trace, no record.

Tokens are signed with the registered platform's own key after a genuine login, so
every check before the shape one passes and the tool has to read the odd value.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opes_lti.lti.models import LaunchRecord
from tests.lti import minted
from tests.lti.conftest import Tool
from tests.lti.minted import CLAIM
from tests.support.platform import OpenEdxPlatform

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)

# Where a value goes, and which JSON types the tool accepts there (anything else is wrong).
# A path is claim names and object keys; "*" is every value of the object.
PLACES: list[tuple[tuple[str, ...], tuple[type, ...]]] = [
    (("iss",), (str,)),
    (("aud",), (str, list)),  # a list of strings; an object or number is wrong
    (("azp",), (str,)),
    (("sub",), (str,)),
    (("exp",), (int, float)),
    (("iat",), (int, float)),
    (("nonce",), (str,)),
    ((CLAIM + "message_type",), (str,)),
    ((CLAIM + "deployment_id",), (str,)),
    ((CLAIM + "target_link_uri",), (str,)),
    ((CLAIM + "roles",), (list,)),
    ((CLAIM + "context",), (dict,)),
    ((CLAIM + "context", "id"), (str,)),
    ((CLAIM + "context", "title"), (str,)),
    ((CLAIM + "resource_link",), (dict,)),
    ((CLAIM + "resource_link", "id"), (str,)),
    ((CLAIM + "launch_presentation",), (dict,)),
    ((CLAIM + "launch_presentation", "locale"), (str,)),
    ((CLAIM + "custom",), (dict,)),
    ((CLAIM + "custom", "activity"), (str, int, float, bool)),
    ((AGS,), (dict,)),
    ((AGS, "scope"), (list,)),
    ((AGS, "lineitem"), (str,)),
    ((NRPS,), (dict,)),
    ((NRPS, "context_memberships_url"), (str,)),
    ((DL,), (dict,)),
    ((DL, "deep_link_return_url"), (str,)),
]
HEADER_PLACES = [("kid", (str,)), ("alg", (str,))]


def _wrong_for(accepted: tuple[type, ...]) -> st.SearchStrategy[Any]:
    # bool is an int in Python and None means "absent" to several claims: neither
    # is a wrong type for a number, and null is always tried apart (see below).
    def wrong(value: Any) -> bool:
        if value is None:
            return False
        if isinstance(value, bool):
            return bool not in accepted
        return not isinstance(value, accepted)

    return JSON.filter(wrong)


@st.composite
def _mutations(draw: st.DrawFn) -> tuple[str, tuple[str, ...], Any]:
    if draw(st.integers(0, len(PLACES) + len(HEADER_PLACES) - 1)) < len(HEADER_PLACES):
        name, accepted = draw(st.sampled_from(HEADER_PLACES))
        return "header", (name,), draw(_wrong_for(accepted))
    path, accepted = draw(st.sampled_from(PLACES))
    return "claims", path, draw(_wrong_for(accepted))


def _place(body: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        if not isinstance(body.get(key), dict):
            body[key] = {"id": "x"} if key != DL else {"deep_link_return_url": "http://x"}
        body = body[key]
    body[path[-1]] = value


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mutation=_mutations())
def test_a_claim_of_any_wrong_type_is_refused_with_a_clear_page(
    tool: Tool, platform: OpenEdxPlatform, mutation: tuple[str, tuple[str, ...], Any]
) -> None:
    where, path, value = mutation
    browser, query = minted.login(platform)
    body = minted.claims(platform, query["nonce"])
    headers: dict[str, Any] = {"kid": platform.kid}
    _place(headers if where == "header" else body, path, value)
    token = minted.sign(platform, body, **headers)
    response = minted.post(tool, browser, query["state"], token)
    assert 400 <= response.status_code < 500, (path, value, response.text[-400:])
    assert "Traceback" not in response.text
    assert 'role="alert"' in response.text
    with tool.database.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(LaunchRecord)) == 0


@pytest.mark.parametrize("bad", ["[{}]", '[{"a": 1}, "x"]', "{}", "1", "[]"])
def test_an_audience_of_the_wrong_shape_is_refused_before_any_login(
    tool: Tool, platform: OpenEdxPlatform, bad: str
) -> None:
    """The curl one-liner: no login, no signature, an odd ``aud``."""
    import base64

    def segment(text: str) -> str:
        return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()

    token = ".".join(
        [segment('{"alg":"RS256","kid":"k"}'), segment(f'{{"iss":"x","aud":{bad}}}'), "c2ln"]
    )
    # The state cookie set by hand, as curl can: the token is read, never a login made.
    response = requests.post(
        tool.url + "/lti/launch",
        data={"state": "s", "id_token": token},
        cookies={"opes-lti-state-s": "s"},
        timeout=30,
    )
    assert 400 <= response.status_code < 500
    assert "Traceback" not in response.text


REQUIRED = ["iss", "aud", "sub", "exp", "iat", "nonce"] + [
    CLAIM + name for name in ("message_type", "deployment_id", "roles", "target_link_uri")
]


@pytest.mark.parametrize("name", REQUIRED)
def test_a_required_claim_sent_as_null_is_refused(
    tool: Tool, platform: OpenEdxPlatform, name: str
) -> None:
    browser, query = minted.login(platform)
    body = minted.claims(platform, query["nonce"]) | {name: None}
    response = minted.post(tool, browser, query["state"], minted.sign(platform, body))
    assert 400 <= response.status_code < 500, response.text[-400:]
    assert "Traceback" not in response.text
    with tool.database.sessions() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(LaunchRecord)) == 0
