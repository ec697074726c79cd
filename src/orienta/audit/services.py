"""Writing and checking the audit trail.

`record` must run inside the transaction that makes the change it describes, so that both are
kept or both are lost; it opens one itself when called outside any.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from orienta.audit.chain import event_hash
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
    return json.loads(json.dumps(changes, cls=DjangoJSONEncoder))  # type: ignore[no-any-return]


def _normalised_ip(ip: str | None) -> str | None:
    # Hashed in the form the database will hand back (IPv6 compressed, invalid input dropped).
    if not ip:
        return None
    try:
        return clean_ipv6_address(ip) if ":" in ip else str(ipaddress.IPv4Address(ip))
    except (ValidationError, ValueError):
        return None


def _lock_head() -> AuditChainHead:
    try:
        return AuditChainHead.objects.select_for_update().get(pk=1)
    except AuditChainHead.DoesNotExist:
        pass
    # First event ever (or the head row was removed): start from the last event stored.
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, head_hash = last if last else (0, GENESIS_HASH)
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(pk=1, seq=seq, hash=head_hash)
    except IntegrityError:
        pass  # another writer created it first; lock theirs
    return AuditChainHead.objects.select_for_update().get(pk=1)


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
    if not _ACTION.match(action):
        raise ValueError(f"Audit action {action!r} is not of the form app.object.verb.")
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
    context = request_context.current()
    actor_id = actor.pk if actor is not None else None
    actor_label = getattr(actor, "email", "") if actor is not None else "system"
    organisation_id = getattr(organisation, "pk", organisation)
    body = _json_safe(mask(changes or {}, sensitive))
    with transaction.atomic(savepoint=False):
        head = _lock_head()
        seq = head.seq + 1
        occurred_at = timezone.now()
        ip = _normalised_ip(context.ip) if context else None
        request_id = context.request_id if context else ""
        digest = event_hash(
            seq=seq,
            occurred_at=occurred_at,
            actor_id=actor_id,
            actor_label=actor_label,
            organisation_id=organisation_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            changes=body,
            ip=ip,
            request_id=request_id,
            prev_hash=head.hash,
        )
        event = AuditEvent.objects.create(
            seq=seq,
            occurred_at=occurred_at,
            actor_id=actor_id,
            actor_label=actor_label,
            organisation_id=organisation_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            changes=body,
            ip=ip,
            request_id=request_id,
            prev_hash=head.hash,
            hash=digest,
        )
        AuditChainHead.objects.filter(pk=1).update(seq=seq, hash=digest)
    return event


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


_FIELDS = (
    "id",
    "seq",
    "occurred_at",
    "actor_id",
    "actor_label",
    "organisation_id",
    "action",
    "object_type",
    "object_id",
    "changes",
    "ip",
    "request_id",
    "prev_hash",
    "hash",
)


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
                False, count, previous, f"event {seq} (id {data['id']}) does not follow event "
                f"{seq - 1}: the event before it was removed or replaced", seq
            )
        recomputed = event_hash(
            seq=seq,
            occurred_at=data["occurred_at"],
            actor_id=data["actor_id"],
            actor_label=data["actor_label"],
            organisation_id=data["organisation_id"],
            action=data["action"],
            object_type=data["object_type"],
            object_id=data["object_id"],
            changes=data["changes"],
            ip=data["ip"],
            request_id=data["request_id"],
            prev_hash=data["prev_hash"],
        )
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
