"""What every command needs, built on first use (never at import) and kept per invocation."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

import click
from sqlalchemy.orm import Session

from opes_lti.core import outbound
from opes_lti.core.db import Database
from opes_lti.core.settings import Settings, SettingsError, load_settings


class CliContext:
    """Settings and database of one ``opes-lti`` invocation (``ctx.obj``)."""

    @cached_property
    def settings(self) -> Settings:
        """Settings from the environment, or a clean exit saying which one is wrong."""
        try:
            settings = load_settings()
        except SettingsError as exc:
            raise click.ClickException(str(exc)) from None
        outbound.configure(outbound.from_settings(settings))  # workers outside any app
        return settings

    @cached_property
    def database(self) -> Database:
        """The configured database."""
        return Database(self.settings.database_url)

    def run[T](self, action: Callable[[Session], T], *refusals: type[Exception]) -> T:
        """Run ``action`` in a transaction; a refusal becomes a plain message and exit 1."""
        try:
            with self.database.transaction() as db:
                return action(db)
        except refusals as exc:
            raise click.ClickException(str(exc)) from None

    def close(self) -> None:
        """Release pooled connections."""
        if "database" in self.__dict__:
            self.database.dispose()


pass_context = click.make_pass_decorator(CliContext)
