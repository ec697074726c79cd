"""A policy instrument as columns, the shape a page's form and an imported file share: every
value, typed in the form or read from a spreadsheet cell, goes through `check_policy`, which
turns raw text into the record's values or into problems, each with the column it is about (the
form shows them on its fields, the import on its rows); `policy_values` reads a policy back into
the same columns, for the form's starting values and the export."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _

from orienta.core.tables import fold
from orienta.knowledge.checks import (
    GCM_OBJECTIVES,
    country_code,
    is_key,
    is_web_address,
    matched_choice,
    read_date,
    unsourced,
    whole_numbers,
)
from orienta.knowledge.choices import (
    Confidence,
    Hazard,
    Mobility,
    PolicyLevel,
    PolicyStatus,
    PolicyType,
)
from orienta.knowledge.models import Entity, PolicyInstrument, Theme

KEY_LENGTH = 80
TEXT_LENGTH = 500
FIRST_YEAR = 1900
# Keys that would shadow the pages knowledge/policies/new/ and knowledge/policies/import/.
RESERVED_KEYS = frozenset({"new", "import"})

_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_SEPARATOR = re.compile(r"[;,]")


@dataclass(frozen=True)
class Lookups:
    """What values are checked against, read once per save or per import."""

    entities: dict[str, Entity]  # by folded key
    themes: dict[str, Theme]  # by folded code
    last_year: int

    @classmethod
    def load(cls) -> Lookups:
        return cls(
            entities={fold(e.key): e for e in Entity.objects.all()},
            themes={fold(t.code): t for t in Theme.objects.all()},
            last_year=timezone.localdate().year + 1,
        )


@dataclass
class Checked:
    """A policy's values ready to write, or the problems found, as (column, reason)."""

    values: dict[str, Any] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)


class _InvalidValueError(Exception):
    """One column's value refused; the message says why."""


Check = Callable[[str, Lookups], dict[str, Any]]


def check_policy(raw: Mapping[str, Any], lookups: Lookups) -> Checked:
    """Check every column of `raw` (column → text, or the lists, numbers and dates a form gives)
    and turn it into the record's values. The form's save and the import both go through here."""
    checked = Checked()
    for column, check in CHECKS.items():
        try:
            checked.values.update(check(as_text(raw.get(column)), lookups))
        except _InvalidValueError as refused:
            checked.problems.append((column, str(refused)))
    checked.problems += _source_problems(checked.values)
    return checked


def _source_problems(values: dict[str, Any]) -> list[tuple[str, str]]:
    """The rules a policy's source shares with the facts: what is verified names its source,
    and a source is not consulted in the future."""
    problems = []
    source = values.get("source_reference") or values.get("source_url")
    if "confidence" in values and unsourced(values["confidence"], source or ""):
        problems.append(
            (
                "source_reference",
                _("A verified policy names its source: give its reference or its address."),
            )
        )
    accessed = values.get("source_accessed")
    if accessed and accessed > timezone.localdate():
        problems.append(("source_accessed", _("The source cannot be consulted in the future.")))
    return problems


def as_text(value: Any) -> str:
    """A value as a cell would hold it: lists joined by "; ", dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return "; ".join(as_text(item) for item in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _items(text: str) -> list[str]:
    """The items of a list cell, once each, in their order."""
    return list(dict.fromkeys(item.strip() for item in _SEPARATOR.split(text) if item.strip()))


def _bounded(text: str, limit: int) -> str:
    if len(text) > limit:
        raise _InvalidValueError(_("Longer than %(limit)s characters.") % {"limit": limit})
    return text


def _choice(text: str, choices: type[TextChoices]) -> str:
    value = matched_choice(text, choices)
    if value is None:
        raise _InvalidValueError(
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": text, "choices": ", ".join(choices.values)}
        )
    return value


def text_column(column: str, limit: int | None = TEXT_LENGTH) -> Check:
    def check(text: str, _lookups: Lookups) -> dict[str, Any]:
        return {column: _bounded(text, limit) if limit else text}

    return check


def choice_column(column: str, choices: type[TextChoices], default: str = "") -> Check:
    """One value of `choices`; required unless there is a `default`."""

    def check(text: str, _lookups: Lookups) -> dict[str, Any]:
        if not text and not default:
            raise _InvalidValueError(
                _("Required: one of %(choices)s.") % {"choices": ", ".join(choices.values)}
            )
        return {column: _choice(text, choices) if text else default}

    return check


def choices_column(column: str, choices: type[TextChoices]) -> Check:
    def check(text: str, _lookups: Lookups) -> dict[str, Any]:
        return {column: list(dict.fromkeys(_choice(item, choices) for item in _items(text)))}

    return check


def address_column(column: str) -> Check:
    def check(text: str, _lookups: Lookups) -> dict[str, Any]:
        if text and not is_web_address(text):
            raise _InvalidValueError(
                _("“%(value)s” is not a web address (https://…).") % {"value": text}
            )
        return {column: _bounded(text, TEXT_LENGTH)}

    return check


def _key(text: str, _lookups: Lookups) -> dict[str, Any]:
    if text and not is_key(text):
        raise _InvalidValueError(
            _("“%(value)s” is not a key: use letters, digits, hyphens and underscores.")
            % {"value": text}
        )
    if text in RESERVED_KEYS:
        raise _InvalidValueError(
            _("“%(value)s” names a page: choose another key.") % {"value": text}
        )
    return {"key": _bounded(text, KEY_LENGTH)}


def _title_en(text: str, _lookups: Lookups) -> dict[str, Any]:
    if not text:
        raise _InvalidValueError(_("Give the title in English."))
    return {"title_en": _bounded(text, TEXT_LENGTH)}


def _issuer(text: str, lookups: Lookups) -> dict[str, Any]:
    """An entity of the knowledge base, by its key, or a country, by its alpha-3 code."""
    entity = lookups.entities.get(fold(text)) if text else None
    if entity is not None or not text:
        return {"issuer": entity, "issuer_country": ""}
    country = country_code(text)
    if country is None:
        raise _InvalidValueError(
            _(
                "“%(value)s” is neither the key of an entity nor an ISO 3166 alpha-3 country "
                "code (such as MAR)."
            )
            % {"value": text}
        )
    return {"issuer": None, "issuer_country": country}


def _year(text: str, lookups: Lookups) -> dict[str, Any]:
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    if text and not (text.isdecimal() and FIRST_YEAR <= int(text) <= lookups.last_year):
        raise _InvalidValueError(
            _("“%(value)s” is not a year from %(first)s to %(last)s.")
            % {"value": text, "first": FIRST_YEAR, "last": lookups.last_year}
        )
    return {"year": int(text) if text else None}


def _themes(text: str, lookups: Lookups) -> dict[str, Any]:
    codes = _items(text)
    unknown = [code for code in codes if fold(code) not in lookups.themes]
    if unknown:
        raise _InvalidValueError(
            _("Unknown theme code: %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    return {"themes": list(dict.fromkeys(lookups.themes[fold(code)] for code in codes))}


def _gcm_objectives(text: str, _lookups: Lookups) -> dict[str, Any]:
    numbers, wrong = whole_numbers(_items(text), GCM_OBJECTIVES)
    if wrong:
        raise _InvalidValueError(
            _("GCM objectives are numbers from 1 to 23, not %(values)s.")
            % {"values": ", ".join(wrong)}
        )
    return {"gcm_objectives": numbers}


def _languages(text: str, _lookups: Lookups) -> dict[str, Any]:
    codes = [item.lower() for item in _items(text)]
    wrong = [code for code in codes if not _LANGUAGE.match(code)]
    if wrong:
        raise _InvalidValueError(
            _("Not a language code (such as ar, en, fr): %(values)s.")
            % {"values": ", ".join(wrong)}
        )
    return {"languages": list(dict.fromkeys(codes))}


def _source_accessed(text: str, _lookups: Lookups) -> dict[str, Any]:
    day = read_date(text) if text else None
    if text and day is None:
        raise _InvalidValueError(
            _("“%(value)s” is not a date (write 2024-12-31).") % {"value": text}
        )
    return {"source_accessed": day}


CHECKS: dict[str, Check] = {
    "key": _key,
    "title_en": _title_en,
    "title_fr": text_column("title_fr"),
    "title_ar": text_column("title_ar"),
    "issuer": _issuer,
    "level": choice_column("level", PolicyLevel),
    "type": choice_column("type", PolicyType),
    "year": _year,
    "themes": _themes,
    "mobility": choices_column("mobility", Mobility),
    "hazard": choices_column("hazard", Hazard),
    "gcm_objectives": _gcm_objectives,
    "status": choice_column("status", PolicyStatus, default=PolicyStatus.ADOPTED),
    "languages": _languages,
    "url": address_column("url"),
    "summary_en": text_column("summary_en", limit=None),
    "summary_fr": text_column("summary_fr", limit=None),
    "confidence": choice_column("confidence", Confidence, default=Confidence.UNVERIFIED),
    "source_reference": text_column("source_reference"),
    "source_url": address_column("source_url"),
    "source_accessed": _source_accessed,
}


# --- Reading a policy back as its columns ------------------------------------------------------


def policy_values(policy: PolicyInstrument) -> dict[str, Any]:
    """The policy as the checks' columns (lists as lists): the form's starting values and,
    as text, an export row. Reading `themes` uses the prefetched themes when there are."""
    return {
        "key": policy.key,
        "title_en": policy.title_en,
        "title_fr": policy.title_fr,
        "title_ar": policy.title_ar,
        "issuer": policy.issuer.key if policy.issuer else policy.issuer_country,
        "level": policy.level,
        "type": policy.type,
        "year": policy.year if policy.year is not None else "",
        "themes": [theme.code for theme in policy.themes.all()],
        "mobility": list(policy.mobility),
        "hazard": list(policy.hazard),
        "gcm_objectives": list(policy.gcm_objectives),
        "status": policy.status,
        "languages": list(policy.languages),
        "url": policy.url,
        "summary_en": policy.summary_en,
        "summary_fr": policy.summary_fr,
        "confidence": policy.confidence,
        "source_reference": policy.source_reference,
        "source_url": policy.source_url,
        "source_accessed": policy.source_accessed,
    }
