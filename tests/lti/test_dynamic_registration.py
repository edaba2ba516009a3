"""LTI Dynamic Registration against a platform that behaves as Moodle 4.1+ does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from click.testing import CliRunner

from opes_lti.cli import main
from opes_lti.lti.dynamic import invite
from tests.lti.conftest import Tool
from tests.support.platform import OpenEdxPlatform, open_edx_platform


@pytest.fixture
def unregistered(tool: Tool) -> Iterator[OpenEdxPlatform]:
    with open_edx_platform(tool.url) as platform:
        yield platform


def _register(
    tool: Tool, platform: OpenEdxPlatform, token: str | None = None, invitation: str | None = None
) -> requests.Response:
    secret = tool.app.config["OPES_SETTINGS"].secret_key
    return requests.get(
        tool.url + "/lti/register",
        timeout=20,
        params={
            "invite": invitation if invitation is not None else invite(secret, "Moodle Puglia"),
            "openid_configuration": platform.url + "/.well-known/openid-configuration",
            "registration_token": token or platform.registration_token,
        },
    )


def test_dynamic_registration_registers_and_the_tool_then_launches(
    tool: Tool, unregistered: OpenEdxPlatform
) -> None:
    page = _register(tool, unregistered)
    assert page.status_code == 200, page.text[-800:]
    assert "Moodle Puglia (moodle)" in page.text
    assert "org.imsglobal.lti.close" in page.text
    sent = unregistered.registration_request
    assert sent["initiate_login_uri"] == tool.url + "/lti/login"
    assert sent["redirect_uris"] == [tool.url + "/lti/launch"]
    assert sent["jwks_uri"] == tool.url + "/lti/jwks"
    assert sent["token_endpoint_auth_method"] == "private_key_jwt"
    # The stored registration is a working one.
    result = unregistered.launch()
    assert result.response.status_code == 200, result.response.text[-500:]


def test_dynamic_registration_needs_a_valid_invitation(
    tool: Tool, unregistered: OpenEdxPlatform
) -> None:
    page = _register(tool, unregistered, invitation="forged")
    assert page.status_code == 400
    assert "La registrazione non è riuscita" in page.text
    assert "not valid" in page.text
    assert unregistered.registration_request == {}


def test_dynamic_registration_refused_by_the_platform_is_explained(
    tool: Tool, unregistered: OpenEdxPlatform
) -> None:
    page = _register(tool, unregistered, token="wrong-token")
    assert page.status_code == 400
    assert 'role="alert"' in page.text
    assert "401" in page.text


def test_dynamic_registration_twice_is_refused_plainly(
    tool: Tool, unregistered: OpenEdxPlatform
) -> None:
    assert _register(tool, unregistered).status_code == 200
    again = _register(tool, unregistered)
    assert again.status_code == 400
    assert "registered already" in again.text


def test_dynamic_registration_invite_command_prints_a_working_url(
    tool: Tool, unregistered: OpenEdxPlatform
) -> None:
    settings = tool.app.config["OPES_SETTINGS"]
    result = CliRunner().invoke(
        main,
        ["platforms", "invite", "Canvas Lazio"],
        env={
            "OPES_SECRET_KEY": settings.secret_key,
            "OPES_BASE_URL": tool.url,
            "OPES_INSTANCE_PATH": str(settings.instance_path),
            "OPES_DATABASE_URL": settings.database_url,
        },
    )
    url = result.output.strip()
    assert re.match(rf"{re.escape(tool.url)}/lti/register\?invite=", url)
    invitation = parse_qs(urlsplit(url).query)["invite"][0]
    page = _register(tool, unregistered, invitation=invitation)
    assert page.status_code == 200
    assert "Canvas Lazio" in page.text
