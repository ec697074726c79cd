"""Re-encrypt every protected field with the first key of ORIENTA_FIELD_KEYS.

Rotation: put the new key first and keep the old one after it, run this command, then remove the
old key. Values are never printed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from orienta.audit.services import record
from orienta.cases.fields import EncryptedTextField
from orienta.cases.models import CaseNote, ScreeningAnswer

MODELS = [CaseNote, ScreeningAnswer]
BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt protected fields with the first key of ORIENTA_FIELD_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model in MODELS:
            fields = [f for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)]
            columns = [f.attname for f in fields]
            # Read the stored (encrypted) text, not the decrypted attribute.
            rows = model._default_manager.values_list("pk", *columns).iterator()
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH:
                    total += self._rotate(model, columns, batch)
                    batch = []
            if batch:
                total += self._rotate(model, columns, batch)
        record(
            "cases.field_keys.rotated",
            actor=None,
            changes={"values": total},
        )
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} values with the first key."))

    def _rotate(self, model: Any, columns: list[str], batch: list[tuple[Any, ...]]) -> int:
        count = 0
        with transaction.atomic():
            for pk, *values in batch:
                # values_list went through from_db_value, so these are plain texts: saving them
                # encrypts with the first key.
                updates = dict(zip(columns, values, strict=True))
                model._default_manager.filter(pk=pk).update(**updates)
                count += sum(1 for value in values if value)
        return count
