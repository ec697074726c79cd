"""Entities and dialogues: the list with its filters, one entity with its sourced facts and its
member states, and the mapping matrix."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path
from django.utils.translation import override

from orienta.accounts.access import capability_required, has_capability
from orienta.core.http import AuthenticatedHttpRequest, pdf_response
from orienta.core.i18n import requested_language
from orienta.knowledge import exports, matrix, search
from orienta.knowledge.choices import Confidence, EntityKind, FactField
from orienta.knowledge.models import Entity, Region, Theme

VIEW = "knowledge.view"
BADGES = {
    Confidence.VERIFIED: "success",
    Confidence.SECONDARY: "warning",
    Confidence.UNVERIFIED: "danger",
}


def _filters(request: AuthenticatedHttpRequest) -> dict[str, str]:
    kinds, themes = set(EntityKind.values), set(Theme.objects.values_list("code", flat=True))
    regions = set(Region.objects.values_list("code", flat=True))
    wanted = {name: request.GET.get(name, "") for name in ("kind", "theme", "region")}
    return {
        "kind": wanted["kind"] if wanted["kind"] in kinds else "",
        "theme": wanted["theme"] if wanted["theme"] in themes else "",
        "region": wanted["region"] if wanted["region"] in regions else "",
    }


def _choices() -> dict[str, Any]:
    return {
        "kinds": EntityKind.choices,
        "themes": Theme.objects.all(),
        "regions": Region.objects.all(),
    }


@capability_required(VIEW)
def entity_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    chosen = _filters(request)
    return render(
        request,
        "knowledge/entity_list.html",
        {
            "entities": matrix.filtered(**chosen),
            "chosen": chosen,
            **_choices(),
            "can_edit": has_capability(request.user, "knowledge.edit"),
        },
    )


@capability_required(VIEW)
def entity_detail(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    entity = get_object_or_404(Entity.objects.prefetch_related("themes", "regions"), key=key)
    facts = {fact.field: fact for fact in entity.facts.all()}
    return render(
        request,
        "knowledge/entity.html",
        {
            "entity": entity,
            # Each section as (field, label, fact or None): the field names its "Edit" link.
            "sections": [(value, label, facts.get(value)) for value, label in FactField.choices],
            "members": entity.members.order_by("role", "country"),
            "policies": entity.policies.order_by("-year"),
            "badges": BADGES,
            "can_edit": has_capability(request.user, "knowledge.edit"),
        },
    )


@capability_required(VIEW)
def matrix_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    chosen = _filters(request)
    axis = request.GET.get("axis", "theme")
    built = matrix.build(axis, **chosen)
    wanted = request.GET.get("format")
    if wanted == "csv":
        response = HttpResponse(matrix.as_csv(built), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="matrix-{built.axis}.csv"'
        return response
    if wanted in ("xlsx", "pdf"):
        language = exports.document_language(requested_language(request))
        if wanted == "xlsx":
            response = HttpResponse(
                exports.matrix_xlsx(built, language=language), content_type=exports.XLSX
            )
            response["Content-Disposition"] = (
                f'attachment; filename="matrix-{built.axis}-{language}.xlsx"'
            )
            return response
        with override(language):
            described = exports.describe_filters(**chosen)
        pdf = exports.matrix_pdf(built, described, language=language)
        return pdf_response(pdf, f"matrix-{built.axis}-{language}.pdf")
    return render(
        request,
        "knowledge/matrix.html",
        {"matrix": built, "chosen": chosen, "axis": built.axis, **_choices()},
    )


@capability_required(VIEW)
def search_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    return render(
        request,
        "knowledge/search.html",
        {"query": query, "hits": search.search(query) if query else []},
    )


urlpatterns: list[URLPattern] = [
    path("knowledge/search/", search_page, name="search"),
    path("knowledge/", entity_list, name="entities"),
    path("knowledge/matrix/", matrix_page, name="matrix"),
    path("knowledge/entities/<slug:key>/", entity_detail, name="entity"),
]
