"""An Annex A list as a file: CSV or XLSX, the same header and rows in both (Ofsted's template's
headers in the first row, one row per line; every cell text as the template writes it, dates
DD/MM/YYYY). Pure: rows in, bytes out."""

from __future__ import annotations

import csv
import io
from enum import StrEnum

from openpyxl import Workbook

from insight.domain.annex_a import AnnexList, Row


class AnnexFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self]


MEDIA_TYPES = {
    AnnexFormat.CSV: "text/csv",
    AnnexFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def table(annex: AnnexList, rows: list[Row], names: dict[str, str]) -> list[list[str]]:
    """The header, then each row's cells in the list's column order."""
    return [annex.headers, *(r.cells(annex, names) for r in rows)]


def write(annex: AnnexList, rows: list[Row], names: dict[str, str], kind: AnnexFormat) -> bytes:
    cells = table(annex, rows, names)
    if kind is AnnexFormat.CSV:
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(cells)
        return out.getvalue().encode("utf-8")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"List {annex.number}"
    for line in cells:
        sheet.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
