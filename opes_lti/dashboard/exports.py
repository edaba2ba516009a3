"""A view's rows as CSV or XLSX, streamed: the same filters and suppression as the page."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import xlsxwriter

from opes_lti.competencies.csvformat import cell


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """CSV text a line at a time (CRLF), every cell safe to open in a spreadsheet."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in _chain(header, rows):
        writer.writerow([cell(v) for v in row])
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def _chain(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    yield header
    yield from rows


def xlsx_bytes(sheet: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A workbook of one sheet, written row by row (constant memory), no formula run.

    Text is written as text, so "=..." typed by a learner stays text in the sheet.
    """
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    page = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True})
    page.write_row(0, 0, list(header), bold)
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, str):
                page.write_string(number, column, value)
            elif value is None:
                page.write_blank(number, column, None)
            else:
                page.write_number(number, column, value)
    book.close()
    return out.getvalue()
