"""What an activity offers the launch machinery; activities register, lti/ never imports them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from flask import Blueprint, Flask
from sqlalchemy.orm import Session

from opes_lti.lti.launch import Launch


class Choice(NamedTuple):
    """One value an :class:`Option` offers."""

    value: str
    #: Shown in the picker (lazy-translated).
    label: Any
    #: For an option ``scoped_by`` another: the value of that option this choice belongs to.
    scope: str | None = None


@dataclass(frozen=True)
class Option:
    """A setting the designer chooses in the Deep Linking picker.

    The platform sends it back on every launch as the custom parameter ``name``.
    """

    name: str
    #: Label shown in the picker (lazy-translated).
    label: Any
    #: The values offered; the first is the default.
    choices: tuple[Choice, ...]
    #: Several values may be ticked (sent comma-separated); none ticked means all.
    multiple: bool = False
    #: The name of an earlier option whose value limits the choices to those of that
    #: ``scope`` (the areas of the chosen framework).
    scoped_by: str | None = None

    def allowed(self, chosen: dict[str, str]) -> list[str]:
        """The values that may be chosen, given the values of the earlier options."""
        if self.scoped_by is None:
            return [c.value for c in self.choices]
        return [c.value for c in self.choices if c.scope == chosen.get(self.scoped_by)]

    def scopes(self) -> list[tuple[str | None, list[tuple[int, Choice]]]]:
        """The choices grouped by scope, in order, each with its position (for the form)."""
        groups: dict[str | None, list[tuple[int, Choice]]] = {}
        for index, choice in enumerate(self.choices, 1):
            groups.setdefault(choice.scope, []).append((index, choice))
        return list(groups.items())


#: The picker's settings of an activity, for a database session and a language.
Options = Callable[[Session, str], tuple[Option, ...]]


def _no_options(_db: Session, _lang: str) -> tuple[Option, ...]:
    return ()


def _nothing_placed() -> dict[str, str]:
    return {}


@dataclass(frozen=True)
class Activity:
    """An activity the tool can launch (and offer in the Deep Linking picker).

    ``app.py`` lists the activities; :func:`install` is all the launch machinery needs
    to know of one.
    """

    #: Stable key, sent back by the platform as the custom parameter ``activity``.
    key: str
    #: Title shown in the picker and used for the resource link (lazy-translated).
    title: Any
    #: Renders the activity for a validated launch.
    render: Callable[[Launch], Any]
    #: The activity's pages after the launch (forms and scripts), or None.
    blueprint: Blueprint | None = None
    #: Whether the platform should keep a grade column for it.
    graded: bool = False
    #: Settings offered in the picker, built when the picker opens.
    options: Options = _no_options
    #: Offered to designers in the Deep Linking picker. The test activity is not: it is
    #: for administrators checking a connection (custom parameter ``activity=placeholder``).
    offered: bool = True
    #: Custom parameters made afresh for each placement (a key naming its stored
    #: configuration), which the copy of a course carries to the new link.
    placed: Callable[[], dict[str, str]] = _nothing_placed


def install(app: Flask, activity: Activity) -> None:
    """Make ``activity`` launchable in ``app``, with its pages."""
    if activity.key in registered(app):
        raise ValueError(f"two activities named {activity.key!r}")
    if activity.blueprint is not None:
        app.register_blueprint(activity.blueprint)
    app.extensions.setdefault("opes_activities", {})[activity.key] = activity


def registered(app: Flask) -> dict[str, Activity]:
    """The activities of ``app`` by key."""
    found: dict[str, Activity] = app.extensions.get("opes_activities", {})
    return found


def offered(app: Flask) -> dict[str, Activity]:
    """The activities a designer may place through the Deep Linking picker."""
    return {key: a for key, a in registered(app).items() if a.offered}
