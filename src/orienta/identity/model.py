"""The probabilistic model (Fellegi–Sunter), with term-frequency adjustments for common names.

For each comparison level there are two probabilities: `m`, that two records of one person
agree at that level, and `u`, that two records of different persons do. The weight of a level
is log2(m / u) bits; the weights of a pair add up, with the prior odds, to the pair's match
weight, and the match probability is 2^w / (1 + 2^w).

- `u` is measured on random pairs of records (almost all of which are of different persons).
- `m` is estimated by expectation–maximisation (EM) with `u` held fixed, in two sessions, the
  way Splink does: over pairs born on the same day, for the names, sex, origin and document;
  over pairs whose names sound alike, for the date of birth. A session never estimates the
  fields its pairs were chosen on (they agree by construction and would make every pair look
  like a match). The prior, the chance that two records of the registry are one person, comes
  from the first session. No labelled data is needed, and the model follows each registry's
  own errors.
- Term frequencies: two records that both say "Jean Joseph" are much weaker evidence than two
  that both say "Dorsainvil", so at the "same spelling" and "sound alike" levels `u` is the
  share of records holding that very value, not the level's average.

Each score comes with its explanation: the level of every field and the bits it added.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from orienta.core.packs import PACKS
from orienta.identity.compare import (
    BY_NAME,
    COMPARISONS,
    MISSING,
    UNCOMPARED,
    Compared,
    frequency_columns,
)
from orienta.identity.records import Records

VERSION = 2  # 2: origin compared in three levels
# No level is ever certain either way: keeps one odd record from making a weight infinite.
FLOOR = 1e-6
# A saved model keeps the frequencies of values held by at least this many records, and of the
# commonest MAX_KEPT values at most: a rare value's own frequency and the rare default give
# nearly the same weight.
KEEP_FROM = 2
MAX_KEPT = 20_000


@dataclass
class Model:
    prior: float  # probability that a blocked pair is of one person
    m: dict[str, list[float]]
    u: dict[str, list[float]]
    # (comparison, level) → value → share of records with that value
    frequencies: dict[str, dict[str, float]] = field(default_factory=dict)
    records: int = 0  # how many records the frequencies were counted on

    # -- weights -----------------------------------------------------------------------------

    def level_weights(self, name: str) -> np.ndarray:
        m = np.maximum(np.asarray(self.m[name], dtype=np.float64), FLOOR)
        u = np.maximum(np.asarray(self.u[name], dtype=np.float64), FLOOR)
        return np.log2(m / u)

    def field_weights(self, compared: Compared, bound: bool = False) -> dict[str, np.ndarray]:
        """Bits added by each comparison, per pair (0 where a side is missing). With `bound`,
        the most that levels not yet known could add: a name UNCOMPARED counts as its best
        level, UNRESOLVED as its best below "sound alike", a document or origin that differs
        as possibly almost alike."""
        out = {}
        for comparison in COMPARISONS:
            levels = compared.levels[comparison.name]
            table = self.level_weights(comparison.name)
            # One look-up per pair: the table shifted so that UNCOMPARED (-3), UNRESOLVED (-2)
            # and MISSING (-1) have their places before level 0.
            lookup = np.concatenate(([table.max(), table[:3].max(), 0.0], table))
            if bound and comparison.name in ("document", "origin"):  # 0 may yet become 1
                lookup[3] = table[:2].max()
            bits = lookup[levels + 3]  # int8 indexes: no 8-byte copy of tens of millions
            weighed = {
                level: (
                    max(self.m[comparison.name][level], FLOOR),
                    compared.shares[f"{comparison.name}:{level}"],
                )
                for level in comparison.frequency_levels
                if f"{comparison.name}:{level}" in compared.shares
            }
            for level, (m, shares) in weighed.items():
                at = np.flatnonzero(levels == level)
                bits[at] = np.log2(m / np.maximum(shares[at], FLOOR))
            if bound and weighed:
                # A name not compared yet may agree at any level: at a frequency-weighed one,
                # with the weight of its own value.
                uncompared = levels == UNCOMPARED
                if uncompared.any():
                    # Before any name is compared (a chunk's first look) every pair is
                    # unknown: the shares are then used whole rather than gathered.
                    unknown: Any = slice(None) if uncompared.all() else uncompared
                    plain = [w for level, w in enumerate(table) if level not in weighed]
                    best = np.full(int(uncompared.sum()), max(plain, default=-np.inf))
                    for m, shares in weighed.values():
                        best = np.maximum(best, np.log2(m / np.maximum(shares[unknown], FLOOR)))
                    bits[unknown] = best
            out[comparison.name] = bits
        return out

    def match_weight(self, compared: Compared) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        fields = self.field_weights(compared)
        prior = math.log2(self.prior / (1 - self.prior))
        total = np.full(len(compared), prior)
        for bits in fields.values():
            total += bits
        return total, fields

    def for_registry(self, records: int) -> Model:
        """The model for a registry of `records` persons. The prior is per pair of records, and
        a person has about as many other records in a registry of any size: the chance that
        two records are one person falls as the registry grows."""
        if records < 2 or self.records < 2:
            return self
        scaled = self.prior * (self.records - 1) / (records - 1)
        copy = Model(min(scaled, 0.5), self.m, self.u, self.frequencies, self.records)
        return copy

    def probability(self, compared: Compared) -> np.ndarray:
        return probability(self.match_weight(compared)[0])

    def could_match(self, threshold: float) -> Callable[[Compared], np.ndarray]:
        """For `compare(worth=…)`: the pairs whose weight could still reach `threshold` once
        the names are compared as strings. Most blocked pairs cannot (born far apart, of
        different sex…) and are dropped before the costly part."""
        needed = float(np.log2(threshold / (1 - threshold)))
        prior = math.log2(self.prior / (1 - self.prior))

        def worth(compared: Compared) -> np.ndarray:
            total = np.full(len(compared), prior)
            for bits in self.field_weights(compared, bound=True).values():
                total += bits
            return total >= needed

        return worth

    def explain(self, compared: Compared) -> list[list[dict[str, Any]]]:
        """Per pair, each field's agreement level and the bits it added: what a supervisor
        reads (compare.describe puts it in words)."""
        fields = self.field_weights(compared)
        names = [comparison.name for comparison in COMPARISONS]
        levels = np.stack([compared.levels[name] for name in names], axis=1).tolist()
        bits = np.round(np.stack([fields[name] for name in names], axis=1), 1).tolist()
        return [
            [
                {"field": name, "level": level, "bits": value}
                for name, level, value in zip(names, pair_levels, pair_bits, strict=True)
            ]
            for pair_levels, pair_bits in zip(levels, bits, strict=True)
        ]

    def record_shares(self, records: Records) -> dict[str, np.ndarray]:
        """Per record, the share of the registry holding its value, from the saved
        frequencies; a value not kept there is taken to be rare."""
        rare = 1.0 / max(self.records, 1)
        out = {}
        for key, (numbers, vocabulary) in frequency_columns(records).items():
            table = self.frequencies.get(key, {})
            by_number = np.array([table.get(v, rare) for v in vocabulary.values])
            out[key] = by_number[numbers]
        return out

    # -- keeping -----------------------------------------------------------------------------

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": VERSION,
                "prior": self.prior,
                "m": self.m,
                "u": self.u,
                "records": self.records,
                "frequencies": self.frequencies,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> Model:
        data = json.loads(text)
        if data.get("version") != VERSION:
            raise ValueError(f"identity model version {data.get('version')} is not {VERSION}")
        model = cls(data["prior"], data["m"], data["u"], data.get("frequencies", {}))
        model.records = data.get("records", 0)
        return model


# A registry holds persons, most of them told apart at the desk already: far fewer other
# records per person than in the synthetic file the shipped model was estimated on (about 2.5).
# The shipped model assumes this many.
SHIPPED_MATCHES_PER_RECORD = 0.3


def shipped() -> Model:
    """The model shipped in the identity pack, estimated on a million synthetic returnee
    records: used until a registry has its own, and for data too small to estimate on."""
    model = Model.from_json((PACKS / "identity" / "model.json").read_text(encoding="utf-8"))
    model.prior = SHIPPED_MATCHES_PER_RECORD / max(model.records - 1, 1)
    return model


def probability(weight: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp2(-np.clip(weight, -60, 60)))


def counted_shares(records: Records) -> dict[str, np.ndarray]:
    """Per record, the share of `records` holding its value: term frequencies measured on the
    data being resolved."""
    out = {}
    for key, (numbers, _vocabulary) in frequency_columns(records).items():
        counts = np.bincount(numbers)
        out[key] = counts[numbers] / max(len(records), 1)
    return out


# -- estimating ------------------------------------------------------------------------------


def level_shares(compared: Compared) -> dict[str, list[float]]:
    """How often each level occurs among the pairs where both sides have a value: `u` when the
    pairs are random."""
    shares = {}
    for comparison in COMPARISONS:
        levels = compared.levels[comparison.name]
        counts = np.bincount(levels[levels != MISSING], minlength=len(comparison.levels))
        total = max(int(counts.sum()), 1)
        shares[comparison.name] = [float(c) / total for c in counts]
    return shares


def frequencies(records: Records) -> dict[str, dict[str, float]]:
    """The share of records holding each value, for the frequency-adjusted levels, as saved
    with a model (only values held by several records: the others count as rare)."""
    total = max(len(records), 1)
    keep = max(KEEP_FROM, total // 100_000)
    out = {}
    for key, (numbers, vocabulary) in frequency_columns(records).items():
        counts = np.bincount(numbers, minlength=len(vocabulary.values))
        counts[0] = 0  # the empty value
        kept = np.argsort(-counts, kind="stable")[:MAX_KEPT]
        kept = kept[counts[kept] >= keep]
        out[key] = {
            vocabulary.values[i]: float(counts[i]) / total for i in kept if vocabulary.values[i]
        }
    return out


def _initial_m() -> dict[str, list[float]]:
    """Starting point of the estimation: two records of one person mostly agree, at the top
    level. (Started flat, EM can settle on calling every blocked pair a match.)"""
    out = {}
    for comparison in COMPARISONS:
        count = len(comparison.levels)
        raw = [6.0**level for level in range(count)]
        out[comparison.name] = [r / sum(raw) for r in raw]
    return out


def estimate(
    compared: Compared,
    u: dict[str, list[float]],
    fields: list[str],
    *,
    free_u: bool = False,
    prior: float = 0.05,
    iterations: int = 80,
    tolerance: float = 1e-6,
) -> Session:
    """One EM session: over `compared` pairs, estimate `m` of `fields` and the share of pairs
    that are one person, with `u` fixed, or estimated too (`free_u`) where the session's pairs
    of different persons agree more often than random pairs would. The pairs are counted by
    their pattern of levels, so each iteration is over a few thousand patterns, not millions
    of pairs."""
    radix = [len(BY_NAME[n].levels) + 1 for n in fields]  # +1 for a missing value
    code = np.zeros(len(compared), dtype=np.int64)
    for name, base in zip(fields, radix, strict=True):
        code = code * base + (compared.levels[name].astype(np.int64) + 1)
    patterns, counts = np.unique(code, return_counts=True)
    digits = {}
    rest = patterns.copy()
    for name, base in reversed(list(zip(fields, radix, strict=True))):
        digits[name] = (rest % base) - 1
        rest //= base
    m = {name: _initial_m()[name] for name in fields}
    u = {name: u[name] for name in fields}
    posterior = np.zeros(len(patterns))
    for _ in range(iterations):
        posterior = _posterior(digits, prior, m, u)
        new_prior = float((posterior * counts).sum() / max(counts.sum(), 1))
        new_m = _level_totals(digits, posterior * counts)
        if free_u:
            u = _level_totals(digits, (1 - posterior) * counts)
        change = abs(new_prior - prior) + max(
            max(abs(a - b) for a, b in zip(new_m[n], m[n], strict=True)) for n in fields
        )
        prior, m = min(max(new_prior, FLOOR), 1 - FLOOR), new_m
        if change < tolerance:
            break
    matched = posterior * counts
    known = {
        name: float(matched[digits[name] != MISSING].sum() / max(matched.sum(), FLOOR))
        for name in fields
    }
    return Session(prior=prior, m=m, u=u, pairs=len(compared), known=known)


@dataclass
class Session:
    prior: float  # share of the session's pairs that are one person
    m: dict[str, list[float]]
    u: dict[str, list[float]]
    pairs: int
    known: dict[str, float]  # share of the matching pairs where the field is known on both sides


def _posterior(
    digits: dict[str, np.ndarray],
    prior: float,
    m: dict[str, list[float]],
    u: dict[str, list[float]],
) -> np.ndarray:
    size = len(next(iter(digits.values())))
    log_match = np.full(size, math.log(prior))
    log_other = np.full(size, math.log(1 - prior))
    for name, level in digits.items():
        known = level != MISSING
        log_match[known] += np.log(np.maximum(np.asarray(m[name]), FLOOR))[level[known]]
        log_other[known] += np.log(np.maximum(np.asarray(u[name]), FLOOR))[level[known]]
    return 1.0 / (1.0 + np.exp(np.clip(log_other - log_match, -700, 700)))


def _level_totals(digits: dict[str, np.ndarray], weight: np.ndarray) -> dict[str, list[float]]:
    out = {}
    for name, level in digits.items():
        known = level != MISSING
        totals = np.bincount(
            level[known], weights=weight[known], minlength=len(BY_NAME[name].levels)
        )
        out[name] = [float(t) / max(float(totals.sum()), FLOOR) for t in totals]
    return out
