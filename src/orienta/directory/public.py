"""The public directory: no login, French, English and Kreyòl, printable."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from uuid import UUID

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from orienta.accounts.access import public_page
from orienta.directory.hxl import service_map_csv
from orienta.directory.models import Attribute, Contact, Service, ServiceAtLocation
from orienta.directory.search import DirectorySearchForm, Filters, find_service_ids, term_label

PER_PAGE = 20


def _filters(request: HttpRequest) -> tuple[DirectorySearchForm, Filters]:
    form = DirectorySearchForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, Filters(**form.cleaned_data)
    return form, Filters()


def _categories(services: list[Service]) -> dict[Any, list[str]]:
    found: dict[Any, list[str]] = defaultdict(list)
    for attribute in Attribute.objects.filter(
        link_entity="service", link_id__in=[s.pk for s in services]
    ).select_related("taxonomy_term"):
        found[attribute.link_id].append(term_label(attribute.taxonomy_term))
    return found


def _in_order(ids: Any) -> list[Service]:
    found = _with_details(Service.objects.filter(pk__in=list(ids))).in_bulk()
    return [found[pk] for pk in ids if pk in found]


def _with_details(services: Any) -> Any:
    return services.select_related("organization").prefetch_related(
        "cost_options",
        "languages",
        Prefetch(
            "service_at_locations", queryset=ServiceAtLocation.objects.select_related("location")
        ),
    )


@public_page
def directory(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    page = Paginator(find_service_ids(filters), PER_PAGE).get_page(request.GET.get("page"))
    services = _in_order(page.object_list)
    labels = _categories(services)
    for service in services:
        service.category_labels = labels.get(service.pk, [])  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "services": services, "query": query.urlencode()}
    htmx = getattr(request, "htmx", False)
    template = "directory/public/list.html" + ("#results" if htmx else "")
    return render(request, template, context, status=400 if form.errors else 200)


@public_page
def service_page(request: HttpRequest, service_id: UUID) -> HttpResponse:
    service = (
        _with_details(Service.objects.filter(status="active"))
        .prefetch_related(
            "schedules",
            "phones",
            "required_documents",
            "funding",
            Prefetch("contacts", queryset=Contact.objects.filter(internal=False)),
        )
        .filter(pk=service_id)
        .first()
    )
    if service is None:
        raise Http404
    context = {"service": service, "categories": _categories([service]).get(service.pk, [])}
    return render(request, "directory/public/service.html", context)


@public_page
def printable(request: HttpRequest) -> HttpResponse:
    """The directory as a PDF, by area then category: the operational tool the SOPs attach."""
    from weasyprint import HTML

    _form, filters = _filters(request)
    services = _in_order(find_service_ids(filters)[:2000])
    labels = _categories(services)
    grouped: dict[str, dict[str, list[Service]]] = defaultdict(lambda: defaultdict(list))
    for service in services:
        areas = {
            sal.location.admin1_name or _("Area not stated")
            for sal in service.service_at_locations.all()
        } or {_("Area not stated")}
        names = labels.get(service.pk) or [_("Other services")]
        service.category_labels = names  # type: ignore[attr-defined]
        for area in areas:
            grouped[area][names[0]].append(service)
    context = {
        "grouped": {a: dict(sorted(c.items())) for a, c in sorted(grouped.items())},
        "generated": timezone.localtime(),
        "count": len(services),
        "filters": filters,
    }
    html = render_to_string("directory/public/print.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="repertoire-orienta.pdf"'
    return response


@public_page
def hxl_service_map(request: HttpRequest) -> HttpResponse:
    """The service map as HXL-tagged CSV, for humanitarian tools (HDX, 3W/4W dashboards)."""
    response = HttpResponse(service_map_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="service-map.hxl.csv"'
    return response
