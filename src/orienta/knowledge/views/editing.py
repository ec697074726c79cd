"""Keeping the knowledge base (`knowledge.edit`, the policy officer): an entity and its sourced
facts, its member states, and the two taxonomies of the matrix. Each view parses the form,
calls the service and shows its refusals on the form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from orienta.accounts.access import capability_required
from orienta.core.errors import ServiceError
from orienta.core.http import (
    AuthenticatedHttpRequest,
    posted_version,
    show_on_form,
    shown_version,
)
from orienta.knowledge import members, services, taxonomy
from orienta.knowledge.checks import is_key
from orienta.knowledge.choices import FactField
from orienta.knowledge.forms import (
    EntityForm,
    FactForm,
    MemberForm,
    RegionForm,
    ThemeForm,
    caveat_rows,
    entity_initial,
    fact_initial,
    initial_of,
)
from orienta.knowledge.models import Entity, EntityMember, Region, Theme
from orienta.knowledge.models.taxonomy import Labelled

EDIT = services.EDIT
GET_POST = require_http_methods(["GET", "POST"])


def _entity(key: str) -> Entity:
    return get_object_or_404(Entity, key=key)


# --- Entities ---------------------------------------------------------------------------------


@capability_required(EDIT)
@GET_POST
def entity_edit(request: AuthenticatedHttpRequest, key: str | None = None) -> HttpResponse:
    entity = _entity(key) if key is not None else None
    form = EntityForm(request.POST or None, initial=entity_initial(entity))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_entity(
                acting_user=request.user,
                entity=entity,
                expected_version=posted_version(request) if entity else None,
                **form.cleaned_data,
            )
        except ServiceError as refused:
            show_on_form(form, refused)
        else:
            messages.success(request, _("Entity saved."))
            return redirect("knowledge:entity", key=saved.key)
    return render(
        request,
        "knowledge/edit_entity.html",
        {
            "form": form,
            "entity": entity,
            "version": shown_version(request, entity.version) if entity else None,
        },
    )


# --- Facts ------------------------------------------------------------------------------------


@capability_required(EDIT)
@GET_POST
def fact_edit(request: AuthenticatedHttpRequest, key: str, field: str) -> HttpResponse:
    if field not in FactField.values:
        raise Http404
    entity = _entity(key)
    fact = entity.facts.filter(field=field).first()
    form = FactForm(request.POST or None, initial=fact_initial(fact), caveat_rows=caveat_rows(fact))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_fact(
                acting_user=request.user, entity=entity, field=field, **form.values()
            )
        except ServiceError as refused:
            show_on_form(form, refused)
        else:
            done = _("Section saved.") if saved else _("Section deleted.")
            messages.success(request, done)
            section = FactField.values.index(field) + 1
            return redirect(reverse("knowledge:entity", args=[entity.key]) + f"#fact-{section}")
    return render(
        request,
        "knowledge/edit_fact.html",
        {"form": form, "entity": entity, "fact": fact, "section": FactField(field).label},
    )


# --- Member states ----------------------------------------------------------------------------


def _member(entity: Entity, pk: str) -> EntityMember:
    """The entity's member state named in the request, 404 for any other."""
    if not pk.isdecimal():  # not isdigit: "²" is a digit that int() refuses
        raise Http404
    return get_object_or_404(EntityMember, entity=entity, pk=int(pk))


def _remove_member(request: AuthenticatedHttpRequest, entity: Entity) -> HttpResponse:
    member = _member(entity, request.POST.get("remove", ""))
    members.remove_member(acting_user=request.user, member=member)
    messages.success(request, _("%(country)s removed.") % {"country": member.country})
    return redirect("knowledge:members", key=entity.key)


@capability_required(EDIT)
@GET_POST
def members_page(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    entity = _entity(key)
    if request.method == "POST" and "remove" in request.POST:
        return _remove_member(request, entity)
    member = _member(entity, request.GET["member"]) if "member" in request.GET else None
    form = MemberForm(request.POST or None, initial=initial_of(member, members.MEMBER_FIELDS))
    if request.method == "POST" and form.is_valid():
        try:
            members.save_member(
                acting_user=request.user, entity=entity, member=member, **form.cleaned_data
            )
        except ServiceError as refused:
            show_on_form(form, refused)
        else:
            messages.success(request, _("Member state saved."))
            return redirect("knowledge:members", key=entity.key)
    return render(
        request,
        "knowledge/edit_members.html",
        {
            "entity": entity,
            "members": entity.members.order_by("role", "country"),
            "member": member,
            "form": form,
        },
    )


# --- Themes and regions -----------------------------------------------------------------------


def _labelled(model: type[Labelled], code: str | None) -> Any:
    """The theme or region named in the request (None when none is), 404 for an unknown code
    (and for what cannot be a code, which the database may refuse to compare: a NUL)."""
    if code is None:
        return None
    if not is_key(code):
        raise Http404
    return get_object_or_404(model, code=code)


def _delete_labelled(request: AuthenticatedHttpRequest, posted: str) -> HttpResponse:
    code = request.POST.get("code", "")
    try:
        if posted == "delete_theme":
            taxonomy.delete_theme(acting_user=request.user, theme=_labelled(Theme, code))
            messages.success(request, _("Theme deleted."))
        else:
            taxonomy.delete_region(acting_user=request.user, region=_labelled(Region, code))
            messages.success(request, _("Region deleted."))
    except ServiceError as refused:
        messages.error(request, str(refused.message))
    return redirect("knowledge:taxonomy")


def _save_labelled(request: AuthenticatedHttpRequest, form: Any, kind: str, current: Any) -> bool:
    """Save the posted theme or region; False (and the refusal on the form) when refused."""
    if not form.is_valid():
        return False
    try:
        if kind == "theme":
            taxonomy.save_theme(acting_user=request.user, theme=current, **form.cleaned_data)
        else:
            taxonomy.save_region(acting_user=request.user, region=current, **form.cleaned_data)
    except ServiceError as refused:
        show_on_form(form, refused)
        return False
    messages.success(request, _("Theme saved.") if kind == "theme" else _("Region saved."))
    return True


def _taxonomy_forms(
    request: AuthenticatedHttpRequest, posted: str, theme: Theme | None, region: Region | None
) -> dict[str, Any]:
    """The theme form and the region form (new, or the one edited); only the posted one bound."""
    return {
        "theme": ThemeForm(
            request.POST if posted == "theme" else None,
            initial=initial_of(theme, taxonomy.THEME_FIELDS),
            editing=theme is not None,
            prefix="theme",
        ),
        "region": RegionForm(
            request.POST if posted == "region" else None,
            initial=initial_of(region, taxonomy.REGION_FIELDS),
            editing=region is not None,
            prefix="region",
        ),
    }


def _in_use() -> dict[str, Any]:
    """Themes and regions with how many records use them (ordered explicitly: Meta.ordering
    does not apply to a grouped query)."""
    return {
        "themes": Theme.objects.annotate(
            entity_count=Count("entities", distinct=True),
            policy_count=Count("policies", distinct=True),
        ).order_by("order", "code"),
        "regions": Region.objects.annotate(entity_count=Count("entities", distinct=True)).order_by(
            "order", "code"
        ),
    }


@capability_required(EDIT)
@GET_POST
def taxonomy_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    posted = request.POST.get("form", "") if request.method == "POST" else ""
    if posted in ("delete_theme", "delete_region"):
        return _delete_labelled(request, posted)
    current = {
        "theme": _labelled(Theme, request.GET.get("theme")),
        "region": _labelled(Region, request.GET.get("region")),
    }
    forms = _taxonomy_forms(request, posted, current["theme"], current["region"])
    if posted in forms and _save_labelled(request, forms[posted], posted, current[posted]):
        return redirect("knowledge:taxonomy")
    return render(
        request,
        "knowledge/edit_taxonomy.html",
        {
            **_in_use(),
            **current,
            "theme_form": forms["theme"],
            "region_form": forms["region"],
        },
    )


urlpatterns: list[URLPattern] = [
    path("knowledge/entities/new/", entity_edit, name="entity_new"),
    path("knowledge/entities/<slug:key>/edit/", entity_edit, name="entity_edit"),
    path("knowledge/entities/<slug:key>/facts/<str:field>/", fact_edit, name="fact_edit"),
    path("knowledge/entities/<slug:key>/members/", members_page, name="members"),
    path("knowledge/taxonomy/", taxonomy_page, name="taxonomy"),
]
