"""The packet: the field groups of a person a referral carries, taken from the case when the
referral is sent, and how they read for the recipient. Content holds codes and values; labels
are put on when read, in the reader's language."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orienta.cases.models import Case, Need
from orienta.cases.models.choices import (
    DocumentStatus,
    DocumentType,
    Priority,
    Sex,
    SpecificNeed,
    Urgency,
)
from orienta.referrals.choices import FieldGroup

HEALTH_NEEDS = frozenset(
    {
        SpecificNeed.PREGNANT_OR_LACTATING,
        SpecificNeed.DISABILITY,
        SpecificNeed.SERIOUS_MEDICAL_CONDITION,
        SpecificNeed.MENTAL_DISTRESS,
    }
)
PROTECTION_NEEDS = frozenset(
    {
        SpecificNeed.UNACCOMPANIED_CHILD,
        SpecificNeed.GBV_SURVIVOR,
        SpecificNeed.TRAFFICKING_INDICATORS,
        SpecificNeed.ABUSE_DURING_RETURN,
        SpecificNeed.STATELESSNESS_RISK,
    }
)
# Screening factors whose answers (and their notes) are health or protection details.
HEALTH_FACTORS = frozenset({"health", "mental_health"})
PROTECTION_FACTORS = frozenset({"age", "history", "legal_status", "family_dynamics"})


def _screening(case: Case) -> Any:
    return case.screenings.prefetch_related("answers__item").first()


def _answers(screening: Any, factors: frozenset[str]) -> list[dict[str, str]]:
    if screening is None:
        return []
    return [
        {"question": answer.item.label_fr, "question_en": answer.item.label_en, "note": answer.note}
        for answer in screening.answers.all()
        if answer.item.factor in factors and answer.present == "yes"
    ]


def _specific(screening: Any, among: frozenset[str]) -> list[str]:
    codes = screening.specific_needs if screening is not None else []
    return [code for code in codes if code in among]


_UNREAD = object()
# The groups drawn from the latest screening.
_FROM_SCREENING: frozenset[str] = frozenset(
    {FieldGroup.VULNERABILITY, FieldGroup.HEALTH, FieldGroup.PROTECTION}
)


def take_many(
    case: Case, groups: list[str], *, need: Need | None = None, note: str = ""
) -> dict[str, dict[str, Any]]:
    """The content of each field group, as the case holds it now; the screening read once."""
    screening = _screening(case) if _FROM_SCREENING & set(groups) else None
    return {g: take(case, g, need=need, note=note, screening=screening) for g in groups}


def take(
    case: Case,
    group: str,
    *,
    need: Need | None = None,
    note: str = "",
    screening: Any = _UNREAD,
) -> dict[str, Any]:
    """The content of one field group, as the case holds it now."""
    person = case.person
    if group == FieldGroup.IDENTITY:
        return {
            "given_name": person.given_name,
            "family_name": person.family_name,
            "other_names": person.other_names,
            "sex": person.sex,
            "birth_date": person.birth_date.isoformat() if person.birth_date else "",
            "age": person.age_on(timezone.localdate()),
            "nationality": person.nationality,
            "case_reference": case.reference,
        }
    if group == FieldGroup.CONTACT:
        return {
            "phone": person.phone,
            "locality": " ".join(
                part
                for part in (
                    person.origin_locality,
                    person.origin_admin2_name,
                    person.origin_admin1_name,
                )
                if part
            ),
            "languages": person.languages,
        }
    if group == FieldGroup.NEEDS:
        needs = list(case.needs.select_related("term").filter(status__in=["open", "in_progress"]))
        return {
            "referred_for": str(need.term.name) if need else "",
            "referred_for_code": need.term.code if need else "",
            "urgency": need.urgency if need else "",
            "reason": note,
            "other_needs": [n.term.name for n in needs if need is None or n.pk != need.pk],
        }
    if screening is _UNREAD:
        screening = _screening(case)
    if group == FieldGroup.VULNERABILITY:
        codes = screening.specific_needs if screening is not None else []
        return {
            "priority": case.priority,
            "child": case.is_child,
            "specific_needs": [c for c in codes if c not in HEALTH_NEEDS | PROTECTION_NEEDS],
            "health_flag": any(c in HEALTH_NEEDS for c in codes),
            "protection_flag": any(c in PROTECTION_NEEDS for c in codes),
        }
    if group == FieldGroup.HEALTH:
        return {
            "specific_needs": _specific(screening, HEALTH_NEEDS),
            "answers": _answers(screening, HEALTH_FACTORS),
        }
    if group == FieldGroup.PROTECTION:
        return {
            "specific_needs": _specific(screening, PROTECTION_NEEDS),
            "answers": _answers(screening, PROTECTION_FACTORS),
        }
    if group == FieldGroup.DOCUMENTS:
        return {
            "documents": [
                {
                    "type": d.document_type,
                    "number": d.number,
                    "country": d.issuing_country,
                    "status": d.status,
                }
                for d in person.documents.all()
            ]
        }
    raise ValueError(f"Unknown field group {group!r}.")


def dump(content: dict[str, Any]) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class Line:
    label: Any
    value: Any


def _label(choices: Any, code: str) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code


def _needs_labels(codes: list[str]) -> str:
    return ", ".join(_label(SpecificNeed, c) for c in codes) or "—"


def _answer_lines(content: dict[str, Any], english: bool) -> list[Line]:
    return [
        Line(a["question_en"] if english else a["question"], a.get("note") or _("yes"))
        for a in content.get("answers", [])
    ]


def read(group: str, raw: str, *, language: str = "fr") -> list[Line]:
    """The lines a recipient reads for one packet entry, labelled in `language`."""
    content = json.loads(raw)
    lines = _lines(group, content, language.startswith("en"))
    if content.get("text"):
        lines.append(Line(_("Shared by the referring organisation"), content["text"]))
    return lines


def _lines(group: str, content: dict[str, Any], english: bool) -> list[Line]:
    if group == FieldGroup.IDENTITY:
        return [
            Line(_("Given names"), content["given_name"]),
            Line(_("Family name"), content["family_name"]),
            Line(_("Other names"), ", ".join(content.get("other_names") or []) or "—"),
            Line(_("Sex"), _label(Sex, content["sex"])),
            Line(_("Date of birth"), content["birth_date"] or "—"),
            Line(_("Age"), content["age"] if content["age"] is not None else "—"),
            Line(_("Nationality"), content["nationality"] or "—"),
            Line(_("Case reference"), content["case_reference"]),
        ]
    if group == FieldGroup.CONTACT:
        return [
            Line(_("Phone"), content["phone"] or "—"),
            Line(_("Where"), content["locality"] or "—"),
            Line(_("Languages"), ", ".join(content.get("languages") or []) or "—"),
        ]
    if group == FieldGroup.NEEDS:
        return [
            Line(_("Referred for"), content["referred_for"] or "—"),
            Line(_("Urgency"), _label(Urgency, content["urgency"]) if content["urgency"] else "—"),
            Line(_("Reason for the referral"), content["reason"] or "—"),
            Line(_("Other needs"), ", ".join(content.get("other_needs") or []) or "—"),
        ]
    if group == FieldGroup.VULNERABILITY:
        return [
            Line(_("Priority"), _label(Priority, content["priority"])),
            Line(_("Child"), _("yes") if content["child"] else _("no")),
            Line(_("Specific needs"), _needs_labels(content["specific_needs"])),
            Line(_("Health details exist"), _("yes") if content["health_flag"] else _("no")),
            Line(
                _("Protection details exist"), _("yes") if content["protection_flag"] else _("no")
            ),
        ]
    if group in (FieldGroup.HEALTH, FieldGroup.PROTECTION):
        lines = [Line(_("Specific needs"), _needs_labels(content.get("specific_needs", [])))]
        return lines + _answer_lines(content, english)
    if group == FieldGroup.DOCUMENTS:
        return [
            Line(
                _label(DocumentType, d["type"]),
                f"{d['number']} {d['country']} — {_label(DocumentStatus, d['status'])}".strip(),
            )
            for d in content["documents"]
        ] or [Line(_("Documents"), _("None recorded."))]
    return []
