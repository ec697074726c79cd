"""Policy instruments: the list with its filters and its CSV and XLSX export, one policy with
every field and its source, the form that creates or edits one, deletion, and the import of a
CSV or XLSX file with every problem shown by row and column."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orienta.accounts.access import capability_required, has_capability
from orienta.core.errors import ServiceError
from orienta.core.http import (
    AuthenticatedHttpRequest,
    posted_version,
    show_on_form,
    shown_version,
)
from orienta.knowledge import policies, policy_io
from orienta.knowledge.choices import Hazard, Mobility, PolicyLevel, PolicyType
from orienta.knowledge.forms_policies import PolicyForm, PolicyImportForm
from orienta.knowledge.models import Entity, PolicyInstrument, Theme
from orienta.knowledge.policy_columns import policy_values

VIEW = "knowledge.view"
EDIT = policies.EDIT
PAGE_SIZE = 50


def _can_edit(request: AuthenticatedHttpRequest) -> bool:
    return has_capability(request.user, EDIT)


def _year(text: str) -> int | None:
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    return int(text) if text.isdecimal() and len(text) == 4 else None


def _filters(
    request: AuthenticatedHttpRequest, themes: list[Theme], issuers: list[Entity]
) -> policies.Filters:
    """The filters of the query string; a value that is not one of the choices is dropped."""
    query = request.GET

    def one_of(name: str, allowed: Any) -> str:
        value = query.get(name, "")
        return value if value in allowed else ""

    return policies.Filters(
        theme=one_of("theme", {theme.code for theme in themes}),
        type=one_of("type", PolicyType.values),
        level=one_of("level", PolicyLevel.values),
        mobility=one_of("mobility", Mobility.values),
        hazard=one_of("hazard", Hazard.values),
        issuer=one_of("issuer", {entity.key for entity in issuers}),
        year_from=_year(query.get("year_from", "").strip()),
        year_to=_year(query.get("year_to", "").strip()),
        text=query.get("q", "").strip()[:200],
    )


def _export(found: Any, fmt: str) -> HttpResponse:
    response = HttpResponse(
        policy_io.export_policies(found, fmt), content_type=policy_io.EXPORT_TYPES[fmt]
    )
    response["Content-Disposition"] = f'attachment; filename="policies.{fmt}"'
    return response


@capability_required(VIEW)
def policy_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    themes, issuers = list(Theme.objects.all()), list(Entity.objects.order_by("key"))
    chosen = _filters(request, themes, issuers)
    found = policies.filtered(chosen)
    fmt = request.GET.get("format", "")
    if fmt in policy_io.EXPORT_TYPES:
        return _export(found, fmt)
    query = request.GET.copy()
    for name in ("format", "page"):
        query.pop(name, None)
    return render(
        request,
        "knowledge/policy_list.html",
        {
            "page": Paginator(found, PAGE_SIZE).get_page(request.GET.get("page")),
            "chosen": chosen,
            "query": query.urlencode(),
            "themes": themes,
            "issuers": issuers,
            "types": PolicyType.choices,
            "levels": PolicyLevel.choices,
            "mobilities": Mobility.choices,
            "hazards": Hazard.choices,
            "can_edit": _can_edit(request),
        },
    )


def _policy(key: str) -> PolicyInstrument:
    return get_object_or_404(
        PolicyInstrument.objects.select_related("issuer").prefetch_related("themes"), key=key
    )


def _labels(values: list[str], choices: Any) -> list[str]:
    known = dict(choices.choices)
    return [str(known.get(value, value)) for value in values]


@capability_required(VIEW)
def policy_detail(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    policy = _policy(key)
    return render(
        request,
        "knowledge/policy.html",
        {
            "policy": policy,
            "mobility": _labels(policy.mobility, Mobility),
            "hazard": _labels(policy.hazard, Hazard),
            "can_edit": _can_edit(request),
        },
    )


def _show_refusal(form: PolicyForm, refused: ServiceError) -> None:
    """Every problem the service found, each on its field."""
    problems = refused.details.get("problems") or [
        {"field": refused.details.get("field"), "message": refused.message}
    ]
    for problem in problems:
        show_on_form(
            form,
            ServiceError(
                problem["message"], code=refused.code, details={"field": problem["field"]}
            ),
        )


@capability_required(EDIT)
def policy_edit(request: AuthenticatedHttpRequest, key: str | None = None) -> HttpResponse:
    policy = _policy(key) if key is not None else None
    initial = policy_values(policy) if policy else None
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = policies.save_policy(
                acting_user=request.user,
                policy=policy,
                data=form.cleaned_data,
                expected_version=posted_version(request) if policy else None,
            )
        except ServiceError as refused:
            _show_refusal(form, refused)
        else:
            messages.success(request, _("Policy instrument saved."))
            return redirect("knowledge:policy", key=saved.key)
    return render(
        request,
        "knowledge/policy_form.html",
        {
            "form": form,
            "policy": policy,
            "version": shown_version(request, policy.version) if policy else None,
        },
    )


@capability_required(EDIT)
@require_POST
def policy_delete(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    policy = _policy(key)
    try:
        policies.delete_policy(acting_user=request.user, policy=policy)
    except ServiceError as refused:
        messages.error(request, str(refused.message))
        return redirect("knowledge:policy", key=key)
    messages.success(request, _("Policy instrument deleted."))
    return redirect("knowledge:policies")


def _imported(result: policy_io.ImportResult) -> str:
    return _(
        "Policies imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged."
    ) % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}


@capability_required(EDIT)
def policy_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PolicyImportForm(request.POST or None, request.FILES or None)
    problems: list[Any] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = policy_io.import_policies(
                acting_user=request.user, name=upload.name, data=upload.read()
            )
        except ServiceError as refused:  # a concurrent import took a key first: nothing written
            show_on_form(form, refused)
        else:
            if result.imported:
                messages.success(request, _imported(result))
                return redirect("knowledge:policies")
            problems = result.problems
    return render(
        request,
        "knowledge/policy_import.html",
        {"form": form, "problems": problems, "columns": policy_io.COLUMNS.items()},
    )


urlpatterns: list[URLPattern] = [
    path("knowledge/policies/", policy_list, name="policies"),
    path("knowledge/policies/new/", policy_edit, name="policy_new"),
    path("knowledge/policies/import/", policy_import, name="policy_import"),
    path("knowledge/policies/<slug:key>/", policy_detail, name="policy"),
    path("knowledge/policies/<slug:key>/edit/", policy_edit, name="policy_edit"),
    path("knowledge/policies/<slug:key>/delete/", policy_delete, name="policy_delete"),
]
