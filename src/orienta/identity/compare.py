"""Comparing two records field by field: the agreement level of each field, for many pairs at
once.

Each comparison has ordered levels, from 0 (disagree) up; -1 means the field is missing on
either side and counts neither for nor against. The levels are what the probabilistic model
weighs, and what a supervisor reads in the explanation of a score.

Given and family names are compared after aligning them: when a record has them the other way
round (a frequent mistake with Haitian names such as Pierre Joseph), the crossed comparison is
taken. String similarity is Jaro-Winkler from rapidfuzz, run on all pairs at once and on both
cores.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, JaroWinkler

from orienta.identity.records import Records, Vocabulary

MISSING = -1


@dataclass(frozen=True)
class Comparison:
    name: str
    label: Promise
    levels: tuple[Promise, ...]  # level 0 first
    # Levels whose weight depends on how common the agreeing value is (term frequency).
    frequency_levels: tuple[int, ...] = ()


NAME_LEVELS = (
    _("different"),
    _("somewhat similar"),
    _("very similar or one contains the other"),
    _("sound alike"),
    _("same spelling"),
)
COMPARISONS = (
    Comparison("given", _("Given names"), NAME_LEVELS, frequency_levels=(3, 4)),
    Comparison("family", _("Family name"), NAME_LEVELS, frequency_levels=(3, 4)),
    Comparison(
        "birth",
        _("Date of birth"),
        (
            _("far apart"),
            _("within two years"),
            _("same year"),
            _("one year or a few days apart"),
            _("day and month swapped"),
            _("same date"),
        ),
    ),
    Comparison("sex", _("Sex"), (_("different"), _("same"))),
    Comparison(
        "origin",
        _("Place of origin"),
        (_("different"), _("spelt almost alike"), _("same")),
        frequency_levels=(2,),
    ),
    Comparison(
        "document", _("Document number"), (_("different"), _("one character apart"), _("same"))
    ),
)
BY_NAME = {comparison.name: comparison for comparison in COMPARISONS}


def describe(explanation: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An explanation (Model.explain) in words, in the reader's language: each field's label
    and level ("Date of birth: day and month swapped") with the bits it added; the fields
    missing on either side are left out."""
    rows = []
    for row in explanation:
        comparison = BY_NAME[row["field"]]
        if row["level"] < 0:
            continue
        rows.append(
            {
                "field": comparison.label,
                "level": comparison.levels[row["level"]],
                "bits": row["bits"],
                "code": f"{row['field']}:{row['level']}",
            }
        )
    return rows


UNRESOLVED = -2  # names that agree neither as spelt nor by sound: level 0, 1 or 2
UNCOMPARED = -3  # names not compared yet: any level


@dataclass
class Compared:
    """The levels of each comparison for pairs (records[left[i]], records[right[i]]) and, for
    the levels weighed by term frequency, the share of records holding the left side's value."""

    left: np.ndarray
    right: np.ndarray
    levels: dict[str, np.ndarray]  # int8, MISSING where a side has no value
    shares: dict[str, np.ndarray]  # "given:4" → float per pair
    swapped: np.ndarray  # bool: given and family names compared crosswise

    def __len__(self) -> int:
        return len(self.swapped)

    def subset(self, keep: np.ndarray) -> Compared:
        return Compared(
            left=self.left[keep],
            right=self.right[keep],
            levels={k: v[keep] for k, v in self.levels.items()},
            shares={k: v[keep] for k, v in self.shares.items()},
            swapped=self.swapped[keep],
        )


def _similarity(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    if not len(left):
        return np.zeros(0, dtype=np.float32)
    return process.cpdist(left, right, scorer=JaroWinkler.normalized_similarity, workers=-1)


def _agreement(left: np.ndarray, right: np.ndarray, ls: np.ndarray, rs: np.ndarray) -> np.ndarray:
    """Name levels on numbers alone: same spelling (4), same sound (3), missing, or
    UNRESOLVED."""
    levels = np.full(len(left), UNRESOLVED, dtype=np.int8)
    levels[(ls == rs) & (ls != 0)] = 3
    levels[(left == right) & (left != 0)] = 4
    levels[(left == 0) | (right == 0)] = MISSING
    return levels


def _resolve_names(
    left: np.ndarray, right: np.ndarray, levels: np.ndarray, names: Vocabulary
) -> None:
    """Fill in the UNRESOLVED levels from the spellings: very similar or one containing the
    other's words (2), somewhat similar (1), different (0)."""
    rest = np.flatnonzero(levels == UNRESOLVED)
    if not len(rest):
        return
    texts_left, texts_right = names.texts(left[rest]), names.texts(right[rest])
    similarity = _similarity(texts_left, texts_right)
    close = similarity >= 0.92
    unsure = np.flatnonzero(~close)
    # Two one-word names contain each other's words only when they are the same spelling,
    # which is level 4 already: only names of several words need the costlier check.
    several = names.word_counts(left[rest][unsure]) > 1
    several |= names.word_counts(right[rest][unsure]) > 1
    unsure = unsure[several]
    if len(unsure):
        # "Jean" and "Jean Pierre": one name contains the other's words.
        contained = process.cpdist(
            texts_left[unsure], texts_right[unsure], scorer=fuzz.token_set_ratio, workers=-1
        )
        close[unsure] = contained >= 100
    levels[rest] = np.where(close, 2, np.where(similarity >= 0.80, 1, 0))


def _birth_levels(records: Records, li: np.ndarray, ri: np.ndarray) -> np.ndarray:
    y1, y2 = records.year[li].astype(np.int32), records.year[ri].astype(np.int32)
    m1, m2 = records.month[li].astype(np.int32), records.month[ri].astype(np.int32)
    d1, d2 = records.day[li].astype(np.int32), records.day[ri].astype(np.int32)
    default = records.first_january[li] | records.first_january[ri]
    years = np.abs(y1 - y2)
    same_day = (m1 == m2) & (d1 == d2)
    levels = np.where(years <= 2, 1, 0).astype(np.int8)
    levels[years == 0] = 2
    near = ((years == 1) & same_day) | ((years == 0) & (m1 == m2) & (np.abs(d1 - d2) <= 2))
    levels[near & ~default] = 3
    levels[(years == 0) & (m1 == d2) & (d1 == m2) & (m1 != d1) & ~default] = 4
    levels[(years == 0) & same_day & ~default] = 5
    levels[(y1 == 0) | (y2 == 0)] = MISSING
    return levels


def _equal_levels(left: np.ndarray, right: np.ndarray, top: int = 1) -> np.ndarray:
    levels = np.where(left == right, top, 0).astype(np.int8)
    levels[(left == 0) | (right == 0)] = MISSING
    return levels


def frequency_columns(records: Records) -> dict[str, tuple[np.ndarray, Vocabulary]]:
    """The value each frequency-adjusted level is weighed by, per record: the spelling for
    "same spelling", the sound for "sound alike", the origin for "same"."""
    return {
        "given:4": (records.given, records.names),
        "given:3": (records.given_sound, records.sounds),
        "family:4": (records.family, records.names),
        "family:3": (records.family_sound, records.sounds),
        "origin:2": (records.origin, records.origins),
    }


def compare(
    records: Records,
    li: np.ndarray,
    ri: np.ndarray,
    shares: dict[str, np.ndarray] | None = None,
    worth: Callable[[Compared], np.ndarray] | None = None,
) -> Compared:
    """The levels of every comparison for the pairs (records[li[k]], records[ri[k]]).

    `shares` holds, per record, the share of records with its value for each
    frequency-adjusted level (see `frequency_columns`). `worth`, given the comparison as far as
    numbers go (names UNRESOLVED unless they agree), says which pairs deserve the string
    comparisons: the others are dropped from the result (see Model.could_match). It is asked
    twice: first before the names are looked at (most blocked pairs of a common name were born
    years apart and cannot match, whatever their names), then with the names' agreement on
    numbers."""
    share_of = {key: column[li] for key, column in (shares or {}).items()}
    dl, dr = records.document[li], records.document[ri]
    document = _equal_levels(dl, dr, top=2)
    sex_left, sex_right = records.sex[li], records.sex[ri]
    sex = np.where(sex_left == sex_right, 1, 0).astype(np.int8)
    sex[(sex_left == 0) | (sex_right == 0)] = MISSING
    uncompared = np.full(len(li), UNCOMPARED, dtype=np.int8)
    compared = Compared(
        left=li,
        right=ri,
        levels={
            "given": uncompared,
            "family": uncompared.copy(),
            "birth": _birth_levels(records, li, ri),
            "sex": sex,
            "origin": _equal_levels(records.origin[li], records.origin[ri], top=2),
            "document": document,
        },
        shares=share_of,
        swapped=np.zeros(len(li), dtype=bool),
    )
    if worth is not None:
        compared = compared.subset(np.flatnonzero(worth(compared)))
        li, ri = compared.left, compared.right
    gl, fl, gr, fr = records.given[li], records.family[li], records.given[ri], records.family[ri]
    gsl, fsl = records.given_sound[li], records.family_sound[li]
    gsr, fsr = records.given_sound[ri], records.family_sound[ri]
    given, family = _agreement(gl, gr, gsl, gsr), _agreement(fl, fr, fsl, fsr)
    crossed_given, crossed_family = _agreement(gl, fr, gsl, fsr), _agreement(fl, gr, fsl, gsr)
    # Given and family names the other way round: when the crossed reading agrees on more.
    swapped = (np.maximum(crossed_given, 0) + np.maximum(crossed_family, 0)) > (
        np.maximum(given, 0) + np.maximum(family, 0)
    )
    compared.levels["given"] = np.where(swapped, crossed_given, given)
    compared.levels["family"] = np.where(swapped, crossed_family, family)
    compared.swapped = swapped
    if worth is not None:
        compared = compared.subset(np.flatnonzero(worth(compared)))
    _finish(records, compared)
    return compared


def _finish(records: Records, compared: Compared) -> None:
    """The string comparisons: names that agree neither as spelt nor by sound (both ways round
    when neither reading agrees at all), places of origin spelt almost alike, and document
    numbers one character apart (a character wrong, missing, added, or two swapped)."""
    names = records.names
    li, ri, levels, swapped = compared.left, compared.right, compared.levels, compared.swapped
    doubt = np.flatnonzero((levels["given"] == UNRESOLVED) & (levels["family"] == UNRESOLVED))
    if len(doubt):
        g1, f1 = names.texts(records.given[li[doubt]]), names.texts(records.family[li[doubt]])
        g2, f2 = names.texts(records.given[ri[doubt]]), names.texts(records.family[ri[doubt]])
        direct = _similarity(g1, g2) + _similarity(f1, f2)
        crossed = _similarity(g1, f2) + _similarity(f1, g2)
        swapped[doubt] = crossed > direct + 0.05
    given_right = np.where(swapped, records.family[ri], records.given[ri])
    family_right = np.where(swapped, records.given[ri], records.family[ri])
    _resolve_names(records.given[li], given_right, levels["given"], names)
    _resolve_names(records.family[li], family_right, levels["family"], names)
    document = levels["document"]
    differ = np.flatnonzero(document == 0)
    if len(differ):
        texts = records.documents
        typo = process.cpdist(
            texts.texts(records.document[li[differ]]),
            texts.texts(records.document[ri[differ]]),
            scorer=OSA.distance,
            workers=-1,
        )
        document[differ[typo <= 1]] = 1
    origin = levels["origin"]
    differ = np.flatnonzero(origin == 0)
    if len(differ):
        texts = records.origins
        similarity = _similarity(
            texts.texts(records.origin[li[differ]]), texts.texts(records.origin[ri[differ]])
        )
        origin[differ[similarity >= 0.92]] = 1
