"""Blocking keys: which records are worth comparing at all.

Comparing every record with every other is impossible at a million records, and comparing only
records with the same phonetic name explodes on the common names (Jean Joseph) while missing
every record with a typo or with given and family names swapped. Each key below combines name
parts with a date or place part, so that it stays selective for common names; their union
reaches the true pairs that any one of them misses:

- `PAIR_YEAR`: two name parts (in any order) and the year of birth, in two-year buckets so that
  a year written one off still meets (a record is in the bucket of its year and of the next);
- `WORD_DATE`: one name part and the whole date of birth with day and month in either order
  (a typo in the other name part, or a day and month swapped), unless the date is 1 January,
  the usual default for an unknown day;
- `PREFIX_DATE`: the same with the first three letters of a name part as written, for the
  spellings that phonetic rules put apart (a typo near the end, a final letter dropped);
- `WORD_INITIAL_YEAR`: one name part, the initial of another, the year of birth and sex (a
  typo in the other part, a date not quite right);
- `PAIR_ORIGIN`: two name parts and the place of origin, for records without a date of birth;
- `WORD_DAY`: one name part and the day and month of birth, any year (a typo in the other name
  and a year written one off);
- `WORD_INITIAL_ORIGIN`: one name part, the initial of another and the origin (a typo and no
  date);
- `PAIR`: two name parts alone (neither date nor origin to go by);
- `DOCUMENT`: the document number.

`WORD` and `PAIR` keys, with no date or place, serve the case list's name search; `DATE` (the
date of birth alone) and `PAIR` bring together the pairs the model is trained on.

Keys are 63-bit integers mixed from the parts' hashes, computed for many records at once with
numpy: the batch deduplication, the registry's key index and the look-up of a person at the
desk all call `keys()` and cannot disagree.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from enum import IntEnum

import numpy as np

from orienta.identity.records import MAX_WORDS, RawRecord, Records, Vocabulary, stable_hash


class Kind(IntEnum):
    PAIR_YEAR = 1
    WORD_DATE = 2
    PAIR_ORIGIN = 3
    DOCUMENT = 4
    WORD = 5
    PAIR = 6
    WORD_INITIAL_YEAR = 7
    DATE = 8
    PREFIX_DATE = 9
    WORD_DAY = 10
    WORD_INITIAL_ORIGIN = 11


# What a person at the desk is looked up by: keys that stay selective, a few index entries
# each (a look-up reads at most a couple of hundred per key, see candidates.py).
ONLINE = (
    Kind.PAIR_YEAR,
    Kind.WORD_DATE,
    Kind.PREFIX_DATE,
    Kind.WORD_INITIAL_YEAR,
    Kind.PAIR_ORIGIN,
    Kind.PAIR,
    Kind.DOCUMENT,
)
# What the batch resolution compares: wider keys (a name part with the day and month, or with
# the initial of another and the origin), which reach the true pairs the online keys miss at
# the price of many more pairs, and without the keys they make redundant. Measured in
# docs/performance.md.
BLOCKING = (
    Kind.PREFIX_DATE,
    Kind.WORD_INITIAL_YEAR,
    Kind.PAIR_ORIGIN,
    Kind.PAIR,
    Kind.DOCUMENT,
    Kind.WORD_DAY,
    Kind.WORD_INITIAL_ORIGIN,
)
SEARCH = (Kind.WORD, Kind.PAIR)
# What the registry's key index holds: the keys a person at the desk is looked up by, and the
# words and pairs of words the case list's name search needs.
STORED = (*ONLINE, Kind.WORD)

_PRIME = np.uint64(0x100000001B3)
_OFFSET = np.uint64(0xCBF29CE484222325)
_PAIRS = list(itertools.combinations(range(MAX_WORDS), 2))


def _mix(kind: Kind, group: np.ndarray, *parts: np.ndarray) -> np.ndarray:
    """One key per row from its parts (FNV-style multiply and xor, then a final avalanche)."""
    value = np.full(len(group), _OFFSET ^ np.uint64(int(kind)), dtype=np.uint64)
    for part in (group, *parts):
        value = (value ^ part.astype(np.uint64)) * _PRIME
        value ^= value >> np.uint64(29)
    return (value >> np.uint64(1)).astype(np.int64)


def _hashed(numbers: np.ndarray, vocabulary: Vocabulary) -> np.ndarray:
    """The stable hash of each record's value (0 for none): vocabulary numbers differ from one
    set of records to another, hashes do not."""
    table = np.array([stable_hash(v) if v else 0 for v in vocabulary.values], dtype=np.int64)
    return table[numbers]


def keys(records: Records, kinds: Sequence[Kind]) -> tuple[np.ndarray, np.ndarray]:
    """(row, key) for every key of every record: `row` indexes `records`. A record without a
    key of some kind (no date, no origin…) simply has none of that kind."""
    rows: list[np.ndarray] = []
    out: list[np.ndarray] = []
    everyone = np.arange(len(records), dtype=np.int64)
    group, words, year = records.group, records.words, records.year.astype(np.int64)

    def emit(mask: np.ndarray, key: np.ndarray) -> None:
        rows.append(everyone[mask])
        out.append(key[mask])

    if Kind.PAIR_YEAR in kinds:
        for a, b in _PAIRS:
            present = (words[:, a] != 0) & (words[:, b] != 0) & (year > 0)
            emit(present, _mix(Kind.PAIR_YEAR, group, words[:, a], words[:, b], year // 2))
            # An odd year is also in the next bucket: 1990 meets 1989 and 1991.
            odd = present & (year % 2 == 1)
            emit(odd, _mix(Kind.PAIR_YEAR, group, words[:, a], words[:, b], (year + 1) // 2))
    if Kind.WORD_DATE in kinds:
        month, day = records.month.astype(np.int64), records.day.astype(np.int64)
        low, high = np.minimum(month, day), np.maximum(month, day)
        dated = (year > 0) & ~records.first_january
        for a in range(MAX_WORDS):
            present = dated & (words[:, a] != 0)
            emit(present, _mix(Kind.WORD_DATE, group, words[:, a], year, low, high))
    if Kind.PREFIX_DATE in kinds:
        month, day = records.month.astype(np.int64), records.day.astype(np.int64)
        low, high = np.minimum(month, day), np.maximum(month, day)
        dated = (year > 0) & ~records.first_january
        for a in range(MAX_WORDS):
            present = dated & (records.prefixes[:, a] != 0)
            for earlier in range(a):  # Jean Jeune: one prefix, one key
                present &= records.prefixes[:, earlier] != records.prefixes[:, a]
            emit(present, _mix(Kind.PREFIX_DATE, group, records.prefixes[:, a], year, low, high))
    if Kind.WORD_DAY in kinds:
        month, day = records.month.astype(np.int64), records.day.astype(np.int64)
        low, high = np.minimum(month, day), np.maximum(month, day)
        dated = (year > 0) & ~records.first_january
        for a in range(MAX_WORDS):
            present = dated & (words[:, a] != 0)
            emit(present, _mix(Kind.WORD_DAY, group, words[:, a], low, high))
    if Kind.WORD_INITIAL_ORIGIN in kinds:
        origin = _hashed(records.origin, records.origins)
        initials = records.initials
        for a, b in itertools.permutations(range(MAX_WORDS), 2):
            present = (words[:, a] != 0) & (words[:, b] != 0) & (origin != 0)
            for earlier in range(b):
                if earlier != a:
                    present &= initials[:, earlier] != initials[:, b]
            key = _mix(Kind.WORD_INITIAL_ORIGIN, group, words[:, a], initials[:, b], origin)
            emit(present, key)
    if Kind.WORD_INITIAL_YEAR in kinds:
        initials, sex = records.initials, records.sex.astype(np.int64)
        for a, b in itertools.permutations(range(MAX_WORDS), 2):
            present = (words[:, a] != 0) & (words[:, b] != 0) & (year > 0)
            # Two other words with one initial (Pierre Paul) give one key, not two.
            for earlier in range(b):
                if earlier != a:
                    present &= initials[:, earlier] != initials[:, b]
            emit(
                present,
                _mix(Kind.WORD_INITIAL_YEAR, group, words[:, a], initials[:, b], year, sex),
            )
    if Kind.PAIR_ORIGIN in kinds:
        origin = _hashed(records.origin, records.origins)
        for a, b in _PAIRS:
            present = (words[:, a] != 0) & (words[:, b] != 0) & (origin != 0)
            emit(present, _mix(Kind.PAIR_ORIGIN, group, words[:, a], words[:, b], origin))
    if Kind.DOCUMENT in kinds:
        document = _hashed(records.document, records.documents)
        emit(document != 0, _mix(Kind.DOCUMENT, group, document))
    if Kind.DATE in kinds:
        month, day = records.month.astype(np.int64), records.day.astype(np.int64)
        emit((year > 0) & ~records.first_january, _mix(Kind.DATE, group, year, month, day))
    if Kind.WORD in kinds:
        for a in range(MAX_WORDS):
            emit(words[:, a] != 0, _mix(Kind.WORD, group, words[:, a]))
    if Kind.PAIR in kinds:
        for a, b in _PAIRS:
            present = (words[:, a] != 0) & (words[:, b] != 0)
            emit(present, _mix(Kind.PAIR, group, words[:, a], words[:, b]))
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(rows), np.concatenate(out)


def search_keys(text: str) -> list[int]:
    """The keys a name search looks for, all of which a person must have: every pair of the
    words of `text` (any order, by sound), or its one word."""
    records = Records.from_raw([RawRecord(0, text, "")])
    _rows, found = keys(records, [Kind.PAIR])
    if not len(found):
        _rows, found = keys(records, [Kind.WORD])
    return sorted(set(found.tolist()))


# Per kind: (block limit, window). A block above its limit (a very common name with a common
# year, say) is not compared all against all: its records, ordered by their names, are compared
# with their `window` nearest neighbours only (none when the window is 0).
LIMITS: dict[Kind, tuple[int, int]] = {
    Kind.PAIR_YEAR: (100, 8),
    Kind.WORD_DATE: (100, 8),
    Kind.WORD_INITIAL_YEAR: (100, 8),
    Kind.PAIR_ORIGIN: (100, 8),
    Kind.PAIR: (100, 8),
    Kind.DOCUMENT: (100, 8),
    Kind.DATE: (100, 8),
    Kind.PREFIX_DATE: (100, 8),
    Kind.WORD_DAY: (100, 8),
    Kind.WORD_INITIAL_ORIGIN: (100, 8),
}


def candidate_pairs(
    records: Records, kinds: Sequence[Kind] = BLOCKING
) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of records (i < j) sharing a blocking key of `kinds`, once, as two arrays of
    record indexes."""
    n = len(records)
    orders: list[np.ndarray] = []
    found = [_kind_pairs(records, kind, orders) for kind in kinds]
    found = [codes for codes in found if len(codes)]
    if not found:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    code = _distinct(np.concatenate(found)) if len(found) > 1 else found[0]
    del found
    # Tens of millions of pairs at a million records: 32-bit indexes halve their memory.
    index = np.int32 if n < 2**31 else np.int64
    return (code // n).astype(index), (code % n).astype(index)


def _kind_pairs(records: Records, kind: Kind, orders: list[np.ndarray]) -> np.ndarray:
    """The distinct pairs one kind of key brings together, as codes i * n + j (i < j).
    `orders` holds the neighbour orders once computed (for the next kind)."""
    n = len(records)
    row, key = keys(records, [kind])
    if len(row) < 2:
        return np.zeros(0, dtype=np.int64)
    limit, window = LIMITS[kind]
    order = np.argsort(key, kind="stable")
    row, key = row[order], key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    sizes = np.diff(np.r_[starts, len(key)])
    codes: list[np.ndarray] = []
    # Small blocks, all against all: the blocks of one size at once.
    for size in np.unique(sizes[(sizes > 1) & (sizes <= limit)]):
        first = starts[sizes == size]
        left, right = np.triu_indices(int(size), k=1)
        codes.append(_codes(row[first[:, None] + left], row[first[:, None] + right], n).ravel())
    large = sizes > limit
    if window and large.any():
        if not orders:
            orders.extend(_neighbour_orders(records))
        members = np.concatenate(
            [np.arange(s, s + z) for s, z in zip(starts[large], sizes[large], strict=True)]
        )
        block = np.repeat(np.arange(large.sum()), sizes[large])
        for rank in orders:
            ordered = members[np.lexsort((rank[row[members]], block))]
            for offset in range(1, window + 1):
                same = block[offset:] == block[:-offset]
                codes.append(_codes(row[ordered[:-offset][same]], row[ordered[offset:][same]], n))
    return _distinct(np.concatenate(codes)) if codes else np.zeros(0, dtype=np.int64)


def _codes(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    differ = a != b  # a record never pairs with itself, whatever its keys
    a, b = a[differ], b[differ]
    return np.minimum(a, b) * np.int64(n) + np.maximum(a, b)


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values, sorting `values` in place (numpy's `unique` takes a hash path
    that is many times slower on tens of millions of integers, and copies)."""
    if not len(values):
        return values
    values.sort()
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def _neighbour_orders(records: Records) -> list[np.ndarray]:
    """The orders in which a large block's records meet their neighbours (sorted
    neighbourhood, one pass per order): by name as written; by day and month of birth, then
    year (a year written one off); by date of birth (a day or two off). Records of one
    person that a block of a very common name holds far apart come close in one of them."""
    texts = records.names.values
    names = np.asarray(
        [f"{texts[f]} {texts[g]}" for f, g in zip(records.family, records.given, strict=True)]
    )
    by_name = np.empty(len(names), dtype=np.int64)
    by_name[np.argsort(names, kind="stable")] = np.arange(len(names))
    year, month, day = (c.astype(np.int64) for c in (records.year, records.month, records.day))
    low, high = np.minimum(month, day), np.maximum(month, day)
    by_day = (low * 32 + high) * 10_000 + year
    by_date = (year * 13 + month) * 32 + day
    return [by_name, by_day, by_date]
