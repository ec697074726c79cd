"""The referral pages: referring from a case, the referral itself (both sides act from it), the
list of referrals, and the links for providers not on the platform."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orienta.accounts.access import capability_required, has_capability
from orienta.cases.access import get_case_for_user
from orienta.core.errors import ServiceError
from orienta.core.http import AuthenticatedHttpRequest, pdf_response, posted_version
from orienta.directory.models import Organisation, ServiceAtLocation
from orienta.referrals import external, services
from orienta.referrals.access import get_referral_for_user, read_packet
from orienta.referrals.choices import FieldGroup, ReferralStatus
from orienta.referrals.forms import CompleteForm, DeclineForm, NotCompletedForm, ReferForm
from orienta.referrals.matching import onward_services, services_for
from orienta.referrals.models import ExternalLink, Referral
from orienta.referrals.referral_list import referral_page
from orienta.referrals.views.answers import ANSWERS, answer

S = ReferralStatus


def _organisations() -> Any:
    return Organisation.objects.order_by("name")


@capability_required("referrals.send")
def refer(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """Refer the person of a case for one of its needs: the directory's matches with their
    reasons, or any organisation; the gates are checked on sending."""
    case = get_case_for_user(request.user, pk)
    needs = list(case.needs.select_related("term").order_by("created_at"))
    if not needs:
        messages.error(request, _("Record the person's need before referring them."))
        return redirect("cases:case", pk=case.pk)
    try:
        need = next(
            n for n in needs if str(n.pk) == request.GET.get("need", request.POST.get("need", ""))
        )
    except StopIteration:
        need = needs[0]
    result = services_for(case, need)
    form = ReferForm(
        request.POST or None,
        organisations=_organisations(),
        initial={"urgency": services.urgency_of(need)},
    )
    gate_messages: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = None
        if data["service_at_location"]:
            chosen = (
                ServiceAtLocation.objects.select_related("service__organization")
                .filter(pk=data["service_at_location"])
                .first()
            )
        match = next(
            (m for m in result.matches if chosen and m.service_at_location_id == chosen.pk), None
        )
        draft = services.ReferralDraft(
            case=case,
            need=need,
            service_at_location=chosen,
            organisation=data["organisation"],
            urgency=data["urgency"],
            field_groups=data["field_groups"],
            note=data["note"],
            matching_reasons=[
                r.label + (f" ({r.detail})" if r.detail else "") for r in match.reasons
            ]
            if match
            else [],
        )
        try:
            if "draft" in request.POST:
                referral = services.create(acting_user=request.user, draft=draft)
                messages.success(request, _("Draft saved. Nothing has been shared yet."))
            else:
                referral = services.refer(
                    acting_user=request.user, draft=draft, override_reason=data["override_reason"]
                )
                messages.success(
                    request,
                    _("Referral sent under emergency override: it is flagged for review.")
                    if referral.emergency_override
                    else _("Referral sent to %(recipient)s.")
                    % {"recipient": referral.recipient_organisation},
                )
            return redirect("referrals:referral", pk=referral.pk)
        except ServiceError as refused:
            gate_messages = refused.details.get("messages") or [str(refused.message)]
            if refused.details.get("field") in form.fields:
                form.add_error(refused.details["field"], str(refused.message))
                gate_messages = []
    return render(
        request,
        "referrals/refer.html",
        {
            "case": case,
            "person": case.person,
            "needs": needs,
            "need": need,
            "result": result,
            "form": form,
            "gate_messages": gate_messages,
            "chosen": request.POST.get("service_at_location", ""),
            "can_override": has_capability(
                request.user, "referrals.override_gates", case.organisation_id
            ),
        },
    )


def _timeline(referral: Referral) -> list[tuple[Any, str]]:
    steps = [
        (referral.created_at, _("Created")),
        (referral.sent_at, _("Sent")),
        (referral.acknowledged_at, _("Acknowledged")),
        (referral.answered_at, _("Declined") if referral.status == S.DECLINED else _("Accepted")),
        (referral.started_at, _("Service started")),
        (referral.finished_at, referral.get_status_display()),
    ]
    if referral.status in (S.CANCELLED, S.EXPIRED):
        steps.append((referral.closed_at, referral.get_status_display()))
    return [(at, label) for at, label in steps if at]


@capability_required("referrals.send", "referrals.receive")
def referral(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    item = get_referral_for_user(request.user, pk)
    # Which controls to show; the services check again whatever is posted.
    sending = services.is_sender(request.user, item)
    receiving = has_capability(request.user, "referrals.receive", item.recipient_organisation_id)
    access, entries = read_packet(
        item, actor=request.user, language=translation.get_language() or "fr"
    )
    return render(
        request,
        "referrals/referral.html",
        {
            "referral": item,
            "sending": sending,
            "receiving": receiving,
            "access": access,
            "entries": entries,
            "thread": list(item.messages.select_related("organisation")),
            "timeline": _timeline(item),
            "links": list(item.external_links.order_by("-created_at")) if sending else [],
            "decline_form": DeclineForm(auto_id="decline_%s"),
            "complete_form": CompleteForm(
                auto_id="complete_%s", initial={"outcome_date": timezone.localdate()}
            ),
            "not_completed_form": NotCompletedForm(auto_id="unfinished_%s"),
            "shareable": [c for c in FieldGroup.choices if c[0] not in item.field_groups],
            "onward_matches": onward_services(item) if receiving and item.is_open else [],
            "received_groups": [c for c in FieldGroup.choices if c[0] in item.field_groups],
            "onward": list(item.onward_referrals.select_related("recipient_organisation")),
            "can_see_case": sending and item.parent_id is None,
            "now": timezone.now(),
        },
    )


def _act(
    request: AuthenticatedHttpRequest, pk: Any, action: Callable[[Referral], str]
) -> HttpResponse:
    item = get_referral_for_user(request.user, pk)
    try:
        messages.success(request, action(item))
    except ServiceError as refused:
        messages.error(request, str(refused.message))
    return redirect("referrals:referral", pk=item.pk)


@require_POST
@capability_required("referrals.send", "referrals.receive")
def transition(request: AuthenticatedHttpRequest, pk: Any, action: str) -> HttpResponse:
    def act(item: Referral) -> str:
        if action in ANSWERS:
            return answer(request, item, action, acting_user=request.user)
        version = posted_version(request)
        if action == "cancel":
            services.cancel(
                acting_user=request.user,
                referral=item,
                expected_version=version,
                reason=request.POST.get("reason", "")[:1000],
            )
            return _("Referral cancelled.")
        if action == "send":
            services.send(
                acting_user=request.user,
                referral=item,
                expected_version=version,
                override_reason=request.POST.get("override_reason", "")[:1000],
            )
            return _("Referral sent.")
        raise Http404("Unknown action.")

    return _act(request, pk, act)


@require_POST
@capability_required("referrals.send", "referrals.receive")
def post_message(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    def act(item: Referral) -> str:
        services.post_message(
            acting_user=request.user, referral=item, body=request.POST.get("body", "")
        )
        return _("Message sent.")

    return _act(request, pk, act)


@require_POST
@capability_required("referrals.send")
def share_more(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    def act(item: Referral) -> str:
        services.share_more(
            acting_user=request.user,
            referral=item,
            field_group=request.POST.get("field_group", ""),
            text=request.POST.get("text", "")[:2000],
        )
        return _("Added to what the provider sees.")

    return _act(request, pk, act)


@require_POST
@capability_required("referrals.receive")
def refer_onward(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    item = get_referral_for_user(request.user, pk)
    chosen = request.POST.get("service_at_location", "")
    place = (
        ServiceAtLocation.objects.select_related("service__organization").filter(pk=chosen).first()
        if chosen
        else None
    )
    try:
        if place is None:
            raise ServiceError(_("Choose the service to refer the person to."), code="invalid")
        onward = services.refer_onward(
            acting_user=request.user,
            referral=item,
            service_at_location=place,
            field_groups=request.POST.getlist("field_groups"),
            note=request.POST.get("note", ""),
        )
    except ServiceError as refused:
        messages.error(request, str(refused.message))
        return redirect("referrals:referral", pk=item.pk)
    messages.success(
        request,
        _("Referred onward to %(recipient)s.") % {"recipient": onward.recipient_organisation},
    )
    return redirect("referrals:referral", pk=onward.pk)


@require_POST
@capability_required("referrals.send")
def issue_link(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """A new link for an off-platform provider: e-mailed, or printed on the referral form."""
    item = get_referral_for_user(request.user, pk)
    try:
        if request.POST.get("print"):
            from orienta.referrals.documents import referral_form_pdf_bytes

            language = "en" if request.POST.get("lang") == "en" else "fr"
            _link, token = external.issue(
                referral=item, acting_user=request.user, language=language
            )
            link_url = request.build_absolute_uri(external.path_for(token))
            pdf = referral_form_pdf_bytes(request, item, language, link_url=link_url)
            return pdf_response(pdf, f"referral-{item.reference}-{language}.pdf")
        external.send_link(referral=item, acting_user=request.user)
    except ServiceError as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(
            request, _("A link was e-mailed to the provider's registered focal point.")
        )
    return redirect("referrals:referral", pk=item.pk)


@require_POST
@capability_required("referrals.send")
def revoke_link(request: AuthenticatedHttpRequest, pk: Any, link_id: int) -> HttpResponse:
    def act(item: Referral) -> str:
        link = get_object_or_404(ExternalLink, pk=link_id, referral=item)
        external.revoke(acting_user=request.user, link=link)
        return _("The link no longer works.")

    return _act(request, pk, act)


@capability_required("referrals.send", "referrals.receive")
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    direction = request.GET.get("direction", "")
    page = referral_page(
        request.user,
        status=status if status in S.values else "",
        direction=direction if direction in ("sent", "received") else "",
        after=request.GET.get("after", ""),
    )
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "referrals/referral_list.html",
        {
            "referrals": page.items,
            "next_cursor": page.next_cursor,
            "query": query.urlencode(),
            "statuses": S.choices,
            "status": status,
            "direction": direction,
        },
    )
