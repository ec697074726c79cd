"""Recompute the identity keys of every person (after an upgrade that changes them)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from orienta.audit.services import record
from orienta.identity.services import rebuild_all


class Command(BaseCommand):
    help = "Recompute every person's name, birth-year, document and phone keys."

    def handle(self, *args: Any, **options: Any) -> None:
        written = rebuild_all()
        record("identity.keys.rebuilt", actor=None, changes={"keys": written})
        self.stdout.write(self.style.SUCCESS(f"{written} keys written."))
