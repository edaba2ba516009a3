"""``opes-lti communities``: the communities of practice, made by a national coordinator."""

from __future__ import annotations

import click

from opes_lti.cli.context import CliContext, pass_context
from opes_lti.communities import services
from opes_lti.communities.spec import SpecError, parse


@click.group("communities")
def command() -> None:
    """Add, list and disable the communities of practice (kept, never deleted)."""


@command.command("add")
@click.argument("slug")
@click.argument("name")
@click.option("--theme", default="", help="The social theme it works on.")
@click.option("--description", default="", help="What it is for (HTML; scripts are removed).")
@click.option("--space", "space_url", default="", help="Its own space: an http(s) address.")
@pass_context
def add(obj: CliContext, slug: str, name: str, theme: str, description: str,
        space_url: str) -> None:  # fmt: skip
    """Add the community SLUG (a short name: giovani, sport-sociale) called NAME."""
    raw = {"slug": slug, "name": name, "theme": theme, "description": description,
           "space_url": space_url}  # fmt: skip
    try:
        spec = parse(raw)
    except SpecError as exc:
        raise click.ClickException(f"not added: {exc}") from None
    made = obj.run(lambda db: services.add(db, spec).slug, services.CommunityError)
    click.echo(f"community {made} added")


@command.command("list")
@click.option("--all", "everything", is_flag=True, help="Disabled communities too.")
@pass_context
def list_(obj: CliContext, everything: bool) -> None:
    """List the communities with their current members."""
    rows = obj.run(
        lambda db: [
            (c.slug, c.name, len(services.members(db, c)), c.disabled_at is not None)
            for c in services.listing(db, disabled=everything)
        ]
    )
    if not rows:
        click.echo("no communities yet: add one with 'opes-lti communities add SLUG NAME'")
    for slug, name, members, disabled in rows:
        click.echo(f"{slug:24} {name:40} {members:>6} members{'  (disabled)' if disabled else ''}")


@command.command("disable")
@click.argument("slug")
@pass_context
def disable(obj: CliContext, slug: str) -> None:
    """Take SLUG out of every list; its members and records are kept."""
    obj.run(lambda db: services.disable(db, slug), services.CommunityError)
    click.echo(f"community {slug} disabled; its members and records are kept")
