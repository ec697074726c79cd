"""A text field stored encrypted: Python code sees the plain text, the database row never does."""

from __future__ import annotations

from typing import Any

from django.db import models

from orienta.cases import crypto


class EncryptedTextField(models.TextField):
    """Encrypted at rest. It cannot be searched or ordered in SQL, by design; audit events list
    the field as changed and never its value (`SENSITIVE_FIELDS`)."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return value
        return crypto.encrypt(str(value))
