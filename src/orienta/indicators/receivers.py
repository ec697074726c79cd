"""Queue the records whose facts may change, whenever they are saved, deleted, or changed by a
queryset update announced with `orienta.core.signals.rows_changed`."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from orienta.cases.models import Case, Person
from orienta.core.signals import rows_changed
from orienta.indicators.refresh import queue
from orienta.referrals.models import Referral
from orienta.reintegration.models import SurveyRound
from orienta.returns.models import Arrival, EntryPoint, Movement, Violation

#: The models whose records are counted, or describe counted ones.
WATCHED: tuple[type[Model], ...] = (Arrival, Movement, Person, Case, Referral, SurveyRound)


def _saved(sender: type[Model], instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # loading fixtures: a rebuild counts them
        return
    if sender is Person and kwargs.get("created"):
        # Nothing counted refers to a person yet when it is created: its arrival or case,
        # saved next, is queued itself (and a refresh reads no person's records for nothing).
        return
    queue(sender, [instance.pk])
    if sender is Arrival and instance.case_id is not None:
        # Its case's entry point may be this arrival's; asked now, as a deleted arrival's case
        # cannot be found later.
        queue(Case, [instance.case_id])


def _violation(sender: type[Model], instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        queue(Movement, [instance.movement_id])


def _entry_point(sender: type[Model], instance: Any, raw: bool = False, **kwargs: Any) -> None:
    # Its code and time zone are its movements' and arrivals' categories and months.
    if not raw and instance.pk is not None:
        queue(Movement, Movement.objects.filter(entry_point=instance).values_list("pk", flat=True))


def _updated(sender: type[Model], keys: list[Any], **kwargs: Any) -> None:
    if sender in WATCHED:
        queue(sender, keys)


def connect() -> None:
    for model in WATCHED:
        post_save.connect(_saved, sender=model, dispatch_uid=f"indicators-save-{model.__name__}")
        post_delete.connect(
            _saved, sender=model, dispatch_uid=f"indicators-delete-{model.__name__}"
        )
    for signal in (post_save, post_delete):
        signal.connect(_violation, sender=Violation, dispatch_uid=f"indicators-violation-{signal}")
    post_save.connect(_entry_point, sender=EntryPoint, dispatch_uid="indicators-entry-point")
    rows_changed.connect(_updated, dispatch_uid="indicators-rows-changed")
