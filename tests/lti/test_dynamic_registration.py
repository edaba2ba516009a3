"""LTI Dynamic Registration against a platform that behaves as Moodle 4.1+ does."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from click.testing import CliRunner

from opes_lti.cli import main
from opes_lti.core.outbound import Policy
from opes_lti.lti import dynamic
from opes_lti.lti.dynamic import invite
from tests.lti.conftest import Tool
from tests.support.platform import OpenEdxPlatform, open_edx_platform
from tests.support.servers import trap


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
    url = result.stdout.strip()
    assert re.match(rf"{re.escape(tool.url)}/lti/register\?invite=", url)
    invitation = parse_qs(urlsplit(url).query)["invite"][0]
    page = _register(tool, unregistered, invitation=invitation)
    assert page.status_code == 200
    assert "Canvas Lazio" in page.text


def test_an_invitation_registers_one_platform_only(tool: Tool) -> None:
    secret = tool.app.config["OPES_SETTINGS"].secret_key
    invitation = invite(secret, "Moodle Puglia")
    with open_edx_platform(tool.url) as first, open_edx_platform(tool.url) as second:
        refused = _register(tool, first, token="wrong-token", invitation=invitation)
        assert refused.status_code == 400  # a failed registration does not spend it
        assert _register(tool, first, invitation=invitation).status_code == 200
        again = _register(tool, second, invitation=invitation)
    assert again.status_code == 400
    assert "already used" in again.text
    assert second.registration_request == {}  # the second platform was never called


def test_an_invitation_past_its_time_is_refused(tool: Tool, unregistered: OpenEdxPlatform) -> None:
    secret = tool.app.config["OPES_SETTINGS"].secret_key
    # Signed by the tool, as invite() makes them, but its time ended a minute ago.
    past = dynamic._serializer(secret).dumps(
        {"name": "Moodle Puglia", "id": "a" * 32, "until": int(time.time()) - 60}
    )
    page = _register(tool, unregistered, invitation=past)
    assert page.status_code == 400
    assert "expired" in page.text
    assert unregistered.registration_request == {}


@pytest.mark.parametrize(
    ("given", "works"),
    [("30m", True), ("12h", True), ("7d", True), ("8d", False), ("0", False), ("soon", False)],
)
def test_invite_valid_for_is_checked(given: str, works: bool) -> None:
    result = CliRunner().invoke(main, ["platforms", "invite", "X", "--valid-for", given])
    assert (result.exit_code == 0) is works, result.output
    if not works:
        assert "Traceback" not in result.output
        assert "--valid-for" in result.output or "valid" in result.output


def test_registration_fetches_nothing_the_guard_refuses(
    tool: Tool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in production: no loopback. The trap stands for an address inside the network.
    monkeypatch.setitem(tool.app.extensions, "opes_outbound", Policy(allow_loopback=False))
    secret = tool.app.config["OPES_SETTINGS"].secret_key
    with trap() as listener:
        for target in (f"{listener.url}/config", f"https://localhost:{listener.port}/config"):
            page = requests.get(
                tool.url + "/lti/register",
                timeout=20,
                params={"invite": invite(secret, "Intranet"), "openid_configuration": target},
            )
            assert page.status_code == 400
            assert 'role="alert"' in page.text
            assert "loopback" in page.text or "https" in page.text
    assert listener.connections == 0
