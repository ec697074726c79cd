"""Loading a country's directory pack (`packs/directory/<country>.json`): the real institutions
with their mandates, international organisations, clearly labelled fictional providers, and
their services. The pack is turned into HSDS rows and goes through the HSDS importer, so it is
validated like any other import, written all or nothing, and loading it again changes nothing.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from orienta.core.packs import load_pack
from orienta.directory.hsds.importer import ImportReport, import_input
from orienta.directory.hsds.reader import Input, Row
from orienta.directory.models import Organisation
from orienta.directory.taxonomy import NAMESPACE, load_taxonomy, term_id

COST_OPTIONS = {"free": "free", "shared": "shared_cost", "paid": "paid"}


def _id(country: str, *parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join([country, *parts])))


class _Rows:
    def __init__(self, source: str) -> None:
        self.source = source
        self.rows: list[Row] = []

    def add(self, table: str, where: str, **values: Any) -> None:
        clean = {k: v for k, v in values.items() if v not in (None, "", [])}
        self.rows.append(Row(table, clean, self.source, where))


def load_directory(country: str, *, actor: Any = None) -> ImportReport:
    """Load `packs/directory/<country>.json`."""
    return load_directory_pack(load_pack("directory", country), actor=actor, source=country)


@transaction.atomic
def load_directory_pack(
    pack: dict[str, Any], *, actor: Any = None, source: str = ""
) -> ImportReport:
    load_taxonomy(actor)
    code = pack["country"]
    currency = pack.get("currency", "")
    today = timezone.localdate()
    areas = {a["code"]: a["name"] for a in pack["admin1"]}
    rows = _Rows(f"packs/directory/{source}.json")
    organisation_ids: dict[str, str] = {}
    for n, entry in enumerate(pack["organisations"]):
        # The demo accounts' organisations may exist already: the pack completes them.
        existing = Organisation.objects.filter(name=entry["name"], country=code).first()
        pk = str(existing.pk) if existing else _id(code, "org", entry["key"])
        organisation_ids[entry["key"]] = pk
        rows.add(
            "organization",
            f"organisations[{n}]",
            id=pk,
            name=entry["name"],
            # HSDS requires a description: the mandate, or the name, stands in for a missing one.
            description=entry.get("description")
            or (existing.description if existing else "")
            or entry.get("mandate_fr")
            or entry["name"],
            acronym=entry.get("acronym", ""),
            kind=entry["kind"],
            country=code,
            level=entry.get("level", ""),
            admin1_code=entry.get("admin1", ""),
            admin1_name=areas.get(entry.get("admin1", ""), ""),
            mandate_fr=entry.get("mandate_fr", ""),
            mandate_en=entry.get("mandate_en", ""),
        )
    places = _id(code, "unit", "places")
    rows.add("unit", "unit", id=places, name="places", scheme="orienta")
    for n, entry in enumerate(pack["services"]):
        where = f"services[{n}]"
        key = entry["key"]
        service = _id(code, "service", key)
        location = _id(code, "location", key)
        organisation = organisation_ids[entry["organisation"]]
        verified = entry.get("verified_days_ago")
        rows.add(
            "service",
            where,
            id=service,
            organization_id=organisation,
            name=entry["name"],
            description=entry.get("description", ""),
            status=entry.get("status", "active"),
            fees_description=entry.get("cost_note", ""),
            eligibility_description=entry.get("eligibility", ""),
            minimum_age=entry.get("min_age"),
            maximum_age=entry.get("max_age"),
            assured_date=(today - timedelta(days=verified)).isoformat() if verified else None,
            target_groups=entry.get("target_groups", []),
            accepts_referrals=entry.get("accepts_referrals", True),
            referral_channel=entry.get("referral_channel", ""),
        )
        place = entry.get("location") or {}
        rows.add(
            "location",
            where,
            id=location,
            location_type="physical",
            organization_id=organisation,
            name=place.get("name", ""),
            latitude=place.get("latitude"),
            longitude=place.get("longitude"),
            country=code,
            admin1_code=entry.get("admin1", ""),
            admin1_name=areas.get(entry.get("admin1", ""), ""),
            admin2_name=entry.get("admin2_name", ""),
        )
        rows.add(
            "service_at_location",
            where,
            id=_id(code, "sal", key),
            service_id=service,
            location_id=location,
        )
        cost = entry.get("cost", "free")
        rows.add(
            "cost_option",
            where,
            id=_id(code, "cost", key),
            service_id=service,
            option=COST_OPTIONS[cost],
            amount=entry.get("amount", 0 if cost == "free" else None),
            currency=currency,
            amount_description=entry.get("cost_note", ""),
        )
        funding = entry.get("funding")
        if funding:
            days = funding.get("end_in_days")
            rows.add(
                "funding",
                where,
                id=_id(code, "funding", key),
                service_id=service,
                source=funding.get("source", ""),
                end_date=(today + timedelta(days=days)).isoformat() if days is not None else None,
            )
        for language in entry.get("languages", []):
            rows.add(
                "language",
                where,
                id=_id(code, "language", key, language),
                service_id=service,
                code=language,
            )
        if entry.get("hours"):
            rows.add(
                "schedule",
                where,
                id=_id(code, "schedule", key),
                service_id=service,
                description=entry["hours"],
            )
        if entry.get("phone"):
            rows.add(
                "phone",
                where,
                id=_id(code, "phone", key),
                service_id=service,
                number=entry["phone"],
            )
        for category in entry.get("categories", []):
            rows.add(
                "attribute",
                where,
                id=_id(code, "category", key, category),
                link_id=service,
                link_entity="service",
                link_type="category",
                taxonomy_term_id=str(term_id(category)),
            )
        capacity = entry.get("capacity")
        if capacity:
            rows.add(
                "service_capacity",
                where,
                id=_id(code, "capacity", key),
                service_id=service,
                unit_id=places,
                available=capacity["available"],
                maximum=capacity.get("maximum"),
                updated=f"{today.isoformat()}T00:00:00+00:00",
            )
    return import_input(Input(rows=rows.rows), actor=actor, source=f"pack:{source}")
