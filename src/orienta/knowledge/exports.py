"""The knowledge base as files: the mapping matrix as a spreadsheet (XLSX) and a printable heatmap
(PDF), and the mapping report that the terms of reference ask for — the theme and region matrices
with each entity's recommendations and engagement opportunities. PDFs carry Arabic names right to
left in the vendored Noto Naskh Arabic font (see `arabic_fonts`)."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from orienta.core.documents import html_to_pdf, vendored_font_url
from orienta.core.i18n import in_language, interface_language
from orienta.core.tables import text_cell
from orienta.knowledge import matrix as matrices
from orienta.knowledge.choices import DIALOGUE_KINDS, Confidence, EntityKind, FactField
from orienta.knowledge.models import Entity, EntityFact, Region, Theme

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LANGUAGES = ("fr", "en")
MARK = "●"
ARABIC_REGULAR = "noto-naskh-arabic/NotoNaskhArabic-Regular.ttf"
ARABIC_BOLD = "noto-naskh-arabic/NotoNaskhArabic-Bold.ttf"
# The facts the mapping report gives for each entity, in this order.
REPORT_FIELDS = (FactField.RECOMMENDATIONS, FactField.ENGAGEMENT)


def arabic_fonts() -> dict[str, str]:
    """The `file://` addresses of the vendored Arabic font, for the `@font-face` rules of
    `knowledge/print/base.html`: every knowledge PDF's context includes them."""
    return {
        "arabic_font_regular": vendored_font_url(ARABIC_REGULAR),
        "arabic_font_bold": vendored_font_url(ARABIC_BOLD),
    }


def document_language(requested: str | None) -> str:
    """The language a document is rendered in: the requested one when it is French or English,
    the interface's otherwise (an unknown `?lang=` is not an error)."""
    return requested if requested in LANGUAGES else interface_language()


@contextlib.contextmanager
def _in(language: str | None) -> Iterator[str]:
    """Render in `language` (French or English), or in the active language when None."""
    chosen = document_language(language) if language else interface_language()
    with translation.override(chosen):
        yield chosen


def generated() -> str:
    return _("Generated on %(when)s") % {
        "when": formats.date_format(timezone.localtime(timezone.now()), "DATETIME_FORMAT")
    }


def describe_filters(kind: str = "", theme: str = "", region: str = "") -> list[str]:
    """The filters in force, in words, for the head of a document (values already checked by
    the view: unknown codes are shown as they are rather than failing)."""
    described = []
    if kind:
        label = dict(EntityKind.choices).get(kind, kind)
        described.append(_("Kind: %(kind)s") % {"kind": label})
    if theme:
        found = Theme.objects.filter(code=theme).first()
        described.append(_("Theme: %(theme)s") % {"theme": found.label if found else theme})
    if region:
        found_region = Region.objects.filter(code=region).first()
        label = found_region.label if found_region else region
        described.append(_("Region: %(region)s") % {"region": label})
    return described or [_("No filter: every entity and dialogue.")]


def _axis_title(axis: str) -> str:
    return _("Entities and themes") if axis == "theme" else _("Entities and regions")


@dataclass
class MatrixRow:
    """A row of a printed matrix: the entity, its names in the document's language and in
    Arabic, and its marks."""

    entity: Entity
    acronym: str
    name: str
    name_ar: str
    marks: list[bool]


def _printed(matrix: matrices.Matrix, language: str) -> dict[str, Any]:
    """What the matrix table of the PDFs needs, in `language`."""
    return {
        "axis": matrix.axis,
        "title": _axis_title(matrix.axis),
        "columns": [in_language(column, "label", language) for column in matrix.columns],
        "rows": [
            MatrixRow(
                entity,
                in_language(entity, "acronym", language) or entity.acronym_en,
                in_language(entity, "name", language),
                entity.name_ar,
                marks,
            )
            for entity, marks in matrix.rows
        ],
        "totals": matrix.totals,
    }


def knowledge_pdf(template: str, context: dict[str, Any], language: str) -> bytes:
    """A knowledge-base print template as a PDF in `language`, with the Arabic font."""
    return html_to_pdf(
        render_to_string(template, {"LANGUAGE_CODE": language, **arabic_fonts(), **context})
    )


# --- The matrix ---------------------------------------------------------------------------------


def matrix_xlsx(matrix: matrices.Matrix, *, language: str | None = None) -> bytes:
    """The matrix as a workbook: a header row, one row per entity (key, names in English, French
    and Arabic, acronym, then ● under each column it is classified under, the cell filled), a
    totals row; the header and the names stay in view when scrolling."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    with _in(language) as chosen:
        book = Workbook()
        sheet = book.active
        sheet.title = (_("Themes") if matrix.axis == "theme" else _("Regions"))[:31]
        header = [
            _("Key"),
            _("Name (English)"),
            _("Name (French)"),
            _("Name (Arabic)"),
            _("Acronym"),
            *(in_language(column, "label", chosen) for column in matrix.columns),
        ]
        first_mark = 6  # column F
        bold = Font(bold=True)
        filled = PatternFill(fill_type="solid", start_color="FF2F6DB3", end_color="FF2F6DB3")
        centred = Alignment(horizontal="center", vertical="center")
        for index, title in enumerate(header, start=1):
            cell = sheet.cell(row=1, column=index)
            text_cell(cell, str(title))
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row_index, (entity, marks) in enumerate(matrix.rows, start=2):
            names = [
                entity.key,
                entity.name_en,
                entity.name_fr,
                entity.name_ar,
                in_language(entity, "acronym", chosen) or entity.acronym_en,
            ]
            for index, value in enumerate(names, start=1):
                text_cell(sheet.cell(row=row_index, column=index), value)
            sheet.cell(row=row_index, column=4).alignment = Alignment(
                horizontal="right", readingOrder=2
            )
            for offset, mark in enumerate(marks):
                cell = sheet.cell(row=row_index, column=first_mark + offset)
                cell.alignment = centred
                if mark:
                    cell.value = MARK
                    cell.fill = filled
                    cell.font = Font(color="FFFFFFFF")
        totals_row = len(matrix.rows) + 2
        text_cell(sheet.cell(row=totals_row, column=1), _("Entities"))
        sheet.cell(row=totals_row, column=1).font = bold
        for offset, total in enumerate(matrix.totals):
            cell = sheet.cell(row=totals_row, column=first_mark + offset, value=total)
            cell.font = bold
            cell.alignment = centred
        for index, width in enumerate([18, 40, 40, 34, 12], start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        for offset in range(len(matrix.columns)):
            sheet.column_dimensions[get_column_letter(first_mark + offset)].width = 14
        sheet.freeze_panes = sheet.cell(row=2, column=first_mark).coordinate
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


def matrix_pdf(
    matrix: matrices.Matrix, filters_described: list[str], *, language: str | None = None
) -> bytes:
    """The matrix as a printable heatmap (landscape A4): the filters in force under the title,
    one row per entity with its Arabic name, filled cells shaded, the totals."""
    with _in(language) as chosen:
        return knowledge_pdf(
            "knowledge/print/matrix.html",
            {
                "matrix": _printed(matrix, chosen),
                "filters": filters_described,
                "generated": generated(),
            },
            chosen,
        )


# --- The mapping report ------------------------------------------------------------------------


@dataclass
class ReportFact:
    """One section of an entity in the report: written (with confidence and source) or not."""

    label: str
    text: str
    confidence: str
    source: str
    source_url: str
    accessed: Any
    caveats: list[tuple[str, str]]


@dataclass
class ReportEntity:
    entity: Entity
    name: str
    acronym: str
    name_ar: str
    kind: str
    facts: list[ReportFact]


def _report_fact(label: Any, fact: EntityFact | None, language: str) -> ReportFact:
    if fact is None or not in_language(fact, "text", language).strip():
        return ReportFact(str(label), "", "", "", "", None, [])
    caveats = [
        (
            str(caveat.get(language) or caveat.get("fr") or caveat.get("en", "")),
            str(dict(Confidence.choices).get(caveat.get("confidence", ""), "")),
        )
        for caveat in fact.caveats
        if isinstance(caveat, dict)
    ]
    return ReportFact(
        str(label),
        in_language(fact, "text", language),
        str(Confidence(fact.confidence).label) if fact.confidence in Confidence.values else "",
        fact.source_reference,
        fact.source_url,
        fact.source_accessed,
        caveats,
    )


def _report_entity(entity: Entity, language: str) -> ReportEntity:
    facts = {fact.field: fact for fact in entity.facts.all()}
    return ReportEntity(
        entity,
        in_language(entity, "name", language),
        in_language(entity, "acronym", language) or entity.acronym_en,
        entity.name_ar,
        str(entity.get_kind_display()),
        [_report_fact(field.label, facts.get(field.value), language) for field in REPORT_FIELDS],
    )


def _counts_by_theme(entities: list[Entity], language: str) -> list[dict[str, Any]]:
    """For each theme: how many of the entities (organisations, dialogues, all) work on it."""
    counts = []
    for theme in Theme.objects.all():
        held = [entity for entity in entities if theme in entity.themes.all()]
        dialogues = sum(entity.kind in DIALOGUE_KINDS for entity in held)
        counts.append(
            {
                "label": in_language(theme, "label", language),
                "organisations": len(held) - dialogues,
                "dialogues": dialogues,
                "total": len(held),
            }
        )
    return counts


def mapping_report_pdf(
    *, kind: str = "", theme: str = "", region: str = "", language: str | None = None
) -> bytes:
    """The mapping report: the theme and the region matrices of the entities the filters keep,
    then for each of them (organisations first, then dialogues and consultative processes) its
    recommendations and engagement opportunities with their confidence and source ("not
    documented yet" where the knowledge base has nothing), and the counts by theme."""
    filters = {"kind": kind, "theme": theme, "region": region}
    with _in(language) as chosen:
        entities = list(matrices.filtered(**filters).prefetch_related("facts"))
        organisations = [e for e in entities if e.kind not in DIALOGUE_KINDS]
        dialogues = [e for e in entities if e.kind in DIALOGUE_KINDS]
        groups = [
            (_("Organisations"), [_report_entity(e, chosen) for e in organisations]),
            (
                _("Dialogues and consultative processes"),
                [_report_entity(e, chosen) for e in dialogues],
            ),
        ]
        return knowledge_pdf(
            "knowledge/print/mapping_report.html",
            {
                "filters": describe_filters(**filters),
                "generated": generated(),
                "matrices": [
                    _printed(matrices.build("theme", **filters), chosen),
                    _printed(matrices.build("region", **filters), chosen),
                ],
                "groups": groups,
                "counts": _counts_by_theme(entities, chosen),
                "total": len(entities),
            },
            chosen,
        )
