"""The refresh as a background task, enqueued when a transaction that changed counted records
commits (the default backend runs it straight after; a queue-backed one in a worker)."""

from __future__ import annotations

from django_tasks import task

from orienta.indicators.refresh import refresh

LIMIT = 50_000


@task()
def refresh_indicators() -> int:
    """Apply every queued change; returns how many were applied."""
    applied = 0
    while True:
        done = refresh(limit=LIMIT).changes
        applied += done
        if done < LIMIT:
            return applied
