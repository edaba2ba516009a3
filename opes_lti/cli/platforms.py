"""``opes-lti platforms``: the LMS registrations the tool accepts launches from."""

from __future__ import annotations

import click
from sqlalchemy.orm import Session

from opes_lti.cli.context import CliContext, pass_context
from opes_lti.lti import registrations
from opes_lti.lti.registrations import PlatformSpec, RegistrationError


@click.group("platforms")
def command() -> None:
    """Register, list and remove LTI platforms (Open edX, Moodle, Canvas...)."""


@command.command("add")
@click.option("--name", default="", help="A name for people, e.g. 'Moodle Puglia'.")
@click.option("--issuer", required=True, help="The platform's issuer (iss).")
@click.option("--client-id", required=True, help="The client id the platform gave the tool.")
@click.option("--login-url", required=True, help="The platform's OIDC authorization URL.")
@click.option("--token-url", required=True, help="The platform's OAuth2 token URL.")
@click.option("--jwks-url", required=True, help="The platform's public key set URL.")
@click.option("--deployment", "deployments", multiple=True, help="A deployment id (repeatable).")
@pass_context
def add(
    obj: CliContext,
    name: str,
    issuer: str,
    client_id: str,
    login_url: str,
    token_url: str,
    jwks_url: str,
    deployments: tuple[str, ...],
) -> None:
    """Register a platform (issuer + client id) and its deployments."""
    spec = PlatformSpec(
        name=name,
        issuer=issuer,
        client_id=client_id,
        auth_login_url=login_url,
        auth_token_url=token_url,
        key_set_url=jwks_url,
        deployment_ids=deployments,
    )

    def action(db: Session) -> tuple[int, bool]:
        restored = registrations.find_removed(db, issuer, client_id) is not None
        return registrations.add_platform(db, spec).id, restored

    platform_id, restored = obj.run(action, RegistrationError)
    if restored:
        click.echo(
            f"platform {platform_id} restored: {issuer} (client id {client_id}) launches "
            "again, with the answers, launches and grades it had"
        )
    else:
        click.echo(f"platform {platform_id} registered: {issuer} (client id {client_id})")


@command.command("add-deployment")
@click.argument("platform_id", type=int)
@click.argument("deployment_id")
@pass_context
def add_deployment(obj: CliContext, platform_id: int, deployment_id: str) -> None:
    """Accept launches from another DEPLOYMENT_ID of platform PLATFORM_ID."""
    obj.run(
        lambda db: registrations.add_deployment(db, platform_id, deployment_id), RegistrationError
    )
    click.echo(f"deployment {deployment_id} added to platform {platform_id}")


def _describe(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} in {table}" for table, n in counts.items()) or "nothing"


@command.command("remove")
@click.argument("platform_id", type=int)
@pass_context
def remove(obj: CliContext, platform_id: int) -> None:
    """Refuse launches from platform PLATFORM_ID, keeping everything of it.

    Learners' answers, launches and queued grades stay; adding the same issuer and client
    id again ('platforms add') restores them. 'platforms purge' deletes them.
    """

    def action(db: Session) -> dict[str, int]:
        registrations.remove_platform(db, platform_id)
        return registrations.purge_plan(db, platform_id)[1]

    kept = obj.run(action, RegistrationError)
    click.echo(
        f"platform {platform_id} removed: its launches are refused from now on.\n"
        f"Kept: {_describe(kept)}. Add the same issuer and client id again to restore it; "
        f"'opes-lti platforms purge {platform_id}' deletes it for good."
    )


@command.command("purge")
@click.argument("platform_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_context
def purge(obj: CliContext, platform_id: int, yes: bool) -> None:
    """Delete removed platform PLATFORM_ID and every record of it, for good.

    Says what it will delete and asks first; the purge itself is recorded
    ('opes-lti purges list').
    """

    def plan(db: Session) -> tuple[str, dict[str, int]]:
        platform, counts = registrations.purge_plan(db, platform_id)
        return f"{platform.name}: {platform.issuer}, client id {platform.client_id}", counts

    subject, counts = obj.run(plan, RegistrationError)
    click.echo(
        f"Purging platform {platform_id} ({subject}) deletes, for good: {_describe(counts)}."
    )
    if not yes and not click.confirm("Delete all of this?", default=False):
        raise click.ClickException("nothing deleted")
    entry_id = obj.run(
        lambda db: registrations.purge_platform(db, platform_id).id, RegistrationError
    )
    click.echo(f"platform {platform_id} purged; recorded as purge {entry_id}")


@command.command("list")
@pass_context
def list_(obj: CliContext) -> None:
    """List registered platforms with their deployments."""
    rows = obj.run(
        lambda db: [
            (
                p.id,
                p.name,
                p.issuer,
                p.client_id,
                [d.deployment_id for d in p.deployments],
                p.disabled_at,
            )
            for p in registrations.list_platforms(db)
        ],
    )
    if not rows:
        click.echo("no platforms yet: add one with 'opes-lti platforms add --help'")
    for pid, name, issuer, client_id, deployments, disabled_at in rows:
        state = f"  [removed {disabled_at:%Y-%m-%d %H:%M} UTC]" if disabled_at else ""
        click.echo(
            f"{pid:>4}  {name}{state}\n      issuer {issuer}  client id {client_id}  "
            f"deployments {', '.join(deployments) or '(none)'}"
        )


def _duration_hours(value: str) -> float:
    """``30m``, ``12h``, ``3d`` (or a bare number of hours) as hours."""
    units = {"m": 1 / 60, "h": 1.0, "d": 24.0}
    text = value.strip().lower()
    number, unit = (text[:-1], text[-1]) if text and text[-1] in units else (text, "h")
    try:
        hours = float(number) * units[unit]
    except ValueError:
        raise click.BadParameter(f"{value!r}: write it as 30m, 12h or 3d") from None
    if not 1 / 60 <= hours <= 7 * 24:
        raise click.BadParameter(f"{value!r}: from 1 minute (1m) to 7 days (7d)")
    return hours


@command.command("invite")
@click.argument("name")
@click.option(
    "--valid-for",
    default="24h",
    show_default=True,
    help="How long the link works: 30m, 12h, 3d (at most 7d). It works for one registration.",
)
@pass_context
def invite(obj: CliContext, name: str, valid_for: str) -> None:
    """Print a dynamic-registration URL for platform NAME, good for one registration.

    The platform administrator pastes it into Moodle (Site administration > Plugins >
    External tool > Manage tools > Tool URL) or Canvas (Developer keys > LTI Registration).
    """
    from urllib.parse import urlencode

    from opes_lti.lti.dynamic import invite as make_invite

    settings = obj.settings
    hours = _duration_hours(valid_for)
    query = urlencode({"invite": make_invite(settings.secret_key, name, hours)})
    click.echo(f"{settings.base_url}/lti/register?{query}")
    click.echo(f"valid for {valid_for} and for one registration", err=True)
