"""The commands of a token registry (sources, sites): add, rotate, revoke, list."""

from __future__ import annotations

from collections.abc import Callable

import click

from opes_lti.cli.context import CliContext, pass_context
from opes_lti.core.tokens import Issued, Registry


def token_commands(registry: Registry, help_text: str) -> click.Group:
    """``add``, ``rotate``, ``revoke`` and ``list`` over ``registry``, as one group."""
    noun = registry.noun

    @click.group(f"{noun}s", help=help_text)
    def group() -> None:
        pass

    def issuing(name: str, help_text: str, said: str, issue: Callable[..., Issued]) -> None:
        @group.command(name, help=help_text)
        @click.argument("name")
        @pass_context
        def command(obj: CliContext, name: str) -> None:
            created = obj.run(lambda db: issue(db, name), registry.error)
            click.echo(said.format(noun=noun, name=name))
            click.echo(created.token)

    issuing(
        "add",
        f"Register {noun} NAME and print its token (shown this once only).",
        "{noun} {name} registered. Its token, shown only now:",
        registry.add,
    )
    issuing(
        "rotate",
        f"Give {noun} NAME a new token; the old one stops at once.",
        "new token for {name}, shown only now:",
        registry.rotate,
    )

    @group.command("revoke", help=f"Revoke {noun} NAME's token; nothing it sent is deleted.")
    @click.argument("name")
    @pass_context
    def revoke(obj: CliContext, name: str) -> None:
        obj.run(lambda db: registry.revoke(db, name), registry.error)
        click.echo(f"{noun} {name} revoked")

    @group.command("list", help=f"List each {noun} with its state and last use.")
    @pass_context
    def list_(obj: CliContext) -> None:
        with obj.database.transaction() as db:
            rows = registry.all(db)
            if not rows:
                click.echo(f"no {noun}s yet: add one with 'opes-lti {noun}s add NAME'")
                return
            click.echo(f"{'name':<30} {'state':<8} {'created':<20} last used")
            for row in rows:
                state = "active" if row.revoked_at is None else "revoked"
                used = row.last_used_at.strftime("%Y-%m-%d %H:%M") if row.last_used_at else "never"
                click.echo(f"{row.name:<30} {state:<8} {row.created_at:%Y-%m-%d %H:%M}     {used}")

    return group
