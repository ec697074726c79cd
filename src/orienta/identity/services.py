"""Keeping the key index in step with the registry (called by the cases services in the same
transaction as the change), saving models, and the review queue: confirm (merge), reject,
undo a merge."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Field, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import require_capability
from orienta.audit.services import record
from orienta.cases.models import IdentityDocument, Person
from orienta.core.errors import ConflictError, ServiceError
from orienta.identity.blocking import STORED, keys
from orienta.identity.models import (
    DuplicatePair,
    DuplicateStatus,
    IdentityModel,
    PersonKey,
    PersonMerge,
)
from orienta.identity.records import RawRecord, Records

PERSON_FIELDS = (
    "pk",
    "organisation_id",
    "given_name",
    "family_name",
    "sex",
    "birth_date",
    "origin_admin1_code",
    "origin_admin1_name",
)


def raw_record(values: Sequence[Any], document: str = "", group: Any = None) -> RawRecord:
    """A registry row (PERSON_FIELDS, in order) as identity resolution reads it."""
    pk, _organisation, given, family, sex, born, origin_code, origin_name = values
    # The form asks for the department by name; a code stands in where there is no name.
    return RawRecord(pk, given, family, sex, born, origin_name or origin_code, document, group)


def first_documents(person_ids: Iterable[Any]) -> dict[Any, str]:
    """Each person's first document number (the one the comparison uses)."""
    found: dict[Any, str] = {}
    ids = list(person_ids)
    for start in range(0, len(ids), 900):
        for person_id, key in (
            IdentityDocument.objects.filter(person_id__in=ids[start : start + 900])
            .exclude(number_key="")
            .order_by("pk")
            .values_list("person_id", "number_key")
        ):
            found.setdefault(person_id, key)
    return found


def live_persons(stored_ids: Iterable[Any]) -> dict[Any, RawRecord]:
    """The persons with these ids (as the key index stores them), not anonymised nor merged
    away, as records with their first document: one statement per 900 ids, no model objects
    (a convoy's look-up reads tens of thousands)."""
    quote = connection.ops.quote_name
    person = Person._meta
    document = IdentityDocument._meta
    columns = ", ".join(
        f"p.{quote(name)}" for name in ("id", "given_name", "family_name", "sex", "birth_date")
    )
    number = quote("number_key")
    sql = (
        f"SELECT {columns}, p.{quote('origin_admin1_name')}, p.{quote('origin_admin1_code')}, "  # noqa: S608
        f"(SELECT d.{number} FROM {quote(document.db_table)} d "
        f"WHERE d.{quote('person_id')} = p.{quote('id')} AND d.{number} <> '' "
        f"ORDER BY d.{quote('id')} LIMIT 1) "
        f"FROM {quote(person.db_table)} p WHERE p.{quote('anonymised_at')} IS NULL "
        f"AND p.{quote('merged_into_id')} IS NULL AND p.{quote('id')} IN "
    )
    ids = list(stored_ids)
    out: dict[Any, RawRecord] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            cursor.execute(sql + f"({', '.join(['%s'] * len(chunk))})", chunk)
            for pk, given, family, sex, born, origin_name, origin_code, number_key in cursor:
                if isinstance(born, str):  # SQLite gives dates as text
                    born = date.fromisoformat(born)
                out[pk] = RawRecord(
                    pk, given, family, sex, born, origin_name or origin_code, number_key or ""
                )
    return out


def _key_rows(
    values: Sequence[Sequence[Any]], documents: dict[Any, str]
) -> list[tuple[int, Any, Any]]:
    records = Records.from_raw(raw_record(v, documents.get(v[0], "")) for v in values)
    rows, found = keys(records, STORED)
    return [
        (int(key), values[row][1], values[row][0])
        for row, key in zip(rows.tolist(), found.tolist(), strict=True)
    ]


def index_person(person: Person) -> None:
    """Replace the person's keys by those of their current names, date, origin and document."""
    PersonKey.objects.filter(person=person).delete()
    if person.anonymised_at or person.merged_into_id:
        return
    values = [tuple(getattr(person, field) for field in PERSON_FIELDS)]
    insert_keys(_key_rows(values, first_documents([person.pk])))


def index_new_persons(persons: Sequence[Person], documents: dict[Any, str]) -> None:
    """Keys of many persons just created in bulk (generated registries), in one pass."""
    values = [tuple(getattr(person, field) for field in PERSON_FIELDS) for person in persons]
    insert_keys(_key_rows(values, documents))


def forget_person(person: Person) -> None:
    PersonKey.objects.filter(person=person).delete()


def insert_keys(rows: Iterable[tuple[int, uuid.UUID, uuid.UUID]]) -> None:
    """Write (key, organisation id, person id) rows in one prepared statement: the bulk path
    for registries of millions of persons, where building a model object per key costs more
    than writing it."""
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
    if values:
        with connection.cursor() as cursor:
            cursor.executemany(sql, values)


def registry_values(persons: Any = None, batch: int = 20_000) -> Iterator[list[Sequence[Any]]]:
    """The registry's live persons (not anonymised, not merged away), PERSON_FIELDS each, in
    batches."""
    rows = (persons if persons is not None else Person.objects.all()).filter(
        anonymised_at__isnull=True, merged_into__isnull=True
    )
    chunk: list[Sequence[Any]] = []
    for values in rows.order_by("pk").values_list(*PERSON_FIELDS).iterator(chunk_size=batch):
        chunk.append(values)
        if len(chunk) == batch:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def rebuild_all() -> int:
    """Recompute every person's keys, after a change of the normalisation or key rules.
    Returns the number of keys written. One transaction: searches see the old index or the
    new one, never half of each."""
    written = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {connection.ops.quote_name(PersonKey._meta.db_table)}")
        else:
            PersonKey.objects.all().delete()
        for values in registry_values():
            rows = _key_rows(values, first_documents(v[0] for v in values))
            insert_keys(rows)
            written += len(rows)
    return written


# -- models -----------------------------------------------------------------------------------


def save_model(parameters: str, records: int) -> IdentityModel:
    saved = IdentityModel.objects.create(parameters=parameters, records=records)
    record(
        "identity.model.estimated",
        actor=None,
        target=saved,
        changes={"records": records},
    )
    return saved


# -- the review queue -------------------------------------------------------------------------


def queue_pairs(organisation_id: Any, pairs: Iterable[tuple[Any, Any, float, list[Any]]]) -> int:
    """Add the pairs a batch run found (person ids, probability, explanation) to the queue,
    unless already there: a pair a supervisor rejected stays rejected. Returns how many were
    added."""
    wanted = {}
    for a, b, chance, explanation in pairs:
        first, second = sorted((a, b), key=str)
        wanted[(first, second)] = (chance, explanation)
    if not wanted:
        return 0
    known: set[tuple[Any, Any]] = set()
    firsts = list({a for a, _b in wanted})
    for start in range(0, len(firsts), 900):
        known |= set(
            DuplicatePair.objects.filter(person_a_id__in=firsts[start : start + 900]).values_list(
                "person_a_id", "person_b_id"
            )
        )
    new = [
        DuplicatePair(
            organisation_id=organisation_id,
            person_a_id=a,
            person_b_id=b,
            probability=chance,
            explanation=explanation,
        )
        for (a, b), (chance, explanation) in wanted.items()
        if (a, b) not in known
    ]
    DuplicatePair.objects.bulk_create(new, batch_size=1000)
    if new:
        record(
            "identity.pairs.found",
            actor=None,
            object_type="directory.organisation",
            object_id=str(organisation_id),
            changes={"added": len(new)},
        )
    return len(new)


def _older_first(pair: DuplicatePair) -> tuple[Person, Person]:
    a, b = pair.person_a, pair.person_b
    return (a, b) if (a.created_at, str(a.pk)) <= (b.created_at, str(b.pk)) else (b, a)


def _lock_pending(acting_user: Any, pair: DuplicatePair) -> DuplicatePair:
    """The pair, locked, if still undecided: two supervisors deciding at once, one wins."""
    require_capability(acting_user, "cases.resolve_duplicates", pair.organisation_id)
    pair = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
    if pair.status != DuplicateStatus.PENDING:
        raise ConflictError(_("Someone has already decided on this pair."), code="conflict")
    return pair


def _decide(pair: DuplicatePair, status: str, acting_user: Any) -> None:
    pair.status = status
    pair.reviewed_by, pair.reviewed_at = acting_user, timezone.now()
    pair.save(update_fields=["status", "reviewed_by", "reviewed_at"])


@transaction.atomic
def reject_pair(*, acting_user: Any, pair: DuplicatePair) -> DuplicatePair:
    pair = _lock_pending(acting_user, pair)
    _decide(pair, DuplicateStatus.REJECTED, acting_user)
    record(
        "identity.pair.rejected",
        actor=acting_user,
        organisation=pair.organisation,
        target=pair,
        changes={"persons": [str(pair.person_a_id), str(pair.person_b_id)]},
    )
    return pair


@transaction.atomic
def merge_pair(*, acting_user: Any, pair: DuplicatePair) -> PersonMerge:
    """Confirm the pair: the person registered later is merged into the one registered first,
    with everything that hangs on them (episodes, cases and so their consents and referrals,
    documents, family links)."""
    from orienta.cases.services import fold_person_into

    pair = _lock_pending(acting_user, pair)
    survivor, merged = _older_first(pair)
    if survivor.merged_into_id or merged.merged_into_id:
        raise ServiceError(
            _("One of these persons was merged into another one since."), code="invalid"
        )
    moved, before = fold_person_into(acting_user=acting_user, merged=merged, survivor=survivor)
    forget_person(merged)
    index_person(survivor)
    merge = PersonMerge.objects.create(
        organisation=pair.organisation,
        survivor=survivor,
        merged=merged,
        pair=pair,
        moved=moved,
        survivor_before=before,
        merged_by=acting_user,
    )
    _decide(pair, DuplicateStatus.CONFIRMED, acting_user)
    record(
        "identity.persons.merged",
        actor=acting_user,
        organisation=pair.organisation,
        target=merge,
        changes={
            "survivor": str(survivor.pk),
            "merged": str(merged.pk),
            "moved": {label: sum(map(len, f.values())) for label, f in moved.items()},
        },
    )
    return merge


@transaction.atomic
def undo_merge(*, acting_user: Any, merge: PersonMerge) -> PersonMerge:
    """Put back everything the merge moved, and the survivor's fields as they were."""
    from orienta.cases.services import restore_person

    require_capability(acting_user, "cases.resolve_duplicates", merge.organisation_id)
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ConflictError(_("This merge has already been undone."), code="conflict")
    restore_person(
        acting_user=acting_user,
        merged=merge.merged,
        survivor=merge.survivor,
        moved=merge.moved,
        survivor_before=merge.survivor_before,
    )
    index_person(Person.objects.get(pk=merge.survivor_id))
    index_person(Person.objects.get(pk=merge.merged_id))
    merge.undone_by, merge.undone_at = acting_user, timezone.now()
    merge.save(update_fields=["undone_by", "undone_at"])
    if merge.pair_id:
        DuplicatePair.objects.filter(pk=merge.pair_id).update(
            status=DuplicateStatus.PENDING, reviewed_by=None, reviewed_at=None
        )
    record(
        "identity.merge.undone",
        actor=acting_user,
        organisation=merge.organisation,
        target=merge,
        changes={"survivor": str(merge.survivor_id), "merged": str(merge.merged_id)},
    )
    return merge


def pending_pairs(user: Any) -> Any:
    """The queue a supervisor works through: pairs still to decide whose persons are both
    still there, most likely first."""
    live = Q(person_a__merged_into__isnull=True, person_b__merged_into__isnull=True) & Q(
        person_a__anonymised_at__isnull=True, person_b__anonymised_at__isnull=True
    )
    return (
        DuplicatePair.objects.visible_to(user)
        .filter(live, status=DuplicateStatus.PENDING)
        .select_related("person_a", "person_b")
        .order_by("-probability", "pk")
    )
