"""Building returns data for tests through the real services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from orienta.returns import checkin, importing, services
from orienta.returns.models import EntryPoint, Movement
from orienta.returns.packs import load_returns

HEADER = "Apellidos;Nombres;Sexo;Fecha de nacimiento;Nacionalidad;Cédula/Pasaporte\n"


def load_haiti() -> None:
    call_command("load_pack", "ht", verbosity=0)
    load_returns("ht")


def movement(user: Any, organisation: Any, **extra: Any) -> Movement:
    point = EntryPoint.objects.get(code=extra.pop("entry_point", "HT-MALPASSE"))
    values: dict[str, Any] = {
        "mode": "land",
        "origin_country": "DO",
        "entry_point": point,
        "scheduled_at": timezone.now() + timedelta(hours=2),
    }
    values.update(extra)
    return services.record_movement(
        acting_user=user, organisation=organisation, data=services.MovementData(**values)
    )


def manifest(user: Any, movement: Movement, text: str, name: str = "list.csv", **extra: Any) -> Any:
    data = text.encode(extra.pop("encoding", "utf-8"))
    return importing.import_manifest(
        acting_user=user, movement=movement, name=name, data=data, **extra
    )


def profile(**extra: Any) -> checkin.Profile:
    values: dict[str, Any] = {
        "age_group": "adult",
        "accompaniment": "alone",
        "documents": "id_card",
    }
    values.update(extra)
    return checkin.Profile(**values)


def local(text: str, zone: str = "America/Port-au-Prince") -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))
