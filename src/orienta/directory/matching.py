"""Matching: which services, at which places, fit a person's needs.

Takes needs (taxonomy term codes; a top-level code stands for its children), a place
(administrative codes and/or coordinates) and a profile (age, target groups, language), and
returns ranked service-at-locations with the reasons for each rank, and, on request, why the
others were left out. Inactive, ineligible, full and non-referring services are excluded.

The directory is kept in memory as columns (numpy arrays), rebuilt when `DirectoryState`'s
stamp changes, so a match is a vectorised scan plus one query for the few rows returned.
"""

from __future__ import annotations

import math
import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orienta.directory.models import (
    Attribute,
    CostOption,
    DirectoryState,
    Language,
    ServiceAtLocation,
    ServiceCapacity,
    TargetGroup,
    TaxonomyTerm,
)

COST_FREE, COST_SHARED, COST_PAID, COST_UNKNOWN = 0, 1, 2, 3
STALE_DAYS = 365
EARTH_KM = 6371.0

REASONS = {
    "category": _("offers what is needed"),
    "distance": _("distance"),
    "same_area": _("in the same area"),
    "other_area": _("in another area"),
    "eligible": _("eligible"),
    "free": _("free"),
    "shared_cost": _("shared cost"),
    "paid": _("paid"),
    "capacity": _("places available"),
    "language": _("speaks the person's language"),
    "no_language": _("does not list the person's language"),
    "fresh": _("verified in the last 12 months"),
    "stale": _("not verified for more than 12 months"),
}
EXCLUSIONS = {
    "category": _("does not offer what is needed"),
    "inactive": _("not active"),
    "age": _("age outside the service's limits"),
    "target_group": _("for other groups of people"),
    "full": _("no places available"),
    "no_referrals": _("does not take referrals"),
}


@dataclass(frozen=True)
class Place:
    admin1_code: str = ""
    admin2_code: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Profile:
    age: float | None = None
    target_groups: tuple[str, ...] = ()
    language: str = ""


@dataclass(frozen=True)
class Reason:
    code: str
    detail: str = ""

    @property
    def label(self) -> str:
        return str(REASONS.get(self.code) or EXCLUSIONS.get(self.code) or self.code)


@dataclass
class Match:
    service_at_location_id: UUID
    service_id: UUID
    score: float
    distance_km: float | None
    reasons: list[Reason]
    service_at_location: ServiceAtLocation | None = None


@dataclass
class Exclusion:
    service_at_location_id: UUID
    service_id: UUID
    reasons: list[Reason]


@dataclass
class MatchResult:
    matches: list[Match]
    excluded: list[Exclusion] = field(default_factory=list)
    unknown_needs: list[str] = field(default_factory=list)


class _Index:
    """The directory as columns, one row per service-at-location."""

    def __init__(self, version: Any) -> None:
        self.version = version
        rows = list(
            ServiceAtLocation.objects.values_list(
                "id",
                "service_id",
                "service__status",
                "service__accepts_referrals",
                "service__minimum_age",
                "service__maximum_age",
                "service__target_groups",
                "service__assured_date",
                "location__latitude",
                "location__longitude",
                "location__admin1_code",
                "location__admin2_code",
                "service__name",
                "service__description",
                "location__admin1_name",
            )
        )
        n = len(rows)
        # For the public search: folded words, and each row's rank in name order.
        self.texts = [fold(f"{r[12]} {r[13]}") for r in rows]
        self.name_rank = np.argsort(np.argsort(np.array([fold(r[12]) for r in rows], dtype=object)))
        self.sal_ids = [r[0] for r in rows]
        self.service_ids = [r[1] for r in rows]
        position = {service: [] for service in self.service_ids}  # type: dict[Any, list[int]]
        for i, service in enumerate(self.service_ids):
            position[service].append(i)
        self.active = np.array([r[2] == "active" for r in rows], dtype=bool)
        self.referrals = np.array([bool(r[3]) for r in rows], dtype=bool)
        self.min_age = np.array([np.nan if r[4] is None else r[4] for r in rows], dtype=float)
        self.max_age = np.array([np.nan if r[5] is None else r[5] for r in rows], dtype=float)
        self.group_bits = {code: 1 << i for i, code in enumerate(TargetGroup.values)}
        self.groups = np.array(
            [sum(self.group_bits.get(g, 0) for g in set(r[6] or ())) for r in rows],
            dtype=np.int64,
        )
        today = timezone.localdate()
        self.age_days = np.array(
            [np.nan if r[7] is None else (today - r[7]).days for r in rows], dtype=float
        )
        self.lat = np.radians(np.array([np.nan if r[8] is None else r[8] for r in rows], float))
        self.lon = np.radians(np.array([np.nan if r[9] is None else r[9] for r in rows], float))
        # Area codes as small integers: comparing them is a vector operation, not 100k string
        # comparisons.
        self.area_numbers: dict[str, int] = {}
        self.area_names = {r[10]: r[14] or r[10] for r in rows if r[10]}
        self.admin1 = np.array([self._area(r[10]) for r in rows], dtype=np.int32)
        self.admin2 = np.array([self._area(r[11]) for r in rows], dtype=np.int32)

        terms = list(TaxonomyTerm.objects.values_list("id", "code", "parent_id"))
        self.term_column = {term_id: i for i, (term_id, _c, _p) in enumerate(terms)}
        self.codes = {code: term_id for term_id, code, _p in terms if code}
        self.children: dict[Any, list[Any]] = {}
        for term_id, _code, parent in terms:
            if parent is not None:
                self.children.setdefault(parent, []).append(term_id)
        self.categories = np.zeros((n, max(1, len(terms))), dtype=bool)
        for link_id, term_id in Attribute.objects.filter(link_entity="service").values_list(
            "link_id", "taxonomy_term_id"
        ):
            column = self.term_column.get(term_id)
            for i in position.get(link_id, ()):
                if column is not None:
                    self.categories[i, column] = True

        self.cost = np.full(n, COST_UNKNOWN, dtype=np.int8)
        kinds = {"free": COST_FREE, "shared_cost": COST_SHARED, "paid": COST_PAID}
        for service, option, amount in CostOption.objects.values_list(
            "service_id", "option", "amount"
        ):
            kind = kinds.get(option, COST_FREE if amount == 0 else COST_PAID)
            for i in position.get(service, ()):
                self.cost[i] = min(self.cost[i], kind)

        self.full = np.zeros(n, dtype=bool)
        self.available = np.full(n, np.nan)
        for service, available in ServiceCapacity.objects.values_list("service_id", "available"):
            for i in position.get(service, ()):
                self.full[i] = available <= 0
                self.available[i] = available

        self.languages: dict[str, np.ndarray] = {}
        self.has_languages = np.zeros(n, dtype=bool)
        for service, code in Language.objects.filter(service__isnull=False).values_list(
            "service_id", "code"
        ):
            spoken = self.languages.setdefault(code.lower(), np.zeros(n, dtype=bool))
            for i in position.get(service, ()):
                spoken[i] = True
                self.has_languages[i] = True

    def _area(self, code: str | None) -> int:
        if not code:
            return -1
        return self.area_numbers.setdefault(code, len(self.area_numbers))

    def area_mask(self, column: np.ndarray, code: str) -> np.ndarray:
        """Rows in the area `code` (none when the code is unknown or empty)."""
        number = self.area_numbers.get(code) if code else None
        if number is None:
            return np.zeros(len(column), dtype=bool)
        return np.asarray(column == number, dtype=bool)

    def need_columns(self, needs: list[str]) -> tuple[list[int], list[str]]:
        columns, unknown = [], []
        for need in needs:
            term = self.codes.get(need)
            if term is None:
                try:
                    term = UUID(str(need))
                except ValueError:
                    term = None
            if term is None or term not in self.term_column:
                unknown.append(need)
                continue
            stack = [term]
            while stack:
                current = stack.pop()
                columns.append(self.term_column[current])
                stack.extend(self.children.get(current, ()))
        return columns, unknown


def fold(text: str) -> str:
    """Lower case without accents, so that "enfants" finds "Enfants" and "sante" finds "Santé"."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return plain.lower()


_cache: dict[str, _Index] = {}
_lock = threading.Lock()


def current_index() -> _Index:
    """The in-memory directory, rebuilt if the directory changed since it was built."""
    return _index()


def _index() -> _Index:
    version = DirectoryState.objects.filter(pk=1).values_list("stamp", flat=True).first()
    current = _cache.get("index")
    if current is None or current.version != version:
        with _lock:
            current = _cache.get("index")
            if current is None or current.version != version:
                current = _Index(version)
                _cache["index"] = current
    return current


def _distances(index: _Index, place: Place, rows: np.ndarray) -> np.ndarray:
    """Great-circle distance in km from the place to each of `rows` (nan when unknown)."""
    if place.latitude is None or place.longitude is None:
        return np.full(len(rows), np.nan)
    lat, lon = math.radians(place.latitude), math.radians(place.longitude)
    lats, lons = index.lat[rows], index.lon[rows]
    a = np.sin((lats - lat) / 2) ** 2 + math.cos(lat) * np.cos(lats) * np.sin((lons - lon) / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _eligible_groups(index: _Index, profile: Profile) -> np.ndarray:
    """Services for no group in particular, for everyone, or for one of the person's groups."""
    if not profile.target_groups:
        return np.ones(len(index.sal_ids), dtype=bool)
    wanted = sum(index.group_bits.get(g, 0) for g in set(profile.target_groups))
    everyone = index.group_bits[TargetGroup.ALL]
    return np.asarray(
        (index.groups == 0) | ((index.groups & everyone) != 0) | ((index.groups & wanted) != 0)
    )


def match(
    needs: list[str],
    place: Place | None = None,
    profile: Profile | None = None,
    *,
    limit: int = 10,
    explain_exclusions: bool = False,
) -> MatchResult:
    place = place or Place()
    profile = profile or Profile()
    index = _index()
    n = len(index.sal_ids)
    columns, unknown = index.need_columns(needs)
    if n == 0 or not columns:
        return MatchResult([], [], unknown)

    offers = np.asarray(index.categories[:, columns].any(axis=1), dtype=bool)
    age_ok = np.ones(n, dtype=bool)
    if profile.age is not None:
        age_ok = np.asarray(~(index.min_age > profile.age) & ~(index.max_age < profile.age))
    groups_ok = _eligible_groups(index, profile)
    checks: dict[str, np.ndarray] = {
        "category": offers,
        "inactive": index.active,
        "no_referrals": index.referrals,
        "age": age_ok,
        "target_group": groups_ok,
        "full": np.logical_not(index.full),
    }
    keep = np.logical_and.reduce(list(checks.values()))

    # Score only the rows that passed every check: usually a small part of the directory.
    rows = np.flatnonzero(keep)
    distance = _distances(index, place, rows)
    near = np.where(np.isnan(distance), 0.0, 1.0 / (1.0 + np.nan_to_num(distance) / 25.0))
    same1 = index.area_mask(index.admin1[rows], place.admin1_code)
    same2 = index.area_mask(index.admin2[rows], place.admin2_code)
    cost = index.cost[rows]
    score = 2.0 * near + np.where(same2, 1.0, np.where(same1, 0.6, 0.0))
    score += np.select([cost == COST_FREE, cost == COST_SHARED], [0.5, 0.25], default=0.0)
    speaks = index.languages.get(profile.language.lower()) if profile.language else None
    if profile.language:
        listed = index.has_languages[rows]
        spoken = speaks[rows] if speaks is not None else np.zeros(len(rows), dtype=bool)
        score += np.where(spoken, 0.4, np.where(listed, -0.2, 0.0))
    score += np.where(index.age_days[rows] <= STALE_DAYS, 0.2, -0.2)

    best = np.arange(len(rows))
    if len(best) > limit:  # only the best `limit` need sorting
        best = np.argpartition(-score, limit)[:limit]
    best = best[np.argsort(-score[best], kind="stable")]
    matches = [
        Match(
            index.sal_ids[rows[j]],
            index.service_ids[rows[j]],
            round(float(score[j]), 3),
            None if np.isnan(distance[j]) else round(float(distance[j]), 1),
            _reasons(index, rows[j], distance[j], same1[j], same2[j], place, profile, speaks),
        )
        for j in best
    ]
    _attach(matches)
    excluded = []
    if explain_exclusions:
        for i in np.flatnonzero(~keep & offers):
            failed = [Reason(code) for code, ok in checks.items() if not ok[i]]
            excluded.append(Exclusion(index.sal_ids[i], index.service_ids[i], failed))
    return MatchResult(matches, excluded, unknown)


def _reasons(
    index: _Index,
    i: int,
    distance: float,
    same1: bool,
    same2: bool,
    place: Place,
    profile: Profile,
    speaks: np.ndarray | None,
) -> list[Reason]:
    reasons = [Reason("category"), Reason("eligible")]
    if not np.isnan(distance):
        reasons.append(Reason("distance", f"{distance:.1f} km"))
    if same1 or same2:
        reasons.append(Reason("same_area"))
    elif place.admin1_code:
        reasons.append(Reason("other_area"))
    cost = int(index.cost[i])
    if cost == COST_FREE:
        reasons.append(Reason("free"))
    elif cost == COST_SHARED:
        reasons.append(Reason("shared_cost"))
    elif cost == COST_PAID:
        reasons.append(Reason("paid"))
    if not np.isnan(index.available[i]):
        reasons.append(Reason("capacity", f"{index.available[i]:g}"))
    if profile.language:
        spoken = speaks is not None and bool(speaks[i])
        reasons.append(Reason("language" if spoken else "no_language", profile.language))
    reasons.append(Reason("fresh" if index.age_days[i] <= STALE_DAYS else "stale"))
    return reasons


def _attach(matches: list[Match]) -> None:
    rows = ServiceAtLocation.objects.select_related(
        "service", "service__organization", "location"
    ).in_bulk([m.service_at_location_id for m in matches])
    for item in matches:
        item.service_at_location = rows.get(item.service_at_location_id)
