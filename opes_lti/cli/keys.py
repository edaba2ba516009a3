"""``opes-lti keys``: the tool's signing keys."""

from __future__ import annotations

import click

from opes_lti.cli.context import CliContext, pass_context
from opes_lti.lti import keys


@click.group("keys")
def command() -> None:
    """Rotate and list the tool's signing keys (private keys are never shown)."""


@command.command("rotate")
@pass_context
def rotate(obj: CliContext) -> None:
    """Add a new signing key; the previous one stays published until the next rotation."""
    with obj.database.transaction() as db:
        kid = keys.rotate(db).kid
    click.echo(f"new signing key {kid}; the JWKS now publishes it and the one before")


@command.command("list")
@pass_context
def list_(obj: CliContext) -> None:
    """List key ids, newest first, and which are published."""
    with obj.database.transaction() as db:
        published = {k["kid"] for k in keys.jwks(db)["keys"]}
        rows = keys.all_keys(db)
        for key in rows:
            state = (
                "signing"
                if key is rows[0]
                else ("published" if key.kid in published else "retired")
            )
            click.echo(f"{key.kid}  {key.created_at:%Y-%m-%d %H:%M}  {state}")
