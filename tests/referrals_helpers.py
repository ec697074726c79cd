"""Building referral situations for tests: a provider with a service, its focal point, an
agreement between the two organisations, and a case whose person consented."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from orienta.cases import services as case_services
from orienta.cases.models import Case
from orienta.cases.models.choices import ConsentPurpose
from orienta.directory import models as d
from orienta.directory.taxonomy import term_id
from orienta.referrals.choices import DEFAULT_FIELD_GROUPS, AgreementPurpose, AgreementStatus
from orienta.referrals.models import DataSharingAgreement
from tests.cases_helpers import register_case, registration_consent


def make_service(
    organisation: d.Organisation, code: str = "SHEL-TEMP", *, email: str = "", name: str = ""
) -> d.ServiceAtLocation:
    service = d.Service.objects.create(
        organization=organisation,
        name=name or f"Service {code} ({organisation.acronym})",
        status="active",
        email=email,
        accepts_referrals=True,
        assured_date=timezone.localdate(),
    )
    location = d.Location.objects.create(
        location_type="physical", latitude=19.55, longitude=-71.72, admin1_code="HT04"
    )
    d.Attribute.objects.create(
        link_id=service.pk, link_entity="service", taxonomy_term_id=term_id(code)
    )
    d.directory_changed()
    return d.ServiceAtLocation.objects.create(service=service, location=location)


def make_agreement(
    *parties: d.Organisation, groups: Any = DEFAULT_FIELD_GROUPS, **extra: Any
) -> DataSharingAgreement:
    values: dict[str, Any] = {
        "title": "Accord de partage (test)",
        "purposes": [AgreementPurpose.REFERRAL],
        "field_groups": list(groups),
        "valid_from": timezone.localdate() - timedelta(days=30),
        "status": AgreementStatus.IN_FORCE,
    }
    values.update(extra)
    agreement = DataSharingAgreement.objects.create(**values)
    agreement.parties.set(parties)
    return agreement


def case_with_need(
    user: Any,
    organisation: d.Organisation,
    code: str = "SHEL-TEMP",
    *,
    consent_to: Any = None,
    **extra: Any,
) -> Case:
    """A case of `organisation` with one need; with `consent_to` (an organisation or a
    category code), the person's consent to a referral there."""
    consents = [registration_consent()]
    if consent_to is not None:
        recipient = (
            {"recipient_category": consent_to}
            if isinstance(consent_to, str)
            else {"recipient_organisation": consent_to}
        )
        consents.append(registration_consent(purpose=ConsentPurpose.REFERRAL, **recipient))
    case = register_case(user, organisation, consents=consents, **extra)
    case_services.add_need(
        acting_user=user, case=case, term=case_services.find_term(code), urgency="high"
    )
    return case
