"""The ``opes-lti`` command: one group, one module per subgroup; commands only delegate."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import click

from opes_lti.cli import (
    accounts,
    communities,
    dashboard,
    db,
    demo,
    frameworks,
    grades,
    keys,
    outbox,
    platforms,
    privacy,
    purges,
    serve,
    sites,
    sources,
)
from opes_lti.cli.context import CliContext


@contextmanager
def _closing(obj: CliContext) -> Iterator[CliContext]:
    try:
        yield obj
    finally:
        obj.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """OPES learning tools: LTI tool and reporting service.

    Configuration comes from OPES_* environment variables; with none set, everything runs
    embedded on SQLite in ./instance.
    """
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = ctx.with_resource(_closing(CliContext()))


for module in (
    accounts,
    communities,
    dashboard,
    db,
    demo,
    frameworks,
    grades,
    keys,
    outbox,
    platforms,
    privacy,
    purges,
    serve,
    sites,
    sources,
):
    main.add_command(module.command)
