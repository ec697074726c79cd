"""Committees and working groups, their members and the official member list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
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
from orienta.governance.forms import CommitteeForm, MembershipForm
from orienta.governance.models import Committee, CommitteeMembership
from orienta.governance.views.common import (
    MANAGE,
    READ,
    can_manage,
    committee_for,
    form_page,
    initial_of,
)


@capability_required(*READ)
def committee_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    committees = (
        Committee.objects.visible_to(request.user)
        .select_related("parent")
        .annotate(
            members=Count("memberships", filter=Q(memberships__confirmed_on__isnull=False)),
            invited=Count("memberships"),
        )
        .order_by("parent__name", "name")
    )
    return render(
        request,
        "governance/committee_list.html",
        {"committees": committees, "can_manage": can_manage(request)},
    )


@capability_required(MANAGE)
def committee_edit(request: AuthenticatedHttpRequest, pk: Any = None) -> HttpResponse:
    committee = committee_for(request, pk) if pk is not None else None
    parents = Committee.objects.visible_to(request.user)
    if committee is not None:
        parents = parents.exclude(pk=committee.pk)
    form = CommitteeForm(
        request.POST or None,
        initial=initial_of(committee, services.COMMITTEE_FIELDS),
        parents=parents,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_committee(
                acting_user=request.user,
                committee=committee,
                values=form.cleaned_data,
                expected_version=posted_version(request) if committee else None,
            )
        except ServiceError as refused:
            show_on_form(form, refused)
        else:
            messages.success(request, _("Committee saved."))
            return redirect("governance:committee", pk=saved.pk)
    back = (
        reverse("governance:committee", args=[committee.pk])
        if committee
        else reverse("governance:committees")
    )
    return form_page(
        request,
        form,
        title=committee.name if committee else _("New committee"),
        back=back,
        back_label=committee.name if committee else _("Committees"),
        version=committee.version if committee else None,
    )


@capability_required(*READ)
def committee_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    committee = committee_for(request, pk)
    seats = list(committee.memberships.select_related("organisation"))
    return render(
        request,
        "governance/committee.html",
        {
            "committee": committee,
            "terms": text.to_html(committee.terms_of_reference),
            "seats": seats,
            "answerable": {s.pk for s in seats if services.may_answer(request.user, s)},
            "working_groups": committee.working_groups.order_by("name"),
            "events": committee.events.order_by("-held_on")[:50],
            "documents": committee.documents.order_by("kind", "title"),
            "can_manage": can_manage(request),
        },
    )


@capability_required(MANAGE)
def membership_edit(
    request: AuthenticatedHttpRequest, committee_pk: Any, pk: Any = None
) -> HttpResponse:
    committee = committee_for(request, committee_pk)
    seat = (
        get_object_for_user(
            CommitteeMembership.objects.filter(committee=committee), request.user, pk=pk
        )
        if pk is not None
        else None
    )
    form = MembershipForm(
        request.POST or None,
        initial=initial_of(seat, services.MEMBERSHIP_FIELDS),
        editing=seat is not None,
    )
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "organisation"}
        try:
            services.save_membership(
                acting_user=request.user,
                committee=committee,
                values=values,
                organisation=form.cleaned_data.get("organisation"),
                membership=seat,
                expected_version=posted_version(request) if seat else None,
            )
        except ServiceError as refused:
            show_on_form(form, refused)
        else:
            messages.success(request, _("Member saved."))
            return redirect("governance:committee", pk=committee.pk)
    return form_page(
        request,
        form,
        title=str(seat.organisation) if seat else _("Invite an organisation"),
        back=reverse("governance:committee", args=[committee.pk]),
        back_label=committee.name,
        version=seat.version if seat else None,
    )


@require_POST
@capability_required("governance.comment", MANAGE)
def membership_answer(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    seat = get_object_for_user(
        CommitteeMembership.objects.select_related("organisation", "committee"),
        request.user,
        pk=pk,
    )
    answer = request.POST.get("answer")
    try:
        if answer not in ("confirm", "decline"):
            raise ServiceError(_("Confirm or decline the invitation."), code="invalid")
        services.answer_invitation(
            acting_user=request.user,
            membership=seat,
            accept=answer == "confirm",
            expected_version=posted_version(request),
        )
    except ServiceError as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(request, _("Answer recorded."))
    return redirect("governance:committee", pk=seat.committee_id)


@capability_required(*READ)
def members_pdf(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    committee = committee_for(request, pk)
    record_view(request, committee, organisation=None, action="governance.members.exported")
    return pdf_response(exports.members_pdf(committee), "members.pdf")


@capability_required(*READ)
def members_csv(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    committee = committee_for(request, pk)
    record_view(request, committee, organisation=None, action="governance.members.exported")
    response = HttpResponse(exports.members_csv(committee), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="members.csv"'
    response["Cache-Control"] = "no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("governance/", committee_list, name="committees"),
    path("governance/committees/new/", committee_edit, name="committee_new"),
    path("governance/committees/<uuid:pk>/", committee_detail, name="committee"),
    path("governance/committees/<uuid:pk>/edit/", committee_edit, name="committee_edit"),
    path(
        "governance/committees/<uuid:committee_pk>/members/new/",
        membership_edit,
        name="membership_new",
    ),
    path(
        "governance/committees/<uuid:committee_pk>/members/<int:pk>/",
        membership_edit,
        name="membership_edit",
    ),
    path("governance/members/<int:pk>/answer/", membership_answer, name="membership_answer"),
    path("governance/committees/<uuid:pk>/members.pdf", members_pdf, name="members_pdf"),
    path("governance/committees/<uuid:pk>/members.csv", members_csv, name="members_csv"),
]
