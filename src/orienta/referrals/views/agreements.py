"""Data-sharing agreements and response deadlines: coordinators keep them, parties read them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from orienta.accounts.access import capability_required, get_object_for_user, has_capability
from orienta.audit.services import record_view
from orienta.core.errors import ServiceError
from orienta.core.http import AuthenticatedHttpRequest
from orienta.directory.models import Organisation
from orienta.referrals.agreements import FIELDS, defined_elsewhere, save_agreement, set_deadline
from orienta.referrals.choices import ReferralUrgency
from orienta.referrals.forms import AgreementForm
from orienta.referrals.models import DataSharingAgreement, ResponseDeadline


@capability_required("referrals.view_agreements", "referrals.manage_agreements")
def agreement_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    agreements = (
        DataSharingAgreement.objects.visible_to(request.user)
        .prefetch_related("parties")
        .order_by("-valid_from", "title")
    )
    return render(
        request,
        "referrals/agreement_list.html",
        {
            "agreements": agreements,
            "can_manage": has_capability(request.user, "referrals.manage_agreements"),
        },
    )


@capability_required("referrals.manage_agreements")
def agreement_edit(request: AuthenticatedHttpRequest, pk: Any = None) -> HttpResponse:
    agreement = (
        get_object_for_user(DataSharingAgreement, request.user, pk=pk) if pk is not None else None
    )
    if agreement is not None and defined_elsewhere(agreement):
        # Kept by what defines it (a signed MoU): shown, not edited here.
        return render(request, "referrals/agreement_detail.html", {"agreement": agreement})
    initial: dict[str, Any] = {}
    if agreement is not None:
        initial = {name: getattr(agreement, name) for name in FIELDS}
        initial["parties"] = list(agreement.parties.all())
    form = AgreementForm(
        request.POST or None,
        request.FILES or None,
        organisations=Organisation.objects.order_by("name"),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = save_agreement(
                acting_user=request.user,
                agreement=agreement,
                values={name: data[name] for name in FIELDS},
                parties=list(data["parties"]),
                document=data.get("signed_document"),
            )
        except ServiceError as refused:
            form.add_error(refused.details.get("field"), str(refused.message))
        else:
            messages.success(request, _("Agreement saved."))
            return redirect("referrals:agreement", pk=saved.pk)
    return render(request, "referrals/agreement_form.html", {"form": form, "agreement": agreement})


@capability_required("referrals.view_agreements", "referrals.manage_agreements")
def agreement(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    item = get_object_for_user(DataSharingAgreement.objects.all(), request.user, pk=pk)
    if has_capability(request.user, "referrals.manage_agreements"):
        return agreement_edit(request, pk)
    return render(request, "referrals/agreement_detail.html", {"agreement": item})


@capability_required("referrals.view_agreements", "referrals.manage_agreements")
def agreement_document(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    item = get_object_for_user(DataSharingAgreement.objects.all(), request.user, pk=pk)
    if not item.signed_document:
        raise Http404("No signed document.")
    record_view(request, item, organisation=None, action="referrals.agreement.document_read")
    # Signed agreements are a few pages: read whole, served with the same headers as any PDF.
    with item.signed_document.open("rb") as document:
        response = HttpResponse(document.read(), content_type="application/pdf")
    response["Cache-Control"] = "no-store"
    return response


@capability_required("referrals.manage_agreements")
def deadlines(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            hours_text = request.POST.get("hours", "").strip()
            set_deadline(
                acting_user=request.user,
                urgency=request.POST.get("urgency", ""),
                category=request.POST.get("category", ""),
                hours=int(hours_text) if hours_text else None,
            )
            messages.success(
                request, _("Deadline saved. It applies to referrals sent from now on.")
            )
        except ValueError:
            messages.error(request, _("Give a whole number of hours."))
        except ServiceError as refused:
            messages.error(request, str(refused.message))
        return redirect("referrals:deadlines")
    from django.conf import settings

    return render(
        request,
        "referrals/deadlines.html",
        {
            "rows": ResponseDeadline.objects.all(),
            "urgencies": ReferralUrgency.choices,
            "defaults": [
                (ReferralUrgency(u).label, h)
                for u, h in settings.ORIENTA_REFERRAL_ACKNOWLEDGE_HOURS.items()
            ],
        },
    )
