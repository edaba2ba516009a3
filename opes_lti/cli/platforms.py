"""``opes-lti platforms``: the LMS registrations the tool accepts launches from."""

from __future__ import annotations

import click

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
    platform_id = obj.run(lambda db: registrations.add_platform(db, spec).id, RegistrationError)
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


@command.command("remove")
@click.argument("platform_id", type=int)
@pass_context
def remove(obj: CliContext, platform_id: int) -> None:
    """Forget platform PLATFORM_ID: its launches are refused from now on."""
    obj.run(lambda db: registrations.remove_platform(db, platform_id), RegistrationError)
    click.echo(f"platform {platform_id} removed")


@command.command("list")
@pass_context
def list_(obj: CliContext) -> None:
    """List registered platforms with their deployments."""
    rows = obj.run(
        lambda db: [
            (p.id, p.name, p.issuer, p.client_id, [d.deployment_id for d in p.deployments])
            for p in registrations.list_platforms(db)
        ],
    )
    if not rows:
        click.echo("no platforms yet: add one with 'opes-lti platforms add --help'")
    for pid, name, issuer, client_id, deployments in rows:
        click.echo(
            f"{pid:>4}  {name}\n      issuer {issuer}  client id {client_id}  "
            f"deployments {', '.join(deployments) or '(none)'}"
        )


@command.command("invite")
@click.argument("name")
@pass_context
def invite(obj: CliContext, name: str) -> None:
    """Print a dynamic-registration URL for platform NAME (valid 7 days).

    The platform administrator pastes it into Moodle (Site administration > Plugins >
    External tool > Manage tools > Tool URL) or Canvas (Developer keys > LTI Registration).
    """
    from urllib.parse import urlencode

    from opes_lti.lti.dynamic import invite as make_invite

    settings = obj.settings
    query = urlencode({"invite": make_invite(settings.secret_key, name)})
    click.echo(f"{settings.base_url}/lti/register?{query}")
