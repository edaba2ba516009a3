"""The tool's framework library: added by an administrator, chosen by designers,
downloaded for Studio."""

from __future__ import annotations

import csv
import dataclasses
import io

import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from opes_lti.competencies import builtin, case, csvformat
from opes_lti.competencies.framework import FrameworkError, Text
from opes_lti.core.db import Database
from opes_lti.framework_library import services
from tests.support.factories import enti_pugliesi

CUSTOM = enti_pugliesi()


def test_added_framework_is_found_and_listed_after_the_shipped_ones(database: Database) -> None:
    with database.transaction() as db:
        assert services.add(db, CUSTOM) == "added"
        assert services.add(db, CUSTOM) == "unchanged"
    with database.sessions() as db:
        assert services.find(db, "ets-puglia") == CUSTOM
        listed = services.all_listed(db)
    assert [f.id for f in listed] == [*builtin.NAMES, "ets-puglia"]
    assert [f.shipped for f in listed] == [True, True, False]


def test_a_new_version_replaces_and_a_changed_same_version_is_refused(database: Database) -> None:
    with database.transaction() as db:
        services.add(db, CUSTOM)
    changed = dataclasses.replace(CUSTOM, title=Text("Altro titolo"))
    with database.transaction() as db, pytest.raises(FrameworkError, match="new version"):
        services.add(db, changed)
    with database.transaction() as db:
        assert services.add(db, dataclasses.replace(changed, version="2027.1")) == "updated"
    with database.sessions() as db:
        assert services.find(db, "ets-puglia").title.it == "Altro titolo"


def test_shipped_ids_cannot_be_taken(database: Database) -> None:
    with database.transaction() as db, pytest.raises(FrameworkError, match="shipped"):
        services.add(db, builtin.load(builtin.DEFAULT))


def test_unknown_framework_is_said(database: Database) -> None:
    with database.sessions() as db, pytest.raises(services.UnknownFramework):
        services.find(db, "nope")


@pytest.mark.parametrize("name", builtin.NAMES)
def test_every_shipped_framework_reads_back_from_its_own_export(name: str) -> None:
    framework = builtin.load(name)
    assert csvformat.read(csvformat.write(framework)) == framework


@given(
    # Cells are read trimmed, as people type them into spreadsheets.
    title=st.builds(
        Text, st.text(min_size=1).map(str.strip).filter(bool), st.text().map(str.strip)
    ),
    version=st.from_regex(r"[0-9]{4}\.[0-9]{1,2}", fullmatch=True),
    level=st.text(min_size=1).map(str.strip).filter(bool),
)
def test_any_framework_text_survives_an_export_and_a_read(
    title: Text, version: str, level: str
) -> None:
    levels = (Text(level, level.upper()), *CUSTOM.levels[1:])
    framework = dataclasses.replace(CUSTOM, title=title, version=version, levels=levels)
    try:
        problems = None
        read = csvformat.read(csvformat.write(framework))
    except FrameworkError as exc:  # what check() refuses in the framework itself
        problems = exc.problems
        read = None
    if problems is None:
        assert read == framework
    else:
        with pytest.raises(FrameworkError):
            csvformat.read(csvformat.write(framework), csvformat.header_of(framework))


def test_framework_values_that_differ_between_rows_are_named() -> None:
    rows = csvformat.write(CUSTOM).splitlines()
    cells = next(csv.reader([rows[2]]))
    at = csvformat.columns(CUSTOM.max_level).__len__()
    cells[at] = "another-id"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    rows[2] = out.getvalue().rstrip("\n")
    with pytest.raises(FrameworkError) as caught:
        csvformat.read("\n".join(rows))
    assert ("row 3, column framework_id", "differs from row 2") in [
        (p.where, p.message) for p in caught.value.problems
    ]


def test_frameworks_page_and_downloads(client: FlaskClient, database: Database) -> None:
    with database.transaction() as db:
        services.add(db, CUSTOM)
    page = client.get("/frameworks/")
    assert page.status_code == 200
    assert "Enti pugliesi" in page.text
    assert "Progettazione e gestione nel Terzo settore" in page.text
    download = client.get("/frameworks/ets-puglia.json")
    assert case.loads(download.data) == CUSTOM
    sheet = client.get("/frameworks/opes-progettazione.csv")
    assert sheet.mimetype == "text/csv"
    assert "PS.1" in sheet.text
    assert client.get("/frameworks/nope.json").status_code == 404
