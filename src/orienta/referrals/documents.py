"""Printable documents of a referral: the referral form (fiche de référence), in French or
English, for the paper file and for a provider that is not on the platform.

The form shows the packet exactly as the recipient may read it now: it is read through
`access.read_packet`, so the gates are checked again and the reading is audited; when access
has ended, the form carries the reason instead of the person's data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orienta.referrals import pathway
from orienta.referrals.access import read_packet
from orienta.referrals.choices import DeclineReason, FieldGroup, Outcome
from orienta.referrals.gates import AGREEMENT, CONSENT
from orienta.referrals.models import Referral

LANGUAGES = ("fr", "en")
TEMPLATE = "referrals/form_print.html"


def _person(user: Any) -> str:
    if user is None:
        return ""
    return str(getattr(user, "full_name", "") or getattr(user, "email", "") or user)


def _group_label(code: str) -> str:
    try:
        return str(FieldGroup(code).label)
    except ValueError:
        return code


def _link_expiry(referral: Referral) -> datetime | None:
    link = (
        referral.external_links.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )
    return link.expires_at if link is not None else None


def referral_form_context(
    request: HttpRequest | None,
    referral: Referral,
    language: str,
    *,
    link_url: str = "",
    link_expires: datetime | None = None,
    actor: Any = None,
    via: str = "pdf",
) -> dict[str, Any]:
    """What the form shows. Reads (and audits the reading of) the packet, as `actor` (by
    default the signed-in user of `request`); call it with the form's language active, as
    `referral_form_html` does."""
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if getattr(user, "is_authenticated", False) else None
    access, entries = read_packet(referral, actor=actor, language=language, via=via)
    missing = {CONSENT: _("consent of the person"), AGREEMENT: _("data-sharing agreement")}
    location = referral.service_at_location.location if referral.service_at_location else None
    return {
        "referral": referral,
        "language": language,
        "zone": str(timezone.get_current_timezone()),
        "printed_at": timezone.now(),
        "category": (pathway.term_label(referral.category, language) if referral.category else ""),
        "sent_by": _person(referral.sent_by),
        "service": referral.service.name if referral.service else "",
        "location": getattr(location, "name", "") or "",
        "override_missing": [missing.get(code, code) for code in referral.override_missing],
        "access": access,
        "packet": [
            {"group": _group_label(entry.field_group), "lines": lines} for entry, lines in entries
        ],
        "link_url": link_url,
        "link_expires": (link_expires or _link_expiry(referral)) if link_url else None,
        "outcomes": Outcome.choices,
        "decline_reasons": DeclineReason.choices,
    }


def referral_form_html(
    request: HttpRequest | None,
    referral: Referral,
    language: str,
    *,
    link_url: str = "",
    link_expires: datetime | None = None,
    actor: Any = None,
    via: str = "pdf",
) -> str:
    """The form as HTML, ready for WeasyPrint: in `language`, dates in the local time of the
    referring organisation's country."""
    if language not in LANGUAGES:
        raise ValueError(f"Unknown language {language!r}.")
    zone = pathway.time_zone_for(referral.sender_organisation.country)
    with translation.override(language), timezone.override(zone):
        context = referral_form_context(
            request,
            referral,
            language,
            link_url=link_url,
            link_expires=link_expires,
            actor=actor,
            via=via,
        )
        return render_to_string(TEMPLATE, context, request=request)


def referral_form_pdf_bytes(
    request: HttpRequest,
    referral: Referral,
    language: str,
    link_url: str = "",
    *,
    link_expires: datetime | None = None,
    actor: Any = None,
    via: str = "pdf",
) -> bytes:
    """The referral form as a PDF. With `link_url`, it carries the box for answering online
    through the referral's expiring external link (valid until `link_expires`, or the expiry of
    the referral's latest live link)."""
    from weasyprint import HTML

    html = referral_form_html(
        request,
        referral,
        language,
        link_url=link_url,
        link_expires=link_expires,
        actor=actor,
        via=via,
    )
    # Everything the form needs is in the HTML (embedded CSS, no image, no web font).
    return bytes(HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf())
