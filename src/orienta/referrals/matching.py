"""The directory's matching, fed from a case: the need's category, where the person is from,
their age and language."""

from __future__ import annotations

from django.utils import timezone

from orienta.cases.models import Case, Need
from orienta.directory.matching import Match, MatchResult, Place, Profile, match
from orienta.referrals.models import Referral


def services_for(case: Case, need: Need, *, limit: int = 8) -> MatchResult:
    person = case.person
    return match(
        [need.term.code],
        Place(admin1_code=person.origin_admin1_code, admin2_code=person.origin_admin2_code),
        Profile(
            age=person.age_on(timezone.localdate()),
            language=(person.languages or [""])[0],
        ),
        limit=limit,
    )


def onward_services(referral: Referral, *, limit: int = 8) -> list[Match]:
    """Where a provider could refer the person on for the same need: the directory's matches
    for its category, other organisations' services only."""
    if not referral.category:
        return []
    return [
        m
        for m in match([referral.category], limit=limit).matches
        if m.service_at_location is not None
        and m.service_at_location.service.organization_id != referral.recipient_organisation_id
    ]
