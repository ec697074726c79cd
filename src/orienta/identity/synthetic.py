"""Synthetic returnee records with ground truth, for measuring identity resolution.

Each invented person returns one or more times (a long tail of repeat returns); each return is
written down again by another officer, with the errors seen at border posts: spelling variants
across French, Kreyòl, Spanish and Arabic transliterations, typing mistakes, given and family
names swapped, a second given name dropped, dates of birth missing, defaulted to 1 January, a
year off or day and month swapped, origin missing, documents on a minority. Common names are
very common (a Zipf law over real first and family names), rare ones are made from syllables.

The error model's rates live in `packs/identity/synthetic.json` and are documented in
docs/identity.md. Seeded: one seed, one file.
"""

from __future__ import annotations

import bisect
import csv
import itertools
import random
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from orienta.core.packs import load_pack
from orienta.identity.files import COLUMNS

HEADER = (*COLUMNS, "entity_id")  # find_duplicates' input, with the truth
# Ages are counted from a fixed day, so that one seed gives one file whatever the date.
REFERENCE_DAY = date(2026, 1, 1)


@dataclass(frozen=True)
class Entity:
    """One invented human, as they really are."""

    entity_id: int
    country: str
    sex: str
    given: tuple[str, ...]
    family: str
    birth: date | None
    origin: str
    document: str


class _Weighted:
    """Draw from a list with weights, by bisection on the cumulative weights."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random) -> Any:
        point = rng.random() * self.cumulative[-1]
        return self.items[bisect.bisect_right(self.cumulative, point)]


def _zipf(items: Sequence[str], exponent: float) -> list[float]:
    return [1.0 / (rank + 1) ** exponent for rank in range(len(items))]


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _title(text: str) -> str:
    return "-".join(part[:1].upper() + part[1:] for part in text.split("-"))


class _NamePool:
    """Head names (real, common, Zipf-weighted) and tail names (syllables, rarer)."""

    def __init__(self, head: list[str], tail: list[list[str]], share: float, exponent: float):
        tail_names = sorted({_title("".join(parts).lower()) for parts in itertools.product(*tail)})
        tail_names = [name for name in tail_names if name not in head and len(name) > 2]
        head_weights = _zipf(head, exponent)
        tail_weights = _zipf(tail_names, 0.6)
        scale_head = share / sum(head_weights)
        scale_tail = (1 - share) / sum(tail_weights)
        self.pool = _Weighted(
            head + tail_names,
            [w * scale_head for w in head_weights] + [w * scale_tail for w in tail_weights],
        )

    def draw(self, rng: random.Random) -> str:
        return str(self.pool.draw(rng))


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible fictional data
        model = load_pack("identity", "synthetic")
        self.rates: dict[str, float] = model["errors"]
        self.model = model
        self.countries = _Weighted(list(model["countries"]), list(model["countries"].values()))
        sizes = model["records_per_person"]
        self.sizes = _Weighted([s for s, _ in sizes], [w for _, w in sizes])
        self.pools: dict[tuple[str, str], _NamePool] = {}
        self.areas: dict[str, list[dict[str, str]]] = {}
        for country, names in model["names"].items():
            share, exponent = model["head_share"], model["zipf_exponent"]
            for kind, tail in (("male", "given_tail"), ("female", "given_tail")):
                self.pools[(country, kind)] = _NamePool(names[kind], names[tail], share, exponent)
            self.pools[(country, "family")] = _NamePool(
                names["family"], names["family_tail"], share, exponent
            )
            self.areas[country] = load_pack("directory", country.lower())["admin1"]
        self.spellings: dict[str, list[str]] = {}
        for group in model["spellings"]:
            for name in group:
                self.spellings[name.lower()] = [other for other in group if other != name]
        self.rewrites = [(re.compile(p), r) for p, r in model["rewrites"]]
        kinds = [
            "birth_date_first_of_january",
            "birth_year_one_off",
            "birth_day_month_swapped",
            "birth_day_off",
        ]
        weights = [self.rates[kind] for kind in kinds]
        self.date_errors = _Weighted([*kinds, ""], [*weights, 1 - sum(weights)])

    # -- the person as they are ------------------------------------------------------------

    def entity(self, entity_id: int) -> Entity:
        rng = self.rng
        country = str(self.countries.draw(rng))
        sex = "male" if rng.random() < 0.55 else "female"
        given = [self.pools[(country, sex)].draw(rng)]
        if rng.random() < self.model["second_given_name"][country]:
            second = self.pools[(country, sex)].draw(rng)
            if second != given[0]:
                given.append(second)
        family = self.pools[(country, "family")].draw(rng)
        birth = None
        if rng.random() >= self.model["no_known_birth_date"]:
            age = rng.choice(
                [rng.randint(1, 17)] + [rng.randint(18, 45)] * 6 + [rng.randint(46, 75)]
            )
            birth = REFERENCE_DAY - timedelta(days=age * 365 + rng.randint(0, 364))
        area = rng.choice(
            self.areas[country][: 4 + rng.randint(0, 8)]
        )  # the first areas weigh more
        document = ""
        if rng.random() < self.model["document_holders"]:
            document = {
                "HT": f"{rng.choice('ABCDEFGH')}{rng.choice('ABCDEFGHJK')}"
                f"{rng.randint(0, 9_999_999):07d}",
                "CM": f"{rng.randint(100_000_000, 999_999_999)}",
                "BF": f"B{rng.randint(0, 9_999_999):07d}",
            }[country]
        return Entity(entity_id, country, sex, tuple(given), family, birth, area["name"], document)

    # -- the person as an officer writes them down -----------------------------------------

    def _variant(self, name: str) -> str:
        rng = self.rng
        known = self.spellings.get(name.lower())
        if known:
            return rng.choice(known)
        lowered = name.lower()
        applicable = [(p, r) for p, r in self.rewrites if p.search(lowered)]
        if not applicable:
            return name
        pattern, replacement = rng.choice(applicable)
        changed = pattern.sub(replacement, lowered, count=1)
        return _title(changed) if changed else name

    def _typo(self, name: str) -> str:
        rng = self.rng
        if len(name) < 3:
            return name
        at = rng.randint(1, len(name) - 1) if rng.random() < 0.85 else 0
        letters = "aeioubcdfghjklmnprstvwyz"
        operation = rng.randint(0, 3)
        if operation == 0:
            return name[:at] + rng.choice(letters) + name[at + 1 :]
        if operation == 1:
            return name[:at] + name[at + 1 :]
        if operation == 2:
            return name[:at] + rng.choice(letters) + name[at:]
        if at + 1 < len(name):
            return name[:at] + name[at + 1] + name[at] + name[at + 2 :]
        return name

    def written(self, name: str) -> str:
        """`name` as an officer may write it down: the model's spelling variants, typos,
        hyphens, accents and case."""
        rates, rng = self.rates, self.rng
        if rng.random() < rates["spelling_variant"]:
            name = self._variant(name)
        if rng.random() < rates["typo"]:
            name = self._typo(name)
        if "-" in name and rng.random() < rates["compound_hyphenated"]:
            name = name.replace("-", " ")
        if rng.random() < rates["accents_or_case"]:
            name = rng.choice([_strip_accents(name), name.upper(), _strip_accents(name).upper()])
        return name

    def _birth(self, born: date | None) -> str:
        rates, rng = self.rates, self.rng
        if born is None or rng.random() < rates["birth_date_missing"]:
            return ""
        error = self.date_errors.draw(rng)
        if error == "birth_date_first_of_january":
            born = date(born.year, 1, 1)
        elif error == "birth_year_one_off":
            born = born.replace(year=born.year + rng.choice((-1, 1)), day=min(born.day, 28))
        elif error == "birth_day_month_swapped" and born.day <= 12:
            born = date(born.year, born.day, born.month)
        elif error == "birth_day_off":
            born = born + timedelta(days=rng.choice((-2, -1, 1, 2)))
        return born.isoformat()

    def observe(self, entity: Entity, record_id: int) -> tuple[str, ...]:
        rates, rng = self.rates, self.rng
        given = list(entity.given)
        if len(given) > 1 and rng.random() < rates["second_given_dropped"]:
            given = given[:1]
        given_name = " ".join(self.written(name) for name in given)
        family_name = self.written(entity.family)
        if rng.random() < rates["given_family_swapped"]:
            given_name, family_name = family_name, given_name
        sex = {"male": "M", "female": "F"}[entity.sex]
        if rng.random() < rates["sex_unknown"]:
            sex = ""
        elif rng.random() < rates["sex_wrong"]:
            sex = {"M": "F", "F": "M"}[sex]
        origin = entity.origin
        if rng.random() < rates["origin_missing"]:
            origin = ""
        elif rng.random() < rates["origin_other"]:
            origin = rng.choice(self.areas[entity.country])["name"]
        elif rng.random() < rates["accents_or_case"]:
            origin = _strip_accents(origin).upper()
        document = ""
        if entity.document and rng.random() < rates["document_shown"]:
            document = entity.document
            if rng.random() < rates["document_typo"]:
                document = self._typo(document)
        return (
            str(record_id),
            given_name,
            family_name,
            sex,
            self._birth(entity.birth),
            origin,
            document,
            str(entity.entity_id),
        )

    def records(self, n: int) -> list[tuple[str, ...]]:
        """`n` records of invented persons, shuffled (the order says nothing about identity)."""
        out: list[tuple[str, ...]] = []
        entities: list[tuple[Entity, int]] = []
        total = 0
        while total < n:
            size = int(self.sizes.draw(self.rng))
            entities.append((self.entity(len(entities) + 1), size))
            total += size
        for entity, size in entities:
            for _ in range(size):
                if len(out) == n:
                    break
                out.append(self.observe(entity, 0))
        self.rng.shuffle(out)
        return [(str(number), *row[1:]) for number, row in enumerate(out, start=1)]


def generate_persons(n: int, seed: int) -> list[tuple[str, ...]]:
    return Generator(seed).records(n)


def write_persons(path: Path, n: int, seed: int) -> int:
    """Write `n` records to a CSV file with the header HEADER; `entity_id` is the truth."""
    rows = generate_persons(n, seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return len(rows)


def true_pairs(rows: Sequence[Sequence[str]]) -> Iterator[tuple[str, str]]:
    """Every pair of record ids that belong to one entity."""
    by_entity: dict[str, list[str]] = {}
    for row in rows:
        by_entity.setdefault(row[-1], []).append(row[0])
    for ids in by_entity.values():
        yield from itertools.combinations(sorted(ids, key=int), 2)
