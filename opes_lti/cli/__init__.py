"""The ``opes-lti`` command: one group, one module per subgroup; commands only delegate."""

from __future__ import annotations

import logging

import click

from opes_lti.cli import db, demo, outbox, serve, sources


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
def main(verbose: bool) -> None:
    """OPES learning tools: LTI tool and reporting service.

    Configuration comes from OPES_* environment variables; with none set, everything runs
    embedded on SQLite in ./instance.
    """
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


for module in (db, demo, outbox, serve, sources):
    main.add_command(module.command)
