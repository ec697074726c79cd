"""Registering a person at the desk: identity, documents, family, screening, needs, consent —
all saved together or not at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import require_capability
from orienta.audit.services import record, snapshot
from orienta.cases.models import (
    Case,
    Episode,
    FamilyLink,
    IdentityDocument,
    Person,
    document_key,
)
from orienta.cases.models.choices import (
    Accompaniment,
    BirthDatePrecision,
    CaseKind,
    DocumentStatus,
    Relationship,
)
from orienta.core.errors import ServiceError
from orienta.identity.services import index_person

MAX_AGE = 120

PERSON_FIELDS = (
    "given_name",
    "family_name",
    "other_names",
    "sex",
    "birth_date",
    "birth_date_precision",
    "stated_age",
    "stated_age_on",
    "nationality",
    "other_nationalities",
    "statelessness_risk",
    "origin_country",
    "origin_admin1_code",
    "origin_admin1_name",
    "origin_admin2_code",
    "origin_admin2_name",
    "origin_locality",
    "languages",
    "phone",
)
# Never written to the audit trail as values: names, dates and contacts say who the person is.
SENSITIVE_PERSON_FIELDS = frozenset(
    {"given_name", "family_name", "other_names", "birth_date", "phone", "stated_age"}
)


@dataclass
class DocumentData:
    document_type: str
    status: str
    number: str = ""
    issuing_country: str = ""


@dataclass
class PersonData:
    given_name: str
    family_name: str
    sex: str
    other_names: list[str] = field(default_factory=list)
    birth_date: date | None = None
    birth_date_precision: str = BirthDatePrecision.EXACT
    stated_age: int | None = None
    stated_age_on: date | None = None
    nationality: str = ""
    other_nationalities: list[str] = field(default_factory=list)
    statelessness_risk: bool = False
    origin_country: str = ""
    origin_admin1_code: str = ""
    origin_admin1_name: str = ""
    origin_admin2_code: str = ""
    origin_admin2_name: str = ""
    origin_locality: str = ""
    languages: list[str] = field(default_factory=list)
    phone: str = ""
    documents: list[DocumentData] = field(default_factory=list)


@dataclass
class EpisodeData:
    arrived_on: date
    returned_from: str = ""
    entry_point: str = ""


def _invalid(field_name: str, message: Any) -> ServiceError:
    return ServiceError(message, code="invalid", details={"field": field_name})


def settle_birth_date(data: PersonData, today: date) -> None:
    """Fill the date of birth from a stated age, and refuse dates that cannot be."""
    if data.birth_date_precision == BirthDatePrecision.ESTIMATED:
        if data.stated_age is None:
            raise _invalid("stated_age", _("Give the age the person states."))
        if data.stated_age > MAX_AGE:
            raise _invalid(
                "stated_age", _("An age over %(max)s years is not possible.") % {"max": MAX_AGE}
            )
        on = data.stated_age_on or today
        data.stated_age_on = on
        data.birth_date = on.replace(year=on.year - data.stated_age) - timedelta(days=182)
    if data.birth_date is None:
        return
    if data.birth_date > today:
        raise _invalid("birth_date", _("The date of birth is in the future."))
    if today.year - data.birth_date.year > MAX_AGE:
        raise _invalid(
            "birth_date",
            _("The date of birth gives an age over %(max)s years.") % {"max": MAX_AGE},
        )


def check_documents(documents: list[DocumentData], person: Person | None) -> None:
    for position, document in enumerate(documents, start=1):
        key = document_key(document.number)
        if document.status == DocumentStatus.HELD and not key:
            raise _invalid(
                f"documents.{position}.number",
                _("Give the number of the document the person holds."),
            )
        if not key:
            continue
        taken = IdentityDocument.objects.filter(
            document_type=document.document_type,
            issuing_country=document.issuing_country,
            number_key=key,
        )
        if person is not None:
            taken = taken.exclude(person=person)
        if taken.exists():
            raise _invalid(
                f"documents.{position}.number",
                _(
                    "Document number %(number)s is already recorded for another person. "
                    "If it is the same person, choose them among the candidates."
                )
                % {"number": document.number},
            )


def age_on(data: PersonData, day: date) -> int | None:
    if data.birth_date is None:
        return None
    born = data.birth_date
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def check_accompaniment(
    *, child: bool, accompaniment: str, accompanied_by: Person | None, kind: str
) -> None:
    if not child:
        return
    if not accompaniment:
        raise _invalid(
            "accompaniment", _("Say whether the child travels with a parent, a relative or alone.")
        )
    if accompaniment in (Accompaniment.WITH_PARENT, Accompaniment.SEPARATED):
        if accompanied_by is None:
            raise _invalid(
                "accompanied_by",
                _(
                    "A child registered as accompanied needs the accompanying adult: register "
                    "the adult first and choose them, or record the child as unaccompanied."
                ),
            )
        today = timezone.localdate()
        adult_age = accompanied_by.age_on(today)
        if adult_age is not None and adult_age < 18:
            raise _invalid("accompanied_by", _("The accompanying person is not an adult."))


def save_person(
    *, acting_user: Any, organisation: Any, data: PersonData, person: Person | None
) -> Person:
    values = {name: getattr(data, name) for name in PERSON_FIELDS}
    created = person is None
    if person is None:
        person = Person(organisation=organisation, registered_by=acting_user, **values)
        before: dict[str, Any] = {}
    else:
        before = snapshot(person, PERSON_FIELDS)
        for name, value in values.items():
            setattr(person, name, value)
    person.full_clean(exclude=["photo"])
    person.save()
    after = snapshot(person, PERSON_FIELDS)
    changes = {k: v for k, v in after.items() if before.get(k) != v}
    record(
        "cases.person.created" if created else "cases.person.updated",
        actor=acting_user,
        organisation=person.organisation,
        target=person,
        changes=changes,
        sensitive=SENSITIVE_PERSON_FIELDS,
    )
    for document in data.documents:
        key = document_key(document.number)
        existing = (
            person.documents.filter(document_type=document.document_type, number_key=key).first()
            if key
            else None
        )
        if existing is None:
            existing = IdentityDocument(person=person, document_type=document.document_type)
        existing.number = document.number
        existing.number_key = key
        existing.issuing_country = document.issuing_country
        existing.status = document.status
        existing.save()
        record(
            "cases.document.recorded",
            actor=acting_user,
            organisation=person.organisation,
            target=existing,
            changes={
                "document_type": document.document_type,
                "status": document.status,
                "number": document.number,
            },
            sensitive={"number"},
        )
    return person


def link_accompanying_adult(
    *, acting_user: Any, child: Person, adult: Person, accompaniment: str
) -> FamilyLink:
    relationship = (
        Relationship.PARENT
        if accompaniment == Accompaniment.WITH_PARENT
        else Relationship.OTHER_RELATIVE
    )
    link, _created = FamilyLink.objects.update_or_create(
        person=child,
        relative=adult,
        defaults={"relationship": relationship, "accompanying": True},
    )
    record(
        "cases.family_link.recorded",
        actor=acting_user,
        organisation=child.organisation,
        target=link,
        changes={"relative_id": adult.pk, "relationship": relationship, "accompanying": True},
    )
    return link


def open_case(
    *,
    acting_user: Any,
    organisation: Any,
    person: Person,
    kind: str,
    episode: EpisodeData,
    assigned_to: Any,
    child: bool,
) -> Case:
    case = Case.objects.create(
        person=person,
        organisation=organisation,
        kind=CaseKind(kind),
        assigned_to=assigned_to,
        registered_by=acting_user,
        opened_on=episode.arrived_on,
        is_child=child,
    )
    record(
        "cases.case.opened",
        actor=acting_user,
        organisation=organisation,
        target=case,
        changes={
            "person_id": person.pk,
            "kind": kind,
            "assigned_to_id": getattr(assigned_to, "pk", None),
            "is_child": child,
        },
    )
    made = Episode.objects.create(
        case=case,
        person=person,
        arrived_on=episode.arrived_on,
        returned_from=episode.returned_from,
        entry_point=episode.entry_point,
        recorded_by=acting_user,
    )
    record(
        "cases.episode.recorded",
        actor=acting_user,
        organisation=organisation,
        target=made,
        changes=snapshot(made, ["arrived_on", "returned_from", "entry_point"]),
    )
    return case


@transaction.atomic
def register_person(
    *,
    acting_user: Any,
    organisation: Any,
    data: PersonData,
    kind: str,
    episode: EpisodeData,
    existing_person: Person | None = None,
    accompaniment: str = "",
    accompanied_by: Person | None = None,
    assigned_to: Any = None,
) -> Case:
    """Create (or, for a repeat return, update) the person, their documents and the link to the
    adult they travel with, and open the case with its first episode. Screening, needs and
    consent are recorded by their own services in the same transaction (see `intake`)."""
    require_capability(acting_user, "cases.register", organisation.pk)
    if existing_person is not None and existing_person.organisation_id != organisation.pk:
        raise ServiceError(_("That person is not in your organisation's registry."), code="invalid")
    today = timezone.localdate()
    if episode.arrived_on > today:
        raise _invalid("arrived_on", _("The date of arrival is in the future."))
    settle_birth_date(data, today)
    check_documents(data.documents, existing_person)
    age = age_on(data, episode.arrived_on)
    child = age is not None and age < 18
    check_accompaniment(
        child=child, accompaniment=accompaniment, accompanied_by=accompanied_by, kind=kind
    )
    person = save_person(
        acting_user=acting_user, organisation=organisation, data=data, person=existing_person
    )
    if child and accompanied_by is not None:
        link_accompanying_adult(
            acting_user=acting_user,
            child=person,
            adult=accompanied_by,
            accompaniment=accompaniment,
        )
    index_person(person)
    return open_case(
        acting_user=acting_user,
        organisation=organisation,
        person=person,
        kind=kind,
        episode=episode,
        assigned_to=assigned_to or acting_user,
        child=child,
    )
