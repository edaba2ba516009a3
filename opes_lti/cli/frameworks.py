"""``opes-lti frameworks``: the competency frameworks the tool offers."""

from __future__ import annotations

import json
from pathlib import Path

import click

from opes_lti.cli.context import CliContext, pass_context
from opes_lti.competencies import case, csvformat
from opes_lti.competencies.framework import Framework, FrameworkError, Text
from opes_lti.frameworks import services


@click.group("frameworks")
def command() -> None:
    """List, check, add and export competency frameworks."""


def _read(path: Path, meta: Path | None) -> Framework:
    header = None
    if meta is not None:
        values = json.loads(meta.read_text(encoding="utf-8"))
        header = csvformat.Header(
            id=values["id"],
            version=values["version"],
            title=Text.of(values["title"]),
            scope=values.get("scope", "person"),
            levels=tuple(Text.of(level) for level in values["levels"]),
            description=Text.of(values.get("description", {})),
        )
    try:
        return services.read_file(path.name, path.read_text(encoding="utf-8-sig"), header)
    except FrameworkError as exc:
        lines = "\n".join(f"  {problem}" for problem in exc.problems)
        raise click.ClickException(f"{path} cannot be used:\n{lines}") from None


@command.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--meta",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A spreadsheet without framework_* columns: JSON with id, version, title, levels.",
)
def check(path: Path, meta: Path | None) -> None:
    """Check a framework file (CASE JSON or a spreadsheet) and say what is wrong."""
    framework = _read(path, meta)
    count = sum(1 for _ in framework.competencies())
    click.echo(
        f"{framework.id} {framework.version}: {len(framework.areas)} areas, {count} competences, "
        f"{framework.max_level} levels, assesses a {framework.scope}"
    )


@command.command("add")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--meta",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A spreadsheet without framework_* columns: JSON with id, version, title, levels.",
)
@pass_context
def add(obj: CliContext, path: Path, meta: Path | None) -> None:
    """Offer a framework in the tool (a new id, or a new version of one added before)."""
    framework = _read(path, meta)
    outcome = obj.run(lambda db: services.add(db, framework), FrameworkError)
    click.echo(f"{framework.id} {framework.version}: {outcome}")


@command.command("list")
@pass_context
def list_(obj: CliContext) -> None:
    """The frameworks designers can choose."""
    with obj.database.transaction() as db:
        for item in services.all_listed(db):
            origin = "shipped" if item.shipped else "added"
            click.echo(f"{item.id:<32} {item.version:<12} {origin:<8} {item.title}")


@command.command("export")
@click.argument("framework_id")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True
)
@pass_context
def export(obj: CliContext, framework_id: str, fmt: str) -> None:
    """Print a framework as CASE JSON or as a spreadsheet."""
    with obj.database.transaction() as db:
        try:
            framework = services.find(db, framework_id)
        except services.UnknownFramework:
            raise click.ClickException(f"no framework {framework_id!r}") from None
    click.echo(case.dumps(framework) if fmt == "json" else csvformat.write(framework), nl=False)
