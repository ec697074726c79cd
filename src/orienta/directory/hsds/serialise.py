"""Directory rows as HSDS JSON objects, for the HSDS API. Internal contacts are never published,
and the `extra` columns kept from imports are not either (they are whatever a publisher sent)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models
from django.db.models import Prefetch

from orienta.directory import models as directory
from orienta.directory.hsds.exporter import cell
from orienta.directory.hsds.spec import fields_by_column, fill_required, tables


def flat(instance: models.Model) -> dict[str, Any]:
    """The object's own HSDS columns (and profile columns), without nested objects."""
    table = tables()[instance.hsds_table]  # type: ignore[attr-defined]
    by_column = fields_by_column(type(instance))
    values = {c.name: cell(c, getattr(instance, by_column[c.name].attname)) for c in table.columns}
    fill_required(table.name, values)
    # HSDS's JSON Schemas give no column a null type: absent values are left out.
    return {name: value for name, value in values.items() if value is not None}


def _nest(item: dict[str, Any], owner: models.Model, names: Iterable[str]) -> None:
    """Add each prefetched child list of `owner` to `item`, as flat HSDS objects."""
    for name in names:
        item[name] = [flat(child) for child in getattr(owner, name).all()]


def _public_contacts() -> Prefetch:
    return Prefetch("contacts", queryset=directory.Contact.objects.filter(internal=False))


def _attributes(ids: Sequence[Any]) -> dict[Any, list[dict[str, Any]]]:
    found: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for attribute in directory.Attribute.objects.filter(link_id__in=ids).select_related(
        "taxonomy_term"
    ):
        item = flat(attribute)
        item["taxonomy_term"] = flat(attribute.taxonomy_term)
        found[attribute.link_id].append(item)
    return found


def _with_location(sal: directory.ServiceAtLocation) -> dict[str, Any]:
    item = flat(sal)
    location = flat(sal.location)
    location["addresses"] = [flat(a) for a in sal.location.addresses.all()]
    item["location"] = location
    return item


SERVICE_CHILDREN = (
    "phones",
    "schedules",
    "service_areas",
    "languages",
    "funding",
    "cost_options",
    "required_documents",
    "capacities",
    "contacts",
)
# Contacts last: they are prefetched apart, without the internal ones.
ORGANISATION_CHILDREN = (
    "services",
    "phones",
    "locations",
    "programs",
    "organization_identifiers",
    "funding",
    "contacts",
)

SERVICE_PREFETCH = (
    *SERVICE_CHILDREN[:-1],
    Prefetch(
        "service_at_locations",
        queryset=directory.ServiceAtLocation.objects.select_related("location").prefetch_related(
            "location__addresses"
        ),
    ),
)


def services(queryset: models.QuerySet[directory.Service], full: bool) -> list[dict[str, Any]]:
    rows = list(
        queryset.select_related("organization", "program").prefetch_related(
            *SERVICE_PREFETCH, _public_contacts()
        )
    )
    attributes = _attributes([s.pk for s in rows])
    result = []
    for service in rows:
        item = flat(service)
        item["organization"] = flat(service.organization)
        item["attributes"] = attributes.get(service.pk, [])
        if full:
            if service.program:
                item["program"] = flat(service.program)
            _nest(item, service, SERVICE_CHILDREN)
            item["service_at_locations"] = [
                _with_location(sal) for sal in service.service_at_locations.all()
            ]
        result.append(item)
    return result


def organizations(
    queryset: models.QuerySet[directory.Organisation], full: bool
) -> list[dict[str, Any]]:
    if full:
        queryset = queryset.prefetch_related(*ORGANISATION_CHILDREN[:-1], _public_contacts())
    rows = list(queryset)
    result = []
    for organisation in rows:
        item = flat(organisation)
        if full:
            _nest(item, organisation, ORGANISATION_CHILDREN)
        result.append(item)
    return result


def service_at_locations(
    queryset: models.QuerySet[directory.ServiceAtLocation], full: bool
) -> list[dict[str, Any]]:
    rows = list(
        queryset.select_related("location", "service").prefetch_related(
            "location__addresses", "phones", "schedules", _public_contacts()
        )
    )
    result = []
    for sal in rows:
        item = _with_location(sal)
        item["service"] = flat(sal.service)
        if full:
            _nest(item, sal, ("phones", "schedules", "contacts"))
        result.append(item)
    return result


def taxonomy_terms(
    queryset: models.QuerySet[directory.TaxonomyTerm], full: bool
) -> list[dict[str, Any]]:
    result = []
    for term in queryset.select_related("taxonomy_detail"):
        item = flat(term)
        # A dangling taxonomy id (kept from an import) joins to nothing.
        if full and term.taxonomy_detail:
            item["taxonomy_detail"] = flat(term.taxonomy_detail)
        result.append(item)
    return result


def taxonomies(queryset: Iterable[directory.Taxonomy], full: bool) -> list[dict[str, Any]]:
    return [flat(t) for t in queryset]
