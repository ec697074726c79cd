"""Reading a table someone filled by hand or exported from another system: the first sheet of
an XLSX workbook, or a CSV in whatever encoding and delimiter it came with (UTF-8 with or
without a BOM, or Windows/Latin-1 text; comma, semicolon, tab or bar). Imports build on this and
report problems by row and column."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

DELIMITERS = [",", ";", "\t", "|"]


@dataclass
class Problem:
    row: int  # 1 is the header; 0 is the file as a whole
    column: str
    message: str


class Row(list[str]):
    """The cells of one row, and its number in the file as the person who filled it sees it
    (the header is row 1): blank rows are left out of what an import reads, but not out of the
    count, so a problem is reported on the row the person will look at."""

    number: int

    def __init__(self, cells: list[str], number: int) -> None:
        super().__init__(cells)
        self.number = number


FORMULA_STARTS = ("=", "+", "-", "@")
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def printable(value: str) -> str:
    """`value` without the control characters a Word or XLSX file cannot hold and PostgreSQL
    refuses in text (they are invisible in a page: nothing a reader sees is lost)."""
    return _UNPRINTABLE.sub("", value)


def spreadsheet_text(cell: str) -> str:
    """A cell for a CSV that a spreadsheet will open: one that would be read as a formula is
    quoted (`'=...`), so that it is shown as the text it is."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def text_cell(cell: Any, value: str) -> None:
    """An XLSX cell holding `value` as text, never as a formula, whatever it starts with (and
    without the control characters a worksheet cannot hold)."""
    cell.value = printable(value)
    cell.data_type = "s"


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: how column titles and codes are compared."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", plain).strip().lower()


def decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped), else Windows-1252, else Latin-1, which reads any byte."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(
    name: str, data: bytes, *, max_rows: int
) -> tuple[list[str], list[Row], list[Problem]]:
    """Header and rows (each padded to the header's width, with its number in the file), or the
    problem with the file."""
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
            values = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        except Exception:  # openpyxl raises many kinds for a damaged file
            return [], [], [Problem(0, "", _("This is not a readable XLSX file."))]
    else:
        text = decode(data)
        if "\x00" in text:
            return [], [], [Problem(0, "", _("This is not a text (CSV) file."))]
        first = text.lstrip().splitlines()[0] if text.strip() else ""
        delimiter = max(DELIMITERS, key=first.count)
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        try:
            values = [[cell.strip() for cell in row] for row in reader]
        except csv.Error:
            return [], [], [Problem(0, "", _("The CSV file cannot be read."))]
    numbered = [(number, row) for number, row in enumerate(values, start=1) if any(row)]
    if not numbered:
        return [], [], [Problem(0, "", _("The file is empty."))]
    if len(numbered) - 1 > max_rows:
        return [], [], [Problem(0, "", _("Too many rows: split the file."))]
    header = numbered[0][1]
    width = len(header)
    rows = [Row(row + [""] * (width - len(row)), number) for number, row in numbered[1:]]
    return header, rows, []
