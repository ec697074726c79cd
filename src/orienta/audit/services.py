"""Writing and checking the audit trail.

`record` runs inside the transaction that makes the change it describes, so that both are kept
or both are lost. Called outside any transaction (a read being recorded), it is atomic on its own.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connections, models, transaction
from django.db.models import Field
from django.http import HttpRequest
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from orienta.audit.chain import CONTENT_KEYS, content_hash, link_hash
from orienta.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from orienta.core import request_context

MASK = "***"
_ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){2,}$")
# Field names whose values never enter the trail, whatever the caller says.
_ALWAYS_SENSITIVE = ("password", "token", "digest", "secret", "key")


def _is_sensitive(field: str, sensitive: Iterable[str]) -> bool:
    lowered = field.lower()
    return field in sensitive or any(word in lowered for word in _ALWAYS_SENSITIVE)


def mask(changes: Mapping[str, Any], sensitive: Iterable[str] = ()) -> dict[str, Any]:
    """`changes` with the values of sensitive fields replaced by a mask: the trail says that
    they changed, never what they were or became."""
    sensitive = frozenset(sensitive)
    masked: dict[str, Any] = {}
    for field, value in changes.items():
        if _is_sensitive(field, sensitive):
            masked[field] = [MASK, MASK] if isinstance(value, list | tuple) else MASK
        else:
            masked[field] = value
    return masked


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields`, with foreign keys as their ids."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        values[name] = getattr(instance, field.attname)  # type: ignore[union-attr]
    return values


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value differs."""
    return {
        field: [before.get(field), after.get(field)]
        for field in sorted(set(before) | set(after))
        if before.get(field) != after.get(field)
    }


def _json_safe(changes: Mapping[str, Any]) -> dict[str, Any]:
    # Stored and hashed in exactly the form it will be read back in (UUIDs, dates → strings).
    return json.loads(json.dumps(changes, cls=DjangoJSONEncoder))


def _normalised_ip(ip: str | None) -> str | None:
    # Hashed in the form the database will hand back (IPv6 compressed, invalid input dropped).
    if not ip:
        return None
    try:
        return clean_ipv6_address(ip) if ":" in ip else str(ipaddress.IPv4Address(ip))
    except (ValidationError, ValueError):
        return None


# The audit write is on every request that touches a person, so it goes straight to SQL rather
# than through query building. Values are still prepared by the model fields themselves, so what
# is stored (UUIDs, aware times, JSON) is exactly what the ORM would store and read back.


@dataclass(frozen=True)
class _Statements:
    fields: list[Field[Any, Any]]
    append: str  # PostgreSQL: advance the head and insert the event in one statement
    lock: str  # elsewhere: read the head (the database serialises writers) …
    insert: str  # … insert the event …
    advance: str  # … and move the head.
    returns_id: bool


@functools.cache
def _statements(alias: str) -> _Statements:
    # Only table and column names from the models are interpolated; every value is a parameter.
    connection = connections[alias]
    quote = connection.ops.quote_name
    events = quote(AuditEvent._meta.db_table)
    head = quote(AuditChainHead._meta.db_table)
    fields = [cast(Field, AuditEvent._meta.get_field(name)) for name in CONTENT_KEYS]
    columns = ", ".join(quote(f.column) for f in fields)
    casts = ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in fields)
    append = (
        f"WITH head AS (UPDATE {head} SET prev_hash = hash, seq = seq + 1, "
        "hash = encode(sha256(convert_to(hash || ':' || (seq + 1)::text || ':' || "
        "CAST(%s AS text), 'UTF8')), 'hex') WHERE id = 1 RETURNING seq, prev_hash, hash) "
        f"INSERT INTO {events} ({columns}, seq, prev_hash, hash) "
        f"SELECT {casts}, head.seq, head.prev_hash, head.hash FROM head "
        "RETURNING id, seq, prev_hash, hash"
    )
    placeholders = ", ".join(["%s"] * (len(fields) + 3))
    insert = f"INSERT INTO {events} ({columns}, seq, prev_hash, hash) VALUES ({placeholders})"
    returns_id = connection.features.can_return_columns_from_insert
    if returns_id:
        insert += " RETURNING id"
    return _Statements(
        fields=fields,
        append=append,
        lock=f"SELECT seq, hash FROM {head} WHERE id = 1",
        insert=insert,
        advance=f"UPDATE {head} SET seq = %s, hash = %s, prev_hash = %s WHERE id = 1",
        returns_id=returns_id,
    )


def _ensure_head() -> None:
    """Create the head row if missing (first event ever, or the row was removed), starting from
    the last event stored."""
    if AuditChainHead.objects.filter(pk=1).exists():
        return
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash", "prev_hash").first()
    seq, head_hash, prev_hash = last if last else (0, GENESIS_HASH, GENESIS_HASH)
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(pk=1, seq=seq, hash=head_hash, prev_hash=prev_hash)
    except IntegrityError:
        pass  # another writer created it first


def _append_postgresql(cursor: Any, sql: _Statements, values: list[Any], content: str) -> tuple:
    cursor.execute(sql.append, [content, *values])
    row = cursor.fetchone()
    if row is None:
        _ensure_head()
        cursor.execute(sql.append, [content, *values])
        row = cursor.fetchone()
    return tuple(row)


def _append_serialised(cursor: Any, sql: _Statements, values: list[Any], content: str) -> tuple:
    # SQLite: transactions are IMMEDIATE, so holding this one means no other writer runs.
    cursor.execute(sql.lock)
    row = cursor.fetchone()
    if row is None:
        _ensure_head()
        cursor.execute(sql.lock)
        row = cursor.fetchone()
    prev_seq, prev_hash = int(row[0]), str(row[1])
    seq = prev_seq + 1
    digest = link_hash(prev_hash, seq, content)
    cursor.execute(sql.insert, [*values, seq, prev_hash, digest])
    event_id = cursor.fetchone()[0] if sql.returns_id else cursor.lastrowid
    cursor.execute(sql.advance, [seq, digest, prev_hash])
    return event_id, seq, prev_hash, digest


def _event(
    action: str,
    *,
    actor: Any,
    organisation: Any = None,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    changes: Mapping[str, Any] | None = None,
    sensitive: Iterable[str] = (),
) -> AuditEvent:
    if not _ACTION.match(action):
        raise ValueError(f"Audit action {action!r} is not of the form app.object.verb.")
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
    context = request_context.current()
    return AuditEvent(
        occurred_at=timezone.now(),
        actor_id=actor.pk if actor is not None else None,
        actor_label=getattr(actor, "email", "") if actor is not None else "system",
        organisation_id=getattr(organisation, "pk", organisation),
        action=action,
        object_type=object_type,
        object_id=object_id,
        changes=_json_safe(mask(changes or {}, sensitive)),
        ip=_normalised_ip(context.ip) if context else None,
        request_id=context.request_id if context else "",
    )


def _content(event: AuditEvent) -> str:
    return content_hash({key: getattr(event, key) for key in CONTENT_KEYS})


def record(
    action: str,
    *,
    actor: Any,
    organisation: Any = None,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    changes: Mapping[str, Any] | None = None,
    sensitive: Iterable[str] = (),
) -> AuditEvent:
    """Append one event to the chain and return it.

    `action` is `app.object.verb` (`accounts.membership.created`). `actor` is the user who acted,
    or None for the platform itself. `target` fills the object type and id; `changes` holds
    {field: [old, new]} or {field: value}, with `sensitive` fields (and anything that looks like
    a password, token or key) masked.
    """
    event = _event(
        action,
        actor=actor,
        organisation=organisation,
        target=target,
        object_type=object_type,
        object_id=object_id,
        changes=changes,
        sensitive=sensitive,
    )
    content = _content(event)
    connection = connections[AuditEvent.objects.db]
    sql = _statements(connection.alias)
    values = [
        field.get_db_prep_save(getattr(event, field.attname), connection) for field in sql.fields
    ]
    if connection.vendor == "postgresql":
        # One statement, atomic by itself: outside a transaction (a read being recorded) it runs
        # in autocommit and costs one round trip instead of three.
        with connection.cursor() as cursor:
            event.pk, event.seq, event.prev_hash, event.hash = _append_postgresql(
                cursor, sql, values, content
            )
    else:
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            event.pk, event.seq, event.prev_hash, event.hash = _append_serialised(
                cursor, sql, values, content
            )
    event._state.adding = False
    event._state.db = connection.alias
    return event


@dataclass(frozen=True)
class Entry:
    """One event for `record_many`: the arguments `record` takes."""

    action: str
    actor: Any = None
    organisation: Any = None
    target: models.Model | None = None
    changes: Mapping[str, Any] | None = None


def record_many(entries: Iterable[Entry]) -> list[AuditEvent]:
    """Append many events at once, in order, with the chain head locked once: for jobs that
    change thousands of rows in one transaction (escalation), where one statement per event
    would cost more than the change itself. The chain is exactly what `record` would make."""
    events = [
        _event(
            e.action, actor=e.actor, organisation=e.organisation, target=e.target, changes=e.changes
        )
        for e in entries
    ]
    if not events:
        return []
    connection = connections[AuditEvent.objects.db]
    sql = _statements(connection.alias)
    lock = sql.lock + (" FOR UPDATE" if connection.vendor == "postgresql" else "")
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(lock)
        row = cursor.fetchone()
        if row is None:
            _ensure_head()
            cursor.execute(lock)
            row = cursor.fetchone()
        seq, prev_hash = int(row[0]), str(row[1])
        for event in events:
            seq += 1
            event.seq, event.prev_hash = seq, prev_hash
            event.hash = prev_hash = link_hash(prev_hash, seq, _content(event))
        AuditEvent.objects.bulk_create(events, batch_size=1000)
        last = events[-1]
        cursor.execute(sql.advance, [last.seq, last.hash, last.prev_hash])
    return events


def record_view(
    request: HttpRequest,
    target: models.Model,
    *,
    organisation: Any,
    action: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Record that the requesting user read `target` (personal data reads are audited too)."""
    return record(
        action or f"{target._meta.label_lower}.viewed",
        actor=request.user,
        organisation=organisation,
        target=target,
        changes=details,
    )


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    events: int
    head_hash: str
    problem: str = ""
    problem_seq: int | None = None


_FIELDS = ("id", "seq", *CONTENT_KEYS, "prev_hash", "hash")


def verify_chain(chunk_size: int = 5000) -> ChainReport:
    """Recompute every hash in order; report the first event that was altered, removed or
    inserted, or a chain that ends before its recorded head."""
    expected_seq = 1
    previous = GENESIS_HASH
    count = 0
    rows = AuditEvent.objects.order_by("seq").values_list(*_FIELDS).iterator(chunk_size)
    for row in rows:
        data = dict(zip(_FIELDS, row, strict=True))
        seq = data["seq"]
        if seq != expected_seq:
            missing = f"{expected_seq}" if seq == expected_seq + 1 else f"{expected_seq}–{seq - 1}"
            return ChainReport(False, count, previous, f"event {missing} is missing", expected_seq)
        if data["prev_hash"] != previous:
            return ChainReport(
                False,
                count,
                previous,
                f"event {seq} (id {data['id']}) does not follow event "
                f"{seq - 1}: the event before it was removed or replaced",
                seq,
            )
        content = content_hash(data)
        recomputed = link_hash(data["prev_hash"], seq, content)
        if recomputed != data["hash"]:
            return ChainReport(
                False, count, previous, f"event {seq} (id {data['id']}) was altered", seq
            )
        previous = data["hash"]
        expected_seq += 1
        count += 1
    head = AuditChainHead.objects.filter(pk=1).values_list("seq", "hash").first()
    if head is not None and (head[0] != count or head[1] != previous):
        if head[0] > count:
            return ChainReport(
                False,
                count,
                previous,
                f"events {count + 1}–{head[0]} are missing from the end of the trail",
                count + 1,
            )
        return ChainReport(False, count, previous, "the chain head does not match the last event")
    return ChainReport(True, count, previous)
