"""The directory's matching, fed from a case: the need's category, where the person is from,
their age and language."""

from __future__ import annotations

from django.utils import timezone

from orienta.cases.models import Case, Need
from orienta.directory.matching import MatchResult, Place, Profile, match


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
