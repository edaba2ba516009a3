"""Deep Linking round trip, validated by Open edX's platform code."""

from __future__ import annotations

import re

import requests

from tests.lti.conftest import Tool
from tests.support.platform import OpenEdxPlatform

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, page[-1500:]
    return match.group(1)


def _picker(platform: OpenEdxPlatform, role: str = "instructor") -> tuple[requests.Session, str]:
    platform.enable_deep_linking()
    browser = requests.Session()
    result = platform.launch(browser, message_type="LtiDeepLinkingRequest", role=role)
    return browser, result.response.text if result.response.status_code == 200 else ""


def test_deep_linking_picker_returns_items_the_platform_accepts(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    browser, page = _picker(platform)
    assert "Aggiungi un'attività OPES" in page
    token = _hidden(page, "token")
    answer = browser.post(
        tool.url + "/lti/deep-link",
        timeout=10,
        data={
            "token": token,
            "activity": "selfassessment",
            "title-selfassessment": "Prova <finale>",
            "graded-selfassessment": "on",
            "max-selfassessment": "30",
        },
    )
    assert answer.status_code == 200, answer.text[-800:]
    assert f'action="{platform.url}/deep-link-return"' in answer.text
    items = platform.consumer.check_and_decode_deep_linking_token(_hidden(answer.text, "JWT"))
    assert items == [
        {
            "type": "ltiResourceLink",
            "title": "Prova <finale>",
            "url": tool.url + "/lti/launch",
            "custom": {
                "activity": "selfassessment",
                "framework": "opes-progettazione",
                "phase": "pre",
                "areas": "",
                "display": "competency",
            },
            "lineItem": {
                "label": "Prova <finale>",
                "scoreMaximum": 30.0,
                "resourceId": "selfassessment",
            },
        }
    ]


def test_deep_linking_picker_token_is_single_use(tool: Tool, platform: OpenEdxPlatform) -> None:
    browser, page = _picker(platform)
    form = {"token": _hidden(page, "token"), "activity": "selfassessment"}
    assert browser.post(tool.url + "/lti/deep-link", data=form, timeout=10).status_code == 200
    again = browser.post(tool.url + "/lti/deep-link", data=form, timeout=10)
    assert again.status_code == 400
    assert "expired_state" in again.text


def test_deep_linking_needs_a_choice(tool: Tool, platform: OpenEdxPlatform) -> None:
    browser, page = _picker(platform)
    token = _hidden(page, "token")
    empty = browser.post(tool.url + "/lti/deep-link", data={"token": token}, timeout=10)
    assert empty.status_code == 400
    assert 'role="alert"' in empty.text
    # The picker is shown again, still usable.
    assert _hidden(empty.text, "token") == token
    bad_max = browser.post(
        tool.url + "/lti/deep-link",
        timeout=10,
        data={
            "token": token,
            "activity": "selfassessment",
            "graded-selfassessment": "on",
            "max-selfassessment": "-5",
        },
    )
    assert bad_max.status_code == 400


def test_deep_linking_is_for_instructors_only(tool: Tool, platform: OpenEdxPlatform) -> None:
    platform.enable_deep_linking()
    result = platform.launch(message_type="LtiDeepLinkingRequest", role="student")
    assert result.response.status_code == 403
    assert "<code>not_designer</code>" in result.response.text


def test_deep_linking_forged_token_is_refused(tool: Tool) -> None:
    response = requests.post(
        tool.url + "/lti/deep-link", timeout=10, data={"token": "forged", "activity": "placeholder"}
    )
    assert response.status_code == 400
    assert "expired_state" in response.text


def test_lti_pages_may_be_framed_by_registered_platforms_only(
    tool: Tool, platform: OpenEdxPlatform
) -> None:
    result = platform.launch()
    policy = result.response.headers["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {platform.url}" in policy
    assert "X-Frame-Options" not in result.response.headers
