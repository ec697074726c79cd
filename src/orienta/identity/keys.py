"""The blocking keys of a person, and of a query for candidates."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date

from orienta.identity.normalise import phonetic_tokens

MAX_TOKENS = 5  # beyond five name parts, the pairs add nothing but rows


def phone_key(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"t:{digits[-8:]}" if len(digits) >= 7 else ""


def name_keys(*names: str) -> list[str]:
    """Name keys: every phonetic word ("w:") and every unordered pair of words ("p:")."""
    words = sorted(set(phonetic_tokens(*names)))[:MAX_TOKENS]
    keys = [f"w:{word}" for word in words]
    keys += [f"p:{a}.{b}" for a, b in itertools.combinations(words, 2)]
    return keys


def person_keys(
    *,
    names: Iterable[str],
    birth_year: int | None,
    document_keys: Iterable[str] = (),
    phone: str = "",
) -> list[str]:
    names = list(names)
    keys = name_keys(*names)
    if birth_year:
        words = sorted(set(phonetic_tokens(*names)))[:MAX_TOKENS]
        keys += [f"y:{word}:{birth_year}" for word in words]
    keys += [f"d:{key}" for key in document_keys if key]
    if phone and (key := phone_key(phone)):
        keys.append(key)
    return sorted(set(keys))


def query_keys(
    *,
    names: Iterable[str],
    birth_date: date | None,
    document_keys: Iterable[str] = (),
    phone: str = "",
) -> list[str]:
    """What to look up for a new registration: name pairs, each name part with the birth year
    and the years either side (the common ±1 error), documents and phone. Single words alone
    are not looked up: "Jean" would bring back a tenth of the registry."""
    names = list(names)
    words = sorted(set(phonetic_tokens(*names)))[:MAX_TOKENS]
    keys = [f"p:{a}.{b}" for a, b in itertools.combinations(words, 2)]
    if birth_date is not None:
        for year in (birth_date.year - 1, birth_date.year, birth_date.year + 1):
            keys += [f"y:{word}:{year}" for word in words]
    keys += [f"d:{key}" for key in document_keys if key]
    if phone and (key := phone_key(phone)):
        keys.append(key)
    return sorted(set(keys))
