"""Candidates at registration: persons already in the registry who may be the one at the desk.

`find_candidates` is the one interface registration and manifest import call; a convoy of
arrivals goes through `find_candidates_for` in one pass. The person's blocking keys are looked
up in the key index (a handful of index hits), the persons who share the most keys are compared
field by field with the same code as the batch resolution, and the model (model.py) gives each a
match probability with its explanation.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from django.db import connection

from orienta.accounts.access import scope_for
from orienta.audit.services import record
from orienta.cases.models import Person
from orienta.identity.blocking import ONLINE, keys
from orienta.identity.compare import compare, describe
from orienta.identity.model import Model, probability, shipped
from orienta.identity.models import IdentityModel, PersonKey
from orienta.identity.records import RawRecord, Records
from orienta.identity.services import live_persons

logger = logging.getLogger("orienta.identity")

# Persons compared at most per query: those sharing the most keys with it.
COMPARED = 40
# Below this, a person is not worth showing to the caseworker.
SHOW_FROM = 0.05
PER_KEY = 200  # index entries read per key at most
# Keys looked up per statement: SQLite joins at most 500 SELECTs in one compound statement.
KEYS_PER_STATEMENT = 400
MODEL_SECONDS = 60  # how long a process keeps the model before looking for a newer one


@dataclass(frozen=True)
class CandidateQuery:
    given_name: str
    family_name: str
    birth_date: date | None = None
    sex: str = ""
    origin: str = ""  # department or region: code or name
    document_numbers: Sequence[str] = ()

    def raw(self, index: int) -> RawRecord:
        document = next((n for n in self.document_numbers if n), "")
        return RawRecord(
            index,
            self.given_name,
            self.family_name,
            self.sex,
            self.birth_date,
            self.origin,
            document,
        )


@dataclass
class Candidate:
    person: Person
    probability: float
    # Per field: its agreement level and the bits it added (Model.explain)
    explanation: list[dict[str, Any]] = field(default_factory=list)

    @property
    def reasons(self) -> list[dict[str, Any]]:
        """The explanation in words, for the page (compare.describe)."""
        return describe(self.explanation)


_cached: tuple[float, int | None, Model] | None = None


def current_model() -> Model:
    """The newest model estimated on the registry, or the one shipped in the identity pack;
    kept in the process for MODEL_SECONDS."""
    global _cached
    now = time.monotonic()
    if _cached is not None and now - _cached[0] < MODEL_SECONDS:
        return _cached[2]
    latest = IdentityModel.objects.order_by("-created_at", "-pk").values_list("pk", flat=True)[:1]
    newest = latest[0] if latest else None
    if _cached is not None and _cached[1] == newest:
        _cached = (now, newest, _cached[2])
        return _cached[2]
    model = shipped()
    if newest is not None:
        try:
            model = Model.from_json(IdentityModel.objects.get(pk=newest).parameters)
        except ValueError:
            # Estimated by an older release: the shipped model serves until the next run.
            logger.warning(
                "identity model %s is of an older version; using the shipped one", newest
            )
    _cached = (now, newest, model)
    return model


def forget_model() -> None:
    """Drop the model kept in the process (after estimating a new one, and in tests)."""
    global _cached
    _cached = None
    _sizes.clear()


_sizes: dict[Any, tuple[float, int]] = {}


def registry_size(scope: Any) -> int:
    """Live persons in the registries a scope reaches, counted at most every MODEL_SECONDS:
    the model's prior depends on it, and it changes slowly."""
    wanted = (scope.everywhere, scope.organisation_ids)
    now = time.monotonic()
    found = _sizes.get(wanted)
    if found is not None and now - found[0] < MODEL_SECONDS:
        return found[1]
    live = Person.objects.filter(anonymised_at__isnull=True, merged_into__isnull=True)
    size = scope.apply(live, "organisation").count()
    _sizes[wanted] = (now, size)
    return size


def find_candidates(query: CandidateQuery, *, user: Any, k: int = 5) -> list[Candidate]:
    """Persons registered by the user's organisations who may be the person in `query`, most
    likely first, with the explanation. Nobody outside those organisations is ever compared."""
    return find_candidates_for([query], user=user, k=k)[0]


def find_candidates_for(
    queries: Sequence[CandidateQuery], *, user: Any, k: int = 5
) -> list[list[Candidate]]:
    """`find_candidates` for many persons at once (a convoy's manifest): one look-up of all
    their keys, one read of the persons found, one vectorised comparison."""
    scope = scope_for(user, "cases.register")
    if scope.is_empty or not queries:
        return [[] for _ in queries]
    asked = Records.from_raw(query.raw(i) for i, query in enumerate(queries))
    rows, wanted = keys(asked, ONLINE)
    hits = _look_up(scope, rows, wanted)
    if not hits:
        return [[] for _ in queries]
    values = live_persons({person for persons in hits.values() for person in persons})
    known = list(values)
    both = Records.from_raw(
        [query.raw(i) for i, query in enumerate(queries)] + [values[pk] for pk in known]
    )
    position = {pk: len(queries) + i for i, pk in enumerate(known)}
    left: list[int] = []
    right: list[int] = []
    for query_index, persons in hits.items():
        for person in persons:
            if person in position:
                left.append(query_index)
                right.append(position[person])
    model = current_model().for_registry(registry_size(scope))
    compared = compare(
        both,
        np.asarray(left, dtype=np.int64),
        np.asarray(right, dtype=np.int64),
        model.record_shares(both),
    )
    chances = probability(model.match_weight(compared)[0])
    best: list[list[tuple[float, int]]] = [[] for _ in queries]
    for at, (query_index, chance) in enumerate(zip(left, chances.tolist(), strict=True)):
        if chance >= SHOW_FROM:
            best[query_index].append((chance, at))
    best = [sorted(found, reverse=True)[:k] for found in best]
    # Only the pairs shown are explained: a convoy compares some 30,000.
    explained = sorted({at for found in best for _chance, at in found})
    explanations = dict(
        zip(
            explained,
            model.explain(compared.subset(np.asarray(explained, dtype=np.int64))),
            strict=True,
        )
    )
    to_id = Person._meta.pk.to_python
    shown = {
        known[right[at] - len(queries)]: to_id(known[right[at] - len(queries)])
        for found in best
        for _chance, at in found
    }
    by_id = Person.objects.in_bulk(list(shown.values()))
    shown_persons = {raw: by_id[pk] for raw, pk in shown.items() if pk in by_id}
    if shown_persons:
        # Names and dates of birth of registered persons were shown: an access event.
        record(
            "identity.candidates.shown",
            actor=user,
            object_type="cases.person",
            changes={"persons": sorted(str(p.pk) for p in shown_persons.values())},
        )
    out: list[list[Candidate]] = []
    for found in best:
        out.append(
            [
                Candidate(
                    person=shown_persons[known[right[at] - len(queries)]],
                    probability=round(chance, 3),
                    explanation=explanations[at],
                )
                for chance, at in found
            ]
        )
    return out


def _look_up(scope: Any, rows: np.ndarray, wanted: np.ndarray) -> dict[int, list[Any]]:
    """For each query, the ids (as stored) of the persons sharing the most keys with it (at most
    COMPARED). Each key
    reads at most PER_KEY index entries: a key of a very common name with a common year holds
    hundreds of persons, none of whom the key alone could tell apart."""
    distinct, inverse = np.unique(wanted, return_inverse=True)
    found_keys: list[int] = []
    found_persons: list[Any] = []
    for start in range(0, len(distinct), KEYS_PER_STATEMENT):
        for key, person in _index_entries(scope, distinct[start : start + KEYS_PER_STATEMENT]):
            found_keys.append(key)
            found_persons.append(person)
    if not found_keys:
        return {}
    persons: dict[Any, int] = {}
    person_codes = np.fromiter(
        (persons.setdefault(p, len(persons)) for p in found_persons), np.int64, len(found_persons)
    )
    key_codes = np.searchsorted(distinct, np.asarray(found_keys, dtype=np.int64))
    # Every (query, person) sharing a key: the queries holding each key, times its entries.
    by_key = np.argsort(inverse, kind="stable")
    starts = np.searchsorted(inverse[by_key], np.arange(len(distinct)))
    ends = np.searchsorted(inverse[by_key], np.arange(len(distinct)), side="right")
    holders = ends[key_codes] - starts[key_codes]
    entry = np.repeat(np.arange(len(key_codes)), holders)
    offset = np.arange(len(entry)) - np.repeat(np.cumsum(holders) - holders, holders)
    query_rows = rows[by_key[starts[key_codes][entry] + offset]]
    pair = np.unique(query_rows * len(persons) + person_codes[entry], return_counts=True)
    query_of, person_of, shared = pair[0] // len(persons), pair[0] % len(persons), pair[1]
    order = np.lexsort((person_of, -shared, query_of))
    query_of, person_of = query_of[order], person_of[order]
    first = np.searchsorted(query_of, query_of)
    keep = (np.arange(len(query_of)) - first) < COMPARED
    names = list(persons)  # as the database gives them (hex text on SQLite)
    out: dict[int, list[Any]] = {}
    for query, person in zip(query_of[keep].tolist(), person_of[keep].tolist(), strict=True):
        out.setdefault(query, []).append(names[person])
    return out


def _index_entries(scope: Any, keys: np.ndarray) -> list[tuple[int, Any]]:
    """(key, person id) for these keys in the scope's registries, PER_KEY entries per key at
    most, in one statement: each key's entries are one range of the index."""
    meta = PersonKey._meta
    quote = connection.ops.quote_name
    table, key, organisation, person = (
        quote(meta.db_table),
        quote("key"),
        quote("organisation_id"),
        quote(meta.get_field("person").column),
    )
    where = ""
    extra: list[Any] = []
    if not scope.everywhere:
        field = meta.get_field("organisation_id")
        extra = [
            field.get_db_prep_value(o, connection) for o in sorted(scope.organisation_ids, key=str)
        ]
        where = f" AND {organisation} IN ({', '.join(['%s'] * len(extra))})"
    if connection.vendor == "postgresql":
        # One plan for every key: 400 planned subqueries cost PostgreSQL more than the look-ups.
        lateral = (
            f"SELECT k.key, hit.{person} FROM unnest(%s::bigint[]) AS k(key) "  # noqa: S608
            f"CROSS JOIN LATERAL (SELECT {person} FROM {table} "
            f"WHERE {key} = k.key{where} LIMIT {PER_KEY}) AS hit"
        )
        with connection.cursor() as cursor:
            cursor.execute(lateral, [keys.tolist(), *extra])
            return cursor.fetchall()
    # PostgreSQL before 16 requires the derived table to be named.
    one = (
        f"SELECT * FROM (SELECT {key}, {person} FROM {table} "  # noqa: S608
        f"WHERE {key} = %s{where} LIMIT {PER_KEY}) AS hit"
    )
    sql = " UNION ALL ".join([one] * len(keys))
    params: list[Any] = []
    for value in keys.tolist():
        params.append(value)
        params.extend(extra)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
