"""Movements: the announced and arrived flights, boats and convoys of one's organisation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _

from orienta.accounts.access import (
    capability_required,
    get_object_for_user,
    has_capability,
    scope_for,
)
from orienta.audit.services import record_view
from orienta.core.errors import ServiceError
from orienta.core.http import AuthenticatedHttpRequest, posted_version, show_on_form
from orienta.directory.models import Organisation
from orienta.returns import importing, services
from orienta.returns.choices import MovementStatus
from orienta.returns.compliance import LIVE
from orienta.returns.forms import MovementForm
from orienta.returns.models import EntryPoint, Movement

PAGE = 50


def receiving_organisations(user: Any) -> list[Organisation]:
    scope = scope_for(user, "returns.receive_arrivals")
    return list(scope.apply(Organisation.objects.order_by("name"), "pk"))


@capability_required("returns.view_movements")
def movement_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = Movement.objects.visible_to(request.user).select_related("entry_point")
    point = request.GET.get("entry_point", "")
    status = request.GET.get("status", "")
    if point:
        rows = rows.filter(entry_point__code=point)
    if status in MovementStatus.values:
        rows = rows.filter(status=status)
    rows = rows.annotate(
        listed_count=Count("listed", filter=Q(listed__status="accepted"), distinct=True),
        arrived_count=Count("arrivals", distinct=True),
    ).order_by("-scheduled_at", "-pk")
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "returns/movement_list.html",
        {
            "page": page,
            "entry_points": EntryPoint.objects.order_by("country", "code"),
            "statuses": MovementStatus.choices,
            "chosen": {"entry_point": point, "status": status},
            "can_record": has_capability(request.user, "returns.receive_arrivals"),
        },
    )


def _data(form: MovementForm) -> services.MovementData:
    d = form.cleaned_data
    return services.MovementData(
        mode=d["mode"],
        origin_country=d["origin_country"],
        entry_point=d["entry_point"],
        scheduled_at=d["scheduled_at"],
        reference=d["reference"],
        announced_headcount=d["announced_headcount"],
        notice_received_at=d["notice_received_at"],
        list_received_at=d["list_received_at"],
        arrived_at=d["arrived_at"],
        actual_headcount=d["actual_headcount"],
        status=d["status"],
        consular_access_refused=d["consular_access_refused"],
        notes=d["notes"],
    )


@capability_required("returns.receive_arrivals")
def movement_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = receiving_organisations(request.user)
    form = MovementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wanted = request.POST.get("organisation", "")
        organisation = next((o for o in organisations if str(o.pk) == wanted), organisations[0])
        try:
            movement = services.record_movement(
                acting_user=request.user, organisation=organisation, data=_data(form)
            )
        except ServiceError as error:
            show_on_form(form, error)
        else:
            messages.success(request, _("Movement recorded."))
            return redirect("returns:movement", pk=movement.pk)
    return render(
        request,
        "returns/movement_form.html",
        {"form": form, "organisations": organisations, "movement": None},
        status=400 if form.errors else 200,
    )


def _local(value: datetime | None, point: EntryPoint) -> str:
    return timezone.localtime(value, point.zone).strftime("%Y-%m-%dT%H:%M") if value else ""


@capability_required("returns.receive_arrivals")
def movement_edit(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    movement = get_object_for_user(
        Movement.objects.select_related("entry_point"),
        request.user,
        capability="returns.receive_arrivals",
        pk=pk,
    )
    point = movement.entry_point
    initial = {n: getattr(movement, n) for n in services.MOVEMENT_FIELDS if n != "entry_point_id"}
    initial["entry_point"] = point
    for name in MovementForm.LOCAL_FIELDS:
        initial[name] = _local(getattr(movement, name), point)
    form = MovementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_movement(
                acting_user=request.user,
                movement=movement,
                data=_data(form),
                expected_version=posted_version(request),
            )
        except ServiceError as error:
            show_on_form(form, error)
        else:
            messages.success(request, _("Movement updated."))
            return redirect("returns:movement", pk=movement.pk)
    return render(
        request,
        "returns/movement_form.html",
        {"form": form, "movement": movement, "organisations": []},
        status=400 if form.errors else 200,
    )


@capability_required("returns.view_movements")
def movement(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    found = get_object_for_user(
        Movement.objects.select_related("entry_point", "organisation", "protocol"),
        request.user,
        pk=pk,
    )
    point = found.entry_point
    reconciliation = importing.reconcile(found)
    if reconciliation.absent and found.status != MovementStatus.ANNOUNCED:
        # The page names those on the list who did not come.
        record_view(
            request,
            found,
            organisation=found.organisation,
            details={"absent_shown": len(reconciliation.absent)},
        )
    return render(
        request,
        "returns/movement.html",
        {
            "movement": found,
            "local": {
                name: _local(getattr(found, name), point).replace("T", " ")
                for name in MovementForm.LOCAL_FIELDS
            },
            "reconciliation": reconciliation,
            "manifests": found.manifests.order_by("-uploaded_at"),
            "breaches": found.violations.filter(status__in=LIVE).select_related("rule"),
            "can_receive": has_capability(
                request.user, "returns.receive_arrivals", found.organisation_id
            ),
        },
    )


urlpatterns: list[URLPattern] = [
    path("returns/", movement_list, name="movements"),
    path("returns/movements/new/", movement_new, name="movement_new"),
    path("returns/movements/<uuid:pk>/", movement, name="movement"),
    path("returns/movements/<uuid:pk>/edit/", movement_edit, name="movement_edit"),
]
