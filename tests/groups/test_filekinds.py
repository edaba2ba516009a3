"""What may be handed in as a file, and the headers a served file carries."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opes_lti.groups import filekinds

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF, "application/pdf"),
        (_odt(), "application/vnd.oasis.opendocument.text"),
        ("Progetto: «Giovani al centro»\n".encode(), "text/plain"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "image/png"),
        (b"MZ\x90\x00\x03" + b"\x00" * 60, None),  # a Windows program
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 60, None),
        (b"PK\x03\x04" + b"\x00" * 40, None),  # a zip that is no document
        (b"abc\x00def", None),
    ],
)
def test_the_type_is_what_the_bytes_are(data: bytes, expected: str | None) -> None:
    assert filekinds.content_type(data) == expected


@given(st.binary(max_size=300))
def test_any_bytes_get_an_allowed_type_or_none(data: bytes) -> None:
    kind = filekinds.content_type(data)
    assert kind is None or kind in filekinds.ALLOWED


@given(st.text(max_size=80))
def test_any_name_becomes_one_safe_to_show_and_send(name: str) -> None:
    safe = filekinds.safe_name(name)
    assert safe
    assert "/" not in safe
    assert "\\" not in safe
    assert not any(c in safe for c in "\r\n\x00")
    for value in filekinds.served_headers(safe, "application/pdf").values():
        assert "\n" not in value
        assert "\r" not in value
        assert value.isascii()


@given(st.text(max_size=80), st.text(max_size=80))
def test_a_served_file_is_never_given_a_type_a_browser_runs(name: str, kind: str) -> None:
    # The block serves what the tool tells it: neither name nor type may open a door.
    headers = filekinds.served_headers(name, kind)
    sent = headers["Content-Type"]
    assert sent in filekinds.ALLOWED or sent == "application/octet-stream"
    assert headers["Content-Disposition"].startswith("attachment; ")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]
    assert all(v.isascii() and "\n" not in v and "\r" not in v for v in headers.values())
