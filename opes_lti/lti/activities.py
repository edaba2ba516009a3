"""What an activity offers the launch machinery; activities register, lti/ never imports them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

from opes_lti.lti.launch import Launch


@dataclass(frozen=True)
class Option:
    """A setting the designer chooses in the Deep Linking picker.

    The platform sends it back on every launch as the custom parameter ``name``.
    """

    name: str
    #: Label shown in the picker (lazy-translated).
    label: Any
    #: (value, lazy-translated label) pairs; the first is the default.
    choices: tuple[tuple[str, Any], ...]
    #: Several values may be ticked (sent comma-separated); none ticked means all.
    multiple: bool = False


@dataclass(frozen=True)
class Activity:
    """An activity the tool can launch (and offer in the Deep Linking picker)."""

    #: Stable key, sent back by the platform as the custom parameter ``activity``.
    key: str
    #: Title shown in the picker and used for the resource link (lazy-translated).
    title: Any
    #: Renders the activity for a validated launch.
    render: Callable[[Launch], Any]
    #: Whether the platform should keep a grade column for it.
    graded: bool = False
    #: Settings offered in the picker (built when the picker opens).
    options: Callable[[], tuple[Option, ...]] = lambda: ()


def register(app: Flask, activity: Activity) -> None:
    """Make ``activity`` launchable in ``app``."""
    app.extensions.setdefault("opes_activities", {})[activity.key] = activity


def registered(app: Flask) -> dict[str, Activity]:
    """The activities of ``app`` by key."""
    return app.extensions.get("opes_activities", {})
