"""The mapping analysis ("état des lieux"): which categories of service exist in which areas,
where there are none (gaps), where several providers do the same thing (overlaps), which
services are at risk, and how much is free."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from orienta.directory.models import (
    Attribute,
    CostOption,
    Funding,
    Location,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from orienta.directory.search import term_label

RISK_DAYS = 90
STALE_DAYS = 365


@dataclass
class Analysis:
    categories: list[tuple[str, str]]  # (code, label) of top-level terms
    areas: list[tuple[str, str]]  # (admin-1 code, name)
    matrix: dict[tuple[str, str], int]  # (category, area) → active services
    overlap_threshold: int
    at_risk: list[dict[str, Any]] = field(default_factory=list)
    cost_share: dict[str, dict[str, int]] = field(default_factory=dict)

    def cell(self, category: str, area: str) -> int:
        return self.matrix.get((category, area), 0)

    @property
    def gaps(self) -> list[tuple[str, str]]:
        return [(c, a) for c, _l in self.categories for a, _n in self.areas if not self.cell(c, a)]

    @property
    def overlaps(self) -> list[tuple[str, str, int]]:
        return [
            (c, a, self.cell(c, a))
            for c, _l in self.categories
            for a, _n in self.areas
            if self.cell(c, a) >= self.overlap_threshold
        ]

    def rows(self) -> list[tuple[str, list[int]]]:
        return [(label, [self.cell(c, a) for a, _n in self.areas]) for c, label in self.categories]


def analyse(overlap_threshold: int = 3) -> Analysis:
    terms = list(TaxonomyTerm.objects.values_list("id", "code", "parent_id"))
    top_of: dict[Any, str] = {}
    by_id = {t[0]: t for t in terms}
    for term_id, code, parent in terms:
        top = by_id.get(parent) if parent else None
        top_of[term_id] = top[1] if top else code
    categories = [
        (t.code, term_label(t))
        for t in TaxonomyTerm.objects.filter(parent__isnull=True).exclude(code="").order_by("code")
    ]
    active = set(Service.objects.filter(status="active").values_list("pk", flat=True))
    service_categories: dict[Any, set[str]] = defaultdict(set)
    for link_id, term_id in Attribute.objects.filter(link_entity="service").values_list(
        "link_id", "taxonomy_term_id"
    ):
        if link_id in active and term_id in top_of:
            service_categories[link_id].add(top_of[term_id])
    service_areas: dict[Any, set[str]] = defaultdict(set)
    for service_id, area in ServiceAtLocation.objects.values_list(
        "service_id", "location__admin1_code"
    ):
        if service_id in active and area:
            service_areas[service_id].add(area)
    matrix: dict[tuple[str, str], int] = defaultdict(int)
    for service_id, codes in service_categories.items():
        for code in codes:
            for area in service_areas.get(service_id, ()):
                matrix[(code, area)] += 1
    areas = sorted(
        set(
            Location.objects.exclude(admin1_code="")
            .values_list("admin1_code", "admin1_name")
            .distinct()
        ),
        key=lambda a: a[1] or a[0],
    )
    costs: dict[Any, str] = {}
    for service_id, option in CostOption.objects.values_list("service_id", "option"):
        costs.setdefault(service_id, option)
    share: dict[str, dict[str, int]] = {code: defaultdict(int) for code, _l in categories}
    for service_id, codes in service_categories.items():
        for code in codes:
            if code in share:
                share[code][costs.get(service_id, "unknown")] += 1
    return Analysis(
        categories=categories,
        areas=[(code, name or code) for code, name in dict(areas).items()],
        matrix=dict(matrix),
        overlap_threshold=overlap_threshold,
        at_risk=_at_risk(),
        cost_share={code: dict(counts) for code, counts in share.items()},
    )


def at_risk(services: QuerySet[Service]) -> QuerySet[Service]:
    """Funding ends within 90 days, or not verified for 12 months."""
    today = timezone.localdate()
    ending = Funding.objects.filter(
        service=OuterRef("pk"), end_date__gte=today, end_date__lte=today + timedelta(RISK_DAYS)
    )
    stale = Q(assured_date__lt=today - timedelta(STALE_DAYS)) | Q(assured_date__isnull=True)
    return services.filter(Exists(ending) | stale)


def _at_risk() -> list[dict[str, Any]]:
    today = timezone.localdate()
    stale_before = today - timedelta(STALE_DAYS)
    found = []
    services = at_risk(Service.objects.filter(status="active")).select_related("organization")
    ending = dict(
        Funding.objects.filter(
            service__in=services, end_date__gte=today, end_date__lte=today + timedelta(RISK_DAYS)
        ).values_list("service_id", "end_date")
    )
    for service in services:
        found.append(
            {
                "service": service,
                "funding_ends": ending.get(service.pk),
                "last_verified": service.assured_date,
                "stale": service.assured_date is None or service.assured_date < stale_before,
            }
        )
    return sorted(found, key=lambda r: (r["funding_ends"] is None, r["funding_ends"] or today))
