"""Building cases for tests through the real services."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from orienta.cases import intake, services
from orienta.cases.models import Case
from orienta.cases.models.choices import ConsentGiver, ConsentMethod, ConsentPurpose
from orienta.cases.registration import DocumentData, EpisodeData, PersonData


def registration_consent(**extra: Any) -> services.ConsentData:
    values: dict[str, Any] = {
        "purpose": ConsentPurpose.REGISTRATION,
        "given_by": ConsentGiver.PERSON,
        "method": ConsentMethod.VERBAL_CERTIFIED,
        "given_on": timezone.localdate(),
    }
    values.update(extra)
    return services.ConsentData(**values)


def person_data(**extra: Any) -> PersonData:
    values: dict[str, Any] = {
        "given_name": "Wilner",
        "family_name": "Dorsainvil",
        "sex": "male",
        "birth_date": date(1991, 4, 12),
        "nationality": "HT",
        "origin_admin1_name": "Nord-Est",
    }
    documents = extra.pop("documents", [])
    values.update(extra)
    return PersonData(documents=[DocumentData(**d) for d in documents], **values)


def register_case(user: Any, organisation: Any, **extra: Any) -> Case:
    consents = extra.pop("consents", None) or [registration_consent()]
    person = person_data(**extra.pop("person", {}))
    data = intake.Intake(
        person=person,
        episode=EpisodeData(
            arrived_on=extra.pop("arrived_on", timezone.localdate()),
            returned_from="DO",
            entry_point="Ouanaminthe",
        ),
        kind=extra.pop("kind", "forced_return"),
        consents=consents,
        **extra,
    )
    return intake.register(acting_user=user, organisation=organisation, intake=data)
