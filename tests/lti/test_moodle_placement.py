"""Placing activities as Moodle does: tool-level custom parameters merged over each link's.

Moodle 4.5 builds a launch's custom parameters as ``array_merge(link, tool)``: whatever
the tool's registration sets wins over what the placed link carries. Found on a real
Moodle: a tool-wide ``activity=placeholder`` opened the test activity from every link.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests

from opes_lti.lti.dynamic import invite
from opes_lti.lti.registrations import PlatformSpec, add_platform
from tests.lti.conftest import Tool
from tests.support.platform import OpenEdxPlatform, open_edx_platform

TEST_ACTIVITY_IT = "Attività di prova"


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, page[-1500:]
    return match.group(1)


def _register_dynamically(tool: Tool, platform: OpenEdxPlatform) -> requests.Response:
    secret = tool.app.config["OPES_SETTINGS"].secret_key
    return requests.get(
        tool.url + "/lti/register",
        timeout=20,
        params={
            "invite": invite(secret, "Moodle Puglia"),
            "openid_configuration": platform.url + "/.well-known/openid-configuration",
            "registration_token": platform.registration_token,
        },
    )


def _register_by_hand(tool: Tool, platform: OpenEdxPlatform) -> None:
    # What the admin guide says to paste into Moodle's manual tool form, from config.json.
    config = requests.get(tool.url + "/lti/config.json", timeout=10).json()
    platform.tool_custom = dict(config.get("custom_parameters") or {})
    with tool.database.transaction() as db:
        add_platform(db, PlatformSpec(**platform.registration()))


@pytest.fixture(params=["dynamic", "manual"])
def moodle(request: pytest.FixtureRequest, tool: Tool) -> Iterator[OpenEdxPlatform]:
    with open_edx_platform(tool.url) as platform:
        if request.param == "dynamic":
            assert _register_dynamically(tool, platform).status_code == 200
        else:
            _register_by_hand(tool, platform)
        yield platform


def _place(tool: Tool, platform: OpenEdxPlatform, **form: str | list[str]) -> requests.Response:
    platform.enable_deep_linking()
    browser = requests.Session()
    picker = platform.launch(browser, message_type="LtiDeepLinkingRequest", role="instructor")
    assert picker.response.status_code == 200, picker.response.text[-800:]
    return browser.post(
        tool.url + "/lti/deep-link",
        timeout=10,
        data={"token": _hidden(picker.response.text, "token"), **form},
    )


def test_a_placed_self_assessment_opens_itself_on_a_platform_that_merges_tool_parameters(
    tool: Tool, moodle: OpenEdxPlatform
) -> None:
    placed = _place(
        tool,
        moodle,
        activity="selfassessment",
        **{"opt-selfassessment-framework": "opes-progettazione", "opt-selfassessment-phase": "pre"},
    )
    assert placed.status_code == 200, placed.text[-800:]
    items = moodle.consumer.check_and_decode_deep_linking_token(_hidden(placed.text, "JWT"))
    result = moodle.launch(role="student", custom=items[0]["custom"])
    page = result.response.text
    assert result.response.status_code == 200, page[-800:]
    assert TEST_ACTIVITY_IT not in page
    assert 'action="/selfassessment/profile"' in page


def test_the_tool_registers_no_custom_parameter_that_picks_an_activity(
    tool: Tool, moodle: OpenEdxPlatform
) -> None:
    assert "activity" not in moodle.tool_custom


def test_a_link_without_an_activity_explains_how_to_place_one(
    tool: Tool, moodle: OpenEdxPlatform
) -> None:
    result = moodle.launch(role="instructor", custom={"unrelated": "x"})
    page = result.response.text
    assert result.response.status_code == 400
    assert TEST_ACTIVITY_IT not in page
    assert "<code>no_activity</code>" in page
    assert "Deep Linking" in page
    assert "Traceback" not in page


def test_a_link_naming_an_unknown_activity_is_refused_plainly(
    tool: Tool, moodle: OpenEdxPlatform
) -> None:
    result = moodle.launch(role="student", custom={"activity": "quiz<script>"})
    assert result.response.status_code == 400
    assert "<code>unknown_activity</code>" in result.response.text
    assert "<script>" not in result.response.text


def test_the_picker_does_not_offer_the_test_activity(tool: Tool, moodle: OpenEdxPlatform) -> None:
    moodle.enable_deep_linking()
    picker = moodle.launch(message_type="LtiDeepLinkingRequest", role="instructor")
    assert 'value="selfassessment"' in picker.response.text
    assert 'value="placeholder"' not in picker.response.text
    # Nor can a hand-made form place it.
    refused = _place(tool, moodle, activity="placeholder")
    assert refused.status_code == 400
    assert "JWT" not in refused.text


@pytest.mark.parametrize(
    ("framework", "areas", "accepted"),
    [
        ("opes-progettazione", ["PS", "PA"], "PS,PA"),
        ("opes-organizzazione", ["GV"], "GV"),
        ("opes-progettazione", [], ""),
        ("opes-progettazione", ["GV"], None),  # another framework's area
        ("opes-organizzazione", ["PS", "GV"], None),
    ],
)
def test_the_picker_accepts_only_the_chosen_frameworks_areas(
    tool: Tool, moodle: OpenEdxPlatform, framework: str, areas: list[str], accepted: str | None
) -> None:
    placed = _place(
        tool,
        moodle,
        activity="selfassessment",
        **{"opt-selfassessment-framework": framework, "opt-selfassessment-areas": areas},
    )
    if accepted is None:
        assert placed.status_code == 400
        assert 'role="alert"' in placed.text
        return
    assert placed.status_code == 200, placed.text[-800:]
    items = moodle.consumer.check_and_decode_deep_linking_token(_hidden(placed.text, "JWT"))
    assert items[0]["custom"]["framework"] == framework
    assert items[0]["custom"]["areas"] == accepted


def test_the_picker_groups_areas_under_their_framework(tool: Tool, moodle: OpenEdxPlatform) -> None:
    moodle.enable_deep_linking()
    page = moodle.launch(message_type="LtiDeepLinkingRequest", role="instructor").response.text
    for framework in ("opes-progettazione", "opes-organizzazione"):
        assert f'data-scope="{framework}"' in page
    assert 'data-scoped-by="opt-selfassessment-framework"' in page


def test_the_registration_page_may_be_framed_by_the_registering_platform(tool: Tool) -> None:
    with open_edx_platform(tool.url) as platform:
        success = _register_dynamically(tool, platform)
        assert success.status_code == 200
        assert platform.url in success.headers["Content-Security-Policy"]
    with open_edx_platform(tool.url) as platform:
        platform.registration_token = "not-the-token-it-expects"
        failure = requests.get(
            tool.url + "/lti/register",
            timeout=20,
            params={
                "invite": invite(tool.app.config["OPES_SETTINGS"].secret_key, "Moodle"),
                "openid_configuration": platform.url + "/.well-known/openid-configuration",
                "registration_token": "wrong",
            },
        )
        assert failure.status_code == 400
        ancestors = failure.headers["Content-Security-Policy"].split("frame-ancestors")[1]
        assert platform.url in ancestors.split()


@pytest.mark.parametrize(
    "openid_configuration",
    [
        "https://evil.example; script-src *",
        "javascript:alert(1)",
        "https://a b.example/x",
        "http://[::1",
        "https://host:notaport/",
        "",
    ],
)
def test_a_hostile_configuration_url_adds_nothing_to_the_frame_policy(
    tool: Tool, openid_configuration: str
) -> None:
    page = requests.get(
        tool.url + "/lti/register",
        timeout=10,
        params={"invite": "x", "openid_configuration": openid_configuration},
    )
    assert page.status_code == 400
    policy = page.headers["Content-Security-Policy"]
    assert policy.count(";") == 4, policy
    ancestors = policy.split("frame-ancestors")[1].split()
    # 'self', and at most platforms registered by earlier tests (a process cache).
    assert all(a == "'self'" or a.startswith("http://127.0.0.1:") for a in ancestors), policy
