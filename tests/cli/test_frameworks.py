"""``opes-lti frameworks``: check, add, list and export, and any file at all gets a message."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opes_lti.cli import main
from opes_lti.cli.frameworks import MAX_FILE_BYTES, MAX_SHOWN
from opes_lti.competencies import builtin, case, csvformat
from tests.support.factories import enti_pugliesi

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


def _check(tmp_path: Path, name: str, content: bytes, meta: bytes | None = None) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    args = ["frameworks", "check", str(path)]
    if meta is not None:
        (tmp_path / "meta.json").write_bytes(meta)
        args += ["--meta", str(tmp_path / "meta.json")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), (result.exit_code, result.output[-500:])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert len(result.output.splitlines()) <= MAX_SHOWN + 5
    return result.output


FILES = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda t: t.encode("utf-8")),
    st.text(alphabet="àèìòù€ÄÖ,;\n", max_size=50).map(lambda t: t.encode("latin-1", "replace")),
    JSON.map(lambda v: json.dumps(v).encode()),
)
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(content=FILES, csv_name=st.booleans())
def test_any_file_gets_a_message_not_a_traceback(
    tmp_path: Path, content: bytes, csv_name: bool
) -> None:
    _check(tmp_path, "f.csv" if csv_name else "f.json", content)


@SETTINGS
@given(meta=FILES)
def test_any_meta_file_gets_a_message_not_a_traceback(tmp_path: Path, meta: bytes) -> None:
    # Competences without framework_* columns, so the meta file is what is read.
    text = csvformat.write(builtin.load(builtin.DEFAULT))
    rows = [line.split(",")[:14] for line in text.split("\r\n")[:2]]
    _check(tmp_path, "f.csv", "\r\n".join(",".join(r) for r in rows).encode(), meta)


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("f.csv", "àrea,codice\n".encode("latin-1"), "not UTF-8"),
        ("f.json", b"\x89PNG\r\n\x1a\n\x00\x00", "not a text file"),
        ("f.json", b"[" * 10_000 + b"]" * 10_000, "deeper than"),
        ("f.json", b'{"a":' * 3_000 + b"1" + b"}" * 3_000, "deeper than"),
    ],
)
def test_bad_files_are_named_plainly(tmp_path: Path, name: str, content: bytes, says: str) -> None:
    assert says in _check(tmp_path, name, content)


@pytest.mark.parametrize(
    ("meta", "says"),
    [
        (b"{broken", "not JSON"),
        (b"[1, 2]", "(file)"),
        (b'{"id": "x", "version": "1", "title": {"it": "X"}}', "levels"),
        (b'{"id": 3, "version": "1", "title": {"it": "X"}, "levels": [{}, {}]}', "id"),
    ],
)
def test_bad_meta_files_say_what_is_wrong(tmp_path: Path, meta: bytes, says: str) -> None:
    output = _check(tmp_path, "f.csv", b"area,code,title_it\r\n", meta)
    assert says in output


def test_a_file_of_many_bad_rows_lists_the_first_and_counts_the_rest(tmp_path: Path) -> None:
    text = csvformat.write(builtin.load(builtin.DEFAULT))
    header, first = text.split("\r\n")[:2]
    body = "\r\n".join([header] + [first] * 3_000)  # the same competence, 3,000 times
    assert "more problems" in _check(tmp_path, "f.csv", body.encode())


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    result = CliRunner().invoke(main, ["frameworks", "check", str(path)])
    assert result.exit_code == 1
    assert "MB" in result.output


# --- the library's round trip --------------------------------------------------------

CUSTOM = enti_pugliesi()


def test_cli_checks_adds_lists_and_exports(run: Callable[..., Result], tmp_path: Path) -> None:
    assert run("db", "upgrade").exit_code == 0
    package = tmp_path / "ets.json"
    package.write_text(case.dumps(CUSTOM), encoding="utf-8")
    checked = run("frameworks", "check", str(package))
    assert "ets-puglia 2026.1: 4 areas, 8 competences, 5 levels, assesses a organisation" in (
        checked.output
    )
    assert run("frameworks", "add", str(package)).output.strip() == "ets-puglia 2026.1: added"
    assert "ets-puglia" in run("frameworks", "list").output
    exported = run("frameworks", "export", "ets-puglia")
    assert case.loads(exported.output) == CUSTOM
    sheet = run("frameworks", "export", "ets-puglia", "--format", "csv").output
    assert csvformat.read(sheet, csvformat.header_of(CUSTOM)) == CUSTOM
    # The exported spreadsheet is a complete framework file: check and add take it as is.
    exported_csv = tmp_path / "ets-puglia.csv"
    exported_csv.write_text(sheet, encoding="utf-8")
    assert "ets-puglia 2026.1: 4 areas, 8 competences" in (
        run("frameworks", "check", str(exported_csv)).output
    )
    again = run("frameworks", "add", str(exported_csv))
    assert again.output.strip() == "ets-puglia 2026.1: unchanged", again.output


def test_cli_names_every_problem_of_a_bad_spreadsheet(
    run: Callable[..., Result],
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "nuovo.csv"
    rows = csvformat.write(CUSTOM).splitlines()
    rows[2] = rows[2].replace("GV.2", "GV.1")
    sheet.write_text("\n".join(rows), encoding="utf-8")
    meta = tmp_path / "meta.json"
    meta.write_text(
        json.dumps(
            {
                "id": "nuovo",
                "version": "1",
                "title": {"it": "Nuovo"},
                "levels": [lv.as_dict() for lv in CUSTOM.levels],
            }
        ),
        encoding="utf-8",
    )
    result = run("frameworks", "check", str(sheet), "--meta", str(meta))
    assert result.exit_code == 1
    assert "row 3, column code: 'GV.1' is already used on row 2" in result.output
    # Its own framework_* columns (as exported) serve when no --meta is given.
    no_meta = run("frameworks", "check", str(sheet))
    assert "row 3, column code: 'GV.1' is already used on row 2" in no_meta.output
    bare = tmp_path / "bare.csv"
    width = len(csvformat.columns(CUSTOM.max_level))
    bare.write_text(
        "\n".join(",".join(next(csv.reader([r]))[:width]) for r in rows), encoding="utf-8"
    )
    refused = run("frameworks", "check", str(bare))
    assert refused.exit_code == 1
    assert "no framework_id column" in refused.output
