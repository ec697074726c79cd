"""How the chain's hashes are computed: one definition, used when writing and when verifying.

Each event has a *content hash* (SHA-256 of a canonical JSON of everything it records) and a
*link hash* binding that content to its place in the chain:

    hash = SHA-256( "<previous hash>:<seq>:<content hash>" )

The link is simple on purpose: on PostgreSQL it is computed inside the one statement that
advances the chain head and inserts the event, so appending costs a single round trip.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any


def canonical_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def content_hash(
    *,
    occurred_at: datetime,
    actor_id: int | None,
    actor_label: str,
    organisation_id: Any,
    action: str,
    object_type: str,
    object_id: str,
    changes: dict[str, Any],
    ip: str | None,
    request_id: str,
) -> str:
    content = {
        "occurred_at": canonical_time(occurred_at),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "organisation_id": str(organisation_id) if organisation_id else None,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "changes": changes,
        "ip": ip,
        "request_id": request_id,
    }
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def link_hash(prev_hash: str, seq: int, content: str) -> str:
    return hashlib.sha256(f"{prev_hash}:{seq}:{content}".encode()).hexdigest()
