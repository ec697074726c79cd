"""Keyset pages, newest first: the cursor is the last row's (created_at, id), so a page costs
the same at any depth."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet


def encode_cursor(row: Any) -> str:
    return f"{row.created_at.isoformat()}_{row.pk}"


def decode_cursor(value: str) -> tuple[datetime, uuid.UUID] | None:
    stamp, _sep, pk = value.partition("_")
    try:
        return datetime.fromisoformat(stamp), uuid.UUID(pk)
    except ValueError:
        return None


def seek(rows: QuerySet[Any], after: str) -> QuerySet[Any]:
    """The rows after the cursor (all of them for an empty or unreadable cursor)."""
    cursor = decode_cursor(after) if after else None
    if cursor is None:
        return rows
    created_at, pk = cursor
    # The plain range first, so that the database seeks the index to the cursor; the OR then
    # only settles ties on created_at.
    return rows.filter(created_at__lte=created_at).filter(
        Q(created_at__lt=created_at) | Q(pk__lt=pk)
    )


def page_of(rows: QuerySet[Any], size: int) -> tuple[list[Any], str]:
    """One page of `rows`, newest first, and the cursor of the next ("" at the end)."""
    found = list(rows.order_by("-created_at", "-pk")[: size + 1])
    more = len(found) > size
    found = found[:size]
    return found, encode_cursor(found[-1]) if more and found else ""
