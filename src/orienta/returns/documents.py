"""Printable documents of returns, in French or English: a bilateral protocol (PDF and DOCX),
and the reception procedures guide (guide de procédures) with its flowchart drawn as SVG.

Both formats of a document are made from one context of ready-to-print strings (dates, labels
and parameters already rendered in words in the document's language), so that the PDF and the
DOCX never say different things. The flowchart reuses the layout helpers and the SVG template
of the referral pathways, so that every label is escaped the same way."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from orienta.core.documents import docx_table, html_to_pdf
from orienta.referrals import pathway
from orienta.referrals.pathway import (
    BLUE,
    BLUE_LIGHT,
    GAP,
    GREEN,
    GREEN_LIGHT,
    GREY,
    WHITE,
    Diagram,
    Label,
    Shape,
    _arrow,
    _box,
    render_svg,
    wrap,
)
from orienta.returns.choices import Condition, ProtocolStatus, SopStatus
from orienta.returns.labels import (
    LANGUAGES,
    country_names,
    in_language,
    organisation_label,
)
from orienta.returns.models import (
    EntryPoint,
    Protocol,
    ProtocolRule,
    SopRule,
    SopRuleSet,
)
from orienta.returns.packs import organisations_by_acronym

PROTOCOL_TEMPLATE = "returns/documents/protocol_print.html"
SOP_TEMPLATE = "returns/documents/sop_print.html"

#: Print size (mm) of the flowchart in the guide, A4 portrait.
PRINT_FLOWCHART = (180.0, 245.0)


# Python's weekday numbers, as the protocol rules store them (see orienta.returns.rules).
WEEKDAYS = [
    gettext_lazy("Mondays"),
    gettext_lazy("Tuesdays"),
    gettext_lazy("Wednesdays"),
    gettext_lazy("Thursdays"),
    gettext_lazy("Fridays"),
    gettext_lazy("Saturdays"),
    gettext_lazy("Sundays"),
]


# --- Shared helpers ---------------------------------------------------------------------------


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"Unknown language {language!r}.")


@contextmanager
def _rendering(language: str, country: str) -> Iterator[None]:
    """Labels in `language`, dates in the local time of `country`."""
    _check_language(language)
    with translation.override(language), timezone.override(pathway.time_zone_for(country)):
        yield


_in = in_language


def _day(value: date | None) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def _moment(value: datetime) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _and(items: list[str]) -> str:
    """“a, b and c”."""
    if len(items) < 2:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _generated() -> str:
    return _("Generated on %(when)s") % {"when": _moment(timezone.now())}


def country_name(code: str, language: str, receiving: str = "") -> str:
    """A country's name as the returns packs write it, else the code itself."""
    return country_names(language).get(code, code)


def _mark(status: str, label: str, *, draft: str, in_force: str) -> str:
    """The watermark of a document that is not in force (empty when it is)."""
    if status == in_force:
        return ""
    return _("Draft") if status == draft else label


_organisation = organisation_label


# --- Protocol ---------------------------------------------------------------------------------


@dataclass
class RuleRow:
    kind: str
    heading: str
    text: str
    parameters: list[str]
    severity: str
    severity_code: str
    verification: str
    verification_code: str
    confirmation: str
    applies: bool
    source: str


@dataclass
class WorkflowStep:
    number: int
    text: str
    who: list[str]


@dataclass
class Stakeholder:
    name: str
    marks: list[bool]  # one a workflow step: responsible at that step


@dataclass
class ProtocolDocument:
    language: str
    title: str
    status: str
    mark: str  # the watermark, empty when in force
    notice: str
    facts: list[tuple[str, str]]
    summary: str
    sources: str
    rules: list[RuleRow]
    workflow: list[WorkflowStep]
    stakeholders: list[Stakeholder]
    generated: str
    footer: str = ""


def _hours_parameters(parameters: dict[str, Any], language: str, receiving: str) -> list[str]:
    lines = []
    start, end = parameters.get("start"), parameters.get("end")
    if start and end:
        lines.append(_("Allowed hours: %(start)s–%(end)s") % {"start": start, "end": end})
    days = [str(WEEKDAYS[d]) for d in parameters.get("restricted_weekdays", []) if 0 <= d <= 6]
    countries = [country_name(c, language, receiving) for c in parameters.get("holidays_of", [])]
    if countries:
        days.append(_("public holidays of %(countries)s") % {"countries": _and(countries)})
    if days:
        low = parameters.get("restricted_start", start)
        high = parameters.get("restricted_end", end)
        lines.append(
            _("%(days)s: %(start)s–%(end)s only") % {"days": _and(days), "start": low, "end": high}
        )
    return lines


def _entry_point_parameters(parameters: dict[str, Any]) -> list[str]:
    codes = parameters.get("codes", [])
    if not codes:
        return []
    names = dict(EntryPoint.objects.filter(code__in=codes).values_list("code", "name"))
    points = [
        f"{code} ({names[code]})" if code in names else _("%(code)s (unknown)") % {"code": code}
        for code in codes
    ]
    return [_("Allowed entry points: %(points)s") % {"points": "; ".join(points)}]


def _notice_parameters(parameters: dict[str, Any]) -> list[str]:
    lines = []
    if parameters.get("notice_hours") is not None:
        count = parameters["notice_hours"]
        lines.append(
            ngettext(
                "Notice at least %(count)s hour before arrival",
                "Notice at least %(count)s hours before arrival",
                count,
            )
            % {"count": count}
        )
    if parameters.get("list_hours") is not None:
        count = parameters["list_hours"]
        lines.append(
            ngettext(
                "List of names at least %(count)s hour before arrival",
                "List of names at least %(count)s hours before arrival",
                count,
            )
            % {"count": count}
        )
    return lines


def _limit_parameters(parameters: dict[str, Any]) -> list[str]:
    lines = []
    if parameters.get("max") is not None:
        count = parameters["max"]
        lines.append(
            ngettext(
                "At most %(count)s person per movement",
                "At most %(count)s people per movement",
                count,
            )
            % {"count": count}
        )
    if parameters.get("max_days") is not None:
        count = parameters["max_days"]
        lines.append(
            ngettext(
                "At most %(count)s day in detention before return",
                "At most %(count)s days in detention before return",
                count,
            )
            % {"count": count}
        )
    return lines


# The parameters each renderer reads; any other key is printed as it is, so nothing is hidden.
KNOWN_PARAMETERS = {
    "start",
    "end",
    "restricted_weekdays",
    "holidays_of",
    "restricted_start",
    "restricted_end",
    "codes",
    "notice_hours",
    "list_hours",
    "max",
    "max_days",
    "note",
}


def rule_parameters(rule: ProtocolRule, language: str) -> list[str]:
    """The parameters of a rule in words, one line each, in the current language."""
    parameters = rule.parameters or {}
    receiving = rule.protocol.receiving_country
    lines = _hours_parameters(parameters, language, receiving)
    lines += _entry_point_parameters(parameters)
    lines += _notice_parameters(parameters)
    lines += _limit_parameters(parameters)
    if parameters.get("note"):
        lines.append(_("Note: %(note)s") % {"note": parameters["note"]})
    lines += [f"{key}: {value}" for key, value in parameters.items() if key not in KNOWN_PARAMETERS]
    return lines


def _confirmation(rule: ProtocolRule) -> str:
    if rule.confirmed_at is not None:
        values = {"when": _moment(rule.confirmed_at), "who": str(rule.confirmed_by or "—")}
        return _("Confirmed by a coordinator on %(when)s (%(who)s)") % values
    return "" if rule.applies else _("Not confirmed by a coordinator")


def _rule_row(rule: ProtocolRule, language: str) -> RuleRow:
    kind = rule.get_kind_display()
    return RuleRow(
        kind=kind,
        heading=(
            _("Clause %(clause)s — %(kind)s") % {"clause": rule.clause, "kind": kind}
            if rule.clause
            else kind
        ),
        text=_in(rule, "text", language),
        parameters=rule_parameters(rule, language),
        severity=rule.get_severity_display(),
        severity_code=rule.severity,
        verification=rule.get_verification_display(),
        verification_code=rule.verification,
        confirmation=_confirmation(rule),
        applies=rule.applies,
        source=rule.source,
    )


def validity(protocol: Protocol) -> str:
    start, end = _day(protocol.valid_from), _day(protocol.valid_to)
    if start and end:
        return _("From %(start)s to %(end)s") % {"start": start, "end": end}
    if start:
        return _("From %(start)s, with no end date") % {"start": start}
    if end:
        return _("Until %(end)s") % {"end": end}
    return _("Not set")


def workflow(protocol: Protocol, language: str) -> tuple[list[WorkflowStep], list[Stakeholder]]:
    """The numbered steps and the stakeholder × step matrix, acronyms read as organisations
    of the receiving country (an acronym not in the directory stays as it is)."""
    organisations = organisations_by_acronym(protocol.receiving_country)

    def name(acronym: str) -> str:
        found = organisations.get(acronym)
        return _organisation(found.name, acronym) if found is not None else acronym

    raw = [entry for entry in protocol.workflow or [] if isinstance(entry, dict)]
    steps = [
        WorkflowStep(
            number=number,
            text=str(entry.get(f"step_{language}") or entry.get("step_fr") or ""),
            who=[name(a) for a in entry.get("who", [])],
        )
        for number, entry in enumerate(raw, start=1)
    ]
    acronyms = list(dict.fromkeys(a for entry in raw for a in entry.get("who", [])))
    stakeholders = [
        Stakeholder(name(a), [a in entry.get("who", []) for entry in raw]) for a in acronyms
    ]
    return steps, stakeholders


def _protocol_notice(protocol: Protocol) -> str:
    if protocol.status == ProtocolStatus.IN_FORCE:
        return ""
    if protocol.status == ProtocolStatus.DRAFT:
        return _(
            "Draft: this protocol is not in force. Each rule is a proposal for negotiation, "
            "not a commitment."
        )
    return _("This protocol is not in force (status: %(status)s).") % {
        "status": protocol.get_status_display()
    }


def protocol_context(protocol: Protocol, language: str) -> ProtocolDocument:
    """What both formats print; call it with the document's language active."""
    receiving, deporting = protocol.receiving_country, protocol.deporting_country
    rules = protocol.rules.select_related("confirmed_by")
    steps, stakeholders = workflow(protocol, language)
    mark = _mark(
        protocol.status,
        protocol.get_status_display(),
        draft=ProtocolStatus.DRAFT,
        in_force=ProtocolStatus.IN_FORCE,
    )
    document = ProtocolDocument(
        language=language,
        title=_in(protocol, "title", language),
        status=protocol.get_status_display(),
        mark=mark,
        notice=_protocol_notice(protocol),
        facts=[
            (_("Receiving country"), country_name(receiving, language, receiving)),
            (_("Deporting country"), country_name(deporting, language, receiving)),
            (_("Status"), protocol.get_status_display()),
            (_("Version"), f"{protocol.version} ({protocol.key})"),
            (_("Signed on"), _day(protocol.signed_on) or _("Not signed")),
            (_("Signed at"), protocol.signed_at_place or "—"),
            (_("Validity"), validity(protocol)),
        ],
        summary=protocol.summary,
        sources=protocol.source,
        rules=[_rule_row(rule, language) for rule in rules],
        workflow=steps,
        stakeholders=stakeholders,
        generated=_generated(),
    )
    document.footer = " · ".join(p for p in (document.generated, mark) if p)
    return document


def protocol_html(protocol: Protocol, language: str) -> str:
    """The protocol document as HTML, ready for WeasyPrint."""
    with _rendering(language, protocol.receiving_country):
        context = {"document": protocol_context(protocol, language), "language": language}
        return render_to_string(PROTOCOL_TEMPLATE, context)


def protocol_pdf(protocol: Protocol, language: str) -> bytes:
    return html_to_pdf(protocol_html(protocol, language))


# --- Protocol as DOCX -------------------------------------------------------------------------


def _docx_marks(doc: Any, document: ProtocolDocument) -> None:
    """The footer on every page and, when not in force, the mark in the header and a notice."""
    from docx.shared import RGBColor

    section = doc.sections[0]
    section.footer.paragraphs[0].text = document.footer
    if not document.mark:
        return
    header = section.header.paragraphs[0].add_run(document.mark.upper())
    header.bold = True
    header.font.color.rgb = RGBColor(0xAA, 0x00, 0x00)
    notice = doc.add_paragraph().add_run(document.notice)
    notice.bold = True
    notice.font.color.rgb = RGBColor(0xAA, 0x00, 0x00)


def _docx_rule(doc: Any, rule: RuleRow) -> None:
    doc.add_heading(rule.heading, level=2)
    rows = [
        [_("Rule"), rule.text],
        [_("Parameters"), "\n".join(rule.parameters) or "—"],
        [_("Severity of a breach"), rule.severity],
        [_("Verification"), rule.verification],
        [_("Checked against movements"), _("Yes") if rule.applies else _("No")],
    ]
    if rule.confirmation:
        rows.append([_("Confirmation"), rule.confirmation])
    if rule.source:
        rows.append([_("Source"), rule.source])
    docx_table(doc, [_("Item"), _("Content")], rows)


def _docx_workflow(doc: Any, document: ProtocolDocument) -> None:
    if not document.workflow:
        return
    doc.add_heading(_("Workflow, step by step"), level=1)
    docx_table(
        doc,
        ["#", _("Step"), _("Responsible")],
        [[str(s.number), s.text, "\n".join(s.who)] for s in document.workflow],
    )
    doc.add_heading(_("Responsibilities of each stakeholder at each step"), level=2)
    docx_table(
        doc,
        [_("Stakeholder"), *(str(s.number) for s in document.workflow)],
        [[s.name, *("✓" if mark else "" for mark in s.marks)] for s in document.stakeholders],
    )


def protocol_docx(protocol: Protocol, language: str) -> bytes:
    """The protocol document as a Word file, from the same context as the PDF."""
    from docx import Document

    with _rendering(language, protocol.receiving_country):
        document = protocol_context(protocol, language)
        doc = Document()
        doc.core_properties.title = document.title
        doc.core_properties.language = language
        doc.add_heading(document.title, level=0)
        _docx_marks(doc, document)
        docx_table(doc, [_("Item"), _("Content")], [list(fact) for fact in document.facts])
        if document.summary:
            doc.add_heading(_("Summary"), level=1)
            doc.add_paragraph(document.summary)
        if document.sources:
            doc.add_heading(_("Sources"), level=1)
            doc.add_paragraph(document.sources)
        doc.add_heading(_("Rules"), level=1)
        for rule in document.rules:
            _docx_rule(doc, rule)
        _docx_workflow(doc, document)
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()


# --- Reception procedures guide ---------------------------------------------------------------


@dataclass
class SopStep:
    number: int
    code: str
    action: str
    responsible: str
    deadline: str
    category: str  # the service category to refer for, empty when none
    category_code: str


@dataclass
class SopSection:
    condition: str
    label: str
    steps: list[SopStep] = field(default_factory=list)


@dataclass
class SopDocument:
    language: str
    country: str
    title: str
    version: int
    status: str
    mark: str
    sections: list[SopSection]
    generated: str
    footer: str = ""


def duration(minutes: int) -> str:
    """A deadline in words: minutes under an hour, hours under two days, else days."""
    if minutes < 60:
        return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
    if minutes % 1440 == 0 and minutes >= 2880:
        days = minutes // 1440
        return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}
    hours, rest = divmod(minutes, 60)
    text = ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours}
    if rest:
        text += " " + ngettext("%(count)s minute", "%(count)s minutes", rest) % {"count": rest}
    return text


def _condition_label(code: str) -> str:
    try:
        return str(Condition(code).label)
    except ValueError:
        return code


def _responsible(rule: SopRule) -> str:
    if rule.responsible is not None:
        return _organisation(rule.responsible.name, rule.responsible.acronym)
    return rule.responsible_name


def sop_sections(ruleset: SopRuleSet, language: str) -> list[SopSection]:
    """The steps of each profile condition, the conditions in the order of their first rule."""
    terms = pathway.taxonomy_terms()
    sections: dict[str, SopSection] = {}
    for rule in ruleset.rules.select_related("responsible"):
        section = sections.setdefault(
            rule.condition, SopSection(rule.condition, _condition_label(rule.condition))
        )
        category = rule.referral_category
        section.steps.append(
            SopStep(
                number=len(section.steps) + 1,
                code=rule.code,
                action=_in(rule, "action", language),
                responsible=_responsible(rule),
                deadline=duration(rule.deadline_minutes),
                category=pathway.term_label(category, language, terms) if category else "",
                category_code=category,
            )
        )
    return list(sections.values())


def sop_context(ruleset: SopRuleSet, language: str) -> SopDocument:
    mark = _mark(
        ruleset.status,
        ruleset.get_status_display(),
        draft=SopStatus.DRAFT,
        in_force=SopStatus.IN_FORCE,
    )
    document = SopDocument(
        language=language,
        country=ruleset.country,
        title=_in(ruleset, "title", language),
        version=ruleset.version,
        status=ruleset.get_status_display(),
        mark=mark,
        sections=sop_sections(ruleset, language),
        generated=_generated(),
    )
    document.footer = " · ".join(p for p in (document.generated, mark) if p)
    return document


# --- The flowchart ----------------------------------------------------------------------------

BUS_X = 34
CONDITION_X, CONDITION_W = 64, 200
STEP_W = 300
ROW_GAP = 18
ARROW_DY = 19  # every box is at least one line high: the arrows of a row meet each box there


def _step_rows(step: SopStep) -> list[tuple[str, int, bool]]:
    rows = [
        (f"{step.number}. {step.action}", 13, True),
        (_("Responsible: %(actor)s") % {"actor": step.responsible}, 12, False),
        (_("Deadline: %(deadline)s") % {"deadline": step.deadline}, 12, False),
    ]
    if step.category:
        rows.append((_("Refer for: %(category)s") % {"category": step.category}, 12, False))
    return rows


def _row(diagram: Diagram, section: SopSection, top: int) -> tuple[int, tuple[int, int]]:
    """One condition and its steps, left to right (a row, so that the chart keeps the
    proportions of a page); returns the row's height and the foot of its last box."""
    height = _box(
        diagram,
        CONDITION_X,
        top,
        CONDITION_W,
        [(section.label, 14, True)],
        fill=BLUE,
        stroke=BLUE,
        ink=WHITE,
    )
    heights, foot = [height], (CONDITION_X + CONDITION_W // 2, top + height)
    x = CONDITION_X + CONDITION_W
    for step in section.steps:
        _arrow(diagram, [(x + 2, top + ARROW_DY), (x + GAP - 2, top + ARROW_DY)])
        x += GAP
        height = _box(diagram, x, top, STEP_W, _step_rows(step), fill=BLUE_LIGHT, stroke=BLUE)
        heights.append(height)
        foot = (x + STEP_W // 2, top + height)
        x += STEP_W
    diagram.width = max(diagram.width, x + 20)
    return max(heights), foot


def _describe(document: SopDocument) -> str:
    def steps(section: SopSection) -> str:
        return "; ".join(
            f"{s.number}. {s.action} — {s.responsible} — {s.deadline}" for s in section.steps
        )

    parts = [_("Arrival checked in")]
    parts += [f"{section.label}: {steps(section)}" for section in document.sections]
    return ". ".join(parts) + "."


def _branches(
    diagram: Diagram, others: list[SopSection], foot: tuple[int, int], bottom: int
) -> int:
    """From `foot`, the last box above `bottom`, a bus down the left edge reaching the row of
    each other condition; returns the bottom of the last row."""
    turn = bottom + 14
    question = wrap(_("Then, for each condition that applies:"), 600, 13, bold=True)
    for index, line in enumerate(question):
        diagram.labels.append(Label(BUS_X + 14, turn + 22 + index * 18, line, 13, True, GREY))
    y = turn + 22 + len(question) * 18
    last = y
    for section in others:
        last = y + ARROW_DY
        _arrow(diagram, [(BUS_X, last), (CONDITION_X - 2, last)])
        y += _row(diagram, section, y)[0] + ROW_GAP
    points = f"{foot[0]},{foot[1]} {foot[0]},{turn} {BUS_X},{turn} {BUS_X},{last}"
    diagram.shapes.append(Shape("polyline", points=points, stroke=GREY, width=2))
    return y - ROW_GAP


def sop_diagram(document: SopDocument) -> Diagram:
    """Arrival, the steps for everyone, then a branch for each other condition."""
    diagram = Diagram(
        id=f"sop-{document.country.lower()}-v{document.version}",
        title=_("Reception flowchart: %(title)s") % {"title": document.title},
        description=_describe(document),
        width=CONDITION_X + CONDITION_W + 20,
    )
    everyone = next((s for s in document.sections if s.condition == Condition.EVERYONE), None)
    others = [s for s in document.sections if s is not everyone]
    cx = CONDITION_X + CONDITION_W // 2
    arrival = [(_("Arrival checked in"), 15, True)]
    y = 20 + _box(diagram, CONDITION_X, 20, CONDITION_W, arrival, fill=GREEN_LIGHT, stroke=GREEN)
    foot = (cx, y)
    if everyone is not None:
        _arrow(diagram, [(cx, y + 2), (cx, y + GAP - 2)])
        height, foot = _row(diagram, everyone, y + GAP)
        y += GAP + height
    if others:
        y = _branches(diagram, others, foot, y)
    diagram.height = y + 20
    return diagram


def sop_flowchart_svg(
    ruleset: SopRuleSet, language: str, *, fit: tuple[float, float] | None = None
) -> str:
    """The flowchart as an inline `<svg>` element (role="img", with its title and a text
    description of every step). With `fit` (width, height in mm), sized for print."""
    with _rendering(language, ruleset.country):
        return render_svg(sop_diagram(sop_context(ruleset, language)), fit=fit)


def sop_html(ruleset: SopRuleSet, language: str) -> str:
    """The reception procedures guide as HTML, ready for WeasyPrint."""
    with _rendering(language, ruleset.country):
        document = sop_context(ruleset, language)
        context = {
            "document": document,
            "language": language,
            "flowchart": render_svg(sop_diagram(document), fit=PRINT_FLOWCHART),
        }
        return render_to_string(SOP_TEMPLATE, context)


def sop_pdf(ruleset: SopRuleSet, language: str) -> bytes:
    return html_to_pdf(sop_html(ruleset, language))


__all__ = [
    "country_name",
    "duration",
    "protocol_context",
    "protocol_docx",
    "protocol_html",
    "protocol_pdf",
    "rule_parameters",
    "sop_context",
    "sop_flowchart_svg",
    "sop_html",
    "sop_pdf",
]
