"""Standard briefs (seed 003): one per regional entity and one per interregional dialogue, with
the sections the terms of reference name, written from the knowledge base's sourced facts.

A brief is kept in versions, as governance documents are: a version is written from the data
as a draft, the policy officer completes and edits its sections in French and in English, and
marks it final only when the completeness check finds every section written in both languages.
A final version is frozen; the next one starts again from the data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import require_capability
from orienta.audit.services import record
from orienta.core.i18n import in_language
from orienta.core.tables import printable
from orienta.knowledge.checks import check_version, invalid
from orienta.knowledge.choices import DIALOGUE_KINDS, BriefStatus, Confidence, FactField
from orienta.knowledge.models import Brief, BriefVersion, Entity

EDIT = "knowledge.edit"
LANGUAGES = ("fr", "en")
# Policy instruments an entity issued are listed in its "policies" section, this many at most.
POLICIES_LISTED = 30


@dataclass(frozen=True)
class Section:
    """A section of a brief: its title, the facts it is written from, and whether the entity's
    policy instruments are listed in it."""

    code: str
    title: Promise
    facts: tuple[str, ...]
    lists_policies: bool = False


ENTITY_SECTIONS = (
    Section(
        "mandate_governance",
        _("Mandate, governance and coverage"),
        (FactField.MANDATE, FactField.GOVERNANCE_MODEL),
    ),
    Section(
        "policies",
        _("Migration and climate policies"),
        (FactField.FRAMEWORKS,),
        lists_policies=True,
    ),
    Section(
        "iom_history",
        _("History with IOM and strategic areas"),
        (FactField.IOM_HISTORY, FactField.PRIORITIES),
    ),
    Section("un_collaboration", _("Collaboration with UN entities"), (FactField.UN_COLLABORATION,)),
    Section("engagement", _("Engagement possibilities"), (FactField.ENGAGEMENT,)),
    Section("climate_mobility", _("Climate action and mobility"), (FactField.CLIMATE_MOBILITY,)),
    Section("data", _("Data"), (FactField.DATA,)),
    Section("recommendations", _("Recommendations"), (FactField.RECOMMENDATIONS,)),
)

DIALOGUE_SECTIONS = (
    Section("objectives", _("Objectives"), (FactField.MANDATE,)),
    Section("governance", _("Governance"), (FactField.GOVERNANCE_MODEL,)),
    Section(
        "members_priorities",
        _("Member states and five-year priorities"),
        (FactField.PRIORITIES,),
    ),
    Section("financial_model", _("Financial model"), (FactField.FINANCIAL_MODEL,)),
    Section("iom_engagement", _("Past and current IOM engagement"), (FactField.IOM_HISTORY,)),
    Section("un_partnerships", _("UN partnerships"), (FactField.UN_COLLABORATION,)),
    Section(
        "multilateral_links", _("Links with other multilateral actors"), (FactField.FRAMEWORKS,)
    ),
    Section(
        "strategic_areas",
        _("Strategic areas"),
        (FactField.ENGAGEMENT,),
        lists_policies=True,
    ),
    Section("climate_mobility", _("Climate action and mobility"), (FactField.CLIMATE_MOBILITY,)),
    Section("data", _("Data"), (FactField.DATA,)),
    Section("recommendations", _("Recommendations"), (FactField.RECOMMENDATIONS,)),
)

CONFIDENCE_NOTE = {
    Confidence.SECONDARY: _("secondary source"),
    Confidence.UNVERIFIED: _("unverified"),
}


def is_dialogue(entity: Entity) -> bool:
    return entity.kind in DIALOGUE_KINDS


def sections_for(entity: Entity) -> tuple[Section, ...]:
    """The brief's template: the dialogue brief for dialogues and consultative processes."""
    return DIALOGUE_SECTIONS if is_dialogue(entity) else ENTITY_SECTIONS


def version_is_dialogue(version: BriefVersion) -> bool:
    """Whether the version was written with the dialogue brief: by the kind the entity had
    then (its profile), so that a final version keeps its titles and its completeness when
    the entity's kind changes later."""
    return str(version.profile.get("kind") or version.brief.entity.kind) in DIALOGUE_KINDS


def version_sections(version: BriefVersion) -> tuple[Section, ...]:
    """The template the version was written with (see `version_is_dialogue`)."""
    return DIALOGUE_SECTIONS if version_is_dialogue(version) else ENTITY_SECTIONS


def version_titles(version: BriefVersion) -> dict[str, Promise]:
    return {section.code: section.title for section in version_sections(version)}


# --- Writing a version from the data ----------------------------------------------------------


def _fact_text(fact: Any, language: str) -> str:
    """The fact in `language` with its confidence said when it is not verified, then its
    caveats, each with its own confidence."""
    text = getattr(fact, f"text_{language}", "").strip()
    if not text:
        return ""
    with translation.override(language):
        note = CONFIDENCE_NOTE.get(fact.confidence)
        if note:
            text += f" *({note})*"
        for caveat in fact.caveats or []:
            said = str(caveat.get(language) or "").strip()
            if said:
                caveat_note = CONFIDENCE_NOTE.get(caveat.get("confidence", ""))
                text += f"\n\n> {said}" + (f" *({caveat_note})*" if caveat_note else "")
    return text


def _policy_lines(policies: list[Any], language: str) -> str:
    lines = []
    with translation.override(language):
        for policy in policies[:POLICIES_LISTED]:
            year = f" ({policy.year})" if policy.year else ""
            title = in_language(policy, "title", language)
            lines.append(f"- {title}{year} — {policy.get_type_display()}")
    return "\n".join(lines)


def _source(fact: Any) -> dict[str, str]:
    return {
        "field": fact.field,
        "reference": fact.source_reference,
        "url": fact.source_url,
        "accessed": fact.source_accessed.isoformat() if fact.source_accessed else "",
        "confidence": fact.confidence,
    }


def write_sections(entity: Entity) -> list[dict[str, Any]]:
    """Each section of the entity's brief in French and English, from its facts (and its policy
    instruments where the section lists them), with the sources of what it says."""
    facts = {fact.field: fact for fact in entity.facts.all()}
    policies = list(entity.policies.order_by("-year", "title_en"))
    written = []
    for section in sections_for(entity):
        used = [facts[name] for name in section.facts if name in facts]
        texts = {}
        for language in LANGUAGES:
            parts = [_fact_text(fact, language) for fact in used]
            if section.lists_policies and policies:
                parts.append(_policy_lines(policies, language))
            texts[language] = "\n\n".join(part for part in parts if part)
        written.append(
            {
                "code": section.code,
                **texts,
                "sources": [_source(fact) for fact in used if fact.text_en or fact.text_fr],
            }
        )
    return written


def write_profile(entity: Entity) -> dict[str, Any]:
    """What the brief shows beside its sections, copied as it is today."""
    return {
        "key": entity.key,
        "kind": entity.kind,
        "name": {"en": entity.name_en, "fr": entity.name_fr, "ar": entity.name_ar},
        "acronym": {"en": entity.acronym_en, "fr": entity.acronym_fr, "ar": entity.acronym_ar},
        "founded": entity.founded,
        "founded_confidence": entity.founded_confidence,
        "headquarters": entity.headquarters,
        "headquarters_confidence": entity.headquarters_confidence,
        "members": [
            {"country": m.country, "role": m.role, "suspended": bool(m.suspended_from)}
            for m in entity.members.order_by("role", "country")
        ],
        "themes": list(entity.themes.values_list("code", flat=True)),
        "regions": list(entity.regions.values_list("code", flat=True)),
        "gcm_objectives": entity.gcm_objectives,
        "sdgs": entity.sdgs,
    }


# --- Completeness -----------------------------------------------------------------------------


@dataclass
class Missing:
    """A section not yet written in one or both languages."""

    code: str
    title: str
    languages: list[str] = field(default_factory=list)

    @property
    def languages_shown(self) -> str:
        names = {"fr": gettext("French"), "en": gettext("English")}
        return ", ".join(names[language] for language in self.languages)


def missing_sections(version: BriefVersion) -> list[Missing]:
    """The sections of the version's template that have no text in French or in English. A
    final brief has none: it is published in both languages."""
    written = {section["code"]: section for section in version.sections}
    missing = []
    for section in version_sections(version):
        texts = written.get(section.code, {})
        languages = [lang for lang in LANGUAGES if not str(texts.get(lang, "")).strip()]
        if languages:
            missing.append(Missing(section.code, str(section.title), languages))
    return missing


# --- Services ---------------------------------------------------------------------------------


def _refresh_current(brief: Brief) -> None:
    latest = brief.versions.order_by("-number").first()
    brief.current_number = latest.number if latest else 0
    brief.current_status = latest.status if latest else ""
    brief.current_missing = len(missing_sections(latest)) if latest else 0
    brief.save(update_fields=["current_number", "current_status", "current_missing"])


def _check_version(version: BriefVersion, expected_version: int | None) -> None:
    check_version(
        version,
        expected_version,
        gettext("Someone changed this brief in the meantime. Reload the page and try again."),
    )


def _indexed(entity: Entity) -> None:
    """The brief's search entry follows its latest version, in the same transaction."""
    from orienta.knowledge import search

    search.index(entities=[entity])


@transaction.atomic
def write_from_data(*, acting_user: Any, entity: Entity, change_summary: str = "") -> BriefVersion:
    """Write the brief's sections from the data as it is now: the first version, the next one
    after a final version (saying what changed), or the current draft again (what was edited in
    it is replaced)."""
    require_capability(acting_user, EDIT)
    # Lock the entity: two editors do not both write "version 3" (or both the first brief),
    # and an edit of the entity, which rewrites the same search entries, waits its turn. The
    # brief is written from the entity as stored, not as the caller last read it.
    entity = Entity.objects.select_for_update().get(pk=entity.pk)
    brief, _created = Brief.objects.get_or_create(entity=entity)
    latest = brief.versions.order_by("-number").first()
    sections, profile = write_sections(entity), write_profile(entity)
    if latest is not None and latest.status == BriefStatus.DRAFT:
        latest.sections, latest.profile = sections, profile
        latest.change_summary = printable(change_summary).strip() or latest.change_summary
        latest.version += 1
        latest.save()
        action, version = "knowledge.brief.rewritten", latest
    else:
        if latest is not None and not change_summary.strip():
            raise invalid("change_summary", gettext("Say what changed in this version."))
        number = (brief.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = BriefVersion.objects.create(
            brief=brief,
            number=number,
            sections=sections,
            profile=profile,
            change_summary=printable(change_summary).strip(),
            created_by=acting_user,
        )
        action = "knowledge.brief.version_created"
    _refresh_current(brief)
    record(
        action,
        actor=acting_user,
        target=version,
        changes={"entity": entity.key, "number": version.number},
    )
    _indexed(entity)
    return version


@transaction.atomic
def edit_draft(
    *,
    acting_user: Any,
    version: BriefVersion,
    texts: dict[str, dict[str, str]],
    change_summary: str,
    expected_version: int,
) -> BriefVersion:
    """Change the sections' texts of a draft (`texts[code][language]`); sections not named keep
    their text. Control characters (invisible, and refused by Word files and PostgreSQL) are
    left out."""
    require_capability(acting_user, EDIT)
    Entity.objects.select_for_update().filter(brief__versions=version.pk).first()
    version = BriefVersion.objects.select_for_update().get(pk=version.pk)
    _check_version(version, expected_version)
    if version.status != BriefStatus.DRAFT:
        raise invalid(
            None, gettext("This version is final; its text is kept as it was. Start a new one.")
        )
    changed = []
    for section in version.sections:
        for language in LANGUAGES:
            new = texts.get(section["code"], {}).get(language)
            if new is not None and printable(new).strip() != section.get(language, ""):
                section[language] = printable(new).strip()
                changed.append(f"{section['code']}.{language}")
    version.change_summary = printable(change_summary).strip()
    version.version += 1
    version.save()
    _refresh_current(version.brief)
    record(
        "knowledge.brief.edited", actor=acting_user, target=version, changes={"sections": changed}
    )
    _indexed(version.brief.entity)
    return version


@transaction.atomic
def mark_final(*, acting_user: Any, version: BriefVersion, expected_version: int) -> BriefVersion:
    """Make a draft final, once the completeness check finds every section written in French
    and in English; otherwise refuse, naming the missing sections."""
    require_capability(acting_user, EDIT)
    # The entity's lock first, as the other brief services take it: a rewrite of the draft
    # from the data in progress finishes before this reads the draft (and finds it changed).
    Entity.objects.select_for_update().filter(brief__versions=version.pk).first()
    version = BriefVersion.objects.select_for_update().get(pk=version.pk)
    _check_version(version, expected_version)
    if version.status != BriefStatus.DRAFT:
        raise invalid(None, gettext("This version is already final."))
    missing = missing_sections(version)
    if missing:
        raise invalid(
            None,
            gettext("The brief cannot be final: sections are missing: %(sections)s.")
            % {"sections": "; ".join(f"{m.title} ({m.languages_shown})" for m in missing)},
            missing=[m.code for m in missing],
        )
    version.status = BriefStatus.FINAL
    version.final_on = timezone.localdate()
    version.version += 1
    version.save()
    _refresh_current(version.brief)
    record(
        "knowledge.brief.final",
        actor=acting_user,
        target=version,
        changes={"status": [BriefStatus.DRAFT, BriefStatus.FINAL]},
    )
    return version


def as_markdown(version: BriefVersion, language: str) -> str:
    """The whole brief as Markdown in one language, for comparing versions and for search."""
    titles = version_titles(version)
    parts = []
    with translation.override(language):
        for section in version.sections:
            title = titles.get(section["code"], section["code"])
            parts.append(f"## {title}\n\n{section.get(language, '')}".strip())
    return "\n\n".join(parts)
