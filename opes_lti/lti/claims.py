"""The shape of every id_token header field and claim the tool reads, checked in one place.

A token is attacker-controlled JSON until its signature is checked, and a platform's
token is still JSON of any type after. Everything that reads a claim (the platform
lookup, the times, the activity, grades, the roster, Deep Linking) may then rely on
its type: a claim the tool reads, of a type it does not expect, is refused here with
a 4xx page, never met later as an exception. Claims the tool does not read are left
alone, whatever their type.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
)

from opes_lti.lti.errors import LaunchError

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"

#: Identifiers (LTI caps ids at 255 characters).
Id = Annotated[StrictStr, Field(min_length=1, max_length=255)]
#: Times: a finite JSON number, never a boolean (Python counts True as 1).
Number = StrictInt | Annotated[StrictFloat, Field(allow_inf_nan=False)]
#: A custom parameter's value: LTI sends strings; a platform sending a number or a
#: boolean is read as its text, a list or an object is refused.
Scalar = StrictStr | StrictBool | Number | None


class _Claim(BaseModel):
    # Extra keys are kept and not checked: the tool does not read them.
    model_config = ConfigDict(extra="allow", strict=True, frozen=True)


class Header(_Claim):
    """The JOSE header: which algorithm and which of the platform's keys."""

    alg: StrictStr | None = None
    kid: StrictStr | None = None


class Context(_Claim):
    """The course."""

    id: Id
    label: StrictStr | None = None
    title: StrictStr | None = None


class ResourceLink(_Claim):
    """The placed activity."""

    id: Id
    title: StrictStr | None = None


class Presentation(_Claim):
    """How the platform shows the tool."""

    locale: StrictStr | None = None


class AgsEndpoint(_Claim):
    """Where scores go."""

    scope: list[StrictStr] = []
    lineitem: StrictStr | None = None
    lineitems: StrictStr | None = None


class NrpsEndpoint(_Claim):
    """Where the roster is read."""

    context_memberships_url: StrictStr


class DeepLinkingSettings(_Claim):
    """Where the picker's answer goes, and what the platform accepts."""

    deep_link_return_url: StrictStr = Field(min_length=1)
    accept_types: list[StrictStr] = []
    # Some platforms send "true"/"false" as text.
    accept_multiple: StrictBool | StrictStr | None = None


class Claims(_Claim):
    """The id_token's claims the tool reads."""

    iss: StrictStr = Field(min_length=1)
    aud: StrictStr | list[StrictStr] = Field(min_length=1)
    azp: StrictStr | None = None
    sub: Id
    exp: Number
    iat: Number
    nbf: Number | None = None
    nonce: StrictStr = Field(min_length=1)
    target_link_uri: StrictStr | None = Field(None, alias=CLAIM + "target_link_uri")
    message_type: StrictStr = Field(alias=CLAIM + "message_type")
    deployment_id: Id = Field(alias=CLAIM + "deployment_id")
    roles: list[StrictStr] = Field(alias=CLAIM + "roles")
    context: Context | None = Field(None, alias=CLAIM + "context")
    resource_link: ResourceLink | None = Field(None, alias=CLAIM + "resource_link")
    presentation: Presentation | None = Field(None, alias=CLAIM + "launch_presentation")
    custom: dict[StrictStr, Scalar] | None = Field(None, alias=CLAIM + "custom")
    ags: AgsEndpoint | None = Field(None, alias=AGS_CLAIM)
    nrps: NrpsEndpoint | None = Field(None, alias=NRPS_CLAIM)
    deep_linking: DeepLinkingSettings | None = Field(None, alias=DL_CLAIM + "deep_linking_settings")


def _described(exc: ValidationError) -> str:
    """Which claims are wrong and how, never their values (they may be personal)."""
    problems = []
    for error in exc.errors(include_input=False, include_url=False)[:5]:
        where = ".".join(str(part) for part in error["loc"])
        problems.append(f"{where}: {error['msg']}")
    return "; ".join(problems)


def header(raw: dict[str, Any]) -> Header:
    """The header, its fields of the types read; else ``malformed_token``."""
    try:
        return Header.model_validate(raw)
    except ValidationError as exc:
        raise LaunchError("malformed_token", "header " + _described(exc)) from None


#: The refusal for a claim of the wrong shape, when it says more than ``bad_message``.
_CODE_OF_CLAIM = {
    "exp": "expired_token",
    "iat": "expired_token",
    "nbf": "expired_token",
    "nonce": "bad_nonce",
    "aud": "wrong_audience",
    "azp": "wrong_audience",
}


def claims(raw: dict[str, Any]) -> Claims:
    """The claims, each read one of the expected type; else a refusal naming the first."""
    try:
        return Claims.model_validate(raw)
    except ValidationError as exc:
        first = str(exc.errors()[0]["loc"][0])
        raise LaunchError(_CODE_OF_CLAIM.get(first, "bad_message"), _described(exc)) from None


def custom_text(custom: dict[str, Any] | None) -> dict[str, str]:
    """Custom parameters as the text LTI means them to be (absent values left out)."""
    if not custom:
        return {}
    return {
        key: ("true" if value else "false") if isinstance(value, bool) else str(value)
        for key, value in custom.items()
        if value is not None
    }
