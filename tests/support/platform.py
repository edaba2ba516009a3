"""A real LTI 1.3 platform for the tests: Open edX's ``LtiAdvantageConsumer``, served on
loopback, driven by a scripted browser (a requests session keeping cookies)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify

from tests.support.servers import serve_wsgi


def _setup_django() -> None:
    from tests.support import djangoconf

    djangoconf.setup()


def private_pem() -> str:
    """A fresh RSA key in PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@dataclass
class LaunchResult:
    """What the scripted browser got back from the tool."""

    response: requests.Response
    state: str = ""
    id_token: str = ""
    login_redirect: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class OpenEdxPlatform:
    """An Open edX course's LTI consumer block, minus the course."""

    def __init__(
        self, url: str, tool_url: str, client_id: str = "opes-client", deployment_id: str = "1"
    ) -> None:
        _setup_django()
        from lti_consumer.lti_1p3.consumer import LtiAdvantageConsumer

        self.url = url
        self.tool_url = tool_url
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.pem = private_pem()
        self.kid = "platform-" + uuid.uuid4().hex[:8]
        self.consumer = LtiAdvantageConsumer(
            iss=url,
            lti_oidc_url=tool_url + "/lti/login",
            lti_launch_url=tool_url + "/lti/launch",
            client_id=client_id,
            deployment_id=deployment_id,
            rsa_key=self.pem,
            rsa_key_id=self.kid,
            redirect_uris=[tool_url + "/lti/launch"],
            tool_keyset_url=tool_url + "/lti/jwks",
        )
        self.lineitems: list[dict[str, Any]] = []
        self.scores: list[dict[str, Any]] = []
        self.tokens_checked = 0
        self.members: list[dict[str, Any]] = []
        self.registration_token = "reg-" + uuid.uuid4().hex
        self.registration_request: dict[str, Any] = {}
        #: Make the storage frame answer with a wrong state (an attack, or a bug).
        self.storage_tamper = False
        self.roster_pages = 0
        #: How many score posts to refuse with 503 before accepting (outage simulation).
        self.score_failures = 0
        #: Tool-level custom parameters, learned at registration. As Moodle does
        #: (mod/lti/locallib.php, lti_build_custom_parameters: array_merge(link, tool)),
        #: they are merged over each link's own, and win.
        self.tool_custom: dict[str, str] = {}

    def rotate_key(self) -> str:
        """Sign with a new key from now on; the JWKS publishes only the new one."""
        from lti_consumer.lti_1p3.key_handlers import PlatformKeyHandler

        self.pem = private_pem()
        self.kid = "platform-" + uuid.uuid4().hex[:8]
        self.consumer.key_handler = PlatformKeyHandler(self.pem, self.kid)
        return self.kid

    def registration(self) -> dict[str, Any]:
        """What an administrator registers in the tool for this platform."""
        return {
            "name": "Open edX (test)",
            "issuer": self.url,
            "client_id": self.client_id,
            "auth_login_url": self.url + "/auth",
            "auth_token_url": self.url + "/token",
            "key_set_url": self.url + "/jwks",
            "deployment_ids": (self.deployment_id,),
        }

    def prepare(
        self,
        role: str = "student",
        user_id: str = "42",
        locale: str | None = None,
        custom: dict[str, str] | None = None,
        course_title: str = "Progettazione sociale",
        resource_link_id: str = "block-v1:OPES+PS+2026+type@lti+block@1",
        course_id: str = "course-v1:OPES+PS+2026",
    ) -> None:
        """Set the claims of the next launch, as the LTI block does for a learner."""
        self.consumer.set_user_data(user_id=user_id, role=role, full_name="Maria Rossi")
        self.consumer.set_resource_link_claim(resource_link_id)
        self.consumer.set_context_claim(course_id, context_title=course_title, context_label="PS")
        self.consumer.set_custom_parameters(
            {**(custom or {"activity": "placeholder"}), **self.tool_custom}
        )
        presentation: dict[str, Any] = {"document_target": "iframe"}
        if locale:
            presentation["locale"] = locale
        self.consumer.set_extra_claim(
            {"https://purl.imsglobal.org/spec/lti/claim/launch_presentation": presentation}
        )

    def preflight_url(
        self, user_id: str = "42", message_type: str = "LtiResourceLinkRequest"
    ) -> str:
        """The login URL the platform's page sends the browser to."""
        from lti_consumer.data import Lti1p3LaunchData

        data = Lti1p3LaunchData(
            user_id=user_id,
            user_role="student",
            config_id=uuid.uuid4(),
            resource_link_id="block-1",
            message_type=message_type,
        )
        return self.consumer.prepare_preflight_url(data)

    def enable_deep_linking(self) -> str:
        """Let designers pick content from the tool; returns the platform's return URL."""
        return_url = self.url + "/deep-link-return"
        self.consumer.enable_deep_linking(self.tool_url + "/lti/launch", return_url)
        return return_url

    def authorize(self, query: dict[str, str]) -> dict[str, str]:
        """The platform's OIDC authorization endpoint: id_token and state for the browser."""
        return self.consumer.generate_launch_request(query)

    def launch(
        self,
        browser: requests.Session | None = None,
        message_type: str = "LtiResourceLinkRequest",
        **claims: Any,
    ) -> LaunchResult:
        """A whole launch: login at the tool, authorization here, id_token posted back."""
        browser = browser or requests.Session()
        self.prepare(**claims)
        login = browser.get(
            self.preflight_url(message_type=message_type), allow_redirects=False, timeout=10
        )
        if login.status_code != 302:
            return LaunchResult(login)
        location = login.headers["Location"]
        assert location.startswith(self.url + "/auth?"), location
        answer = self.authorize(dict(parse_qsl(urlsplit(location).query)))
        response = browser.post(self.tool_url + "/lti/launch", data=answer, timeout=10)
        return LaunchResult(response, answer["state"], answer["id_token"], location)

    def enable_ags(self, lineitem: bool = False) -> None:
        """Send the AGS claim (the lineitems container; a lineitem too if asked)."""
        self.consumer.enable_ags(
            lineitems_url=self.url + "/lineitems",
            lineitem_url=self.url + "/lineitems/1" if lineitem else None,
            allow_programmatic_grade_interaction=True,
        )
        if lineitem and not self.lineitems:
            self.lineitems.append(
                {
                    "id": self.url + "/lineitems/1",
                    "label": "Set by platform",
                    "scoreMaximum": 10,
                    "resourceLinkId": "x",
                }
            )

    def enable_nrps(self, members: list[dict[str, Any]]) -> None:
        """Offer the roster (served two members a page)."""
        self.members = members
        self.consumer.enable_nrps(self.url + "/memberships")

    def _bearer(self, request: Any, scopes: list[str]) -> None:
        from flask import abort

        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            abort(401)
        try:
            allowed = self.consumer.check_token(header[7:], scopes)
        except Exception:
            abort(401)
        if not allowed:
            abort(403)
        self.tokens_checked += 1

    def wsgi(self) -> Flask:
        """The platform's public endpoints: JWKS, OAuth2 token, AGS line items and scores."""
        from flask import abort, request

        app = Flask("platform")
        ags = "https://purl.imsglobal.org/spec/lti-ags/scope/"

        @app.get("/jwks")
        def jwks() -> Any:
            return jsonify(self.consumer.get_public_keyset())

        @app.post("/token")
        def token() -> Any:
            try:
                return jsonify(self.consumer.access_token(request.form.to_dict()))
            except Exception as exc:
                return jsonify({"error": "invalid_client", "detail": str(exc)}), 400

        @app.get("/lineitems")
        def lineitems() -> Any:
            self._bearer(request, [ags + "lineitem", ags + "lineitem.readonly"])
            return jsonify(self.lineitems)

        @app.post("/lineitems")
        def create_lineitem() -> Any:
            self._bearer(request, [ags + "lineitem"])
            item = request.get_json(force=True)
            item["id"] = f"{self.url}/lineitems/{len(self.lineitems) + 1}"
            self.lineitems.append(item)
            return jsonify(item), 201

        @app.post("/lineitems/<int:number>/scores")
        def scores(number: int) -> Any:
            self._bearer(request, [ags + "score"])
            if self.score_failures:
                self.score_failures -= 1
                abort(503)
            if request.mimetype != "application/vnd.ims.lis.v1.score+json":
                abort(415)
            self.scores.append({"lineitem": number, **request.get_json(force=True)})
            return "", 204

        @app.get("/course")
        def course() -> Any:
            # A course page framing the tool, with an LTI Platform Storage frame handler.
            login = self.preflight_url() + "&lti_storage_target=_parent"
            wrong = "true" if self.storage_tamper else "false"
            # The listener is in place before the frame starts loading: the tool's first
            # message must not arrive before anyone listens.
            return f"""<!doctype html><html lang="it"><head><title>Corso</title><script>
  var store = {{}}, tamper = {wrong};
  window.addEventListener("message", function (e) {{
    var m = e.data || {{}};
    if (m.subject === "lti.put_data") {{
      store[m.key] = m.value;
      e.source.postMessage({{subject: "lti.put_data.response", message_id: m.message_id,
                             key: m.key, value: m.value}}, e.origin);
    }} else if (m.subject === "lti.get_data") {{
      e.source.postMessage({{subject: "lti.get_data.response", message_id: m.message_id,
                             key: m.key, value: tamper ? "not-the-state" : store[m.key]}},
                           e.origin);
    }}
  }});
  window.platformStorage = store;
</script></head>
<body><main><h1>Corso di prova</h1>
<iframe name="tool" title="OPES" src="{login}" width="800" height="600"></iframe>
</main></body></html>"""

        @app.get("/auth")
        def auth() -> Any:
            # The platform's OIDC authorization endpoint, answering in the browser.
            answer = self.authorize(request.args.to_dict())
            fields = "".join(
                f'<input type="hidden" name="{k}" value="{v}">'
                for k, v in {**answer, "lti_storage_target": "_parent"}.items()
            )
            target = request.args["redirect_uri"]
            return f"""<!doctype html><html><body>
<form method="post" action="{target}" id="f">{fields}</form>
<script>document.getElementById("f").submit();</script></body></html>"""

        @app.get("/.well-known/openid-configuration")
        def openid_configuration() -> Any:
            # As Moodle 4.1+ does: the configuration needs the registration token too.
            if request.headers.get("Authorization") != f"Bearer {self.registration_token}":
                abort(401)
            return jsonify(
                {
                    "issuer": self.url,
                    "authorization_endpoint": self.url + "/auth",
                    "token_endpoint": self.url + "/token",
                    "jwks_uri": self.url + "/jwks",
                    "registration_endpoint": self.url + "/register",
                    "scopes_supported": ["openid"],
                    "response_types_supported": ["id_token"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                        "product_family_code": "moodle",
                        "version": "4.1",
                        "messages_supported": [
                            {"type": "LtiResourceLinkRequest"},
                            {"type": "LtiDeepLinkingRequest"},
                        ],
                    },
                }
            )

        @app.post("/register")
        def register() -> Any:
            if request.headers.get("Authorization") != f"Bearer {self.registration_token}":
                abort(401)
            self.registration_request = request.get_json(force=True)
            tool_config = self.registration_request.get(
                "https://purl.imsglobal.org/spec/lti-tool-configuration", {}
            )
            self.tool_custom = dict(tool_config.get("custom_parameters") or {})
            return jsonify(
                {
                    **self.registration_request,
                    "client_id": self.client_id,
                    "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                        **self.registration_request[
                            "https://purl.imsglobal.org/spec/lti-tool-configuration"
                        ],
                        "deployment_id": self.deployment_id,
                    },
                }
            )

        @app.get("/memberships")
        def memberships() -> Any:
            self._bearer(
                request,
                ["https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"],
            )
            # Mixed-case query: a client that lower-cases the Link header loses the page.
            page = int(request.args.get("Page", "1"))
            size = 2
            chunk = self.members[(page - 1) * size : page * size]
            response = jsonify(
                {"id": request.url, "context": {"id": "course-v1:OPES+PS+2026"}, "members": chunk}
            )
            response.headers["Content-Type"] = (
                "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
            )
            if page * size < len(self.members):
                response.headers["Link"] = (
                    f'<{self.url}/memberships?Page={page + 1}&Cursor=AbC>; rel="next"'
                )
            self.roster_pages += 1
            return response

        return app


class _Late:
    """A WSGI app known only once the server has its port."""

    app: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.app(environ, start_response)


@contextmanager
def open_edx_platform(
    tool_url: str, host: str = "127.0.0.1", **kwargs: Any
) -> Iterator[OpenEdxPlatform]:
    """A platform served on loopback (its JWKS must be fetchable while the tool answers).

    ``host="localhost"`` puts it on another site than a tool at 127.0.0.1, as an LMS and
    a tool are: the browser then treats the tool's frame as third-party.
    """
    late = _Late()
    with serve_wsgi(late) as url:
        url = url.replace("127.0.0.1", host)
        platform = OpenEdxPlatform(url, tool_url, **kwargs)
        late.app = platform.wsgi()
        yield platform


def fetch(url: str) -> requests.Response:
    """GET with a timeout (tests' shorthand)."""
    return requests.get(url, timeout=10)
