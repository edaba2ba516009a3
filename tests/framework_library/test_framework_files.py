"""`opes-lti frameworks check` on any file at all: a clear message, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opes_lti.cli import main
from opes_lti.cli.frameworks import MAX_FILE_BYTES, MAX_SHOWN
from opes_lti.competencies import builtin, csvformat

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
