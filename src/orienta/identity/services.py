"""Keeping the key index in step with the registry; called by the cases services in the same
transaction as the change."""

from __future__ import annotations

from orienta.cases.models import Person
from orienta.identity.keys import person_keys
from orienta.identity.models import PersonKey


def keys_for(person: Person, document_keys: list[str] | None = None) -> list[str]:
    if person.anonymised_at:
        return []
    if document_keys is None:
        document_keys = list(person.documents.values_list("number_key", flat=True))
    return person_keys(
        names=[person.given_name, person.family_name, *person.other_names],
        birth_year=person.birth_date.year if person.birth_date else None,
        document_keys=document_keys,
        phone=person.phone,
    )


def index_person(person: Person) -> None:
    PersonKey.objects.filter(person=person).delete()
    PersonKey.objects.bulk_create(
        PersonKey(key=key, organisation_id=person.organisation_id, person=person)
        for key in keys_for(person)
    )


def forget_person(person: Person) -> None:
    PersonKey.objects.filter(person=person).delete()
