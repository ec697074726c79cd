"""Checking an arrival in at the desk: the quick profile, registration of the person (a new one
or, for a repeat return, the one already in the registry), the reception checklist, and the
immediate assistance given. One transaction: a refusal leaves nothing behind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orienta.accounts.access import require_capability
from orienta.audit.services import record
from orienta.cases import services as case_services
from orienta.cases.models import Person
from orienta.cases.models.choices import (
    Accompaniment as ChildAccompaniment,
)
from orienta.cases.models.choices import (
    BirthDatePrecision,
    CaseKind,
    ConsentGiver,
    ConsentMethod,
    ConsentPurpose,
)
from orienta.cases.registration import EpisodeData, PersonData, register_person
from orienta.core.errors import ConflictError, ServiceError
from orienta.core.signals import changed as rows_changed
from orienta.returns import sop
from orienta.returns.choices import (
    Accompaniment,
    AgeGroup,
    AssistanceKind,
    Documents,
    MovementStatus,
    RowStatus,
)
from orienta.returns.models import Arrival, Assistance, ManifestRow, Movement

CHILD_ACCOMPANIMENT: dict[str, str] = {
    Accompaniment.WITH_FAMILY: ChildAccompaniment.WITH_PARENT,
    Accompaniment.SEPARATED: ChildAccompaniment.SEPARATED,
    Accompaniment.UNACCOMPANIED: ChildAccompaniment.UNACCOMPANIED,
}
OLDER_FROM = 60


def _invalid(field_name: str, message: str) -> ServiceError:
    return ServiceError(message, code="invalid", details={"field": field_name})


@dataclass
class Profile:
    """What the desk asks everyone, in a few taps."""

    age_group: str
    accompaniment: str
    documents: str
    given_name: str = ""
    family_name: str = ""
    sex: str = "unknown"
    birth_date: date | None = None
    stated_age: int | None = None
    nationality: str = ""
    medical_urgency: bool = False
    pregnant: bool = False
    disability: bool = False
    abuse_reported: bool = False
    detention_days: int | None = None
    family_separated: bool = False
    criminal_record_notice: bool = False
    removal_order_received: bool | None = None
    belongings_returned: bool | None = None
    child_protection_handover: bool = False
    # Consent to registration: without it the arrival is received, not registered.
    registration_consent: bool = True
    best_interests_reference: str = ""
    accompanied_by: Arrival | None = None
    same_person: bool = True  # the desk confirmed the repeat returnee is the one registered


def age_group_of(birth_date: date | None, on: date) -> str | None:
    if birth_date is None:
        return None
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    return age_group_for(age)


def age_group_for(age: int) -> str:
    if age < 18:
        return AgeGroup.CHILD
    return AgeGroup.OLDER if age >= OLDER_FROM else AgeGroup.ADULT


def _settle(profile: Profile, listed: ManifestRow | None, today: date) -> None:
    """Fill the profile from the list where the desk left it blank, and check it."""
    if listed is not None:
        profile.given_name = profile.given_name or listed.given_name
        profile.family_name = profile.family_name or listed.family_name
        if profile.sex in ("", "unknown"):
            profile.sex = listed.sex or "unknown"
        profile.birth_date = profile.birth_date or listed.birth_date
        profile.nationality = profile.nationality or listed.nationality
    known = age_group_of(profile.birth_date, today)
    if known is not None:
        profile.age_group = known
    if profile.age_group not in AgeGroup.values:
        raise _invalid("age_group", _("Choose the age group."))
    if profile.accompaniment not in Accompaniment.values:
        raise _invalid("accompaniment", _("Say whether the person travels alone or with family."))
    if profile.documents not in Documents.values:
        raise _invalid("documents", _("Say which document the person has."))
    child = profile.age_group == AgeGroup.CHILD
    if child and profile.accompaniment == Accompaniment.ALONE:
        profile.accompaniment = Accompaniment.UNACCOMPANIED
    if not child and profile.accompaniment in (
        Accompaniment.UNACCOMPANIED,
        Accompaniment.SEPARATED,
    ):
        raise _invalid("accompaniment", _("Only a child can be unaccompanied or separated."))
    if not profile.family_name.strip():
        raise _invalid("family_name", _("Give the person's name."))
    if profile.registration_consent and not profile.given_name.strip():
        raise _invalid("given_name", _("Give the person's given names to register them."))
    if child and profile.birth_date is None and profile.stated_age is None:
        raise _invalid("stated_age", _("Give the child's age, even approximate."))


def _consent(profile: Profile, unaccompanied: bool) -> case_services.ConsentData:
    today = timezone.localdate()
    if profile.age_group != AgeGroup.CHILD:
        giver, name, reference = ConsentGiver.PERSON, "", ""
    elif unaccompanied:
        if not profile.best_interests_reference.strip():
            raise _invalid(
                "best_interests_reference",
                _(
                    "For a child without a parent, registration needs the reference of the "
                    "child-protection (best-interests) procedure: ask the IBESR officer."
                ),
            )
        giver, name, reference = ConsentGiver.BEST_INTERESTS, "", profile.best_interests_reference
    else:
        adult = profile.accompanied_by
        who = (
            f"{adult.person.given_name} {adult.person.family_name}"
            if adult and adult.person
            else ""
        )
        giver, name, reference = ConsentGiver.PARENT_OR_GUARDIAN, who, ""
    return case_services.ConsentData(
        purpose=ConsentPurpose.REGISTRATION,
        given_by=giver,
        method=ConsentMethod.VERBAL_CERTIFIED,
        given_on=today,
        giver_name=name,
        best_interests_reference=reference,
    )


def _register(
    acting_user: Any, movement: Movement, profile: Profile, listed: ManifestRow | None
) -> tuple[Person | None, Any]:
    if not profile.registration_consent:
        return None, None
    child = profile.age_group == AgeGroup.CHILD
    unaccompanied = profile.accompaniment in (Accompaniment.UNACCOMPANIED,)
    existing = None
    candidate = listed.candidate if listed is not None and listed.repeat_return else None
    if profile.same_person and candidate and candidate.organisation_id == movement.organisation_id:
        existing = candidate
    adult = profile.accompanied_by
    missing = adult is None or adult.movement_id != movement.pk or adult.person is None
    if child and not unaccompanied and missing:
        raise _invalid(
            "accompanied_by",
            _("Check in the adult the child travels with first, then choose them."),
        )
    data = PersonData(
        given_name=profile.given_name.strip(),
        family_name=profile.family_name.strip(),
        sex=profile.sex or "unknown",
        birth_date=profile.birth_date,
        nationality=profile.nationality,
        origin_country=profile.nationality,
    )
    if profile.birth_date is None and profile.stated_age is not None:
        data.birth_date_precision = BirthDatePrecision.ESTIMATED
        data.stated_age = profile.stated_age
    kind = CaseKind.UNACCOMPANIED_CHILD if child and unaccompanied else CaseKind.FORCED_RETURN
    local_day = movement.local(timezone.now()).date()
    try:
        case = register_person(
            acting_user=acting_user,
            organisation=movement.organisation,
            data=data,
            kind=kind,
            episode=EpisodeData(
                arrived_on=min(local_day, timezone.localdate()),
                returned_from=movement.origin_country,
                entry_point=movement.entry_point.code,
            ),
            existing_person=existing,
            accompaniment=CHILD_ACCOMPANIMENT.get(profile.accompaniment, "") if child else "",
            accompanied_by=adult.person if adult and child and not unaccompanied else None,
        )
    except ValidationError as error:
        # What the registry's own checks refuse (a record it cannot save as it is) is the
        # desk's to correct, not a server error.
        field, messages = next(iter(error.message_dict.items()), ("", [str(error)]))
        raise _invalid(field, " ".join(messages)) from None
    case_services.record_consent(
        acting_user=acting_user, case=case, data=_consent(profile, unaccompanied)
    )
    return case.person, case


PROFILE_FIELDS = (
    "age_group",
    "accompaniment",
    "documents",
    "nationality",
    "medical_urgency",
    "pregnant",
    "disability",
    "abuse_reported",
    "detention_days",
    "family_separated",
    "criminal_record_notice",
    "removal_order_received",
    "belongings_returned",
    "child_protection_handover",
)


@transaction.atomic
def check_in(
    *, acting_user: Any, movement: Movement, profile: Profile, listed: ManifestRow | None = None
) -> Arrival:
    require_capability(acting_user, "returns.receive_arrivals", movement.organisation_id)
    if movement.status == MovementStatus.CANCELLED:
        raise ServiceError(_("This movement was cancelled."), code="invalid")
    if listed is not None and (
        listed.movement_id != movement.pk or listed.status != RowStatus.ACCEPTED
    ):
        raise _invalid("listed", _("This person is not on this movement's list."))
    now = timezone.now()
    _settle(profile, listed, timezone.localdate())
    person, case = _register(acting_user, movement, profile, listed)
    arrival = Arrival(
        movement=movement,
        organisation=movement.organisation,
        listed=listed,
        person=person,
        case=case,
        checked_in_at=now,
        checked_in_by=acting_user,
        sex=profile.sex,
        repeat_return=bool(listed and listed.repeat_return),
        **{name: getattr(profile, name) for name in PROFILE_FIELDS},
    )
    try:
        with transaction.atomic():
            arrival.save()
    except IntegrityError:
        raise ConflictError(_("This person was already checked in."), code="conflict") from None
    if case is not None and arrival.unaccompanied_child and not case.is_child:
        case.is_child = True
        case.save(update_fields=["is_child"])
    steps = sop.apply(
        acting_user=acting_user, arrival=arrival, country=movement.entry_point.country
    )
    changed = Movement.objects.filter(pk=movement.pk, status=MovementStatus.ANNOUNCED).update(
        status=MovementStatus.ARRIVED, arrived_at=now
    )
    if changed:
        rows_changed(Movement, [movement.pk])
    record(
        "returns.arrival.checked_in",
        actor=acting_user,
        organisation=movement.organisation,
        target=arrival,
        changes={
            "movement_id": movement.pk,
            "listed": listed is not None,
            "registered": case is not None,
            "steps": [s.rule.code for s in steps],
            **{name: getattr(profile, name) for name in PROFILE_FIELDS},
        },
    )
    if changed:
        # The first arrival marks the movement arrived: its own event, as for any change.
        record(
            "returns.movement.updated",
            actor=acting_user,
            organisation=movement.organisation,
            target=movement,
            changes={
                "status": [MovementStatus.ANNOUNCED, MovementStatus.ARRIVED],
                "arrived_at": now.isoformat(),
            },
        )
        movement.refresh_from_db(fields=["status", "arrived_at"])
    return arrival


@transaction.atomic
def give_assistance(
    *,
    acting_user: Any,
    arrival: Arrival,
    kind: str,
    quantity: int = 1,
    amount: Decimal | None = None,
) -> Assistance:
    require_capability(acting_user, "returns.receive_arrivals", arrival.organisation_id)
    if kind not in AssistanceKind.values:
        raise _invalid("kind", _("Choose the assistance given."))
    if quantity < 1:
        raise _invalid("quantity", _("The quantity is at least 1."))
    if amount is not None and amount < 0:
        raise _invalid("amount", _("The amount cannot be negative."))
    if kind == AssistanceKind.TRANSPORT and amount is None:
        raise _invalid("amount", _("Give the amount of the transport allowance."))
    given = Assistance.objects.create(
        arrival=arrival, kind=kind, quantity=quantity, amount=amount, given_by=acting_user
    )
    record(
        "returns.assistance.given",
        actor=acting_user,
        organisation=arrival.organisation,
        target=given,
        changes={"arrival_id": arrival.pk, "kind": kind, "quantity": quantity, "amount": amount},
    )
    return given
