"""Reading hand-filled tables: rows keep the number the person sees in the file, blank rows
included, so every import reports a problem on the right row."""

from __future__ import annotations

import io

from openpyxl import Workbook

from orienta.core.tables import read_table


def test_blank_rows_are_skipped_but_counted_in_a_csv() -> None:
    data = b"name;year\nA;2001\n\n;;\nB;2002\n"
    header, rows, problems = read_table("list.csv", data, max_rows=10)
    assert problems == [] and header == ["name", "year"]
    assert [(row.number, list(row)) for row in rows] == [(2, ["A", "2001"]), (5, ["B", "2002"])]


def test_blank_rows_are_skipped_but_counted_in_a_workbook() -> None:
    book = Workbook()
    sheet = book.active
    for values in (["name", "year"], [None, None], ["A", 2001], [None, None], ["B", 2002]):
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    _header, rows, _problems = read_table("list.xlsx", out.getvalue(), max_rows=10)
    assert [row.number for row in rows] == [3, 5]
