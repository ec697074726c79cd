"""Loading a knowledge pack (`packs/knowledge/<name>.json`): the taxonomies, the entities with
their member states and sourced facts, and the policy instruments. Safe to run again: a pack
already loaded as it is now is left alone (so that editors' later changes stand); a changed pack
is rewritten, records matched by their code or key, and one audit event says what was loaded.
An entity or a policy rewritten gets its next version, so that a page opened before the load
cannot save over it (optimistic locking, as between editors)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.dateparse import parse_date

from orienta.audit.models import AuditEvent
from orienta.audit.services import record
from orienta.core.packs import available, load_pack
from orienta.knowledge.models import (
    Entity,
    EntityFact,
    EntityMember,
    PolicyInstrument,
    Region,
    Theme,
)
from orienta.knowledge.search import reindex

COUNTRY = re.compile(r"^[A-Z]{3}$")


@dataclass
class Loaded:
    themes: int = 0
    regions: int = 0
    entities: int = 0
    members: int = 0
    facts: int = 0
    policies: int = 0


def _day(value: Any) -> date | None:
    if not value or not isinstance(value, str):
        return None
    try:
        return parse_date(value)
    except ValueError:
        return None


def _source(raw: dict[str, Any] | None) -> dict[str, Any]:
    raw = raw or {}
    return {
        "source_reference": str(raw.get("reference", ""))[:500],
        "source_url": str(raw.get("url", ""))[:500],
        "source_accessed": _day(raw.get("accessed")),
    }


def _source_text(raw: dict[str, Any] | None) -> str:
    raw = raw or {}
    return " — ".join(part for part in (raw.get("reference", ""), raw.get("url", "")) if part)[:500]


def _text(value: Any) -> str:
    """A note of the pack: a string, or {"en", "fr"} (kept in French, the platform's language,
    else English)."""
    if isinstance(value, dict):
        return str(value.get("fr") or value.get("en") or "")
    return str(value or "")


def _labelled(model: Any, rows: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    found = {}
    for order, row in enumerate(rows, start=1):
        defaults = {
            "label_en": row["en"],
            "label_fr": row["fr"],
            "label_ar": row.get("ar", ""),
            "order": order * 10,
        }
        defaults.update({name: row[name] for name in extra if name in row})
        found[row["code"]], _created = model.objects.update_or_create(
            code=row["code"], defaults=defaults
        )
    return found


def _entity(
    raw: dict[str, Any], themes: dict[str, Any], regions: dict[str, Any], done: Loaded
) -> Entity:
    name, acronym = raw["name"], raw.get("acronym", {})
    founded, seat = raw.get("founded", {}), raw.get("headquarters", {})
    entity, created = Entity.objects.update_or_create(
        key=raw["key"],
        defaults={
            "kind": raw["kind"],
            "name_en": name["en"],
            "name_fr": name.get("fr", name["en"]),
            "name_ar": name.get("ar", ""),
            "acronym_en": acronym.get("en", ""),
            "acronym_fr": acronym.get("fr", ""),
            "acronym_ar": acronym.get("ar", ""),
            "founded": founded.get("text", "")[:300],
            "founded_on": _day(founded.get("date")),
            "founded_confidence": founded.get("confidence", "unverified"),
            "founded_source": _source_text(founded.get("source")),
            "headquarters": seat.get("text", "")[:300],
            "headquarters_confidence": seat.get("confidence", "unverified"),
            "headquarters_source": _source_text(seat.get("source")),
            "members_source": _source_text(raw.get("members_source")),
            "members_note": _text(raw.get("members_note")),
            "gcm_objectives": raw.get("gcm_objectives", []),
            "sdgs": raw.get("sdgs", []),
        },
    )
    if not created:
        Entity.objects.filter(pk=entity.pk).update(version=F("version") + 1)
    entity.themes.set([themes[code] for code in raw.get("themes", [])])
    entity.regions.set([regions[code] for code in raw.get("regions", [])])
    entity.members.all().delete()
    EntityMember.objects.bulk_create(
        EntityMember(
            entity=entity,
            country=member["country"],
            role=member.get("role", "member"),
            joined_on=_day(member.get("joined")),
            left_on=_day(member.get("left")),
            suspended_from=_day(member.get("suspended_from")),
            suspended_to=_day(member.get("suspended_to")),
            confidence=member.get("confidence", "unverified"),
        )
        for member in raw.get("members", [])
        if COUNTRY.match(member.get("country", ""))
    )
    done.members += entity.members.count()
    entity.facts.all().delete()
    EntityFact.objects.bulk_create(
        EntityFact(
            entity=entity,
            field=field,
            text_en=fact.get("en", ""),
            text_fr=fact.get("fr", ""),
            text_ar=fact.get("ar", ""),
            caveats=fact.get("caveats", []),
            confidence=fact.get("confidence", "unverified"),
            **_source(fact.get("source")),
        )
        for field, fact in raw.get("facts", {}).items()
    )
    done.facts += len(raw.get("facts", {}))
    return entity


def _policy(raw: dict[str, Any], entities: dict[str, Entity], themes: dict[str, Any]) -> None:
    title, summary = raw["title"], raw.get("summary", {})
    issuer = raw.get("issuer", "")
    policy, created = PolicyInstrument.objects.update_or_create(
        key=raw["key"],
        defaults={
            "title_en": title.get("en", ""),
            "title_fr": title.get("fr", ""),
            "title_ar": title.get("ar", ""),
            "issuer": entities.get(issuer),
            # An entity's key can look like a country code (LAS, GCC): it is the entity then.
            "issuer_country": issuer if COUNTRY.match(issuer) and issuer not in entities else "",
            "level": raw["level"],
            "type": raw["type"],
            "year": raw.get("year"),
            "mobility": raw.get("mobility", []),
            "hazard": raw.get("hazard", []),
            "gcm_objectives": raw.get("gcm_objectives", []),
            "status": raw.get("status", "adopted"),
            "languages": raw.get("languages", []),
            "url": raw.get("url", "")[:500],
            "summary_en": summary.get("en", ""),
            "summary_fr": summary.get("fr", ""),
            "confidence": raw.get("confidence", "unverified"),
            **_source(raw.get("source")),
        },
    )
    if not created:
        PolicyInstrument.objects.filter(pk=policy.pk).update(version=F("version") + 1)
    policy.themes.set([themes[code] for code in raw.get("themes", []) if code in themes])


@transaction.atomic
def load_knowledge(name: str, actor: Any = None) -> Loaded:
    """Load the knowledge pack `name` (see the module's docstring)."""
    if name not in available("knowledge"):
        raise LookupError(f"No knowledge pack {name!r}.")
    pack = load_pack("knowledge", name)
    fingerprint = hashlib.sha256(
        json.dumps(pack, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    last = (
        AuditEvent.objects.filter(action="knowledge.pack.loaded", object_id=name)
        .order_by("-seq")
        .values_list("changes", flat=True)
        .first()
    )
    if last and last.get("fingerprint") == fingerprint and Entity.objects.exists():
        return _counted(pack)
    done = Loaded()
    themes = _labelled(Theme, pack.get("themes", []))
    regions = _labelled(Region, pack.get("regions", []), countries=True)
    done.themes, done.regions = len(themes), len(regions)
    entities = {raw["key"]: _entity(raw, themes, regions, done) for raw in pack["entities"]}
    done.entities = len(entities)
    for raw in pack.get("policies", []):
        _policy(raw, entities, themes)
    done.policies = len(pack.get("policies", []))
    record(
        "knowledge.pack.loaded",
        actor=actor,
        object_type="knowledge.pack",
        object_id=name,
        changes={**vars(done), "fingerprint": fingerprint},
    )
    reindex()
    return done


def _counted(pack: dict[str, Any]) -> Loaded:
    """What a pack holds, for the report when it is already loaded."""
    entities = pack["entities"]
    return Loaded(
        themes=len(pack.get("themes", [])),
        regions=len(pack.get("regions", [])),
        entities=len(entities),
        members=sum(len(e.get("members", [])) for e in entities),
        facts=sum(len(e.get("facts", {})) for e in entities),
        policies=len(pack.get("policies", [])),
    )
