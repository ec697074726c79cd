"""The whole identification form in one transaction: registration, screening, needs, consent.
Any refusal anywhere leaves nothing behind."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from orienta.cases import services
from orienta.cases.models import Case, Person
from orienta.cases.models.choices import ConsentPurpose
from orienta.cases.registration import EpisodeData, PersonData, register_person
from orienta.core.errors import ServiceError


@dataclass
class NeedData:
    term: str
    urgency: str
    note: str = ""


@dataclass
class Intake:
    person: PersonData
    episode: EpisodeData
    kind: str
    consents: list[services.ConsentData]
    existing_person: Person | None = None
    accompaniment: str = ""
    accompanied_by: Person | None = None
    assigned_to: Any = None
    answers: list[services.AnswerData] = field(default_factory=list)
    specific_needs: list[str] = field(default_factory=list)
    needs: list[NeedData] = field(default_factory=list)


@transaction.atomic
def register(*, acting_user: Any, organisation: Any, intake: Intake) -> Case:
    if not any(c.purpose == ConsentPurpose.REGISTRATION for c in intake.consents):
        raise ServiceError(
            _("Record the consent to registration before saving."),
            code="invalid",
            details={"field": "consent"},
        )
    # Terms first: an unknown one must stop the registration before anything is written.
    terms = [services.find_term(need.term) for need in intake.needs]
    case = register_person(
        acting_user=acting_user,
        organisation=organisation,
        data=intake.person,
        kind=intake.kind,
        episode=intake.episode,
        existing_person=intake.existing_person,
        accompaniment=intake.accompaniment,
        accompanied_by=intake.accompanied_by,
        assigned_to=intake.assigned_to,
    )
    for consent in intake.consents:
        services.record_consent(acting_user=acting_user, case=case, data=consent)
    services.record_screening(
        acting_user=acting_user,
        case=case,
        answers=intake.answers,
        specific_needs=intake.specific_needs,
        accompaniment=intake.accompaniment,
    )
    for need, term in zip(intake.needs, terms, strict=True):
        services.add_need(
            acting_user=acting_user, case=case, term=term, urgency=need.urgency, note=need.note
        )
    case.refresh_from_db()
    return case
