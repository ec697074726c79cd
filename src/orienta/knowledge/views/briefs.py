"""Briefs: the list of every entity's brief and its state, one brief with its completeness check
and versions, writing a version from the data, editing a draft, marking it final, the PDF and
Word files in French and English, and the comparison of two versions."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orienta.accounts.access import capability_required, has_capability
from orienta.core.errors import ServiceError
from orienta.core.http import (
    AuthenticatedHttpRequest,
    pdf_response,
    posted_version,
    shown_version,
)
from orienta.governance import text
from orienta.knowledge import brief_documents, briefs
from orienta.knowledge.exports import document_language
from orienta.knowledge.models import BriefVersion, Entity

VIEW = "knowledge.view"
EDIT = "knowledge.edit"


def _entity(key: str) -> Entity:
    return get_object_or_404(Entity, key=key)


def _version(entity: Entity, number: int) -> BriefVersion:
    return get_object_or_404(
        BriefVersion.objects.select_related("brief__entity"), brief__entity=entity, number=number
    )


def _language(request: AuthenticatedHttpRequest) -> str:
    return document_language(request.GET.get("lang"))


def _back(entity: Entity, number: int | None = None) -> str:
    url = reverse("knowledge:brief", args=[entity.key])
    return f"{url}?v={number}" if number else url


@capability_required(VIEW)
def brief_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    entities = Entity.objects.select_related("brief").order_by("kind", "key")
    return render(request, "knowledge/brief_list.html", {"entities": entities})


@capability_required(VIEW)
def brief_page(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    entity = _entity(key)
    versions = list(BriefVersion.objects.filter(brief__entity=entity).order_by("-number"))
    wanted = request.GET.get("v", "")
    latest = versions[0] if versions else None
    chosen = next((v for v in versions if str(v.number) == wanted), latest)
    language = _language(request)
    # The template of the version shown (the kind the entity had when it was written).
    dialogue = briefs.version_is_dialogue(chosen) if chosen else briefs.is_dialogue(entity)
    return render(
        request,
        "knowledge/brief.html",
        {
            "entity": entity,
            "versions": versions,
            "version": chosen,
            "latest": latest,
            "brief": brief_documents.printed(chosen, language) if chosen else None,
            "missing": briefs.missing_sections(chosen) if chosen else [],
            "language": language,
            "can_edit": has_capability(request.user, EDIT),
            "dialogue": dialogue,
        },
    )


@require_POST
@capability_required(EDIT)
def brief_write(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    entity = _entity(key)
    try:
        version = briefs.write_from_data(
            acting_user=request.user,
            entity=entity,
            change_summary=request.POST.get("change_summary", ""),
        )
    except ServiceError as error:
        messages.error(request, str(error.message))
        return redirect(_back(entity))
    messages.success(request, _("Version %(n)s written from the data.") % {"n": version.number})
    return redirect(_back(entity, version.number))


@capability_required(EDIT)
def brief_edit(request: AuthenticatedHttpRequest, key: str, number: int) -> HttpResponse:
    entity = _entity(key)
    version = _version(entity, number)
    titles = briefs.version_titles(version)
    texts: dict[str, dict[str, str]] = {}
    if request.method == "POST":
        # Only the texts posted: a section the form did not send keeps its text.
        texts = {
            section["code"]: {
                language: request.POST[name]
                for language in briefs.LANGUAGES
                if (name := f"{section['code']}-{language}") in request.POST
            }
            for section in version.sections
        }
        try:
            briefs.edit_draft(
                acting_user=request.user,
                version=version,
                texts=texts,
                change_summary=request.POST.get("change_summary", ""),
                expected_version=posted_version(request),
            )
        except ServiceError as error:
            messages.error(request, str(error.message))
        else:
            return redirect(_back(entity, version.number))
    # After a refusal the page shows what was posted, and the version it was made from (so
    # that a conflict is not resolved by posting again): nothing typed is lost.
    rows = [
        (str(titles.get(s["code"], s["code"])), {**s, **texts.get(s["code"], {})})
        for s in version.sections
    ]
    return render(
        request,
        "knowledge/brief_edit.html",
        {
            "entity": entity,
            "version": version,
            "rows": rows,
            "shown_version": shown_version(request, version.version),
            "change_summary": request.POST.get("change_summary", version.change_summary),
        },
    )


@require_POST
@capability_required(EDIT)
def brief_final(request: AuthenticatedHttpRequest, key: str, number: int) -> HttpResponse:
    entity = _entity(key)
    version = _version(entity, number)
    try:
        briefs.mark_final(
            acting_user=request.user, version=version, expected_version=posted_version(request)
        )
    except ServiceError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The brief is final."))
    return redirect(_back(entity, number))


@capability_required(VIEW)
def brief_download(
    request: AuthenticatedHttpRequest, key: str, number: int, fmt: str
) -> HttpResponse:
    entity = _entity(key)
    version = _version(entity, number)
    language = _language(request)
    name = f"brief-{entity.key}-v{version.number}-{language}"
    if fmt == "pdf":
        return pdf_response(brief_documents.brief_pdf(version, language), f"{name}.pdf")
    if fmt == "docx":
        response = HttpResponse(
            brief_documents.brief_docx(version, language), content_type=brief_documents.DOCX
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.docx"'
        return response
    raise Http404


@capability_required(VIEW)
def brief_compare(request: AuthenticatedHttpRequest, key: str, number: int) -> HttpResponse:
    """This version against the one before it, in one language."""
    entity = _entity(key)
    version = _version(entity, number)
    earlier = _version(entity, number - 1) if number > 1 else None
    language = _language(request)
    lines = text.compare(
        briefs.as_markdown(earlier, language) if earlier else "",
        briefs.as_markdown(version, language),
    )
    return render(
        request,
        "knowledge/brief_compare.html",
        {
            "entity": entity,
            "version": version,
            "earlier": earlier,
            "lines": lines,
            "counts": text.diff_counts(lines),
            "language": language,
        },
    )


urlpatterns: list[URLPattern] = [
    path("knowledge/briefs/", brief_list, name="briefs"),
    path("knowledge/entities/<slug:key>/brief/", brief_page, name="brief"),
    path("knowledge/entities/<slug:key>/brief/write/", brief_write, name="brief_write"),
    path("knowledge/entities/<slug:key>/brief/<int:number>/edit/", brief_edit, name="brief_edit"),
    path(
        "knowledge/entities/<slug:key>/brief/<int:number>/final/", brief_final, name="brief_final"
    ),
    path(
        "knowledge/entities/<slug:key>/brief/<int:number>/compare/",
        brief_compare,
        name="brief_compare",
    ),
    path(
        "knowledge/entities/<slug:key>/brief/<int:number>/<str:fmt>/",
        brief_download,
        name="brief_download",
    ),
]
