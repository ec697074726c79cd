"""Providers not on the platform: a signed, expiring link for one referral, sent by e-mail to
the service's registered focal point. The link acknowledges, answers and records the outcome;
the packet opens only after a one-time code sent to that same registered address. Every use
is audited and the sender can revoke the link."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orienta.audit.services import record
from orienta.core.errors import ServiceError
from orienta.referrals.models import ExternalLink, Referral

_SALT = "orienta.referrals.external-link"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def registered_contact(referral: Referral) -> tuple[str, str]:
    """The e-mail and name the directory holds for receiving this referral: the service's
    referral focal point, the service's address, then the organisation's."""
    service = referral.service
    if service is not None:
        contact = service.referral_focal_point
        if contact is not None and contact.email:
            return contact.email, contact.name
        if service.email:
            return service.email, ""
    organisation = referral.recipient_organisation
    return organisation.email, ""


def path_for(token: str) -> str:
    return f"/r/{token}/"


def _record(action: str, link: ExternalLink, actor: Any = None, **changes: Any) -> None:
    record(
        f"referrals.external_link.{action}",
        actor=actor,
        organisation=link.referral.case.organisation_id,
        target=link,
        changes={"referral_id": link.referral_id, "contact": link.contact_email, **changes},
    )


@transaction.atomic
def issue(
    *, referral: Referral, acting_user: Any, language: str = "fr"
) -> tuple[ExternalLink, str]:
    """A new link for an open referral, by its sender (earlier ones stay valid until revoked or
    expired)."""
    from orienta.referrals.services import require_sender

    require_sender(acting_user, referral)
    if not referral.is_open:
        raise ServiceError(
            _("The referral is closed: a provider has nothing more to answer."), code="closed"
        )
    email, name = registered_contact(referral)
    if not email:
        raise ServiceError(
            _(
                "The directory holds no e-mail address for this provider: add the referral "
                "focal point's contact to the service first."
            ),
            code="no_contact",
        )
    token = signing.TimestampSigner(salt=_SALT).sign(secrets.token_urlsafe(24))
    link = ExternalLink.objects.create(
        referral=referral,
        token_digest=_digest(token),
        contact_email=email,
        contact_name=name,
        language=language,
        expires_at=timezone.now() + timedelta(days=settings.ORIENTA_EXTERNAL_LINK_DAYS),
        created_by=acting_user,
    )
    _record("issued", link, acting_user, expires_at=link.expires_at)
    return link, token


def send_link(*, referral: Referral, acting_user: Any) -> ExternalLink:
    """Issue a link and e-mail it to the provider's registered address (ServiceError when the
    directory holds none: the sender can still print the form)."""
    from orienta.core.mail import absolute_url, send_templated_mail

    link, token = issue(referral=referral, acting_user=acting_user)
    send_templated_mail.enqueue(
        to=link.contact_email,
        template="referrals/email/external_link",
        context={
            "reference": referral.reference,
            "sender": str(referral.sender_organisation),
            "service": str(referral.service or referral.recipient_organisation),
            "urgency": referral.get_urgency_display(),
            "acknowledge_by": referral.acknowledge_by.isoformat(timespec="minutes")
            if referral.acknowledge_by
            else "",
            "expires_at": link.expires_at.date().isoformat(),
            "url": absolute_url(path_for(token)),
        },
        language=link.language,
    )
    return link


def find(token: str) -> ExternalLink | None:
    """The link a token opens, or None when it is forged, expired or revoked."""
    try:
        signing.TimestampSigner(salt=_SALT).unsign(
            token, max_age=timedelta(days=settings.ORIENTA_EXTERNAL_LINK_DAYS)
        )
    except signing.BadSignature:
        return None
    link = (
        ExternalLink.objects.select_related(
            "referral",
            "referral__case",
            "referral__service",
            "referral__recipient_organisation",
            "referral__sender_organisation",
        )
        .filter(token_digest=_digest(token))
        .first()
    )
    if link is None or link.revoked_at is not None or link.expires_at <= timezone.now():
        return None
    return link


def used(link: ExternalLink, action: str) -> None:
    ExternalLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    _record("used", link, step=action)


@transaction.atomic
def send_code(link: ExternalLink) -> None:
    """A new one-time code to the registered address; the earlier one stops working."""
    from orienta.core.mail import send_templated_mail

    code = f"{secrets.randbelow(1_000_000):06d}"
    ExternalLink.objects.filter(pk=link.pk).update(
        code_digest=_digest(f"{link.pk}:{code}"),
        code_expires_at=timezone.now() + timedelta(minutes=settings.ORIENTA_EXTERNAL_CODE_MINUTES),
        code_attempts=0,
    )
    _record("code_sent", link)
    send_templated_mail.enqueue(
        to=link.contact_email,
        template="referrals/email/external_code",
        context={
            "code": code,
            "reference": link.referral.reference,
            "minutes": settings.ORIENTA_EXTERNAL_CODE_MINUTES,
        },
        language=link.language,
    )


def verify_code(link: ExternalLink, code: str) -> bool:
    """Whether `code` is the current one; a few wrong tries use the code up."""
    with transaction.atomic():
        ExternalLink.objects.filter(pk=link.pk).update(code_attempts=F("code_attempts") + 1)
        link.refresh_from_db(fields=["code_digest", "code_expires_at", "code_attempts"])
        ok = (
            bool(link.code_digest)
            and link.code_expires_at is not None
            and link.code_expires_at > timezone.now()
            and link.code_attempts <= settings.ORIENTA_EXTERNAL_CODE_ATTEMPTS
            and hmac.compare_digest(link.code_digest, _digest(f"{link.pk}:{code.strip()}"))
        )
        if ok:
            # One time: the code cannot open the packet a second time.
            ExternalLink.objects.filter(pk=link.pk).update(code_digest="", code_expires_at=None)
        _record("code_checked", link, ok=ok, attempt=link.code_attempts)
    return ok


@transaction.atomic
def revoke(*, acting_user: Any, link: ExternalLink) -> ExternalLink:
    from orienta.referrals.services import require_sender

    require_sender(acting_user, link.referral)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = acting_user
        link.save(update_fields=["revoked_at", "revoked_by"])
        _record("revoked", link, acting_user)
    return link
