"""Why a launch was refused: an HTTP status, a message and a hint for the administrator.

The message is for the person in front of the page; the hint for whoever can fix the
registration. Texts are translated where they are shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

# code: (status, what went wrong, what the administrator can check)
REASONS = {
    "unknown_platform": (
        403,
        _l("This learning platform is not registered with the OPES tool."),
        _l(
            "Register the platform (issuer and client id) with 'opes-lti platforms add' or "
            "through dynamic registration."
        ),
    ),
    "ambiguous_platform": (
        400,
        _l("The platform has several registrations and did not say which one to use."),
        _l("Configure the platform to send client_id in the login request."),
    ),
    "bad_login": (
        400,
        _l("The login request from the platform is incomplete."),
        _l("The platform must send iss, login_hint and target_link_uri."),
    ),
    "bad_target": (
        400,
        _l("The platform asked for an address that is not this tool's launch URL."),
        _l("Check the launch (redirect) URL configured in the platform."),
    ),
    "expired_state": (
        400,
        _l("This launch has expired or was already used. Open the activity again."),
        _l("Launches must complete within ten minutes; a launch cannot be replayed."),
    ),
    "state_mismatch": (
        401,
        _l("This launch was started in another browser window. Open the activity again."),
        _l(
            "The browser refused the tool's cookie and the platform offers no LTI platform "
            "storage; allow third-party cookies for this tool or upgrade the platform."
        ),
    ),
    "malformed_token": (
        400,
        _l("The launch message from the platform could not be read."),
        _l("The id_token is not a signed JWT."),
    ),
    "no_kid": (
        401,
        _l("The launch message is not signed as LTI 1.3 requires."),
        _l("The id_token header has no key id (kid)."),
    ),
    "unknown_kid": (
        401,
        _l("The launch message is signed with a key the tool does not know."),
        _l("The key id is not in the platform's JWKS; check the JWKS URL registered."),
    ),
    "bad_algorithm": (
        401,
        _l("The launch message is not signed as LTI 1.3 requires."),
        _l("The id_token must be signed with RS256."),
    ),
    "jwks_unavailable": (
        502,
        _l("The tool could not reach the learning platform to check the launch."),
        _l("The platform's JWKS URL did not answer with a key set."),
    ),
    "bad_signature": (
        401,
        _l("The launch message's signature is not valid."),
        _l("The id_token does not verify against the platform's public key."),
    ),
    "expired_token": (
        401,
        _l("The launch message has expired. Open the activity again."),
        _l("The id_token's exp or iat is outside the accepted window; check the clocks."),
    ),
    "wrong_audience": (
        401,
        _l("The launch message was meant for another tool."),
        _l("The id_token's aud/azp does not match the registered client id."),
    ),
    "bad_nonce": (
        401,
        _l("This launch was already used. Open the activity again."),
        _l("The nonce is missing, does not match the login, or was seen before (replay)."),
    ),
    "unknown_deployment": (
        403,
        _l("This course's deployment of the tool is not registered."),
        _l("Add the deployment id with 'opes-lti platforms add-deployment'."),
    ),
    "not_designer": (
        403,
        _l("Only instructors and content designers can add activities to a course."),
        _l("The Deep Linking launch carried no instructor or content developer role."),
    ),
    "bad_choice": (
        400,
        _l("Choose at least one activity, with a positive maximum score if graded."),
        _l("The picker's form was incomplete."),
    ),
    "no_activity": (
        400,
        _l("This link does not say which OPES activity to open."),
        _l(
            "Designers: add OPES activities from the course's activity chooser (Deep Linking, "
            "'Attività OPES'), or set the link's custom parameter activity=selfassessment. "
            "Administrators testing the connection: activity=placeholder. If the tool's "
            "registration in the platform sets a tool-wide activity parameter, remove it."
        ),
    ),
    "unknown_activity": (
        400,
        _l("This link names an OPES activity the tool does not have."),
        _l("Check the link's custom parameter activity (see the detail)."),
    ),
    "bad_setup": (
        400,
        _l("This activity is set up wrongly in the course."),
        _l(
            "A custom parameter of the link names something the tool does not have (see "
            "the detail): place the activity again from the activity chooser."
        ),
    ),
    "bad_message": (
        400,
        _l("The launch message is missing information the tool needs."),
        _l("A required LTI claim is missing or wrong (see the detail)."),
    ),
}


@dataclass
class LaunchError(Exception):
    """A refused login or launch."""

    code: str
    detail: str = ""

    def __post_init__(self) -> None:
        super().__init__(f"{self.code}: {self.detail}" if self.detail else self.code)

    @property
    def status(self) -> int:
        """The HTTP status to answer with."""
        return REASONS[self.code][0]
