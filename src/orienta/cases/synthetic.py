"""Fictional persons and cases, seeded: for the demo (hundreds) and the benchmarks (a million).

Written in bulk, not through the services: this is generated data, not casework, so one audit
event records the generation instead of one per row.
"""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from orienta.audit.services import record
from orienta.cases import vulnerability
from orienta.cases.models import Case, Episode, IdentityDocument, Person, Screening
from orienta.cases.models.choices import (
    Accompaniment,
    BirthDatePrecision,
    CaseKind,
    CaseStatus,
    ClosureReason,
    DocumentStatus,
    DocumentType,
    SpecificNeed,
)
from orienta.core.packs import load_pack
from orienta.identity.services import index_new_persons
from orienta.identity.synthetic import Generator

KINDS = [CaseKind.FORCED_RETURN] * 8 + [
    CaseKind.ASSISTED_VOLUNTARY_RETURN,
    CaseKind.PRESUMED_TRAFFICKING_VICTIM,
    CaseKind.MIGRANT_IN_TRANSIT,
]


@dataclass(frozen=True)
class Owner:
    """An organisation that receives cases and the accounts they are assigned to."""

    organisation: Any
    workers: Sequence[Any]


def _birth(rng: random.Random, today: date) -> tuple[date, str, int | None, date | None]:
    age = rng.choice([rng.randint(1, 17)] + [rng.randint(18, 45)] * 7 + [rng.randint(46, 80)])
    born = today - timedelta(days=age * 365 + rng.randint(0, 364))
    roll = rng.random()
    if roll < 0.7:
        return born, BirthDatePrecision.EXACT, None, None
    if roll < 0.85:
        return date(born.year, 1, 1), BirthDatePrecision.YEAR, None, None
    return born, BirthDatePrecision.ESTIMATED, age, today


def generate_cases(
    *,
    country: str,
    owners: Sequence[Owner],
    persons: int,
    seed: int,
    repeat_share: float = 0.08,
    screenings: bool = True,
    batch: int = 5000,
    audit: bool = True,
    duplicate_share: float = 0.0,
) -> int:
    """Add `persons` fictional persons with one case each, plus a second case (a repeat return)
    for `repeat_share` of them. For `duplicate_share` of the repeat returns, the officer did not
    recognise the person and registered them again, names spelt otherwise: the duplicates that
    identity resolution finds. Returns the number of cases made."""
    rng = random.Random(seed)  # noqa: S311 - reproducible fictional data, not secrets
    officer = Generator(seed)
    names = load_pack("names", country.lower())
    areas = load_pack("directory", country.lower())["admin1"]
    today = timezone.localdate()
    now = timezone.now()
    made = 0
    for start in range(0, persons, batch):
        people: list[Person] = []
        documents: list[IdentityDocument] = []
        cases: list[Case] = []
        episodes: list[Episode] = []
        rows: list[Screening] = []
        for n in range(start, min(start + batch, persons)):
            owner = owners[n % len(owners)]
            sex = rng.choice(["female", "male"])
            given = rng.choice(names[sex])
            if rng.random() < 0.3:
                given = f"{given} {rng.choice(names[sex])}"
            family = rng.choice(names["family"])
            born, precision, stated, stated_on = _birth(rng, today)
            area = rng.choice(areas)
            person = Person(
                id=uuid.UUID(int=rng.getrandbits(128)),
                organisation=owner.organisation,
                given_name=given,
                family_name=family,
                sex=sex,
                birth_date=born,
                birth_date_precision=precision,
                stated_age=stated,
                stated_age_on=stated_on,
                nationality=country,
                origin_country=country,
                origin_admin1_code=area["code"],
                origin_admin1_name=area["name"],
                languages=["fr", "ht"] if country == "HT" else ["fr"],
                phone=f"+{rng.randint(200, 299)} {rng.randint(10_000_000, 99_999_999)}"
                if rng.random() < 0.5
                else "",
            )
            people.append(person)
            if rng.random() < 0.35:
                number = f"{country}{rng.randint(10**7, 10**8 - 1)}{n}"
                documents.append(
                    IdentityDocument(
                        person=person,
                        document_type=rng.choice([DocumentType.PASSPORT, DocumentType.NATIONAL_ID]),
                        number=number,
                        number_key=number,
                        issuing_country=country,
                        status=rng.choice([DocumentStatus.HELD, DocumentStatus.RETAINED]),
                    )
                )
            returns = 2 if rng.random() < repeat_share else 1
            twin = None
            if returns == 2 and rng.random() < duplicate_share:
                twin = copy.copy(person)
                twin.id = uuid.UUID(int=rng.getrandbits(128))
                twin.given_name = officer.written(given)
                twin.family_name = officer.written(family)
                people.append(twin)
            for episode_number in range(returns):
                arrived = today - timedelta(
                    days=rng.randint(0, 700) + 400 * (returns - 1 - episode_number)
                )
                age = person.age_on(arrived)
                child = age is not None and age < 18
                needs = (
                    set(rng.sample(list(SpecificNeed.values), 1)) if rng.random() < 0.2 else set()
                )
                accompaniment = ""
                if child:
                    accompaniment = rng.choice(
                        [Accompaniment.WITH_PARENT] * 3
                        + [Accompaniment.SEPARATED, Accompaniment.UNACCOMPANIED]
                    )
                assessment = vulnerability.assess(
                    vulnerability.Facts(
                        age=age, accompaniment=accompaniment, specific_needs=frozenset(needs)
                    )
                )
                status = rng.choice(
                    [CaseStatus.ACTIVE] * 4 + [CaseStatus.OPEN] * 2 + [CaseStatus.CLOSED]
                )
                if episode_number < returns - 1:
                    status = CaseStatus.CLOSED
                created = now - timedelta(
                    days=(today - arrived).days, seconds=rng.randint(0, 86_399)
                )
                someone = twin if twin is not None and episode_number == 1 else person
                case = Case(
                    id=uuid.UUID(int=rng.getrandbits(128)),
                    reference=_reference(rng),
                    person=someone,
                    organisation=owner.organisation,
                    kind=CaseKind.UNACCOMPANIED_CHILD
                    if accompaniment == Accompaniment.UNACCOMPANIED
                    else rng.choice(KINDS),
                    status=status,
                    closure_reason=ClosureReason.NEEDS_MET if status == CaseStatus.CLOSED else "",
                    closed_at=created + timedelta(days=30) if status == CaseStatus.CLOSED else None,
                    assigned_to=rng.choice(owner.workers) if owner.workers else None,
                    opened_on=arrived,
                    is_child=child,
                    priority=assessment.priority,
                    profile=assessment.profile,
                    priority_reasons=assessment.profile,
                    created_at=created,
                )
                cases.append(case)
                episodes.append(
                    Episode(
                        case=case,
                        person=someone,
                        arrived_on=arrived,
                        returned_from=rng.choice(names["returned_from"]),
                        entry_point=rng.choice(names["entry_points"]),
                    )
                )
                if screenings:
                    rows.append(
                        Screening(
                            case=case,
                            specific_needs=sorted(needs),
                            profile=assessment.profile,
                            priority=assessment.priority,
                            priority_reasons=assessment.profile,
                            rules_version=vulnerability.RULES_VERSION,
                        )
                    )
        with transaction.atomic():
            Person.objects.bulk_create(people)
            IdentityDocument.objects.bulk_create(documents)
            Case.objects.bulk_create(cases)
            Episode.objects.bulk_create(episodes)
            Screening.objects.bulk_create(rows)
            index_new_persons(people, {d.person.pk: d.number_key for d in documents})
        made += len(cases)
    if audit:
        record(
            "cases.synthetic.generated",
            actor=None,
            changes={"country": country, "persons": persons, "cases": made, "seed": seed},
        )
    return made


_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _reference(rng: random.Random) -> str:
    code = "".join(rng.choice(_ALPHABET) for _ in range(12))
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"
