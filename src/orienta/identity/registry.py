"""The batch resolution of the registry: each organisation's persons among themselves, the
model estimated on the whole registry and saved, the pairs queued for review."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from orienta.cases.models import IdentityDocument
from orienta.identity.batch import resolve
from orienta.identity.candidates import forget_model
from orienta.identity.model import Model
from orienta.identity.records import Records
from orienta.identity.services import queue_pairs, raw_record, registry_values, save_model


@dataclass
class Found:
    pairs: list[tuple[Any, Any, float]]  # record or person ids, probability
    records: int
    compared: int
    queued: int
    model: Model


def find_duplicates(*, threshold: float = 0.5, model: Model | None = None) -> Found:
    """Resolve the registry. Without `model`, one is estimated on the registry (when it is large
    enough: batch.TRAIN_FROM), saved, and used at the desk from then on."""
    documents: dict[Any, str] = {}
    for person_id, key in (
        IdentityDocument.objects.exclude(number_key="")
        .order_by("pk")
        .values_list("person_id", "number_key")
        .iterator(chunk_size=20_000)
    ):
        documents.setdefault(person_id, key)
    values = [row for chunk in registry_values() for row in chunk]
    records = Records.from_raw(
        raw_record(row, documents.get(row[0], ""), group=row[1]) for row in values
    )
    resolution = resolve(records, threshold=threshold, model=model)
    if resolution.estimated:
        save_model(resolution.model.to_json(), len(records))
        forget_model()
    explanations = resolution.model.explain(resolution.compared)
    by_organisation: dict[Any, list[tuple[Any, Any, float, list[Any]]]] = defaultdict(list)
    pairs = []
    for at, (i, j, chance) in enumerate(
        zip(
            resolution.left.tolist(),
            resolution.right.tolist(),
            resolution.probability.tolist(),
            strict=True,
        )
    ):
        a, b = values[i][0], values[j][0]
        pairs.append((a, b, chance))
        by_organisation[values[i][1]].append((a, b, round(chance, 4), explanations[at]))
    queued = sum(queue_pairs(org, found) for org, found in by_organisation.items())
    return Found(
        pairs=pairs,
        records=len(records),
        compared=resolution.candidate_pairs,
        queued=queued,
        model=resolution.model,
    )
