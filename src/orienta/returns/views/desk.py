"""The reception desk: check arrivals in against the list in seconds, the quick profile, the
checklist with its timers, assistance given, and the entry point's board of open steps."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _

from orienta.accounts.access import capability_required, get_object_for_user, has_capability
from orienta.audit.services import record_view
from orienta.core.errors import ServiceError
from orienta.core.http import AuthenticatedHttpRequest, show_on_form
from orienta.returns import checkin, sop
from orienta.returns.choices import RowStatus
from orienta.returns.forms import AssistanceForm, CheckInForm
from orienta.returns.models import Arrival, ArrivalStep, EntryPoint, ManifestRow, Movement

SHOWN = 60  # rows of the list shown at once: the search narrows it


def _movement(request: AuthenticatedHttpRequest, pk: Any, capability: str) -> Movement:
    return get_object_for_user(
        Movement.objects.select_related("entry_point", "organisation"),
        request.user,
        capability=capability,
        pk=pk,
    )


def waiting(movement: Movement, query: str) -> list[ManifestRow]:
    rows = movement.listed.filter(status=RowStatus.ACCEPTED, arrival__isnull=True)
    for word in query.split()[:3]:
        rows = rows.filter(Q(family_name__icontains=word) | Q(given_name__icontains=word))
    return list(rows.order_by("family_name", "given_name", "row_number")[:SHOWN])


@capability_required("returns.receive_arrivals")
def desk(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    movement = _movement(request, pk, "returns.receive_arrivals")
    query = request.GET.get("q", "").strip()
    rows = waiting(movement, query)
    # Names of listed persons were shown: a reading of personal data, searches included.
    record_view(
        request,
        movement,
        organisation=movement.organisation,
        action="returns.manifest_rows.viewed",
        details={"rows_shown": len(rows), "searched": bool(query)},
    )
    context = {
        "movement": movement,
        "rows": rows,
        "query": query,
        "arrived": movement.arrivals.count(),
        "listed": movement.listed.filter(status=RowStatus.ACCEPTED).count(),
    }
    template = "returns/desk.html#rows" if request.htmx else "returns/desk.html"
    return render(request, template, context)


def _adults(movement: Movement) -> list[tuple[str, str]]:
    arrivals = (
        movement.arrivals.exclude(age_group="child")
        .filter(person__isnull=False)
        .select_related("person")
        .order_by("-checked_in_at")[:50]
    )
    return [(str(a.pk), f"{a.person.family_name} {a.person.given_name}") for a in arrivals]


@capability_required("returns.receive_arrivals")
def check_in(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    movement = _movement(request, pk, "returns.receive_arrivals")
    listed = None
    wanted = request.POST.get("row") or request.GET.get("row")
    if wanted:
        if not str(wanted).isdecimal():
            raise Http404
        listed = get_object_for_user(
            ManifestRow.objects.select_related("candidate"),
            request.user,
            capability="returns.receive_arrivals",
            pk=wanted,
            movement=movement,
        )
    initial: dict[str, Any] = {}
    if listed is not None:
        if request.method == "GET":
            record_view(request, listed, organisation=movement.organisation)
        initial = {
            "family_name": listed.family_name,
            "given_name": listed.given_name,
            "sex": listed.sex or "unknown",
            "nationality": listed.nationality,
        }
        if listed.birth_date:
            initial["age_group"] = checkin.age_group_of(listed.birth_date, timezone.localdate())
    form = CheckInForm(request.POST or None, initial=initial, adults=_adults(movement))
    if request.method == "POST" and form.is_valid():
        values = form.profile_values()
        adult_id = form.cleaned_data.get("accompanied_by")
        adult = (
            movement.arrivals.filter(pk=adult_id).select_related("person").first()
            if adult_id
            else None
        )
        try:
            arrival = checkin.check_in(
                acting_user=request.user,
                movement=movement,
                profile=checkin.Profile(**values, accompanied_by=adult),
                listed=listed,
            )
        except ServiceError as error:
            show_on_form(form, error)
        else:
            messages.success(request, _("Checked in."))
            return redirect("returns:arrival", pk=arrival.pk)
    return render(
        request,
        "returns/check_in.html",
        {"movement": movement, "listed": listed, "form": form},
        status=400 if form.errors else 200,
    )


def _steps(arrival: Arrival) -> list[dict[str, Any]]:
    now = timezone.now()
    out = []
    for step in arrival.steps.select_related("rule", "rule__responsible", "referral"):
        left = int((step.due_at - now).total_seconds() // 60)
        out.append(
            {"step": step, "minutes_left": left, "overdue": step.done_at is None and left < 0}
        )
    return out


@capability_required("returns.view_movements")
def arrival(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    found = get_object_for_user(
        Arrival.objects.select_related(
            "movement", "movement__entry_point", "person", "case", "listed"
        ),
        request.user,
        pk=pk,
    )
    if not request.htmx:
        record_view(request, found, organisation=found.organisation)
    context = {
        "arrival": found,
        "movement": found.movement,
        "steps": _steps(found),
        "assistance": found.assistance.all(),
        "form": AssistanceForm(),
        "can_receive": has_capability(
            request.user, "returns.receive_arrivals", found.organisation_id
        ),
        "can_open_case": found.case_id is not None
        and has_capability(request.user, "cases.work_cases", found.organisation_id),
    }
    template = "returns/arrival.html#checklist" if request.htmx else "returns/arrival.html"
    return render(request, template, context)


@capability_required("returns.receive_arrivals")
def assistance(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    found = get_object_for_user(Arrival, request.user, capability="returns.receive_arrivals", pk=pk)
    form = AssistanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            checkin.give_assistance(
                acting_user=request.user,
                arrival=found,
                kind=d["kind"],
                quantity=d["quantity"],
                amount=Decimal(d["amount"]) if d["amount"] is not None else None,
            )
        except ServiceError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Assistance recorded."))
    else:
        messages.error(request, _("Check the assistance: choose it and give a quantity."))
    return redirect("returns:arrival", pk=found.pk)


@capability_required("returns.receive_arrivals")
def step_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    step = get_object_for_user(
        ArrivalStep.objects.select_related("arrival", "rule"),
        request.user,
        capability="returns.receive_arrivals",
        pk=pk,
    )
    if request.method == "POST":
        try:
            sop.complete_step(
                acting_user=request.user, step=step, note=request.POST.get("note", "")
            )
        except ServiceError as error:
            messages.error(request, str(error.message))
    back = request.POST.get("next", "")
    if back == "board":
        return redirect("returns:board", code=step.arrival.movement.entry_point.code)
    return redirect("returns:arrival", pk=step.arrival_id)


@capability_required("returns.view_movements")
def board(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    point = EntryPoint.objects.filter(code=code).first()
    if point is None:
        raise Http404
    now = timezone.now()
    steps = list(sop.open_steps(point, ArrivalStep.objects.visible_to(request.user))[:200])
    rows = [
        {
            "step": s,
            "minutes_left": int((s.due_at - now).total_seconds() // 60),
            "overdue": s.due_at < now,
        }
        for s in steps
    ]
    context = {
        "point": point,
        "rows": rows,
        "overdue": sum(1 for s in steps if s.due_at < now),
        "entry_points": EntryPoint.objects.order_by("country", "code"),
        "can_receive": has_capability(request.user, "returns.receive_arrivals"),
    }
    template = "returns/board.html#board" if request.htmx else "returns/board.html"
    return render(request, template, context)


urlpatterns: list[URLPattern] = [
    path("returns/movements/<uuid:pk>/desk/", desk, name="desk"),
    path("returns/movements/<uuid:pk>/check-in/", check_in, name="check_in"),
    path("returns/arrivals/<uuid:pk>/", arrival, name="arrival"),
    path("returns/arrivals/<uuid:pk>/assistance/", assistance, name="assistance"),
    path("returns/steps/<int:pk>/done/", step_done, name="step_done"),
    path("returns/entry-points/<str:code>/board/", board, name="board"),
]
