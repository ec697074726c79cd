"""A dashboard's figures as files: XLSX (one sheet of every cell, then one sheet per tile with
the indicator's own HXL hashtag), CSV with HXL hashtags, and PDF. Each carries exactly the cells
of the page: a hidden one says "hidden" and is flagged, never a number."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orienta.core.documents import html_to_pdf
from orienta.core.tables import spreadsheet_text, text_cell
from orienta.indicators.board import Tile, Value
from orienta.indicators.dashboards import Page
from orienta.indicators.labels import round_label

#: (column title, HXL 1.1 hashtag): the titles are translated, the hashtags never.
COLUMNS = [
    (gettext_lazy("Indicator code"), "#indicator+code"),
    (gettext_lazy("Indicator"), "#indicator+name"),
    (gettext_lazy("Breakdown"), "#meta+breakdown+code"),
    (gettext_lazy("Category code"), "#meta+category+code"),
    (gettext_lazy("Category"), "#meta+category+name"),
    (gettext_lazy("Value"), "#indicator+value+num"),
    (gettext_lazy("Unit"), "#meta+unit"),
    (gettext_lazy("Hidden"), "#meta+suppressed"),
    (gettext_lazy("From (month)"), "#date+start"),
    (gettext_lazy("Until (month)"), "#date+end"),
    (gettext_lazy("Entry point (code)"), "#loc+entry+code"),
    (gettext_lazy("Returned from (country code)"), "#country+origin+code"),
    (gettext_lazy("Organisation"), "#org+id"),
]

#: The hashtag of a breakdown's category column in the per-tile sheets.
CATEGORY_TAGS = {
    "sex": "#group+sex",
    "age_group": "#group+age",
    "entry_point": "#loc+entry+code",
    "origin_country": "#country+origin+code",
    "organisation": "#org+id",
    "service_category": "#sector+code",
    "admin_area": "#adm1+code",
    "month": "#date+month",
    "mode": "#meta+mode",
    "status": "#status+code",
    "kind": "#meta+kind",
    "round": "#meta+round",
}


def _number(value: Value) -> str:
    return value.data_value if not value.suppressed else _("hidden")


def rows(page: Page) -> Iterator[list[str]]:
    """One row per figure: the key figures, then every category of every tile."""
    filters = page.filters
    where = [
        f"{filters.since:%Y-%m}" if filters.since else "",
        f"{filters.until:%Y-%m}" if filters.until else "",
        filters.entry_point,
        filters.origin_country,
        filters.organisation,
    ]

    def line(tile: Tile, breakdown: str, key: str, category: str, value: Value) -> list[str]:
        return [
            tile.indicator.code,
            tile.indicator.label,
            breakdown,
            key,
            category,
            _number(value),
            tile.indicator.unit,
            "1" if value.suppressed else "0",
            *where,
        ]

    for tile in page.key_figures:
        yield line(tile, "total", "", _("All"), tile.total)
    for tile in page.tiles:
        for row in tile.rows:
            yield line(tile, tile.breakdown, row.key, row.label, row.value)
    for cohort, cells in page.cohorts or []:
        for months, count, mean in cells:
            yield [
                "rei-composite",
                _("Mean composite score by cohort and survey round"),
                "cohort_round",
                f"{cohort}/{months}",
                f"{cohort} — {round_label(months)}",
                _("hidden") if count.suppressed else mean,
                "score",
                "1" if count.suppressed else "0",
                *where,
            ]


def as_csv(page: Page) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([str(title) for title, _tag in COLUMNS])
    writer.writerow([tag for _title, tag in COLUMNS])
    for row in rows(page):
        writer.writerow([spreadsheet_text(cell) for cell in row])
    return buffer.getvalue()


def as_xlsx(page: Page) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Figures")[:31]
    bold = Font(bold=True)

    def write(target: Any, row_number: int, values: list[str], header: bool = False) -> None:
        for column, value in enumerate(values, start=1):
            cell = target.cell(row=row_number, column=column)
            text_cell(cell, value)
            if header:
                cell.font = bold

    write(sheet, 1, [str(title) for title, _tag in COLUMNS], header=True)
    write(sheet, 2, [tag for _title, tag in COLUMNS], header=True)
    for number, values in enumerate(rows(page), start=3):
        # Only the value column holds numbers; codes stay text.
        write(sheet, number, values[:5] + [""] + values[6:])
        _set_value(sheet.cell(row=number, column=6), values[5])
    sheet.freeze_panes = "A3"
    for index, tile in enumerate(page.tiles, start=1):
        tab = book.create_sheet(f"{index} {tile.indicator.code}"[:31])
        write(tab, 1, [tile.caption], header=True)
        write(tab, 2, [tile.heading, tile.indicator.label, _("Hidden")], header=True)
        write(
            tab,
            3,
            [CATEGORY_TAGS.get(tile.breakdown, "#meta"), tile.indicator.hxl, "#meta+suppressed"],
            header=True,
        )
        for number, row in enumerate(tile.rows, start=4):
            text_cell(tab.cell(row=number, column=1), row.label)
            _set_value(tab.cell(row=number, column=2), _number(row.value))
            text_cell(tab.cell(row=number, column=3), "1" if row.value.suppressed else "0")
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _set_value(cell: Any, value: str) -> None:
    if value and _is_number(value):
        cell.value = float(value) if any(c in value for c in ".e") else int(value)
    else:
        text_cell(cell, value)


def as_pdf(page: Page) -> bytes:
    html = render_to_string(
        "indicators/print/dashboard.html", {"page": page, "printed_at": timezone.now()}
    )
    return html_to_pdf(html)
