"""`has_consent`: the one check every sharing of a person's data goes through.

Read from the database on every call (no cache), so a withdrawal counts at once everywhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone

from orienta.cases.models import Case, Consent
from orienta.cases.models.choices import ConsentPurpose

# Purposes that name who receives the data; the others concern the owning organisation only.
WITH_RECIPIENT = frozenset({ConsentPurpose.REFERRAL, ConsentPurpose.SHARING})


@dataclass(frozen=True)
class Recipient:
    """Who would receive the data: an organisation, with the categories of the service it
    would provide (taxonomy codes)."""

    organisation_id: uuid.UUID | None = None
    categories: tuple[str, ...] = field(default=())


def recipient_of(target: Any) -> Recipient:
    """A Recipient from an organisation, a service, a service-at-location or a category code."""
    from orienta.directory.models import Attribute, Organisation, Service, ServiceAtLocation

    if target is None or isinstance(target, Recipient):
        return target or Recipient()
    if isinstance(target, str):
        return Recipient(categories=(target,))
    if isinstance(target, Organisation):
        return Recipient(organisation_id=target.pk)
    if isinstance(target, ServiceAtLocation):
        target = target.service
    if isinstance(target, Service):
        codes = Attribute.objects.filter(
            link_entity="service", link_id=target.pk, taxonomy_term__isnull=False
        ).values_list("taxonomy_term__code", flat=True)
        return Recipient(organisation_id=target.organization_id, categories=tuple(codes))
    raise TypeError(f"Cannot tell who receives the data from {type(target).__name__}.")


def _covers(consent_category: str, categories: Iterable[str]) -> bool:
    # "HEALTH" covers "HEALTH" and "HEALTH-PRIM"; a consent to a category never covers more.
    return any(
        code == consent_category or code.startswith(consent_category + "-") for code in categories
    )


def valid_consents(case: Case, purpose: str, *, on: date | None = None) -> list[Consent]:
    today = on or timezone.localdate()
    return list(
        Consent.objects.filter(case=case, purpose=purpose, withdrawn_at__isnull=True)
        .filter(given_on__lte=today)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    )


def has_consent(case: Case, purpose: str, recipient: Any = None, *, on: date | None = None) -> bool:
    """Whether a consent in force covers `purpose` for `recipient` (an Organisation, a Service,
    a ServiceAtLocation, a taxonomy code or a Recipient).

    For referral and sharing the consent must name that organisation, or a category that covers
    one of the service's categories: consent is given per recipient, never "to anyone".
    """
    purpose = ConsentPurpose(purpose)
    consents = valid_consents(case, purpose, on=on)
    if purpose not in WITH_RECIPIENT:
        return bool(consents)
    wanted = recipient_of(recipient)
    if wanted.organisation_id is None and not wanted.categories:
        return False
    for consent in consents:
        if (
            consent.recipient_organisation_id is not None
            and consent.recipient_organisation_id == wanted.organisation_id
        ):
            return True
        if consent.recipient_category and _covers(consent.recipient_category, wanted.categories):
            return True
    return False
