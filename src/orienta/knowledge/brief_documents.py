"""A brief version as a PDF and as a Word file, in French or in English: the profile of the entity
as it was when the version was written, each section with the sources of what it says, the
version history. A draft carries a watermark."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from orienta.core.documents import docx_table
from orienta.core.tables import printable
from orienta.governance import text
from orienta.governance.exports import day
from orienta.knowledge.briefs import version_is_dialogue, version_titles
from orienta.knowledge.choices import BriefStatus, Confidence, EntityKind
from orienta.knowledge.exports import generated, knowledge_pdf
from orienta.knowledge.models import BriefVersion, Region, Theme

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class PrintedSection:
    code: str
    title: str
    markdown: str
    html: SafeString
    sources: list[dict[str, str]]


@dataclass
class PrintedBrief:
    """What a brief says in one language, ready for a PDF or a Word file."""

    title: str
    name_ar: str
    kind_label: str
    status: str
    mark: str
    facts: list[tuple[str, str]]
    sections: list[PrintedSection]
    members: list[str]
    members_section: str
    history: list[tuple[str, str, str, str]] = field(default_factory=list)


def _source_text(source: dict[str, str]) -> str:
    parts = [source.get("reference", ""), source.get("url", "")]
    if source.get("accessed"):
        accessed = date.fromisoformat(source["accessed"])
        parts.append(_("consulted on %(day)s") % {"day": day(accessed)})
    confidence = source.get("confidence", "")
    if confidence in Confidence.values:
        parts.append(str(Confidence(confidence).label))
    return " — ".join(part for part in parts if part)


def _labels(model: Any, codes: list[str], language: str) -> str:
    found = {item.code: item for item in model.objects.filter(code__in=codes)}
    return ", ".join(
        (getattr(found[code], f"label_{language}") or found[code].label_en)
        if code in found
        else code
        for code in codes
    )


def _profile_facts(profile: dict[str, Any], language: str) -> list[tuple[str, str]]:
    other = "fr" if language == "en" else "en"
    facts = [(_("Name"), profile["name"].get(language) or profile["name"].get("en", ""))]
    if profile["name"].get(other):
        facts.append(
            (_("Name in English") if other == "en" else _("Name in French"), profile["name"][other])
        )
    acronym = profile["acronym"].get(language) or profile["acronym"].get("en", "")
    if acronym:
        facts.append((_("Acronym"), acronym))
    for key, label in (("founded", _("Founded")), ("headquarters", _("Headquarters"))):
        if profile.get(key):
            confidence = Confidence(profile.get(f"{key}_confidence") or Confidence.UNVERIFIED)
            facts.append((label, f"{profile[key]} ({confidence.label})"))
    if profile.get("themes"):
        facts.append((_("Themes"), _labels(Theme, profile["themes"], language)))
    if profile.get("regions"):
        facts.append((_("Regions"), _labels(Region, profile["regions"], language)))
    if profile.get("gcm_objectives"):
        facts.append((_("GCM objectives"), ", ".join(str(n) for n in profile["gcm_objectives"])))
    if profile.get("sdgs"):
        facts.append((_("SDGs"), ", ".join(str(n) for n in profile["sdgs"])))
    return facts


def _members(profile: dict[str, Any]) -> list[str]:
    shown = []
    for member in profile.get("members", []):
        label = member["country"]
        if member.get("role") == "observer":
            label += f" ({_('observer')})"
        if member.get("suspended"):
            label += f" ({_('suspended')})"
        shown.append(label)
    return shown


def printed(version: BriefVersion, language: str) -> PrintedBrief:
    """The brief in `language` ("fr" or "en"), as the version holds it, with the template it
    was written with. Texts leave out the control characters a Word file cannot hold."""
    entity = version.brief.entity
    with translation.override(language):
        titles = version_titles(version)
        profile = version.profile
        sections = [
            PrintedSection(
                code=section["code"],
                title=str(titles.get(section["code"], section["code"])),
                markdown=printable(section.get(language, "")),
                html=text.to_html(printable(section.get(language, ""))),
                sources=[
                    {**source, "text": printable(_source_text(source))}
                    for source in section.get("sources", [])
                ],
            )
            for section in version.sections
        ]
        kind = profile.get("kind", entity.kind)
        facts = [(label, printable(value)) for label, value in _profile_facts(profile, language)]
        facts += [
            (_("Version"), str(version.number)),
            (_("Status"), str(version.get_status_display())),
            (_("Written on"), day(timezone.localdate(version.created_at))),
        ]
        if version.final_on:
            facts.append((_("Final on"), day(version.final_on)))
        history = [
            (
                str(v.number),
                str(v.get_status_display()),
                day(timezone.localdate(v.created_at)),
                printable(v.change_summary),
            )
            for v in version.brief.versions.order_by("number")
        ]
        dialogue = version_is_dialogue(version)
        name = profile["name"].get(language) or profile["name"].get("en", "")
        return PrintedBrief(
            title=(_("Dialogue brief: %(name)s") if dialogue else _("Entity brief: %(name)s"))
            % {"name": printable(name)},
            name_ar=printable(profile["name"].get("ar", "")),
            kind_label=str(EntityKind(kind).label) if kind in EntityKind.values else kind,
            status=str(version.get_status_display()),
            mark="" if version.status == BriefStatus.FINAL else str(version.get_status_display()),
            facts=facts,
            sections=sections,
            members=_members(profile),
            members_section="members_priorities" if dialogue else "mandate_governance",
            history=history,
        )


def brief_pdf(version: BriefVersion, language: str) -> bytes:
    with translation.override(language):
        context = {"brief": printed(version, language), "version": version}
        return knowledge_pdf(
            "knowledge/print/brief.html", {**context, "generated": generated()}, language
        )


def _arabic_paragraph(doc: Any, value: str) -> None:
    """A right-to-left paragraph: Word lays it out from the right and shapes the Arabic run."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.alignment = 2  # right
    properties = paragraph._p.get_or_add_pPr()
    properties.append(OxmlElement("w:bidi"))
    run = paragraph.add_run(value)
    run_properties = run._r.get_or_add_rPr()
    run_properties.append(OxmlElement("w:rtl"))
    language = OxmlElement("w:lang")
    language.set(qn("w:bidi"), "ar-SA")
    run_properties.append(language)


def brief_docx(version: BriefVersion, language: str) -> bytes:
    from docx import Document as WordDocument

    with translation.override(language):
        brief = printed(version, language)
        doc = WordDocument()
        doc.core_properties.title = brief.title
        doc.core_properties.revision = version.number
        doc.core_properties.language = language
        section = doc.sections[0]
        section.footer.paragraphs[
            0
        ].text = f"{brief.title} — {_('version')} {version.number} — {brief.status}"
        if brief.mark:
            section.header.paragraphs[0].add_run(brief.mark.upper()).bold = True
        doc.add_paragraph(brief.kind_label)
        doc.add_heading(brief.title, level=0)
        if brief.name_ar:
            _arabic_paragraph(doc, brief.name_ar)
        docx_table(doc, [_("Item"), _("Content")], [list(fact) for fact in brief.facts])
        for number, part in enumerate(brief.sections, start=1):
            doc.add_heading(f"{number}. {part.title}", level=1)
            if part.markdown:
                text.add_markdown(doc, part.markdown, heading_offset=1)
            else:
                doc.add_paragraph(_("Not written yet.")).runs[0].italic = True
            if part.code == brief.members_section and brief.members:
                doc.add_paragraph(
                    f"{_('Member states')} ({len(brief.members)}): {', '.join(brief.members)}"
                )
            for source in part.sources:
                doc.add_paragraph(f"{_('Source:')} {source['text']}").runs[0].italic = True
        doc.add_heading(_("Version history"), level=1)
        docx_table(
            doc,
            [_("Version"), _("Status"), _("Date"), _("What changed")],
            [list(row) for row in brief.history],
        )
        out = io.BytesIO()
        doc.save(out)
    return out.getvalue()
