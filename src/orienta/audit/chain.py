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
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any


def canonical_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


#: What an event records, in the form the model's attributes (and `values_list`) give it.
CONTENT_KEYS = (
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
)


def content_hash(values: Mapping[str, Any]) -> str:
    content = {key: values[key] for key in CONTENT_KEYS}
    content["occurred_at"] = canonical_time(content["occurred_at"])
    organisation_id = content["organisation_id"]
    content["organisation_id"] = str(organisation_id) if organisation_id else None
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def link_hash(prev_hash: str, seq: int, content: str) -> str:
    return hashlib.sha256(f"{prev_hash}:{seq}:{content}".encode()).hexdigest()
