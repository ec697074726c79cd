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

from orienta.accounts.access import scope_for
from orienta.cases.models import Person
from orienta.identity.blocking import BLOCKING, keys
from orienta.identity.compare import compare, describe
from orienta.identity.model import Model, probability, shipped
from orienta.identity.models import IdentityModel, PersonKey
from orienta.identity.records import RawRecord, Records
from orienta.identity.services import PERSON_FIELDS, first_documents, raw_record

logger = logging.getLogger("orienta.identity")

# Persons compared at most per query: those sharing the most keys with it.
COMPARED = 60
# Below this, a person is not worth showing to the caseworker.
SHOW_FROM = 0.05
KEYS_PER_QUERY = 900  # SQLite takes at most 999 bound parameters in older builds
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
    rows, wanted = keys(asked, BLOCKING)
    hits = _look_up(scope, rows, wanted)
    if not hits:
        return [[] for _ in queries]
    person_ids = sorted({person for persons in hits.values() for person in persons}, key=str)
    values = {
        row[0]: row
        for row in Person.objects.filter(
            pk__in=person_ids, anonymised_at__isnull=True, merged_into__isnull=True
        ).values_list(*PERSON_FIELDS)
    }
    documents = first_documents(values)
    known = list(values)
    both = Records.from_raw(
        [query.raw(i) for i, query in enumerate(queries)]
        + [raw_record(values[pk], documents.get(pk, "")) for pk in known]
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
    explanations = model.explain(compared)
    best: list[list[tuple[float, int]]] = [[] for _ in queries]
    for at, (query_index, chance) in enumerate(zip(left, chances.tolist(), strict=True)):
        if chance >= SHOW_FROM:
            best[query_index].append((chance, at))
    shown = {
        known[right[at] - len(queries)]
        for found in best
        for _chance, at in sorted(found, reverse=True)[:k]
    }
    shown_persons = Person.objects.in_bulk(list(shown))
    out: list[list[Candidate]] = []
    for found in best:
        top = sorted(found, reverse=True)[:k]
        out.append(
            [
                Candidate(
                    person=shown_persons[known[right[at] - len(queries)]],
                    probability=round(chance, 3),
                    explanation=explanations[at],
                )
                for chance, at in top
            ]
        )
    return out


def _look_up(scope: Any, rows: np.ndarray, wanted: np.ndarray) -> dict[int, list[Any]]:
    """For each query, the persons sharing the most keys with it (at most COMPARED)."""
    by_key: dict[int, list[int]] = {}
    for row, key in zip(rows.tolist(), wanted.tolist(), strict=True):
        by_key.setdefault(key, []).append(row)
    counts: dict[int, dict[Any, int]] = {}
    distinct = list(by_key)
    for start in range(0, len(distinct), KEYS_PER_QUERY):
        found = scope.apply(
            PersonKey.objects.filter(key__in=distinct[start : start + KEYS_PER_QUERY]),
            "organisation_id",
        ).values_list("key", "person_id")
        for key, person in found:
            for row in by_key[key]:
                tally = counts.setdefault(row, {})
                tally[person] = tally.get(person, 0) + 1
    return {
        row: sorted(tally, key=lambda p: (-tally[p], str(p)))[:COMPARED]
        for row, tally in counts.items()
    }
