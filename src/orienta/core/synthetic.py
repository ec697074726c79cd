"""Synthetic data for benchmarks and load tests: seeded, so two runs with one seed are alike.

Later issues add persons, cases, movements… here, each behind its own option.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from orienta.accounts.models import Membership, User
from orienta.accounts.roles import Role
from orienta.audit.services import record
from orienta.directory.models import Organisation, OrganisationKind

COUNTRIES = ["HT", "CM", "BF", "MA", "TN"]
ACTIONS = [
    "accounts.user.logged_in",
    "directory.organisation.members_viewed",
    "accounts.membership.created",
    "directory.organisation.updated",
]


@dataclass(frozen=True)
class SyntheticCounts:
    organisations: int
    people: int
    audit_events: int


def generate(
    *, seed: int, organisations: int, people: int, audit_events: int, batch: int = 500
) -> SyntheticCounts:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    start = Organisation.objects.filter(name__startswith="Synthetic ").count()
    kinds = list(OrganisationKind)
    with transaction.atomic():
        made = Organisation.objects.bulk_create(
            Organisation(
                name=f"Synthetic organisation {start + n:05d}",
                acronym=f"SO{start + n}",
                kind=rng.choice(kinds),
                country=rng.choice(COUNTRIES),
            )
            for n in range(organisations)
        )
    pool = made or list(Organisation.objects.all()[:50])
    # One hash for every synthetic account: they are for load, not for logging in.
    unusable = make_password(None)
    first_person = User.objects.filter(email__startswith="synthetic-").count()
    roles = [role for role in Role if role != Role.ADMINISTRATOR]
    with transaction.atomic():
        users = User.objects.bulk_create(
            User(
                email=f"synthetic-{first_person + n:06d}@example.invalid",
                full_name=f"Synthetic Person {first_person + n}",
                password=unusable,
            )
            for n in range(people)
        )
        Membership.objects.bulk_create(
            Membership(user=user, organisation=rng.choice(pool), role=rng.choice(roles))
            for user in users
        )
    actors = users or list(User.objects.all()[:50])
    written = 0
    while written < audit_events:
        with transaction.atomic():
            for _ in range(min(batch, audit_events - written)):
                actor = rng.choice(actors) if actors else None
                organisation = rng.choice(pool) if pool else None
                record(
                    rng.choice(ACTIONS),
                    actor=actor,
                    organisation=organisation,
                    object_type="directory.organisation",
                    object_id=str(organisation.pk) if organisation else "",
                )
                written += 1
    return SyntheticCounts(len(made), len(users), written)
