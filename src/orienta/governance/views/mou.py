"""The MoU builder: its sections, the parties and their roles, the data-sharing clauses, the
completeness check, writing the text as the document's next version, and signing, suspending
or reinstating it (which brings the referral agreements into force or ends them)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.forms.models import model_to_dict
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orienta.accounts.access import capability_required, get_object_for_user, has_capability
from orienta.core.errors import ServiceError
from orienta.core.http import AuthenticatedHttpRequest, posted_version, show_on_form
from orienta.governance import mou as builder
from orienta.governance import versions
from orienta.governance.choices import MouStatus, VersionStatus
from orienta.governance.forms import ClauseForm, MouForm, PartyForm
from orienta.governance.models import DataSharingClause, Mou, MouParty
from orienta.governance.views.common import MANAGE, READ, can_manage, form_errors


def _mou_for(request: AuthenticatedHttpRequest, document_pk: Any) -> Mou:
    return get_object_for_user(
        Mou.objects.select_related("document__committee"), request.user, document_id=document_pk
    )


def _back(mou: Mou) -> HttpResponse:
    return redirect("governance:mou", pk=mou.document_id)


@capability_required(*READ)
def mou_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    mou = _mou_for(request, pk)
    manage = can_manage(request) and mou.status == MouStatus.DRAFT
    form = MouForm(
        request.POST or None,
        initial=model_to_dict(mou, fields=builder.SECTION_FIELDS + builder.TERM_FIELDS),
    )
    if request.method == "POST":
        if not manage:
            return _back(mou)
        if form.is_valid():
            try:
                builder.save_sections(
                    acting_user=request.user,
                    mou=mou,
                    values=form.cleaned_data,
                    expected_version=posted_version(request),
                )
            except ServiceError as refused:
                show_on_form(form, refused)
            else:
                messages.success(request, _("Sections saved."))
                return _back(mou)
    latest = mou.document.latest
    return render(
        request,
        "governance/mou.html",
        {
            "mou": mou,
            "document": mou.document,
            "latest": latest,
            "form": form,
            "parties": mou.parties.select_related("organisation"),
            "clauses": mou.clauses.prefetch_related("parties").select_related("agreement"),
            "missing": builder.missing_sections(mou),
            "sections": builder.SECTIONS,
            "can_edit": manage,
            "can_manage": can_manage(request),
            "can_see_agreements": has_capability(request.user, "referrals.view_agreements")
            or has_capability(request.user, "referrals.manage_agreements"),
            "party_form": PartyForm() if manage else None,
            "clause_form": ClauseForm(mou=mou) if manage else None,
            "can_write": manage,
            "today": timezone.localdate(),
        },
    )


@require_POST
@capability_required(MANAGE)
def party_save(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    mou = _mou_for(request, pk)
    form = PartyForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        organisation = data.pop("organisation")
        try:
            builder.save_party(
                acting_user=request.user, mou=mou, organisation=organisation, values=data
            )
        except ServiceError as refused:
            messages.error(request, str(refused.message))
        else:
            messages.success(request, _("Party saved."))
    else:
        messages.error(request, form_errors(form))
    return redirect(reverse("governance:mou", args=[mou.document_id]) + "#parties")


@require_POST
@capability_required(MANAGE)
def party_remove(request: AuthenticatedHttpRequest, pk: Any, party_pk: Any) -> HttpResponse:
    mou = _mou_for(request, pk)
    party = get_object_for_user(MouParty.objects.filter(mou=mou), request.user, pk=party_pk)
    try:
        builder.remove_party(acting_user=request.user, party=party)
    except ServiceError as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(request, _("Party removed."))
    return redirect(reverse("governance:mou", args=[mou.document_id]) + "#parties")


@require_POST
@capability_required(MANAGE)
def clause_save(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    mou = _mou_for(request, pk)
    clause = None
    if request.POST.get("clause"):
        try:
            clause_id = uuid.UUID(request.POST["clause"])
        except ValueError:
            raise Http404("No such clause.") from None
        clause = get_object_for_user(
            DataSharingClause.objects.filter(mou=mou), request.user, pk=clause_id
        )
    form = ClauseForm(request.POST, mou=mou)
    if form.is_valid():
        data = form.cleaned_data
        try:
            builder.save_clause(
                acting_user=request.user,
                mou=mou,
                title=data["title"],
                parties=list(data["parties"]),
                purposes=data["purposes"],
                field_groups=data["field_groups"],
                clause=clause,
            )
        except ServiceError as refused:
            messages.error(request, str(refused.message))
        else:
            messages.success(request, _("Data-sharing clause saved."))
    else:
        messages.error(request, form_errors(form))
    return redirect(reverse("governance:mou", args=[mou.document_id]) + "#clauses")


@require_POST
@capability_required(MANAGE)
def mou_write(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """Compose the sections into the document's text: the open draft, or a new version."""
    mou = _mou_for(request, pk)
    content = builder.compose(mou)
    latest = mou.document.latest
    try:
        if latest is not None and latest.status == VersionStatus.DRAFT:
            saved = versions.edit_draft(
                acting_user=request.user,
                version=latest,
                content=content,
                change_summary=latest.change_summary or _("Written from the MoU builder."),
                expected_version=latest.version,
            )
        else:
            saved = versions.new_version(
                acting_user=request.user,
                document=mou.document,
                content=content,
                change_summary=request.POST.get("change_summary", "").strip()
                or _("Written from the MoU builder."),
            )
    except ServiceError as refused:
        messages.error(request, str(refused.message))
        return _back(mou)
    messages.success(request, _("Version %(n)s written from the sections.") % {"n": saved.number})
    return redirect(reverse("governance:document", args=[mou.document_id]) + f"?v={saved.number}")


@require_POST
@capability_required(MANAGE)
def mou_status(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    mou = _mou_for(request, pk)
    step = request.POST.get("step", "")
    reason = request.POST.get("reason", "")
    try:
        expected = posted_version(request)
        if step == "sign":
            try:
                signed_on = parse_date(request.POST.get("signed_on", "") or "")
            except ValueError:
                signed_on = None
            if signed_on is None:
                raise ServiceError(_("Give the date of the signature."), code="invalid")
            builder.sign(
                acting_user=request.user, mou=mou, signed_on=signed_on, expected_version=expected
            )
            messages.success(
                request, _("The MoU is signed: its data-sharing agreements are in force.")
            )
        elif step == "suspend":
            builder.suspend(
                acting_user=request.user, mou=mou, reason=reason, expected_version=expected
            )
            messages.success(request, _("The MoU and its data-sharing agreements are suspended."))
        elif step == "reinstate":
            builder.reinstate(
                acting_user=request.user, mou=mou, reason=reason, expected_version=expected
            )
            messages.success(
                request, _("The MoU and its data-sharing agreements are in force again.")
            )
        else:
            raise ServiceError(_("Choose what to do."), code="invalid")
    except ServiceError as refused:
        messages.error(request, str(refused.message))
    return _back(mou)


urlpatterns: list[URLPattern] = [
    path("governance/mou/<uuid:pk>/", mou_detail, name="mou"),
    path("governance/mou/<uuid:pk>/parties/", party_save, name="mou_party"),
    path(
        "governance/mou/<uuid:pk>/parties/<int:party_pk>/remove/",
        party_remove,
        name="mou_party_remove",
    ),
    path("governance/mou/<uuid:pk>/clauses/", clause_save, name="mou_clause"),
    path("governance/mou/<uuid:pk>/write/", mou_write, name="mou_write"),
    path("governance/mou/<uuid:pk>/status/", mou_status, name="mou_status"),
]
