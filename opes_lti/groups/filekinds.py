"""What a group may hand in as a file, and how a file is served (pure, for both faces).

A file's type is what its content is, never what its name or the browser claims: a
script renamed ``.pdf`` is refused. The tool checks uploads with these rules and the
block, which serves the tool's files from the LMS, sends them with the same headers.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

import filetype  # type: ignore[import-untyped]

#: The largest file, in bytes (a project's PDF with pictures fits).
MOST_BYTES = 10 * 1024 * 1024

#: What may be handed in, by the type its content shows.
ALLOWED = frozenset(
    {
        "application/pdf",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "image/png",
        "image/jpeg",
        "text/plain",
    }
)


def content_type(data: bytes) -> str | None:
    """The type the content shows, if it is one that may be handed in."""
    kind = filetype.guess(data)
    if kind is not None:
        return kind.mime if kind.mime in ALLOWED else None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # Text without control characters (tabs and line ends apart) is plain text.
    if any(unicodedata.category(c) == "Cc" and c not in "\t\r\n" for c in text):
        return None
    return "text/plain"


def safe_name(filename: str) -> str:
    """The file's own name, without folders or control characters, for the page."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    return name[:200] or "file"


def served_headers(filename: str, kind: str) -> dict[str, str]:
    """The same headers for a file known by name and type (the block serves it too).

    The name is cleaned again and the type must be one that may be handed in, so what
    a block was told cannot make the browser run anything.
    """
    filename = safe_name(filename)
    kind = kind if kind in ALLOWED else "application/octet-stream"
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "'")
    return {
        "Content-Type": kind,
        "Content-Disposition": (
            f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
        ),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
    }
