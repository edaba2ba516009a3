"""The demo course's LTI 1.3 platform: ``lti1p3platform`` (PyPI), not written here.

Only its abstract hooks (how a request is read, how a launch form is answered) are
filled in. The platform signs with its own key, kept in the instance folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration

CLIENT_ID = "opes-demo-course"
DEPLOYMENT_ID = "demo"
COURSE_ID = "opes-demo-course"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
AGS_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/"


@dataclass(frozen=True)
class Person:
    """Someone to launch as: a learner, an instructor or a designer."""

    key: str
    name: str
    roles: tuple[str, ...]
    #: Custom parameters prefilling the learner's profile (as a course would send them).
    profile: tuple[tuple[str, str], ...] = ()

    @property
    def designs(self) -> bool:
        """May open the Deep Linking picker."""
        return any(r.endswith(("#Instructor", "#ContentDeveloper")) for r in self.roles)


PEOPLE = (
    Person("maria", "Maria Rossi", (LIS + "Learner",), (("opes_role", "volunteer"),)),
    Person("luca", "Luca Bianchi", (LIS + "Learner",), (("opes_role", "manager"),)),
    Person("giulia", "Giulia Verdi", (LIS + "Instructor",)),
    Person("paolo", "Paolo Neri", (LIS + "ContentDeveloper", LIS + "Instructor")),
)
BY_KEY = {p.key: p for p in PEOPLE}


def signing_key(instance_path: Path) -> str:
    """The platform's private key (PEM), made once and kept 0600 beside the database."""
    path = instance_path / "demo_course_key.pem"
    if path.exists():
        return path.read_text(encoding="ascii")
    instance_path.mkdir(parents=True, exist_ok=True)
    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode("ascii")
    )
    try:  # O_EXCL: two workers starting together agree on one key
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii")
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(pem)
    return pem


class PlatformConf(LTI1P3PlatformConfAbstract):
    """lti1p3platform's configuration hook: one registration, given at construction."""

    def init_platform_config(self, **kwargs: Any) -> None:
        """Keep the registration passed as ``registration=``."""
        self._registration = kwargs["registration"]

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        """The one registration."""
        return self._registration


class Login(OIDCLoginAbstract):
    """The OIDC login initiation, answered as a URL to send the browser to."""

    def set_lti_message_hint(self, **kwargs: Any) -> None:
        """Remember the hint that says what is being launched."""
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        """The login URL itself (the caller redirects)."""
        return url


class MessageLaunch(LTIAdvantageMessageLaunchAbstract):
    """A launch answered as data (id_token, state, launch URL); the caller renders it."""

    def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """The launch data, for a form the caller writes."""
        return launch_data


class DemoPlatform:
    """The platform at ``{base}/demo``, registered with the tool at ``base``."""

    def __init__(self, base_url: str, private_pem: str) -> None:
        self.issuer = base_url + "/demo"
        self.base_url = base_url
        public = serialization.load_pem_private_key(private_pem.encode(), None).public_key()
        registration = (
            Registration()
            .set_iss(self.issuer)
            .set_client_id(CLIENT_ID)
            .set_deployment_id(DEPLOYMENT_ID)
            .set_oidc_login_url(base_url + "/lti/login")
            .set_launch_url(base_url + "/lti/launch")
            .set_deeplink_launch_url(base_url + "/lti/launch")
            .set_platform_private_key(private_pem)
            .set_platform_public_key(
                public.public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                ).decode()
            )
            .set_tool_key_set_url(base_url + "/lti/jwks")
        )
        self.conf = PlatformConf(registration=registration)

    def tool_registration(self) -> dict[str, Any]:
        """What the tool registers for this platform."""
        return {
            "name": "Corso dimostrativo OPES",
            "issuer": self.issuer,
            "client_id": CLIENT_ID,
            "auth_login_url": self.issuer + "/auth",
            "auth_token_url": self.issuer + "/token",
            "key_set_url": self.issuer + "/jwks",
            "deployment_ids": (DEPLOYMENT_ID,),
        }

    def login_url(self, person: Person, hint: str) -> str:
        """Where the browser starts: the tool's OIDC login, as the platform sends it."""
        login = Login(SimpleNamespace(get_data={}, form_data={}), self.conf)
        login.set_lti_message_hint(hint=hint)
        if hint == "deep-link":
            login.set_deeplinking_launch_url()
        return str(login.initiate_login(person.key))

    def launch(
        self,
        query: dict[str, str],
        person: Person,
        locale: str,
        item: Any | None = None,
    ) -> dict[str, Any]:
        """The signed id_token answering the tool's authentication request."""
        message = MessageLaunch(SimpleNamespace(get_data=query, form_data={}), self.conf)
        message.set_user_data(person.key, list(person.roles), full_name=person.name)
        message.set_launch_context_claim(
            COURSE_ID, context_title="Corso dimostrativo OPES", context_label="DEMO"
        )
        presentation = {"document_target": "iframe", "locale": locale}
        message.set_extra_claims(
            {"https://purl.imsglobal.org/spec/lti/claim/launch_presentation": presentation}
        )
        if item is None:  # the designer's Deep Linking request
            message.set_dl(self.issuer + "/deep-link-return", title="Corso dimostrativo")
            message.set_resource_link_claim("demo-course-picker")
        else:
            message.set_resource_link_claim(f"demo-item-{item.id}", title=item.title)
            message.set_custom_parameters_claim({**dict(person.profile), **item.custom})
            if item.score_maximum:
                message.set_ags(
                    lineitems_url=self.issuer + "/lineitems",
                    lineitem_url=f"{self.issuer}/lineitems/{item.id}",
                )
        return dict(message.lti_launch())

    def placed_items(self, jwt: str) -> list[dict[str, Any]]:
        """The content items of a Deep Linking response, checked against the tool's key."""
        return self.conf.validate_deeplinking_resp({"JWT": jwt})

    def access_token(self, form: dict[str, str]) -> dict[str, Any]:
        """A client-credentials token for the tool's AGS calls."""
        return dict(self.conf.get_access_token(form))

    def token_allows(self, token: str, scope: str) -> bool:
        """Whether an access token this platform issued grants ``scope``."""
        try:
            return bool(self.conf.validate_token(token, allowed_scopes=[scope]))
        except Exception:
            return False

    def jwks(self) -> dict[str, Any]:
        """The platform's public key set."""
        return dict(self.conf.get_jwks())
