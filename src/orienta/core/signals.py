"""Signals of our own.

`rows_changed` is sent where a module changes records with a queryset `update()` (which sends
no `post_save`): state transitions that bump a version in one statement, escalation of a chunk
of referrals, anonymisation, merges. Downstream modules that keep something derived from those
records (the indicators' pre-aggregated cells) listen to it, so that upstream modules never
import them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Model
from django.dispatch import Signal

#: sender: the model class; keys: the primary keys of the records changed.
rows_changed = Signal()


def changed(model: type[Model], keys: Iterable[Any]) -> None:
    """Tell listeners that these records of `model` changed without a `save()`."""
    keys = list(keys)
    if keys:
        rows_changed.send(sender=model, keys=keys)
