"""``opes-lti frameworks``: the competency frameworks the tool offers."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import click
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from opes_lti.cli.context import CliContext, pass_context
from opes_lti.competencies import case, csvformat
from opes_lti.competencies.framework import Framework, FrameworkError, Text
from opes_lti.core import safejson
from opes_lti.framework_library import services


@click.group("frameworks")
def command() -> None:
    """List, check, add and export competency frameworks."""


#: Frameworks are a few hundred KB at most; a file beyond this is not one.
MAX_FILE_BYTES = 10 * 1024 * 1024
#: Problems listed before the rest are only counted.
MAX_SHOWN = 50


class _Meta(BaseModel):
    """What ``--meta`` gives beside a spreadsheet without ``framework_*`` columns."""

    model_config = ConfigDict(extra="forbid", strict=True)

    id: str = Field(min_length=1, max_length=100)
    version: str = Field(min_length=1, max_length=50)
    title: dict[str, str]
    scope: Literal["person", "organisation"] = "person"
    levels: list[dict[str, str]] = Field(min_length=2, max_length=10)
    description: dict[str, str] = {}


def _text(path: Path) -> str:
    """The file as text, or a message saying what it is instead."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise click.ClickException(
            f"{path} is {size / 1024 / 1024:.1f} MB; a framework file is at most "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB: is it the right file?"
        )
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise click.ClickException(
            f"{path} is not a text file (CSV or JSON): is it the right file?"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.ClickException(
            f"{path} is not UTF-8 text (byte {exc.start} is not): save it as UTF-8 "
            "(in Excel: 'CSV UTF-8'; in LibreOffice: character set 'Unicode (UTF-8)')"
        ) from None


def _json(path: Path) -> Any:
    try:
        return safejson.loads(_text(path))
    except safejson.JsonError as exc:
        raise click.ClickException(f"{path} is not JSON the tool can read: {exc}") from None


def _meta(path: Path) -> csvformat.Header:
    try:
        values = _Meta.model_validate(_json(path))
    except ValidationError as exc:
        lines = [
            f"  {'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}"
            for e in exc.errors(include_url=False)
        ]
        raise click.ClickException(f"{path} cannot be used as --meta:\n" + _listed(lines)) from None
    return csvformat.Header(
        id=values.id,
        version=values.version,
        title=Text.of(values.title),
        scope=values.scope,
        levels=tuple(Text.of(level) for level in values.levels),
        description=Text.of(values.description),
    )


def _listed(lines: list[str]) -> str:
    shown = "\n".join(lines[:MAX_SHOWN])
    rest = len(lines) - MAX_SHOWN
    return shown + (f"\n  ... and {rest} more problems" if rest > 0 else "")


def _read(path: Path, meta: Path | None) -> Framework:
    header = _meta(meta) if meta is not None else None
    text = _text(path)
    if not path.name.lower().endswith(".csv") and safejson.too_deep(text.encode()):
        raise click.ClickException(f"{path} nests deeper than {safejson.MAX_DEPTH} levels")
    try:
        return services.read_file(path.name, text, header)
    except FrameworkError as exc:
        lines = [f"  {problem}" for problem in exc.problems]
        raise click.ClickException(f"{path} cannot be used:\n" + _listed(lines)) from None


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
