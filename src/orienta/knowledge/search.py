"""Full-text search across entities, policies and briefs, in French, English and Arabic.

Text is folded the same way when indexed and when searched: Unicode compatibility form, accents
and Arabic vowel marks removed, the forms of alif made one, lower case — so "Ligue des Etats
arabes", "ligue des états" and "جامعة الدول العربية" with or without its vowels find the same
entity. The engine is the database's own: an FTS5 table on SQLite, a `simple` full-text index
on PostgreSQL (no stemming: three languages share one index)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from orienta.knowledge.models import BriefVersion, Entity, PolicyInstrument, SearchEntry

LIMIT = 50
_ALIF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ـ": None})
_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return re.sub(r"\s+", " ", plain.translate(_ALIF)).strip().lower()


def _entity_text(entity: Entity) -> str:
    parts = [
        entity.key,
        entity.name_en,
        entity.name_fr,
        entity.name_ar,
        entity.acronym_en,
        entity.acronym_fr,
        entity.acronym_ar,
        entity.headquarters,
    ]
    for fact in entity.facts.all():
        parts += [fact.text_en, fact.text_fr, fact.text_ar]
    return fold(" ".join(p for p in parts if p))


def _policy_text(policy: PolicyInstrument) -> str:
    parts = [policy.title_en, policy.title_fr, policy.title_ar]
    parts += [policy.summary_en, policy.summary_fr]
    return fold(" ".join(p for p in parts if p))


def _brief_entries() -> list[SearchEntry]:
    """The latest version of each brief: its sections in both languages and the names."""
    latest = BriefVersion.objects.select_related("brief__entity").order_by("brief_id", "-number")
    entries, seen = [], set()
    for version in latest:
        if version.brief_id in seen:
            continue
        seen.add(version.brief_id)
        entity = version.brief.entity
        parts = [entity.name_en, entity.name_fr, entity.name_ar, entity.acronym_en]
        for section in version.sections:
            parts += [section.get("en", ""), section.get("fr", "")]
        entries.append(
            SearchEntry(
                kind="brief",
                key=entity.key,
                title=entity.name_en,
                document=fold(" ".join(p for p in parts if p)),
            )
        )
    return entries


@transaction.atomic
def reindex() -> int:
    """Rebuild the index from the records (a few hundred rows: whole, after each load or edit)."""
    SearchEntry.objects.all().delete()
    entries = (
        [
            SearchEntry(kind="entity", key=e.key, title=e.name_en, document=_entity_text(e))
            for e in Entity.objects.prefetch_related("facts")
        ]
        + [
            SearchEntry(kind="policy", key=p.key, title=p.title_en[:500], document=_policy_text(p))
            for p in PolicyInstrument.objects.all()
        ]
        + _brief_entries()
    )
    SearchEntry.objects.bulk_create(entries)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # FTS5's own command: re-read the entries table (the external content).
            cursor.execute(
                "INSERT INTO knowledge_search_fts(knowledge_search_fts) VALUES ('rebuild')"
            )
    return len(entries)


@dataclass(frozen=True)
class Hit:
    kind: str
    key: str
    title: str


def _sqlite(words: list[str]) -> list[int]:
    # Each word quoted (no FTS syntax from the user) and matched as a prefix.
    query = " ".join('"' + word.replace('"', "") + '"*' for word in words)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid FROM knowledge_search_fts WHERE knowledge_search_fts MATCH %s "
            "ORDER BY rank LIMIT %s",
            [query, LIMIT],
        )
        return [row[0] for row in cursor.fetchall()]


def _postgresql(words: list[str]) -> list[int]:
    query = " & ".join(re.sub(r"[^\w]", "", word) + ":*" for word in words)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM knowledge_searchentry "
            "WHERE to_tsvector('simple', document) @@ to_tsquery('simple', %s) "
            "ORDER BY ts_rank(to_tsvector('simple', document), to_tsquery('simple', %s)) DESC "
            "LIMIT %s",
            [query, query, LIMIT],
        )
        return [row[0] for row in cursor.fetchall()]


def search(text: str) -> list[Hit]:
    words = _WORD.findall(fold(text))[:10]
    if not words:
        return []
    ids = _sqlite(words) if connection.vendor == "sqlite" else _postgresql(words)
    found: dict[Any, SearchEntry] = SearchEntry.objects.in_bulk(ids)
    return [Hit(found[i].kind, found[i].key, found[i].title) for i in ids if i in found]
