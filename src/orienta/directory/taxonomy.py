"""The NRM service taxonomy, loaded from its pack into HSDS taxonomy and taxonomy_term rows.

Ids are derived from the codes, so that loading again updates labels instead of duplicating
terms, and links made to a term survive a reload."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from orienta.audit.services import record
from orienta.core.packs import load_pack
from orienta.directory.models import Taxonomy, TaxonomyTerm

NAMESPACE = uuid.UUID("6f1c9a52-3d0e-4b8e-9a51-0c9b7f2e4d11")


def term_id(code: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"nrm-term:{code}")


@transaction.atomic
def load_taxonomy(actor: Any = None) -> tuple[Taxonomy, int]:
    """Create or update the taxonomy and its terms; returns the taxonomy and the term count.
    Writes (and audits) only what differs from the pack, so loading twice changes nothing."""
    pack = load_pack("taxonomy", "nrm")
    taxonomy, created = Taxonomy.objects.get_or_create(
        pk=uuid.uuid5(NAMESPACE, "nrm-taxonomy"), defaults=pack["taxonomy"]
    )
    changed = created
    if not created and any(getattr(taxonomy, k) != v for k, v in pack["taxonomy"].items()):
        Taxonomy.objects.filter(pk=taxonomy.pk).update(**pack["taxonomy"])
        taxonomy.refresh_from_db()
        changed = True
    wanted: list[dict[str, Any]] = []
    for entry in pack["terms"]:
        wanted.append(_term(entry, None, taxonomy))
        wanted += [_term(child, entry["code"], taxonomy) for child in entry.get("children", [])]
    stored = {
        row["id"]: row
        for row in TaxonomyTerm.objects.filter(pk__in=[w["id"] for w in wanted]).values(*wanted[0])
    }
    for values in wanted:
        if stored.get(values["id"]) != values:
            TaxonomyTerm.objects.update_or_create(pk=values["id"], defaults=values)
            changed = True
    if changed:
        record(
            "directory.taxonomy.loaded",
            actor=actor,
            target=taxonomy,
            changes={"terms": len(wanted), "version": taxonomy.version},
        )
    return taxonomy, len(wanted)


def _term(entry: dict[str, Any], parent_code: str | None, taxonomy: Taxonomy) -> dict[str, Any]:
    return {
        "id": term_id(entry["code"]),
        "code": entry["code"],
        "name": entry["name_fr"],
        "name_en": entry["name_en"],
        "description": entry.get("description_fr", entry["name_fr"]),
        "language": "fr",
        "taxonomy": taxonomy.name,
        "taxonomy_detail_id": taxonomy.pk,
        "parent_id": term_id(parent_code) if parent_code else None,
    }
