"""The service map as an HXL-tagged CSV (HXL 1.1): a text header row, then the hashtag row, then
one row per service at a location. Only public data: no internal contact, no inactive service."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from typing import Any

from django.db.models import Prefetch

from orienta.directory.models import Attribute, Funding, Phone, ServiceAtLocation

COLUMNS = [
    ("Organisation", "#org+name"),
    ("Service", "#service+name"),
    ("Category codes", "#service+type+code"),
    ("Sector", "#sector+name"),
    ("Admin-1", "#adm1+name"),
    ("Admin-1 P-code", "#adm1+code"),
    ("Admin-2", "#adm2+name"),
    ("Place", "#loc+name"),
    ("Latitude", "#geo+lat"),
    ("Longitude", "#geo+lon"),
    ("Phone", "#contact+phone"),
    ("Status", "#status"),
    ("Cost", "#x_cost+type"),
    ("Funding ends", "#date+end+funding"),
    ("HSDS service id", "#meta+id"),
]


def service_map_csv() -> str:
    rows = (
        ServiceAtLocation.objects.filter(service__status="active")
        .select_related("service__organization", "location")
        .prefetch_related(
            "service__cost_options",
            Prefetch("service__phones", queryset=Phone.objects.order_by("pk")),
            Prefetch("service__funding", queryset=Funding.objects.exclude(end_date=None)),
        )
        .order_by("location__admin1_code", "service__name")
    )
    categories: dict[Any, list[tuple[str, str]]] = defaultdict(list)
    for link_id, code, parent in Attribute.objects.filter(link_entity="service").values_list(
        "link_id", "taxonomy_term__code", "taxonomy_term__parent__name"
    ):
        categories[link_id].append((code, parent or ""))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([label for label, _tag in COLUMNS])
    writer.writerow([tag for _label, tag in COLUMNS])
    for sal in rows:
        service, location = sal.service, sal.location
        codes = categories.get(service.pk, [])
        phones = [p.number for p in service.phones.all()]
        costs = [c.option for c in service.cost_options.all()]
        ends = sorted(f.end_date.isoformat() for f in service.funding.all() if f.end_date)
        writer.writerow(
            [
                service.organization.name,
                service.name,
                " ".join(code for code, _p in codes),
                "; ".join(sorted({parent for _c, parent in codes if parent})),
                location.admin1_name,
                location.admin1_code,
                location.admin2_name,
                location.name,
                "" if location.latitude is None else location.latitude,
                "" if location.longitude is None else location.longitude,
                phones[0] if phones else "",
                service.status,
                costs[0] if costs else "",
                ends[0] if ends else "",
                service.pk,
            ]
        )
    return buffer.getvalue()
