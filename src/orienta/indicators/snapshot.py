"""Reading the figures of one page from one state of the database.

Small-cell suppression (`orienta.indicators.suppression`) relies on the figures of a page adding
up: the breakdowns to their total, the groups to the key figures. A page reads them with several
queries; under PostgreSQL's default isolation (READ COMMITTED) each query sees the database as
it is when that query starts, so a referral sent or an arrival checked in between two of them
would make the figures disagree (and `Publication.line` refuse them). Inside `consistent_reads()`
every query sees the same snapshot: PostgreSQL runs them in one REPEATABLE READ transaction;
SQLite in one transaction, which in WAL mode reads one snapshot as well.

Already inside a transaction (a caller's, or a test's), that transaction's isolation stands:
it cannot be changed once begun.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def consistent_reads() -> Iterator[None]:
    """Run the queries of the block against one snapshot of the database."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Must be the transaction's first statement.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield
