"""The HSDS 3.0 API at /api/hsds/: public, read-only, the official OpenAPI's paths, filters and
`Page` envelope, in JSON or NDJSON."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from orienta.directory import models as directory
from orienta.directory.hsds import serialise
from orienta.directory.hsds.spec import HERE, tables

PER_PAGE = 50
MAX_PER_PAGE = 500


class BadParameterError(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def _error(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "details": details or {}}, status=status)


def _flag(request: HttpRequest, name: str, default: bool) -> bool:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("true", "1", "yes"):
        return True
    if raw.lower() in ("false", "0", "no"):
        return False
    raise BadParameterError(name, _("must be true or false"))


def _number(request: HttpRequest, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameterError(name, _("must be a whole number")) from None
    if value < 1:
        raise BadParameterError(name, _("must be 1 or more"))
    return min(value, maximum) if maximum else value


def _uuid(request: HttpRequest, name: str) -> UUID | None:
    raw = request.GET.get(name, "")
    if not raw:
        return None
    try:
        return UUID(raw)
    except ValueError:
        raise BadParameterError(name, _("must be a UUID")) from None


def _respond(
    request: HttpRequest, items: list[dict[str, Any]], total: int, page: int, size: int
) -> HttpResponse:
    if request.GET.get("format", "json") == "ndjson":
        body = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
        return HttpResponse(body, content_type="application/x-ndjson")
    pages = max(1, math.ceil(total / size)) if total else 0
    return JsonResponse(
        {
            "total_items": total,
            "total_pages": pages,
            "page_number": page,
            "size": len(items),
            "first_page": page == 1,
            "last_page": page >= pages,
            "empty": not items,
            "contents": items,
        },
        json_dumps_params={"ensure_ascii": False},
    )


Filter = Callable[[HttpRequest, QuerySet[Any]], QuerySet[Any]]


def _collection(
    queryset: Callable[[], QuerySet[Any]],
    render: Callable[[QuerySet[Any], bool], list[dict[str, Any]]],
    narrow: Filter,
) -> Callable[[HttpRequest], HttpResponse]:
    @require_GET
    def view(request: HttpRequest) -> HttpResponse:
        try:
            if request.GET.get("format", "json") not in ("json", "ndjson"):
                raise BadParameterError("format", _("must be json or ndjson"))
            page = _number(request, "page", 1)
            size = _number(request, "per_page", PER_PAGE, MAX_PER_PAGE)
            full = _flag(request, "full", False)
            rows = narrow(request, queryset()).order_by("pk")
        except BadParameterError as bad:
            message = _("%(parameter)s %(problem)s") % {
                "parameter": bad.name,
                "problem": bad.message,
            }
            return _error(400, "invalid", message, {"parameter": bad.name})
        total = rows.count()
        window = rows[(page - 1) * size : page * size]
        return _respond(request, render(window, full), total, page, size)

    return view


def _single(
    queryset: Callable[[], QuerySet[Any]],
    render: Callable[[QuerySet[Any], bool], list[dict[str, Any]]],
) -> Callable[[HttpRequest, UUID], HttpResponse]:
    @require_GET
    def view(request: HttpRequest, pk: UUID) -> HttpResponse:
        items = render(queryset().filter(pk=pk), True)
        if not items:
            return _error(404, "not_found", _("Not found."))
        return JsonResponse(items[0], json_dumps_params={"ensure_ascii": False})

    return view


def _services(request: HttpRequest, rows: QuerySet[Any]) -> QuerySet[Any]:
    if search := request.GET.get("search", "").strip():
        rows = rows.filter(Q(name__icontains=search) | Q(description__icontains=search))
    if term := _uuid(request, "taxonomy_term_id"):
        rows = rows.filter(pk__in=_linked(taxonomy_term_id=term))
    if taxonomy := _uuid(request, "taxonomy_id"):
        rows = rows.filter(pk__in=_linked(taxonomy_term__taxonomy_detail_id=taxonomy))
    if organisation := _uuid(request, "organization_id"):
        rows = rows.filter(organization_id=organisation)
    if after := request.GET.get("modified_after", "").strip():
        try:
            moment = datetime.fromisoformat(after)
        except ValueError:
            raise BadParameterError("modified_after", _("must be an ISO 8601 date-time")) from None
        rows = rows.filter(last_modified__gt=moment)
    return rows


def _linked(**lookup: Any) -> QuerySet[Any]:
    return directory.Attribute.objects.filter(link_entity="service", **lookup).values("link_id")


def _organisations(request: HttpRequest, rows: QuerySet[Any]) -> QuerySet[Any]:
    if search := request.GET.get("search", "").strip():
        rows = rows.filter(Q(name__icontains=search) | Q(description__icontains=search))
    return rows


def _terms(request: HttpRequest, rows: QuerySet[Any]) -> QuerySet[Any]:
    if search := request.GET.get("search", "").strip():
        rows = rows.filter(Q(name__icontains=search) | Q(code__icontains=search))
    if taxonomy := _uuid(request, "taxonomy_id"):
        rows = rows.filter(taxonomy_detail_id=taxonomy)
    if parent := _uuid(request, "parent_id"):
        rows = rows.filter(parent_id=parent)
    return rows


def _service_at_locations(request: HttpRequest, rows: QuerySet[Any]) -> QuerySet[Any]:
    services = _services(request, directory.Service.objects.all())
    if any(
        request.GET.get(k)
        for k in ("search", "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after")
    ):
        rows = rows.filter(service__in=services)
    return rows


def _unfiltered(request: HttpRequest, rows: QuerySet[Any]) -> QuerySet[Any]:
    return rows


@require_GET
def root(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "version": "3.0",
            "profile": request.build_absolute_uri(reverse("hsds:profile")),
            "openapi_url": request.build_absolute_uri(reverse("hsds:openapi")),
        }
    )


@require_GET
def profile(request: HttpRequest) -> JsonResponse:
    """The NRM profile, machine-readable: the columns it adds to each HSDS table."""
    additions = {
        name: [
            {"name": c.name, "type": c.type, **({"enum": list(c.enum)} if c.enum else {})}
            for c in table.columns
            if c.profile
        ]
        for name, table in tables().items()
    }
    return JsonResponse(
        {
            "name": "orienta-nrm",
            "title": "Orienta National Referral Mechanism profile of HSDS 3.0",
            "hsds_version": "3.0",
            "documentation": "docs/hsds-profile.md",
            "additional_columns": {k: v for k, v in additions.items() if v},
            "additional_tables": ["unit", "service_capacity"],
        }
    )


@require_GET
def openapi(request: HttpRequest) -> FileResponse:
    return FileResponse((HERE / "openapi.json").open("rb"), content_type="application/json")


app_name = "hsds"
urlpatterns = [
    path("", root, name="root"),
    path("openapi.json", openapi, name="openapi"),
    path("profile", profile, name="profile"),
    path(
        "services",
        _collection(directory.Service.objects.all, serialise.services, _services),
        name="services",
    ),
    path(
        "services/<uuid:pk>",
        _single(directory.Service.objects.all, serialise.services),
        name="service",
    ),
    path(
        "organizations",
        _collection(directory.Organisation.objects.all, serialise.organizations, _organisations),
        name="organizations",
    ),
    path(
        "organizations/<uuid:pk>",
        _single(directory.Organisation.objects.all, serialise.organizations),
        name="organization",
    ),
    path(
        "taxonomies",
        _collection(directory.Taxonomy.objects.all, serialise.taxonomies, _unfiltered),
        name="taxonomies",
    ),
    path(
        "taxonomies/<uuid:pk>",
        _single(directory.Taxonomy.objects.all, serialise.taxonomies),
        name="taxonomy",
    ),
    path(
        "taxonomy_terms",
        _collection(directory.TaxonomyTerm.objects.all, serialise.taxonomy_terms, _terms),
        name="taxonomy_terms",
    ),
    path(
        "taxonomy_terms/<uuid:pk>",
        _single(directory.TaxonomyTerm.objects.all, serialise.taxonomy_terms),
        name="taxonomy_term",
    ),
    path(
        "service_at_locations",
        _collection(
            directory.ServiceAtLocation.objects.all,
            serialise.service_at_locations,
            _service_at_locations,
        ),
        name="service_at_locations",
    ),
    path(
        "service_at_locations/<uuid:pk>",
        _single(directory.ServiceAtLocation.objects.all, serialise.service_at_locations),
        name="service_at_location",
    ),
]
