"""``opes-lti privacy``: a learner's events on request, exported or erased (and recorded)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click
import sqlalchemy as sa

from opes_lti.cli.context import CliContext, pass_context
from opes_lti.dashboard import privacy
from opes_lti.lti.launch import pseudonym
from opes_lti.reporting.models import StoredEvent


def _learner(learner: str | None, platform: str | None, user: str | None) -> str:
    if learner and not (platform or user):
        return learner
    if platform and user and not learner:
        return pseudonym(platform, user)
    raise click.UsageError(
        "name the learner by pseudonymous ID, or by --platform ISSUER and --user SUB "
        "(the LTI identity the tool received), not both"
    )


_who = [
    click.argument("learner", required=False),
    click.option("--platform", help="The LMS's LTI issuer, to name a learner by LTI identity."),
    click.option("--user", help="The learner's LTI subject (sub) on that platform."),
]


def _with_who(f: Callable[..., Any]) -> Callable[..., Any]:
    # The same ways of naming a learner on every command.
    for decorate in reversed(_who):
        f = decorate(f)
    return f


@click.group("privacy")
def command() -> None:
    """Export or erase one learner's events (by pseudonymous id or LTI identity)."""


@command.command("export")
@_with_who
@pass_context
def export(obj: CliContext, learner: str | None, platform: str | None, user: str | None) -> None:
    """Print every event stored about a learner, one JSON object per line."""
    who = _learner(learner, platform, user)
    with obj.database.sessions() as db:
        for envelope in privacy.export(db, who):
            click.echo(json.dumps(envelope, ensure_ascii=False, sort_keys=True))


@command.command("erase")
@_with_who
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_context
def erase(
    obj: CliContext, learner: str | None, platform: str | None, user: str | None, yes: bool
) -> None:
    """Erase a learner's events and their trace in every figure; the erasure is recorded."""
    who = _learner(learner, platform, user)
    with obj.database.sessions() as db:
        count = db.scalar(
            sa.select(sa.func.count()).select_from(StoredEvent).where(StoredEvent.actor_id == who)
        )
    if not count:
        raise click.ClickException("no event is stored about this learner: nothing to erase")
    if not yes:
        click.confirm(
            f"erase {count} events of this learner and their trace in the dashboard?", abort=True
        )
    deleted = obj.run(lambda db: privacy.erase(db, who))
    summary = ", ".join(f"{n} {table}" for table, n in deleted.items())
    click.echo(
        f"erased: {summary}; recorded as {privacy.digest(who)[:12]}… in 'opes-lti purges list'"
    )
