"""``opes-lti accounts``: people who sign in to the admin pages and the dashboard."""

from __future__ import annotations

import click

from opes_lti.accounts import services
from opes_lti.cli.context import CliContext, pass_context
from opes_lti.core.auth import ROLES


@click.group("accounts")
def command() -> None:
    """Add, list, remove sign-in accounts and set their passwords (administrators, coordinators)."""


@command.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="coordinator", show_default=True)
@click.password_option(help="Asked for when not given (at least 12 characters).")
@pass_context
def add(obj: CliContext, username: str, role: str, password: str) -> None:
    """Create account USERNAME."""
    obj.run(lambda db: services.add_account(db, username, password, role), services.AccountError)
    click.echo(f"account {username} ({role}) created")


@command.command("password")
@click.argument("username")
@click.password_option(help="Asked for when not given (at least 12 characters).")
@pass_context
def password(obj: CliContext, username: str, password: str) -> None:
    """Set a new password for USERNAME (a forgotten one, or one that leaked)."""
    obj.run(lambda db: services.set_password(db, username, password), services.AccountError)
    click.echo(f"account {username}: new password set; its sign-in lock, if any, is lifted")


@command.command("list")
@pass_context
def list_(obj: CliContext) -> None:
    """List accounts with their role and last sign-in."""
    with obj.database.transaction() as db:
        rows = services.list_accounts(db)
        if not rows:
            click.echo("no accounts yet: add one with 'opes-lti accounts add NAME --role admin'")
        for a in rows:
            last = a.last_login_at.strftime("%Y-%m-%d %H:%M") if a.last_login_at else "never"
            click.echo(f"{a.username:<30} {a.role:<12} last sign-in {last}")


@command.command("remove")
@click.argument("username")
@pass_context
def remove(obj: CliContext, username: str) -> None:
    """Delete account USERNAME."""
    obj.run(lambda db: services.remove_account(db, username), services.AccountError)
    click.echo(f"account {username} removed")
