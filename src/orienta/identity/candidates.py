"""Candidates at registration: persons already in the registry who may be the one at the desk.

`find_candidates` is the one interface the registration form calls; the identity-resolution
issue replaces the engine behind it (probabilistic scoring with term frequencies) and keeps the
signature. The engine here is deliberately readable: blocking keys find the few persons worth
comparing, and a small table of evidence scores them, each piece of evidence a reason the
caseworker sees.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

from orienta.accounts.access import scope_for
from orienta.cases.models import Person, document_key
from orienta.identity.keys import query_keys
from orienta.identity.models import PersonKey
from orienta.identity.normalise import folded_name, phonetic_tokens

BLOCK_LIMIT = 200  # persons compared at most, the ones sharing the most keys
# Without a date of birth the bare name pairs are looked up; a common pair can hold thousands of
# persons, so only this many key rows are read.
ROW_LIMIT = 2_000
SHOW_FROM = 0.45


@dataclass(frozen=True)
class CandidateQuery:
    given_name: str
    family_name: str
    other_names: Sequence[str] = ()
    birth_date: date | None = None
    exact_birth_date: bool = False
    sex: str = ""
    origin_admin1_code: str = ""
    document_numbers: Sequence[str] = ()
    phone: str = ""

    @property
    def names(self) -> list[str]:
        return [self.given_name, self.family_name, *self.other_names]


@dataclass(frozen=True)
class Reason:
    code: str
    label: Promise
    weight: float


@dataclass
class Candidate:
    person: Person
    score: float
    reasons: list[Reason] = field(default_factory=list)


def _name_evidence(query: CandidateQuery, person: Person) -> list[Reason]:
    wanted = folded_name(*query.names)
    spellings = [
        folded_name(person.given_name, person.family_name),
        *(folded_name(person.given_name, other) for other in person.other_names),
        *(folded_name(other) for other in person.other_names),
    ]
    similarity = max(fuzz.token_sort_ratio(wanted, spelling) for spelling in spellings) / 100
    if similarity >= 0.95:
        return [Reason("same_name", _("Same name"), 0.45)]
    sound = set(phonetic_tokens(*query.names))
    theirs = set(phonetic_tokens(person.given_name, person.family_name, *person.other_names))
    if sound and sound <= theirs or theirs and theirs <= sound:
        return [Reason("names_sound_alike", _("Names sound alike"), 0.35)]
    if similarity >= 0.8:
        return [Reason("similar_name", _("Similar name"), 0.3)]
    if len(sound & theirs) >= 2:
        return [Reason("names_share_parts", _("Two name parts in common"), 0.2)]
    return []


def _date_evidence(query: CandidateQuery, person: Person) -> list[Reason]:
    ours, theirs = query.birth_date, person.birth_date
    if ours is None or theirs is None:
        return []
    if ours == theirs:
        return [Reason("same_birth_date", _("Same date of birth"), 0.3)]
    if ours.year == theirs.year and (ours.month, ours.day) == (theirs.day, theirs.month):
        return [Reason("birth_day_month_swapped", _("Day and month of birth swapped"), 0.2)]
    january_first = (ours.month, ours.day) == (1, 1) or (theirs.month, theirs.day) == (1, 1)
    if abs(ours.year - theirs.year) <= 1 and (ours.month, ours.day) == (theirs.month, theirs.day):
        return [Reason("birth_year_one_apart", _("Year of birth one apart"), 0.15)]
    if ours.year == theirs.year:
        if january_first:
            return [Reason("birth_year_default", _("Same year of birth (1 January default)"), 0.1)]
        return [Reason("same_birth_year", _("Same year of birth"), 0.1)]
    if abs(ours.year - theirs.year) > 2:
        return [Reason("birth_dates_differ", _("Dates of birth far apart"), -0.3)]
    return []


def _other_evidence(query: CandidateQuery, person: Person, documents: set[str]) -> list[Reason]:
    reasons = []
    known = query.sex not in ("", "unknown") and person.sex != "unknown"
    if known and query.sex != person.sex:
        reasons.append(Reason("different_sex", _("Different sex recorded"), -0.4))
    if query.origin_admin1_code and query.origin_admin1_code == person.origin_admin1_code:
        reasons.append(Reason("same_origin", _("Same place of origin"), 0.1))
    if {document_key(n) for n in query.document_numbers if n} & documents:
        reasons.append(Reason("same_document", _("Same document number"), 0.5))
    digits = "".join(ch for ch in query.phone if ch.isdigit())[-8:]
    if len(digits) >= 7 and digits == "".join(ch for ch in person.phone if ch.isdigit())[-8:]:
        reasons.append(Reason("same_phone", _("Same phone number"), 0.3))
    return reasons


def score(query: CandidateQuery, person: Person, documents: set[str]) -> Candidate:
    reasons = [
        *_name_evidence(query, person),
        *_date_evidence(query, person),
        *_other_evidence(query, person, documents),
    ]
    total = min(1.0, max(0.0, sum(reason.weight for reason in reasons)))
    return Candidate(person=person, score=round(total, 2), reasons=reasons)


def find_candidates(query: CandidateQuery, *, user: Any, limit: int = 8) -> list[Candidate]:
    """Persons registered by the user's organisations who may be the person in `query`, best
    first, with the reasons. Nobody outside those organisations is ever compared."""
    scope = scope_for(user, "cases.register")
    if scope.is_empty:
        return []
    keys = query_keys(
        names=query.names,
        birth_date=query.birth_date,
        document_keys=[document_key(n) for n in query.document_numbers],
        phone=query.phone,
    )
    if not keys:
        return []
    rows = scope.apply(PersonKey.objects.filter(key__in=keys), "organisation_id")
    hits = Counter(rows.values_list("person_id", flat=True)[:ROW_LIMIT])
    blocked = [person_id for person_id, _count in hits.most_common(BLOCK_LIMIT)]
    persons = Person.objects.filter(
        pk__in=list(blocked), anonymised_at__isnull=True
    ).prefetch_related("documents")
    scored = [
        score(query, person, {d.number_key for d in person.documents.all() if d.number_key})
        for person in persons
    ]
    shown = [candidate for candidate in scored if candidate.score >= SHOW_FROM]
    shown.sort(key=lambda candidate: (-candidate.score, candidate.person.family_name))
    return shown[:limit]
