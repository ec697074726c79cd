"""Batch resolution: every pair of records in a registry or a file that is one person.

Block (blocking.py), compare (compare.py), estimate the model on the data itself unless one is
given (model.py), score, keep the pairs at or above the threshold, and group them into clusters
(each cluster one person, as far as the evidence goes).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from orienta.identity.blocking import Kind, candidate_pairs
from orienta.identity.compare import Compared, compare
from orienta.identity.model import (
    FLOOR,
    Model,
    counted_shares,
    estimate,
    frequencies,
    level_shares,
    shipped,
)
from orienta.identity.records import Records

RANDOM_PAIRS = 300_000  # pairs drawn to measure `u`
SESSION_PAIRS = 300_000  # pairs each EM session is run on, drawn from its blocked pairs
SESSION_RECORDS = 300_000  # records the sessions' pairs are blocked among, drawn at random


@dataclass
class Resolution:
    records: Records
    left: np.ndarray  # record indexes of the pairs judged one person, left < right
    right: np.ndarray
    probability: np.ndarray
    compared: Compared  # the kept pairs' levels, for explanations
    model: Model
    candidate_pairs: int  # pairs compared, all told
    estimated: bool = False  # the model was estimated on these records

    def clusters(self) -> np.ndarray:
        """A cluster number per record: records linked by kept pairs, directly or through
        others, share one."""
        return connected_components(len(self.records), self.left, self.right)


def random_pairs(records: Records, count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of distinct records of one group, drawn at random."""
    rng = np.random.default_rng(seed)
    order = np.argsort(records.group, kind="stable")
    groups = records.group[order]
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    sizes = np.diff(np.r_[starts, len(groups)])
    weights = sizes * (sizes - 1.0)
    if weights.sum() == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    block = rng.choice(len(sizes), size=count, p=weights / weights.sum())
    first = rng.integers(0, sizes[block])
    second = (first + rng.integers(1, np.maximum(sizes[block], 2))) % sizes[block]
    return order[starts[block] + first], order[starts[block] + second]


def _sample(a: np.ndarray, b: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    if len(a) <= size:
        return a, b
    picked = np.random.default_rng(0).choice(len(a), size=size, replace=False)
    return a[picked], b[picked]


def _within_group_pairs(records: Records) -> float:
    _groups, sizes = np.unique(records.group, return_counts=True)
    return float((sizes.astype(np.float64) * (sizes - 1) / 2).sum())


def train(records: Records) -> Model:
    """A model estimated on these records (see model.py): `u` from random pairs, `m` from two
    EM sessions, the prior from the first, the name frequencies counted."""
    a, b = random_pairs(records, min(RANDOM_PAIRS, len(records) * 20))
    u = level_shares(compare(records, a, b))
    # The sessions run on a sample of the records: the pairs among them are a sample of the
    # pairs, and the blocking of a million records is not done twice.
    sample = records
    if len(records) > SESSION_RECORDS:
        picked = np.random.default_rng(0).choice(len(records), SESSION_RECORDS, replace=False)
        sample = records.take(np.sort(picked))
    a, b = candidate_pairs(sample, kinds=[Kind.DATE])
    born_pairs = len(a) * (len(records) / len(sample)) ** 2
    a, b = _sample(a, b, SESSION_PAIRS)
    born = estimate(compare(sample, a, b), u, NOT_BIRTH)
    a, b = _sample(*candidate_pairs(sample, kinds=[Kind.PAIR]), SESSION_PAIRS)
    named = estimate(compare(sample, a, b), u, NOT_NAMES, free_u=True)
    m = {**named.m, **born.m}
    # Pairs are scored only when their names agree, at least in part: among those, persons who
    # are not one agree on sex, origin and date more often than random pairs (one country's
    # names, a given name's sex), so those fields' `u` is the second session's.
    u = {**u, **named.u}
    # The matching pairs found in the first session are those born on the same recorded day:
    # scaled up by how often a person's two records are, and by how often both carry a date.
    exact = max(m["birth"][-1], FLOOR) * max(named.known["birth"], FLOOR)
    matches = born.prior * born_pairs / exact
    prior = min(max(matches / max(_within_group_pairs(records), 1.0), FLOOR), 0.5)
    return Model(prior, m, u, frequencies(records), len(records))


# Sex is left out of the first session: given names say the sex, so pairs of different persons
# agreeing on a given name agree on sex far more often than random pairs. The second session
# estimates `u` too, its pairs of different persons sharing a name, hence often a country.
NOT_BIRTH = ["given", "family", "origin", "document"]
NOT_NAMES = ["birth", "sex", "origin", "document"]


CHUNK = 4_000_000  # pairs compared at a time: bounds the memory whatever the registry's size
WORKERS = min(os.cpu_count() or 1, 4)  # chunks compared at once (each holds its own arrays)


# Fewer records than this are too few to estimate a model on: the shipped one is used.
TRAIN_FROM = 5_000


def resolve(records: Records, *, threshold: float = 0.5, model: Model | None = None) -> Resolution:
    """The pairs of `records` at or above `threshold`, with `model`, or one estimated on the
    records themselves (the shipped one when they are too few)."""
    estimated = model is None and len(records) >= TRAIN_FROM
    if model is None:
        model = train(records) if estimated else shipped().for_registry(len(records))
    left, right = candidate_pairs(records)
    shares = counted_shares(records)
    worth = model.could_match(threshold)

    def score(start: int) -> tuple[Compared, np.ndarray]:
        chunk = slice(start, start + CHUNK)
        compared = compare(records, left[chunk], right[chunk], shares, worth)
        chance = model.probability(compared)
        keep = np.flatnonzero(chance >= threshold)
        return compared.subset(keep), chance[keep]

    # Chunks are scored side by side: numpy and rapidfuzz let go of the GIL for the bulk of the
    # work, so threads use every core. Results come back in chunk order.
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        scored = list(pool.map(score, range(0, len(left), CHUNK)))
    kept = [compared for compared, _chance in scored]
    chances = [chance for _compared, chance in scored]
    compared = _concatenate(kept) if kept else compare(records, left, right, shares)
    return Resolution(
        records=records,
        left=compared.left,
        right=compared.right,
        probability=np.concatenate(chances) if chances else np.zeros(0),
        compared=compared,
        model=model,
        candidate_pairs=len(left),
        estimated=estimated,
    )


def _concatenate(parts: list[Compared]) -> Compared:
    first = parts[0]
    return Compared(
        left=np.concatenate([p.left for p in parts]),
        right=np.concatenate([p.right for p in parts]),
        levels={k: np.concatenate([p.levels[k] for p in parts]) for k in first.levels},
        shares={k: np.concatenate([p.shares[k] for p in parts]) for k in first.shares},
        swapped=np.concatenate([p.swapped for p in parts]),
    )


def connected_components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Label propagation to the smallest index in each component, vectorised: a few passes
    over the pairs, however many there are."""
    label = np.arange(n, dtype=np.int64)
    if not len(left):
        return label
    while True:
        low = np.minimum(label[left], label[right])
        before = label.copy()
        np.minimum.at(label, left, low)
        np.minimum.at(label, right, low)
        label = label[label]  # jump to the label's own label: halves the depth each pass
        if np.array_equal(label, before):
            return label
