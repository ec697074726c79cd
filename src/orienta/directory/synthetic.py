"""A synthetic directory at scale (for benchmarks): seeded, with the taxonomy's categories,
real-looking coordinates inside Haiti, a mix of costs, languages, ages and capacities."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from orienta.directory.models import (
    Attribute,
    CostOption,
    Language,
    Location,
    Organisation,
    Service,
    ServiceAtLocation,
    TargetGroup,
    TaxonomyTerm,
    directory_changed,
)
from orienta.directory.taxonomy import load_taxonomy

AREAS = [
    ("HT01", "Ouest", 18.54, -72.34),
    ("HT02", "Sud-Est", 18.23, -72.53),
    ("HT03", "Nord", 19.76, -72.20),
    ("HT04", "Nord-Est", 19.55, -71.72),
    ("HT05", "Artibonite", 19.45, -72.68),
    ("HT06", "Centre", 19.15, -72.01),
    ("HT07", "Sud", 18.19, -73.75),
    ("HT08", "Grand'Anse", 18.65, -74.12),
    ("HT09", "Nord-Ouest", 19.94, -72.83),
    ("HT10", "Nippes", 18.45, -73.08),
]
WORDS = ["abri", "santé", "repas", "transport", "enfants", "formation", "emploi", "documents"]


def generate_directory(*, seed: int, services: int, batch: int = 5000) -> int:
    """Add `services` synthetic services (one location each); returns how many were made."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    load_taxonomy()
    leaves = list(TaxonomyTerm.objects.exclude(parent=None).values_list("id", flat=True))
    groups = [g.value for g in TargetGroup]
    providers = [
        Organisation(
            name=f"Prestataire synthétique {n:04d} (fictive)",
            description="Organisation fictive créée pour les mesures de performance.",
            kind="ngo",
            country="HT",
        )
        for n in range(max(1, services // 50))
    ]
    Organisation.objects.bulk_create(providers, batch_size=batch)
    today = timezone.localdate()
    made = 0
    while made < services:
        size = min(batch, services - made)
        with transaction.atomic():
            rows, places, links, attributes, costs, languages = [], [], [], [], [], []
            for n in range(made, made + size):
                code, name, lat, lon = rng.choice(AREAS)
                service = Service(
                    id=uuid.UUID(int=rng.getrandbits(128)),
                    organization=rng.choice(providers),
                    name=f"Service {n} {rng.choice(WORDS)} {name}",
                    description=f"Service synthétique n°{n} : {' '.join(rng.sample(WORDS, 3))}.",
                    status="active" if rng.random() < 0.92 else "inactive",
                    target_groups=rng.sample(groups, rng.randint(0, 2)),
                    minimum_age=rng.choice([None, None, None, 18]),
                    maximum_age=rng.choice([None, None, None, 17]),
                    accepts_referrals=rng.random() < 0.95,
                    assured_date=today - timedelta(days=rng.randint(0, 700)),
                )
                location = Location(
                    id=uuid.UUID(int=rng.getrandbits(128)),
                    location_type="physical",
                    name=f"Point {n}",
                    latitude=lat + rng.uniform(-0.3, 0.3),
                    longitude=lon + rng.uniform(-0.3, 0.3),
                    country="HT",
                    admin1_code=code,
                    admin1_name=name,
                )
                rows.append(service)
                places.append(location)
                links.append(ServiceAtLocation(service=service, location=location))
                for term in rng.sample(leaves, rng.randint(1, 2)):
                    attributes.append(
                        Attribute(link_id=service.id, link_entity="service", taxonomy_term_id=term)
                    )
                option = rng.choices(["free", "shared_cost", "paid"], [0.7, 0.2, 0.1])[0]
                costs.append(
                    CostOption(
                        service=service, option=option, amount=0 if option == "free" else 500
                    )
                )
                for language in rng.sample(["fr", "ht", "es", "en"], rng.randint(1, 2)):
                    languages.append(Language(service=service, code=language))
            Service.objects.bulk_create(rows)
            Location.objects.bulk_create(places)
            ServiceAtLocation.objects.bulk_create(links)
            Attribute.objects.bulk_create(attributes)
            CostOption.objects.bulk_create(costs)
            Language.objects.bulk_create(languages)
        made += size
    directory_changed()
    if connection.vendor == "postgresql":
        # A real database has statistics from autovacuum; a fresh bulk load must gather them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return made
