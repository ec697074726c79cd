"""Meetings, workshops and trainings: the event, its participants, the signature sheet printed
beforehand, the attendance recorded afterwards, decisions and action items."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orienta.accounts.access import capability_required, get_object_for_user
from orienta.audit.services import record_view
from orienta.core.errors import ServiceError
from orienta.core.http import AuthenticatedHttpRequest, pdf_response, posted_version, show_on_form
from orienta.governance import exports, services, text
from orienta.governance.forms import ActionItemForm, EventForm, ParticipantForm
from orienta.governance.models import ActionItem
from orienta.governance.views.common import (
    MANAGE,
    READ,
    can_manage,
    committee_for,
    event_for,
    form_errors,
    form_page,
    initial_of,
)


@capability_required(MANAGE)
def event_edit(
    request: AuthenticatedHttpRequest, committee_pk: Any = None, pk: Any = None
) -> HttpResponse:
    event = event_for(request, pk) if pk is not None else None
    committee = event.committee if event else committee_for(request, committee_pk)
    initial = initial_of(event, [*services.EVENT_FIELDS, "documents"])
    form = EventForm(request.POST or None, initial=initial, committee=committee)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "documents"}
        try:
            saved = services.save_event(
                acting_user=request.user,
                committee=committee,
                values=values,
                documents=list(form.cleaned_data["documents"]),
                event=event,
                expected_version=posted_version(request) if event else None,
            )
        except ServiceError as refused:
            show_on_form(form, refused)
        else:
            messages.success(request, _("Event saved."))
            return redirect("governance:event", pk=saved.pk)
    return form_page(
        request,
        form,
        title=event.title if event else _("New event"),
        back=reverse("governance:event", args=[event.pk])
        if event
        else reverse("governance:committee", args=[committee.pk]),
        back_label=event.title if event else committee.name,
        version=event.version if event else None,
    )


@capability_required(*READ)
def event_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    event = event_for(request, pk)
    participants = list(event.participants.select_related("organisation"))
    # Names of officials are personal data: reading the list is recorded.
    record_view(request, event, organisation=None, details={"participants": len(participants)})
    manage = can_manage(request)
    return render(
        request,
        "governance/event.html",
        {
            "event": event,
            "agenda": text.to_html(event.agenda),
            "minutes": text.to_html(event.minutes),
            "participants": participants,
            "present": sum(1 for p in participants if p.attended),
            "decisions": event.decisions.all(),
            "actions": event.action_items.select_related("owner"),
            "documents": event.documents.order_by("title"),
            "can_manage": manage,
            "participant_form": ParticipantForm() if manage else None,
        },
    )


@require_POST
@capability_required(MANAGE)
def participant_new(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    event = event_for(request, pk)
    form = ParticipantForm(request.POST)
    if form.is_valid():
        try:
            services.save_participant(
                acting_user=request.user, event=event, values=form.cleaned_data
            )
        except ServiceError as refused:
            messages.error(request, str(refused.message))
        else:
            messages.success(request, _("Participant added."))
    else:
        messages.error(request, form_errors(form))
    return redirect(reverse("governance:event", args=[event.pk]) + "#participants")


@require_POST
@capability_required(MANAGE)
def attendance(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    event = event_for(request, pk)
    try:
        services.record_attendance(
            acting_user=request.user,
            event=event,
            present=[v for v in request.POST.getlist("present") if v.isdecimal()],
            expected_version=posted_version(request),
        )
    except ServiceError as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(request, _("Attendance recorded."))
    return redirect(reverse("governance:event", args=[event.pk]) + "#participants")


@capability_required(*READ)
def signature_sheet(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    event = event_for(request, pk)
    record_view(request, event, organisation=None, action="governance.event.sheet_printed")
    return pdf_response(exports.signature_sheet_pdf(event), "attendance-sheet.pdf")


@require_POST
@capability_required(MANAGE)
def decision_new(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    event = event_for(request, pk)
    try:
        services.add_decision(
            acting_user=request.user, event=event, text=request.POST.get("text", "")
        )
    except ServiceError as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect(reverse("governance:event", args=[event.pk]) + "#decisions")


@capability_required(MANAGE)
def action_item_edit(
    request: AuthenticatedHttpRequest, pk: Any = None, item_pk: Any = None
) -> HttpResponse:
    item = (
        get_object_for_user(ActionItem.objects.select_related("event"), request.user, pk=item_pk)
        if item_pk is not None
        else None
    )
    event = item.event if item else event_for(request, pk)
    form = ActionItemForm(
        request.POST or None, initial=initial_of(item, services.ACTION_ITEM_FIELDS)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_action_item(
                acting_user=request.user,
                event=event,
                values=form.cleaned_data,
                item=item,
                expected_version=posted_version(request) if item else None,
            )
        except ServiceError as refused:
            show_on_form(form, refused)
        else:
            messages.success(request, _("Action item saved."))
            return redirect(reverse("governance:event", args=[event.pk]) + "#actions")
    return form_page(
        request,
        form,
        title=_("Action item"),
        back=reverse("governance:event", args=[event.pk]),
        back_label=event.title,
        version=item.version if item else None,
    )


urlpatterns: list[URLPattern] = [
    path("governance/committees/<uuid:committee_pk>/events/new/", event_edit, name="event_new"),
    path("governance/events/<uuid:pk>/", event_detail, name="event"),
    path("governance/events/<uuid:pk>/edit/", event_edit, name="event_edit"),
    path("governance/events/<uuid:pk>/participants/", participant_new, name="participant_new"),
    path("governance/events/<uuid:pk>/attendance/", attendance, name="attendance"),
    path("governance/events/<uuid:pk>/sheet.pdf", signature_sheet, name="signature_sheet"),
    path("governance/events/<uuid:pk>/decisions/", decision_new, name="decision_new"),
    path("governance/events/<uuid:pk>/actions/new/", action_item_edit, name="action_item_new"),
    path("governance/actions/<int:item_pk>/", action_item_edit, name="action_item_edit"),
]
