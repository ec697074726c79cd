"""Keeping the key index in step with the registry; called by the cases services in the same
transaction as the change."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, cast

from django.db import connection
from django.db.models import Field

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


def insert_keys(rows: Iterable[tuple[str, uuid.UUID, uuid.UUID]]) -> None:
    """Write (key, organisation id, person id) rows in one prepared statement: the bulk path
    for generated registries of millions of persons, where building a model object per key
    costs more than writing it."""
    meta = PersonKey._meta
    fields: list[Field[Any, Any]] = [
        cast("Field[Any, Any]", meta.get_field(name))
        for name in ("key", "organisation_id", "person")
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES (%s, %s, %s)"  # noqa: S608
    prepare = [f.get_db_prep_save for f in fields]
    values = [
        tuple(p(value, connection) for p, value in zip(prepare, row, strict=True)) for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def forget_person(person: Person) -> None:
    PersonKey.objects.filter(person=person).delete()


def rebuild_all(batch: int = 5_000) -> int:
    """Recompute every person's keys, after a change of the normalisation or key rules.
    Returns the number of keys written. One transaction: searches see the old index or the
    new one, never half of each."""
    from collections import defaultdict

    from django.db import transaction

    from orienta.cases.models import IdentityDocument

    documents: dict[Any, list[str]] = defaultdict(list)
    for person_id, key in IdentityDocument.objects.exclude(number_key="").values_list(
        "person_id", "number_key"
    ):
        documents[person_id].append(key)
    written = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {connection.ops.quote_name(PersonKey._meta.db_table)}")
        else:
            PersonKey.objects.all().delete()
        persons = Person.objects.filter(anonymised_at__isnull=True).values_list(
            "pk",
            "organisation_id",
            "given_name",
            "family_name",
            "other_names",
            "birth_date",
            "phone",
        )
        rows: list[tuple[str, uuid.UUID, uuid.UUID]] = []
        for pk, organisation_id, given, family, others, born, phone in persons.iterator(
            chunk_size=batch
        ):
            rows += [
                (key, organisation_id, pk)
                for key in person_keys(
                    names=[given, family, *others],
                    birth_year=born.year if born else None,
                    document_keys=documents.get(pk, ()),
                    phone=phone,
                )
            ]
            if len(rows) >= batch * 8:
                insert_keys(rows)
                written += len(rows)
                rows = []
        insert_keys(rows)
        written += len(rows)
    return written
