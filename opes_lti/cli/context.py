"""What every command needs: settings and a database, built on demand (never at import)."""

from __future__ import annotations

from functools import cache

import click

from opes_lti.core.db import Database
from opes_lti.core.settings import Settings, SettingsError, load_settings


@cache
def settings() -> Settings:
    """Settings from the environment, or a clean exit saying which one is wrong."""
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


@cache
def database() -> Database:
    """The configured database."""
    return Database(settings().database_url)
