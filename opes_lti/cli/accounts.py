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
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    help="What a coordinator sees (repeatable): national, region:NN, community:NAME, "
    "organisation:ID. Kinds intersect, values of one kind unite.",
)
@click.password_option(help="Asked for when not given (at least 12 characters).")
@pass_context
def add(obj: CliContext, username: str, role: str, scopes: tuple[str, ...], password: str) -> None:
    """Create account USERNAME."""
    obj.run(
        lambda db: services.add_account(db, username, password, role, scopes),
        services.AccountError,
    )
    seen = f", sees {' + '.join(scopes)}" if scopes else ""
    click.echo(f"account {username} ({role}) created{seen}")


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
    """List accounts with their role, scopes, state and last sign-in."""
    with obj.database.transaction() as db:
        rows = services.list_accounts(db)
        if not rows:
            click.echo("no accounts yet: add one with 'opes-lti accounts add NAME --role admin'")
        for a in rows:
            last = a.last_login_at.strftime("%Y-%m-%d %H:%M") if a.last_login_at else "never"
            state = f"disabled {a.disabled_at:%Y-%m-%d}" if a.disabled_at else "active"
            seen = " + ".join(services.scopes(db, a)) or "-"
            click.echo(f"{a.username:<30} {a.role:<12} {state:<20} {seen:<30} last sign-in {last}")


@command.command("disable")
@click.argument("username")
@pass_context
def disable(obj: CliContext, username: str) -> None:
    """Stop USERNAME signing in; the account is kept, with its scopes."""
    obj.run(lambda db: services.disable_account(db, username), services.AccountError)
    click.echo(f"account {username} disabled; 'opes-lti accounts enable {username}' undoes it")


@command.command("enable")
@click.argument("username")
@pass_context
def enable(obj: CliContext, username: str) -> None:
    """Let a disabled USERNAME sign in again."""
    obj.run(lambda db: services.enable_account(db, username), services.AccountError)
    click.echo(f"account {username} enabled")
