"""Governance records as files: a document version as PDF and Word with its version block, the
official member list (PDF, CSV), the signature sheet of an event, the comment matrix (XLSX), the
feedback and approval form, and the progress report (PDF)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orienta.core.documents import docx_table, html_to_pdf
from orienta.core.tables import text_cell
from orienta.governance import indicators, progress, text
from orienta.governance.choices import MemberRole, VersionStatus
from orienta.governance.models import (
    Comment,
    Committee,
    CommitteeMembership,
    Document,
    DocumentVersion,
    Event,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Blank lines on the signature sheet for people who come without being on the list.
BLANK_ROWS = 8


def day(value: date | None) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else "—"


def generated() -> str:
    return _("Generated on %(when)s") % {
        "when": formats.date_format(timezone.localtime(timezone.now()), "DATETIME_FORMAT")
    }


def pdf(template: str, context: dict[str, Any]) -> bytes:
    return html_to_pdf(render_to_string(template, context))


# --- Document versions ------------------------------------------------------------------------


@dataclass
class VersionBlock:
    """What the first page of an exported version says about it, and the history."""

    title: str
    facts: list[tuple[str, str]]
    history: list[tuple[str, str, str, str]]
    mark: str


def version_block(version: DocumentVersion) -> VersionBlock:
    document = version.document
    facts = [
        (_("Document"), str(document.get_kind_display())),
        (_("Committee"), document.committee.name),
        (_("Version"), str(version.number)),
        (_("Status"), str(version.get_status_display())),
        (_("Written on"), day(timezone.localdate(version.created_at))),
    ]
    if version.final_on:
        facts.append((_("Final on"), day(version.final_on)))
    if version.status == VersionStatus.VALIDATED:
        who = version.validated_by or (
            version.validation_event.title if version.validation_event else ""
        )
        facts.append((_("Validated"), f"{day(version.validated_on)} — {who}"))
    if version.change_summary:
        facts.append((_("What changed"), version.change_summary))
    history = [
        (
            str(v.number),
            str(v.get_status_display()),
            day(timezone.localdate(v.created_at)),
            v.change_summary,
        )
        for v in document.versions.order_by("number")
    ]
    mark = (
        ""
        if version.status in (VersionStatus.FINAL, VersionStatus.VALIDATED)
        else str(version.get_status_display())
    )
    return VersionBlock(document.title, facts, history, mark)


def version_pdf(version: DocumentVersion) -> bytes:
    return pdf(
        "governance/print/version.html",
        {
            "info": version_block(version),
            "version": version,
            "body": text.to_html(version.content),
            "generated": generated(),
        },
    )


def version_docx(version: DocumentVersion) -> bytes:
    from docx import Document as WordDocument

    block = version_block(version)
    doc = WordDocument()
    doc.core_properties.title = block.title
    doc.core_properties.revision = version.number
    doc.core_properties.language = version.document.language
    section = doc.sections[0]
    section.footer.paragraphs[
        0
    ].text = f"{block.title} — {_('version')} {version.number} — {version.get_status_display()}"
    if block.mark:
        section.header.paragraphs[0].add_run(block.mark.upper()).bold = True
    doc.add_heading(block.title, level=0)
    docx_table(doc, [_("Item"), _("Content")], [list(fact) for fact in block.facts])
    doc.add_heading(_("Version history"), level=2)
    docx_table(
        doc,
        [_("Version"), _("Status"), _("Date"), _("What changed")],
        [list(h) for h in block.history],
    )
    doc.add_page_break()
    text.add_markdown(doc, version.content)
    if version.file:
        doc.add_paragraph(
            _("Attached file: %(name)s") % {"name": version.file.name.rsplit("/")[-1]}
        )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- Members ----------------------------------------------------------------------------------

ROLE_ORDER = {role: index for index, role in enumerate(MemberRole.values)}


def official_members(committee: Committee) -> list[CommitteeMembership]:
    """Confirmed members, chair first, as the official list shows them."""
    seats = committee.memberships.filter(confirmed_on__isnull=False, declined_on__isnull=True)
    return sorted(
        seats.select_related("organisation"),
        key=lambda s: (ROLE_ORDER.get(s.role, 99), s.organisation.name),
    )


def members_pdf(committee: Committee) -> bytes:
    return pdf(
        "governance/print/members.html",
        {"committee": committee, "seats": official_members(committee), "generated": generated()},
    )


def members_csv(committee: Committee) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "organisation",
            "acronym",
            "kind",
            "role",
            "representative",
            "title",
            "invited_on",
            "confirmed_on",
        ]
    )
    for seat in official_members(committee):
        writer.writerow(
            [
                seat.organisation.name,
                seat.organisation.acronym,
                seat.organisation.kind,
                seat.role,
                seat.representative,
                seat.representative_title,
                seat.invited_on.isoformat(),
                seat.confirmed_on.isoformat() if seat.confirmed_on else "",
            ]
        )
    return out.getvalue()


# --- Events -----------------------------------------------------------------------------------


def signature_sheet_pdf(event: Event) -> bytes:
    """The sheet printed before the event: the people invited, a column to sign, blank lines."""
    return pdf(
        "governance/print/signature_sheet.html",
        {
            "event": event,
            "participants": list(event.participants.select_related("organisation")),
            "blank_rows": range(BLANK_ROWS),
            "generated": generated(),
        },
    )


# --- Comments ---------------------------------------------------------------------------------

MATRIX_COLUMNS = [
    "number",
    "version",
    "organisation",
    "section",
    "comment",
    "submitted_on",
    "treatment",
    "justification",
    "integrated_in",
]


def matrix_rows(document: Document) -> list[list[Any]]:
    comments = (
        Comment.objects.filter(version__document=document)
        .select_related("version", "organisation", "integrated_in")
        .order_by("version__number", "submitted_at")
    )
    return [
        [
            index,
            comment.version.number,
            comment.organisation.name,
            comment.section,
            comment.text,
            timezone.localdate(comment.submitted_at),
            str(comment.get_treatment_display()),
            comment.justification,
            comment.integrated_in.number if comment.integrated_in else "",
        ]
        for index, comment in enumerate(comments, start=1)
    ]


def matrix_headers() -> list[str]:
    return [
        _("No."),
        _("Version commented"),
        _("Organisation"),
        _("Section"),
        _("Comment"),
        _("Received on"),
        _("Treatment"),
        _("Justification"),
        _("Integrated in version"),
    ]


def comment_matrix_xlsx(document: Document) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Comments")[:31]
    sheet.append([document.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([generated()])
    sheet.append([])
    sheet.append(matrix_headers())
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for row in matrix_rows(document):
        sheet.append(row)
    widths = [6, 10, 32, 22, 60, 12, 18, 40, 10]
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    for row in sheet.iter_rows(min_row=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A5"
    sheet.auto_filter.ref = f"A4:I{sheet.max_row}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


#: (column title, HXL 1.1 hashtag) of the process indicators' workbook.
INDICATOR_COLUMNS = [
    (gettext_lazy("Code"), "#indicator+code"),
    (gettext_lazy("Phase"), "#meta+phase"),
    (gettext_lazy("Indicator"), "#indicator+name"),
    (gettext_lazy("Definition"), "#description"),
    (gettext_lazy("Value"), "#indicator+value"),
    (gettext_lazy("Detail"), "#meta+detail"),
    (gettext_lazy("Value of the detail"), "#meta+detail+value"),
]


def process_indicators_xlsx(committee: Any) -> bytes:
    """The process indicators as on the dashboard: titles, then HXL hashtags, then one row per
    indicator and one per line of its detail (officials at meetings, never a person assisted)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Process indicators")[:31]
    rows: list[list[str]] = [
        [str(title) for title, _tag in INDICATOR_COLUMNS],
        [tag for _title, tag in INDICATOR_COLUMNS],
    ]
    for item in indicators.process_indicators(committee):
        rows.append([item.code, item.phase_label, item.label, item.definition, item.shown, "", ""])
        rows += [[item.code, "", "", "", "", str(key), str(value)] for key, value in item.detail]
    for number, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=number, column=column)
            text_cell(cell, value)
            if number <= 2:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def feedback_form_pdf(version: DocumentVersion, organisation: Any = None) -> bytes:
    """The feedback and approval form a stakeholder fills in on paper: the version, its
    sections, room for comments and the approval decision."""
    return pdf(
        "governance/print/feedback_form.html",
        {
            "info": version_block(version),
            "version": version,
            "organisation": organisation,
            "sections": text.headings(version.content),
            "generated": generated(),
        },
    )


# --- Progress report --------------------------------------------------------------------------


def progress_report_pdf(committee: Committee, readable: list[Any]) -> bytes:
    """The indicators (counts over the committee and its working groups), and, of the bodies in
    `readable` — those the reader may open —, the roadmap, the documents and the open actions.
    An analyst who sees only indicators gets the counts."""
    rows = progress.roadmap(committee) if committee.pk in readable else []
    return pdf(
        "governance/print/progress_report.html",
        {
            "committee": committee,
            "indicators": indicators.process_indicators(committee),
            "roadmap": rows,
            "overall": progress.overall(rows),
            "timeline": progress.svg(rows),
            "actions": list(indicators.open_actions(committee, readable)),
            "documents": Document.objects.filter(committee__in=readable).order_by("kind", "title"),
            "readable": bool(readable),
            "generated": generated(),
        },
    )
