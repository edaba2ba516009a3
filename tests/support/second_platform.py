"""A second, independent LTI 1.3 platform: the ``lti1p3platform`` package (PyPI).

It shares no code with Open edX's consumer nor with this tool; only its abstract hooks
(how it reads a request and answers) are filled in here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from flask import Flask, jsonify
from lti1p3platform.registration import Registration

from opes_lti.democourse.platform import Login, MessageLaunch, PlatformConf
from tests.support.platform import _Late, private_pem
from tests.support.servers import serve_wsgi


class SecondPlatform:
    """A platform built on lti1p3platform, its JWKS served on loopback."""

    def __init__(self, url: str, tool_url: str) -> None:
        pem = private_pem()
        public = serialization.load_pem_private_key(pem.encode(), None).public_key()
        self.url = url
        self.tool_url = tool_url
        self.registration = (
            Registration()
            .set_iss(url)
            .set_client_id("second-client")
            .set_deployment_id("dep-2")
            .set_oidc_login_url(tool_url + "/lti/login")
            .set_launch_url(tool_url + "/lti/launch")
            .set_platform_private_key(pem)
            .set_platform_public_key(
                public.public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                ).decode()
            )
        )
        self.conf = PlatformConf(registration=self.registration)

    def tool_registration(self) -> dict[str, Any]:
        """What the tool's administrator registers."""
        return {
            "name": "lti1p3platform",
            "issuer": self.url,
            "client_id": "second-client",
            "auth_login_url": self.url + "/auth",
            "auth_token_url": self.url + "/token",
            "key_set_url": self.url + "/jwks",
            "deployment_ids": ("dep-2",),
        }

    def launch(self, role: str = "Learner", locale: str = "it") -> requests.Response:
        """Login at the tool, the platform's launch, the id_token posted back."""
        browser = requests.Session()
        login = Login(SimpleNamespace(get_data={}, form_data={}), self.conf)
        login.set_lti_message_hint(hint="resource-9")
        url = login.initiate_login("learner-9")
        answer = browser.get(url, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text[-400:]
        query = dict(parse_qsl(urlsplit(answer.headers["Location"]).query))
        message = MessageLaunch(SimpleNamespace(get_data=query, form_data={}), self.conf)
        message.set_user_data(
            "learner-9",
            [f"http://purl.imsglobal.org/vocab/lis/v2/membership#{role}"],
            full_name="Giulia Bianchi",
        )
        message.set_resource_link_claim("resource-9", title="Autovalutazione")
        message.set_launch_context_claim("course-9", context_title="Reti e partenariati")
        message.set_custom_parameters_claim({"activity": "placeholder"})
        message.set_extra_claims(
            {
                "https://purl.imsglobal.org/spec/lti/claim/launch_presentation": {
                    "document_target": "iframe",
                    "locale": locale,
                }
            }
        )
        form = message.lti_launch()
        return browser.post(
            form["launch_url"],
            timeout=10,
            data={"id_token": form["id_token"], "state": form["state"]},
        )

    def wsgi(self) -> Flask:
        """The platform's JWKS."""
        app = Flask("second-platform")
        app.add_url_rule("/jwks", "jwks", lambda: jsonify(self.conf.get_jwks()))
        return app


@contextmanager
def second_platform(tool_url: str) -> Iterator[SecondPlatform]:
    """The platform, served."""
    late = _Late()
    with serve_wsgi(late) as url:
        platform = SecondPlatform(url, tool_url)
        late.app = platform.wsgi()
        yield platform
