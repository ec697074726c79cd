"""Screening questions from packs: `screening/domv.json` everywhere, plus the country's own."""

from __future__ import annotations

from django.db import transaction

from orienta.cases.models import ScreeningItem
from orienta.cases.models.choices import Level, Polarity, SpecificNeed
from orienta.core.packs import PACKS, load_pack

FIELDS = ("level", "factor", "polarity", "label_fr", "label_en", "implies_need")


@transaction.atomic
def load_screening(country: str) -> int:
    """Create or update the questions; returns how many the packs hold. Questions removed from
    a pack are deactivated, never deleted (past answers refer to them)."""
    packs = [load_pack("screening", "domv")]
    if (PACKS / "screening" / f"{country}.json").exists():
        packs.append(load_pack("screening", country))
    seen = []
    for pack in packs:
        for position, entry in enumerate(pack["items"]):
            Level(entry["level"])
            Polarity(entry["polarity"])
            if entry.get("implies_need"):
                SpecificNeed(entry["implies_need"])
            values = {name: entry.get(name, "") for name in FIELDS}
            ScreeningItem.objects.update_or_create(
                code=entry["code"],
                defaults={
                    **values,
                    "country": pack.get("country", ""),
                    "position": position,
                    "active": True,
                },
            )
            seen.append(entry["code"])
    return len(seen)
