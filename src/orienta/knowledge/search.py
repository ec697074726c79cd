"""Full-text search across entities, policies and briefs, in French, English and Arabic.

Text is folded the same way when indexed and when searched: Unicode compatibility form, accents
and Arabic vowel marks removed, the forms of alif made one, lower case — so "Ligue des Etats
arabes", "ligue des états" and "جامعة الدول العربية" with or without its vowels find the same
entity. The engine is the database's own: an FTS5 table on SQLite, a `simple` full-text index
on PostgreSQL (no stemming: three languages share one index)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from orienta.knowledge.models import Brief, BriefVersion, Entity, PolicyInstrument, SearchEntry

LIMIT = 50
STALE_SLICE = 500
# What is indexed of one record, at most: PostgreSQL refuses a tsvector over 1 MB (an error,
# not a warning), which a long text pasted into a fact, a summary or a brief would reach.
# 100,000 characters stay well under it in any script: a lexeme costs its bytes (four a
# character at most) and about nine more, and takes at least one character of space.
DOCUMENT_LENGTH = 100_000
_ALIF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ـ": None})
_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return re.sub(r"\s+", " ", plain.translate(_ALIF)).strip().lower()


def _document(parts: list[str]) -> str:
    """What is indexed of a record: its texts folded, the first DOCUMENT_LENGTH characters."""
    return fold(" ".join(p for p in parts if p))[:DOCUMENT_LENGTH]


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
    return _document(parts)


def _policy_text(policy: PolicyInstrument) -> str:
    parts = [policy.title_en, policy.title_fr, policy.title_ar]
    parts += [policy.summary_en, policy.summary_fr]
    return _document(parts)


def _brief_text(version: BriefVersion) -> str:
    entity = version.brief.entity
    parts = [entity.name_en, entity.name_fr, entity.name_ar, entity.acronym_en]
    for section in version.sections:
        parts += [section.get("en", ""), section.get("fr", "")]
    return _document(parts)


def _latest_versions(briefs: Any = None) -> list[BriefVersion]:
    """The latest version of each brief (of `briefs` when given)."""
    versions = BriefVersion.objects.select_related("brief__entity").order_by("brief_id", "-number")
    if briefs is not None:
        versions = versions.filter(brief__in=briefs)
    latest: dict[Any, BriefVersion] = {}
    for version in versions:
        latest.setdefault(version.brief_id, version)
    return list(latest.values())


def _entries(entities: Any, policies: Any, briefs: Any) -> list[SearchEntry]:
    return (
        [
            SearchEntry(kind="entity", key=e.key, title=e.name_en, document=_entity_text(e))
            for e in entities.prefetch_related("facts")
        ]
        + [
            SearchEntry(kind="policy", key=p.key, title=p.title_en[:500], document=_policy_text(p))
            for p in policies
        ]
        + [
            SearchEntry(
                kind="brief",
                key=v.brief.entity.key,
                title=v.brief.entity.name_en,
                document=_brief_text(v),
            )
            for v in _latest_versions(briefs)
        ]
    )


@transaction.atomic
def reindex() -> int:
    """Rebuild the whole index from the records (after a pack is loaded)."""
    SearchEntry.objects.all().delete()
    entries = _entries(Entity.objects.all(), PolicyInstrument.objects.all(), None)
    SearchEntry.objects.bulk_create(entries)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # FTS5's own command: re-read the entries table (the external content).
            cursor.execute(
                "INSERT INTO knowledge_search_fts(knowledge_search_fts) VALUES ('rebuild')"
            )
    return len(entries)


@transaction.atomic
def index(
    *,
    entities: Iterable[Entity] = (),
    policies: Iterable[PolicyInstrument] = (),
    removed: Iterable[tuple[str, str]] = (),
) -> None:
    """Bring the index up to date for what a change touched: the entities (and their briefs)
    and policies written, the (kind, key) pairs of what was deleted or renamed away. Called by
    the services in the change's transaction; the rest of the index is left alone."""
    entity_ids = [e.pk for e in entities]
    policy_ids = [p.pk for p in policies]
    chosen_entities = Entity.objects.filter(pk__in=entity_ids)
    chosen_policies = PolicyInstrument.objects.filter(pk__in=policy_ids)
    fresh = _entries(chosen_entities, chosen_policies, Brief.objects.filter(entity__in=entity_ids))
    stale: dict[str, set[str]] = {}
    for kind, key in [*removed, *((e.kind, e.key) for e in fresh)]:
        stale.setdefault(kind, set()).add(key)
    # By kind and in slices: one OR per entry would overflow SQLite's expression depth (1,000)
    # when an import writes thousands of policies.
    for kind, keys in stale.items():
        ordered = sorted(keys)
        for start in range(0, len(ordered), STALE_SLICE):
            chunk = ordered[start : start + STALE_SLICE]
            SearchEntry.objects.filter(kind=kind, key__in=chunk).delete()
    SearchEntry.objects.bulk_create(fresh, batch_size=STALE_SLICE)


@dataclass(frozen=True)
class Hit:
    kind: str
    key: str
    title: str


def _kinds(kinds: tuple[str, ...]) -> str:
    """The kinds as one bound value, ",entity,policy," (empty for every kind), so that the
    statements stay fixed text."""
    return f",{','.join(kinds)}," if kinds else ""


def _sqlite(words: list[str], kinds: tuple[str, ...], limit: int) -> list[int]:
    # Each word quoted (no FTS syntax from the user) and matched as a prefix.
    query = " ".join('"' + word.replace('"', "") + '"*' for word in words)
    chosen = _kinds(kinds)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT f.rowid FROM knowledge_search_fts f "
            "JOIN knowledge_searchentry e ON e.id = f.rowid "
            "WHERE knowledge_search_fts MATCH %s "
            "AND (%s = '' OR instr(%s, ',' || e.kind || ',') > 0) "
            "ORDER BY f.rank LIMIT %s",
            [query, chosen, chosen, limit],
        )
        return [row[0] for row in cursor.fetchall()]


def _postgresql(words: list[str], kinds: tuple[str, ...], limit: int) -> list[int]:
    query = " & ".join(re.sub(r"[^\w]", "", word) + ":*" for word in words)
    chosen = _kinds(kinds)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM knowledge_searchentry "
            "WHERE vector @@ to_tsquery('simple', %s) "
            "AND (%s = '' OR position(',' || kind || ',' in %s) > 0) "
            "ORDER BY ts_rank(vector, to_tsquery('simple', %s)) DESC "
            "LIMIT %s",
            [query, chosen, chosen, query, limit],
        )
        return [row[0] for row in cursor.fetchall()]


def search(text: str, *, kinds: tuple[str, ...] = (), limit: int = LIMIT) -> list[Hit]:
    """The best matches of `text` (every word, as a prefix), of the given kinds ("entity",
    "policy", "brief"; all when none), at most `limit`."""
    words = _WORD.findall(fold(text))[:10]
    if not words:
        return []
    run = _sqlite if connection.vendor == "sqlite" else _postgresql
    ids = [i for i in run(words, kinds, limit) if i]
    found: dict[Any, SearchEntry] = SearchEntry.objects.in_bulk(ids)
    return [Hit(found[i].kind, found[i].key, found[i].title) for i in ids if i in found]
