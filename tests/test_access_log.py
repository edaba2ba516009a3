"""The access log of a real ``opes-lti serve`` holds no secret from any request part."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
import requests

from opes_lti.core.db import Database
from tests.support.processes import Process, free_port, wait_healthy

pytestmark = pytest.mark.slow


def test_access_log_masks_invitations_registration_tokens_and_credentials(
    database_url: str, database: Database, tmp_path: Path
) -> None:
    # ``database``: its teardown empties a shared PostgreSQL database after the server.
    invite, registration, hint, bearer, state = (secrets.token_urlsafe(24) for _ in range(5))
    port = free_port()
    env = {
        "OPES_DATABASE_URL": database_url,
        "OPES_INSTANCE_PATH": str(tmp_path / "i"),
        "OPES_SECRET_KEY": "k" * 40,
    }
    server = Process(["serve", "--port", str(port)], env, tmp_path / "serve.log").start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, server)
        requests.get(
            base + "/lti/register",
            params={
                "invite": invite,
                "openid_configuration": "http://127.0.0.1:9/.well-known/openid-configuration",
                "registration_token": registration,
            },
            headers={"Referer": f"{base}/admin/platforms?invite={invite}"},
            timeout=30,
        )
        requests.get(
            base + "/lti/login",
            params={"iss": "https://lms.example", "login_hint": hint, "target_link_uri": "x"},
            headers={"Authorization": f"Bearer {bearer}"},
            timeout=30,
        )
        requests.post(base + "/lti/launch", data={"state": state}, timeout=30)
        requests.get(base + "/healthz", params={"state": state}, timeout=30)
    finally:
        server.stop()
    log = server.output()
    assert "/lti/register?" in log
    assert "/lti/login?" in log
    for secret in (invite, registration, hint, bearer, state):
        assert secret not in log
    assert "invite=***" in log
    assert "registration_token=***" in log
