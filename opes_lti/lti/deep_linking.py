"""Deep Linking: the picker's state, and the signed response that places activities."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem
from sqlalchemy.orm import Session

from opes_lti.lti.claims import DL_CLAIM
from opes_lti.lti.errors import LaunchError
from opes_lti.lti.launch import Launch
from opes_lti.lti.models import Platform
from opes_lti.lti.store import LaunchStore
from opes_lti.lti.toolconf import DatabaseToolConf

#: Seconds a designer has to make their choice in the picker.
PICKER_TTL = 3600


@dataclass(frozen=True)
class Choice:
    """One activity the designer placed, with the options they set."""

    key: str
    title: str
    graded: bool = False
    score_maximum: float = 100.0
    custom: tuple[tuple[str, str], ...] = ()


def open_picker(store: LaunchStore, launch: Launch) -> str:
    """Remember the deep-linking request; the returned token travels in the picker's form.

    The token is random, single-use and bound to this launch, so it also serves as the
    form's CSRF token: the tool sets no cookie a framed page could lose.
    """
    settings = launch.claims.get(DL_CLAIM + "deep_linking_settings") or {}
    if not settings.get("deep_link_return_url"):
        raise LaunchError("bad_message", "deep_linking_settings has no deep_link_return_url")
    token = secrets.token_urlsafe(32)
    store.put(
        f"dl:{token}",
        {
            "platform": launch.platform.id,
            "deployment_id": launch.deployment_id,
            "settings": settings,
            "locale": launch.locale,
        },
        PICKER_TTL,
    )
    return token


def accepts_multiple(store: LaunchStore, token: str) -> bool:
    """Whether the platform takes several items in one response."""
    state = store.get(f"dl:{token}")
    return bool(state and str(state["settings"].get("accept_multiple", "true")) != "false")


def respond(
    db: Session, store: LaunchStore, token: str, choices: list[Choice], launch_url: str
) -> tuple[str, str]:
    """Sign the response for the platform: (return URL, JWT). The token is spent."""
    state = store.take(f"dl:{token}")
    if state is None:
        raise LaunchError("expired_state", "the picker was already used or has expired")
    platform = db.get(Platform, state["platform"])
    if platform is None or platform.disabled_at is not None:
        raise LaunchError("unknown_platform", "the platform was removed meanwhile")
    settings: dict[str, Any] = state["settings"]
    if str(settings.get("accept_multiple", "true")) == "false":
        choices = choices[:1]
    resources = []
    for choice in choices:
        resource = (
            DeepLinkResource()
            .set_url(launch_url)
            .set_title(choice.title)
            .set_custom_params({"activity": choice.key, **dict(choice.custom)})
        )
        if choice.graded:
            resource.set_lineitem(
                LineItem()
                .set_label(choice.title)
                .set_score_maximum(choice.score_maximum)
                .set_resource_id(choice.key)
            )
        resources.append(resource)
    registration = DatabaseToolConf(db).registration(platform)
    deep_link = DeepLink(registration, state["deployment_id"], settings)  # type: ignore[arg-type]
    return settings["deep_link_return_url"], deep_link.get_response_jwt(resources)
