"""The pages a provider not on the platform opens from its link: no account, one referral.
Answering needs only the link; the person's details need the one-time code too."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from orienta.accounts.access import public_page
from orienta.core.errors import ServiceError
from orienta.referrals import external, services
from orienta.referrals.access import read_packet
from orienta.referrals.forms import CompleteForm, DeclineForm, NotCompletedForm
from orienta.referrals.models import ExternalLink
from orienta.referrals.views.answers import ANSWERS, answer

_SESSION = "orienta-external-{}"


def _link(token: str) -> ExternalLink:
    link = external.find(token)
    if link is None:
        # Forged, expired and revoked links look the same: nothing to learn from trying.
        raise Http404("This link does not work (any more).")
    return link


def _verified(request: HttpRequest, link: ExternalLink) -> bool:
    until = request.session.get(_SESSION.format(link.pk))
    return until is not None and timezone.now().timestamp() < float(until)


@public_page
@never_cache
def external_referral(request: HttpRequest, token: str) -> HttpResponse:
    link = _link(token)
    referral = link.referral
    notice = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ANSWERS:
                answer(request, referral, action, acting_user=None, link=link)
            elif action == "message":
                services.post_message(
                    acting_user=None,
                    referral=referral,
                    body=request.POST.get("body", ""),
                    link=link,
                )
            elif action == "send_code":
                external.send_code(link)
                notice = _("A code was sent to %(email)s.") % {"email": link.contact_email}
            elif action == "verify_code":
                if external.verify_code(link, request.POST.get("code", "")):
                    until = timezone.now() + timedelta(
                        minutes=settings.ORIENTA_EXTERNAL_SESSION_MINUTES
                    )
                    request.session[_SESSION.format(link.pk)] = until.timestamp()
                else:
                    notice = _(
                        "This code is not valid (wrong, used or expired). Ask for a new one."
                    )
            else:
                raise Http404("Unknown action.")
            external.used(link, action)
        except ServiceError as refused:
            notice = str(refused.message)
        if not notice:
            return redirect(external.path_for(token))
        referral.refresh_from_db()
    verified = _verified(request, link)
    access: Any = None
    entries: list[Any] = []
    if verified:
        access, entries = read_packet(
            referral,
            actor=None,
            language=translation.get_language() or "fr",
            via=f"external:{link.contact_email}",
        )
    else:
        external.used(link, "opened")
    return render(
        request,
        "referrals/external.html",
        {
            "link": link,
            "referral": referral,
            "verified": verified,
            "access": access,
            "entries": entries,
            "notice": notice,
            "thread": list(referral.messages.select_related("organisation")),
            "decline_form": DeclineForm(auto_id="decline_%s"),
            "complete_form": CompleteForm(
                auto_id="complete_%s", initial={"outcome_date": timezone.localdate()}
            ),
            "not_completed_form": NotCompletedForm(auto_id="unfinished_%s"),
        },
    )
