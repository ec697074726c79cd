"""Recompute the identity keys of every person (after an upgrade that changes them)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection

from orienta.audit.services import record
from orienta.identity.models import PersonKey
from orienta.identity.services import rebuild_all


class Command(BaseCommand):
    help = "Recompute every person's identity keys (names with dates, places and documents)."

    def handle(self, *args: Any, **options: Any) -> None:
        written = rebuild_all()
        record("identity.keys.rebuilt", actor=None, changes={"keys": written})
        # A freshly written index has no statistics, and on PostgreSQL no visibility map:
        # searches would read the table beside the index until autovacuum came round.
        table = connection.ops.quote_name(PersonKey._meta.db_table)
        with connection.cursor() as cursor:
            vacuum = "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
            cursor.execute(f"{vacuum} {table}")
        self.stdout.write(self.style.SUCCESS(f"{written} keys written."))
