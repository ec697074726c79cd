"""Records in columns: what identity resolution compares, normalised once.

A registry row, a line of a CSV file and the person at the desk all become the same columns:
folded given and family names and their sounds (as numbers into a vocabulary of distinct
values), the phonetic keys of the name parts as 63-bit hashes, the date of birth split into
year, month and day (0 when unknown) with a flag for 1 January defaults, sex, folded origin and
document number. Blocking and scoring work on these columns with numpy, so one million records
are handled in seconds, and one person at the desk goes through the same code.

Normalising is done once per distinct spelling (names repeat a great deal), not once per row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

import numpy as np

from orienta.identity.normalise import fold, phonetic, tokens

MAX_WORDS = 4  # name parts kept per record for blocking; more add rows, not recall


class RawRecord(NamedTuple):
    """One record as it comes: from the registry, a file or the registration form."""

    record_id: Any
    given_name: str
    family_name: str
    sex: str = ""  # "M"/"male", "F"/"female", anything else unknown
    birth_date: date | None = None
    origin: str = ""
    document_number: str = ""
    group: Any = None  # records are compared only within one group (an organisation)


def stable_hash(text: str) -> int:
    """A 63-bit hash that is the same in every process and on every machine (Python's own
    `hash` is salted per process): keys are stored in the database."""
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


_SEX = {"m": 1, "male": 1, "h": 1, "homme": 1, "f": 2, "female": 2, "femme": 2}


def sex_code(value: str) -> int:
    return _SEX.get((value or "").strip().lower(), 0)


def document_key(number: str) -> str:
    """Upper-case letters and digits only: "ab-123 45" and "AB12345" are one document."""
    return "".join(ch for ch in (number or "").upper() if ch.isalnum())


class Vocabulary:
    """Distinct values and their numbers; number 0 is the empty value."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {"": 0}
        self.values: list[str] = [""]
        self._words = np.zeros(1, dtype=np.int16)

    def word_counts(self, numbers: np.ndarray) -> np.ndarray:
        """How many words each of the values of `numbers` has (0 for the empty value)."""
        if len(self._words) != len(self.values):  # values were added since
            self._words = np.fromiter(
                (value.count(" ") + 1 if value else 0 for value in self.values),
                np.int16,
                len(self.values),
            )
        return self._words[numbers]

    def number(self, value: str) -> int:
        found = self.numbers.get(value)
        if found is None:
            found = self.numbers[value] = len(self.values)
            self.values.append(value)
        return found

    def texts(self, numbers: np.ndarray) -> np.ndarray:
        """The values of `numbers`, as an array of str objects (what rapidfuzz takes)."""
        return np.asarray(self.values, dtype=object)[numbers]


def _name_columns(
    columns: list[list[str]], names: Vocabulary, sounds: Vocabulary
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """For each raw spelling of each column: its folded name and sound numbers, and per word
    (MAX_WORDS columns, 0 where there is no word) its phonetic hash, its initial and the hash of
    its first three letters. Computed once per distinct spelling, whatever the column (Joseph
    is a given and a family name), then spread to the rows with numpy."""
    spellings: dict[str, int] = {}
    positions = [
        np.fromiter(
            (spellings.setdefault(value or "", len(spellings)) for value in raw),
            np.int64,
            len(raw),
        )
        for raw in columns
    ]
    folded = np.zeros(len(spellings), dtype=np.int32)
    sound = np.zeros(len(spellings), dtype=np.int32)
    words = np.zeros((len(spellings), MAX_WORDS), dtype=np.int64)
    initials = np.zeros((len(spellings), MAX_WORDS), dtype=np.int64)
    prefixes = np.zeros((len(spellings), MAX_WORDS), dtype=np.int64)
    hashes: dict[str, int] = {}

    def hashed(text: str) -> int:
        found = hashes.get(text)
        if found is None:
            found = hashes[text] = stable_hash(text)
        return found

    for spelling, at in spellings.items():
        parts = tokens(spelling)
        keys = [phonetic(part) for part in parts]
        folded[at] = names.number(" ".join(parts))
        sound[at] = sounds.number(" ".join(sorted(key for key in keys if key)))
        seen = 0
        for part, key in zip(parts, keys, strict=True):
            if not key or seen == MAX_WORDS:
                continue
            words[at, seen] = hashed("s:" + key)
            initials[at, seen] = ord(part[0])
            prefixes[at, seen] = hashed("p:" + part[:3])
            seen += 1
    return [
        (
            folded[position],
            sound[position],
            words[position],
            initials[position],
            prefixes[position],
        )
        for position in positions
    ]


def _merge_words(words: list[np.ndarray], *aligned: list[np.ndarray]) -> tuple[np.ndarray, ...]:
    """The distinct words of given and family names together, in hash order (so that the
    order of the names does not matter), at most MAX_WORDS, zeros last; with each `aligned`
    column (initials, prefixes) kept beside its word."""
    top = np.iinfo(np.int64).max
    allwords = np.concatenate(words, axis=1)
    extras = [np.concatenate(columns, axis=1) for columns in aligned]
    # Zeros sort last; a word seen twice (Joseph Joseph) keeps one place.
    sortable = np.where(allwords == 0, top, allwords)
    order = np.argsort(sortable, axis=1, kind="stable")
    sortable = np.take_along_axis(sortable, order, axis=1)
    extras = [np.take_along_axis(extra, order, axis=1) for extra in extras]
    repeated = np.zeros_like(sortable, dtype=bool)
    repeated[:, 1:] = sortable[:, 1:] == sortable[:, :-1]
    sortable[repeated] = top
    order = np.argsort(sortable, axis=1, kind="stable")[:, :MAX_WORDS]
    kept = np.take_along_axis(sortable, order, axis=1)
    kept_extras = [np.take_along_axis(extra, order, axis=1) for extra in extras]
    empty = kept == top
    kept[empty] = 0
    for extra in kept_extras:
        extra[empty] = 0
    return (kept, *kept_extras)


@dataclass
class Records:
    """Columns of n records. `words` holds, per record, the phonetic hashes of up to MAX_WORDS
    name parts (given and family together, in hash order, 0 for none): the order-insensitive
    view that survives given and family names written the other way round."""

    ids: list[Any]
    group: np.ndarray  # int64, a hash of the group, 0 when there is none
    given: np.ndarray  # int32 numbers into `names`
    family: np.ndarray
    given_sound: np.ndarray  # int32 numbers into `sounds`
    family_sound: np.ndarray
    words: np.ndarray  # int64 (n, MAX_WORDS)
    initials: np.ndarray  # int64 (n, MAX_WORDS): first letter of the word in the same place
    prefixes: np.ndarray  # int64 (n, MAX_WORDS): hash of the word's first three letters
    year: np.ndarray  # int16, 0 when unknown
    month: np.ndarray  # int8
    day: np.ndarray  # int8
    first_january: np.ndarray  # bool: 1 January, the usual default for an unknown day
    sex: np.ndarray  # int8: 0 unknown, 1 male, 2 female
    origin: np.ndarray  # int32 numbers into `origins`
    document: np.ndarray  # int32 numbers into `documents`
    names: Vocabulary
    sounds: Vocabulary
    origins: Vocabulary
    documents: Vocabulary

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_raw(cls, rows: Iterable[RawRecord]) -> Records:
        rows = list(rows)
        n = len(rows)
        names, sounds, origins, documents = Vocabulary(), Vocabulary(), Vocabulary(), Vocabulary()
        (
            (given, given_sound, given_words, given_initials, given_prefixes),
            (family, family_sound, family_words, family_initials, family_prefixes),
        ) = _name_columns(
            [[row.given_name for row in rows], [row.family_name for row in rows]], names, sounds
        )
        words, initials, prefixes = _merge_words(
            [given_words, family_words],
            [given_initials, family_initials],
            [given_prefixes, family_prefixes],
        )
        year = np.zeros(n, dtype=np.int16)
        month = np.zeros(n, dtype=np.int8)
        day = np.zeros(n, dtype=np.int8)
        for i, row in enumerate(rows):
            if row.birth_date is not None:
                born = row.birth_date
                year[i], month[i], day[i] = born.year, born.month, born.day
        folded_origins: dict[str, int] = {}

        def origin_number(value: str) -> int:
            found = folded_origins.get(value)
            if found is None:
                found = folded_origins[value] = origins.number(fold(value))
            return found

        numbered_documents: dict[str, int] = {}

        def document_number(value: str) -> int:
            found = numbered_documents.get(value)
            if found is None:
                found = numbered_documents[value] = documents.number(document_key(value))
            return found

        groups: dict[Any, int] = {None: 0}

        def group_number(value: Any) -> int:
            found = groups.get(value)
            if found is None:
                found = groups[value] = stable_hash(f"g:{value}")
            return found

        return cls(
            ids=[row.record_id for row in rows],
            group=np.fromiter((group_number(row.group) for row in rows), np.int64, n),
            given=given,
            family=family,
            given_sound=given_sound,
            family_sound=family_sound,
            words=words,
            initials=initials,
            prefixes=prefixes,
            year=year,
            month=month,
            day=day,
            first_january=(month == 1) & (day == 1),
            sex=np.fromiter((sex_code(row.sex) for row in rows), np.int8, n),
            origin=np.fromiter((origin_number(row.origin or "") for row in rows), np.int32, n),
            document=np.fromiter(
                (document_number(row.document_number or "") for row in rows), np.int32, n
            ),
            names=names,
            sounds=sounds,
            origins=origins,
            documents=documents,
        )

    def take(self, index: Sequence[int] | np.ndarray) -> Records:
        """The records at `index`, in that order (sharing the vocabularies)."""
        picks = np.asarray(index, dtype=np.int64)
        columns = {
            name: getattr(self, name)[picks]
            for name in (
                "group",
                "given",
                "family",
                "given_sound",
                "family_sound",
                "words",
                "initials",
                "prefixes",
                "year",
                "month",
                "day",
                "first_january",
                "sex",
                "origin",
                "document",
            )
        }
        return Records(
            ids=[self.ids[i] for i in picks],
            names=self.names,
            sounds=self.sounds,
            origins=self.origins,
            documents=self.documents,
            **columns,
        )
