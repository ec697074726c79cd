"""The blocking keys of a person, and of a query for candidates.

A look-up must be a handful of index hits even when names are common (one phonetic key of the
common Haitian given and family names can hold tens of thousands of persons). So the keys that
registration looks up combine two name parts *with* the year of birth ("y:"), which stays
selective; persons registered without a date of birth get the pair alone ("n:"), and so does a
query without one. Single words ("w:") and bare pairs ("p:") serve the case list's search.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date

from orienta.identity.normalise import phonetic_tokens

MAX_TOKENS = 5  # beyond five name parts, the pairs add nothing but rows


def phone_key(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"t:{digits[-8:]}" if len(digits) >= 7 else ""


def _words(names: Iterable[str]) -> list[str]:
    return sorted(set(phonetic_tokens(*names)))[:MAX_TOKENS]


def _pairs(words: list[str]) -> list[str]:
    pairs = [f"{a}.{b}" for a, b in itertools.combinations(words, 2)]
    return pairs or words  # a one-word name is its own "pair"


def name_keys(*names: str) -> list[str]:
    """Search keys: every phonetic word ("w:") and every unordered pair of words ("p:")."""
    words = _words(names)
    return [f"w:{word}" for word in words] + [
        f"p:{a}.{b}" for a, b in itertools.combinations(words, 2)
    ]


def _other_keys(document_keys: Iterable[str], phone: str) -> list[str]:
    keys = [f"d:{key}" for key in document_keys if key]
    if phone and (key := phone_key(phone)):
        keys.append(key)
    return keys


def person_keys(
    *,
    names: Iterable[str],
    birth_year: int | None,
    document_keys: Iterable[str] = (),
    phone: str = "",
) -> list[str]:
    names = list(names)
    words = _words(names)
    keys = name_keys(*names)
    if birth_year:
        keys += [f"y:{pair}:{birth_year}" for pair in _pairs(words)]
    else:
        keys += [f"n:{pair}" for pair in _pairs(words)]
    keys += _other_keys(document_keys, phone)
    return sorted(set(keys))


def query_keys(
    *,
    names: Iterable[str],
    birth_date: date | None,
    document_keys: Iterable[str] = (),
    phone: str = "",
) -> list[str]:
    """What to look up for a new registration: each pair of name parts with the year of birth
    and the years either side (the common ±1 error; a day/month swap or a 1 January default
    keeps the year), the same pairs among persons registered without a date of birth,
    documents and phone. Without a date of birth, the bare pairs."""
    pairs = _pairs(_words(names))
    if birth_date is None:
        keys = [f"p:{pair}" for pair in pairs if "." in pair]
    else:
        years = (birth_date.year - 1, birth_date.year, birth_date.year + 1)
        keys = [f"y:{pair}:{year}" for pair in pairs for year in years]
        keys += [f"n:{pair}" for pair in pairs]
    keys += _other_keys(document_keys, phone)
    return sorted(set(keys))
