"""Demo returns: the country's reference pack, and a month of synthetic movements (daily land
convoys, some flights and boats) with their lists, the recent ones checked in, and protocol
breaches among them — all made through the real services. Every person is invented. Loaded
once; run again, it leaves what exists alone."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from orienta.accounts.models import User
from orienta.core.packs import load_pack
from orienta.directory.models import Organisation
from orienta.returns import checkin, compliance, importing, services
from orienta.returns.models import EntryPoint, Movement, ProtocolRule
from orienta.returns.packs import has_pack, load_returns

SEED = 1999
DAYS = 30
CHECKED_IN_DAYS = 3  # the most recent convoys are checked in person by person
LAND = ["HT-OUANAMINTHE", "HT-BELLADERE", "HT-MALPASSE", "HT-ANSE-A-PITRES"]
# Clauses from secondary sources the demo coordinator "confirmed", so that their breaches show.
CONFIRMED = ("advance_notice", "belongings", "removal_order", "dignity")


def _names(country: str) -> dict[str, list[str]]:
    pack = load_pack("names", country.lower())
    return {k: pack[k] for k in ("female", "male", "family")}


def _list(
    rng: random.Random, names: dict[str, list[str]], size: int, today: date
) -> list[list[str]]:
    rows = []
    for _ in range(size):
        female = rng.random() < 0.35
        age = rng.choice([rng.randint(19, 45)] * 8 + [rng.randint(8, 17), rng.randint(60, 72)])
        born = today - timedelta(days=age * 365 + rng.randint(0, 364))
        rows.append(
            [
                rng.choice(names["family"]),
                rng.choice(names["female" if female else "male"]),
                "F" if female else "M",
                born.strftime("%d/%m/%Y"),
                "HT",
                "",
            ]
        )
    return rows


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        ["Apellidos", "Nombres", "Sexo", "Fecha de nacimiento", "Nacionalidad", "Cédula"]
    )
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _moment(point: EntryPoint, day: date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)), point.zone)


def _check_in_all(user: Any, movement: Movement, rng: random.Random) -> None:
    adults: list[Any] = []
    for index, row in enumerate(movement.listed.filter(status="accepted").order_by("row_number")):
        child = (
            row.birth_date is not None
            and checkin.age_group_of(row.birth_date, timezone.localdate()) == "child"
        )
        alone = child and (not adults or rng.random() < 0.4)
        profile = checkin.Profile(
            age_group="adult",
            accompaniment="alone" if not child or alone else "with_family",
            documents=rng.choice(["id_card"] * 3 + ["none"]),
            accompanied_by=None if alone or not child else adults[-1],
            best_interests_reference=f"IBESR-DEMO-{index:03d}" if alone else "",
            medical_urgency=rng.random() < 0.03,
            abuse_reported=rng.random() < 0.04,
            belongings_returned=rng.random() > 0.1,
            removal_order_received=rng.random() > 0.2,
            family_separated=rng.random() < 0.03,
        )
        arrival = checkin.check_in(acting_user=user, movement=movement, profile=profile, listed=row)
        if not child and arrival.person is not None:
            adults.append(arrival)
        checkin.give_assistance(acting_user=user, arrival=arrival, kind="water_food")


def load_demo_returns(country: str) -> int:
    """Returns the number of movements made (0 when already there)."""
    if not has_pack(country):
        return 0
    load_returns(country)
    demo = load_pack("demo", country)
    if country != "ht":
        return 0
    entry = next(o for o in demo["organisations"] if o["key"] == "secretariat")
    organisation = Organisation.objects.get(name=entry["name"], country=demo["country"])
    if Movement.objects.filter(organisation=organisation).exists():
        return 0
    officer = User.objects.get(email="reception@example.org")
    coordinator = User.objects.get(email="coordinator@example.org")
    for kind in CONFIRMED:
        for rule in ProtocolRule.objects.filter(protocol__key="ht-do-1999", kind=kind):
            if not rule.applies:
                services.confirm_rule(
                    acting_user=coordinator,
                    rule=rule,
                    note="Démo : clause confirmée pour l'exemple (à vérifier dans le texte).",
                )
    rng = random.Random(SEED)  # noqa: S311 (invented people, not secrets)
    names = _names(country)
    points = {p.code: p for p in EntryPoint.objects.filter(country="HT")}
    today = timezone.localdate()
    made = 0
    for back in range(DAYS, -1, -1):
        day = today - timedelta(days=back)
        plans: list[tuple[str, str, str, int, int]] = []
        for code in rng.sample(LAND, 2):
            # Mostly in the daytime; a few at night or on a Sunday afternoon.
            hour = rng.choice([9, 10, 11, 13, 14, 15, 16] * 4 + [19, 6])
            plans.append(("land", "DO", code, hour, rng.randint(15, 45)))
        if back % 6 == 0:
            plans.append(("land", "DO", "HT-BAPTISTE", 15, rng.randint(8, 20)))
        if day.weekday() in (1, 4):
            plans.append(
                ("flight", "US", rng.choice(["HT-PAP-AIR", "HT-CAP-AIR"]), 11, rng.randint(25, 60))
            )
        if day.weekday() == 2:
            plans.append(("flight", "BS", "HT-CAP-AIR", 14, rng.randint(20, 50)))
        if day.weekday() == 5:
            plans.append(("boat", "US", "HT-CAP-SEA", 10, rng.randint(10, 30)))
        for mode, origin, code, hour, size in plans:
            point = points[code]
            scheduled = _moment(point, day, hour, rng.choice([0, 15, 30, 45]))
            if scheduled > timezone.now() + timedelta(hours=12):
                continue
            arrived = scheduled <= timezone.now()
            notice = rng.random()
            movement = services.record_movement(
                acting_user=officer,
                organisation=organisation,
                data=services.MovementData(
                    mode=mode,
                    origin_country=origin,
                    entry_point=point,
                    scheduled_at=scheduled,
                    reference=f"{origin}-{day:%m%d}-{code.split('-')[-1][:4]}",
                    announced_headcount=size,
                    notice_received_at=None
                    if notice < 0.1
                    else min(
                        timezone.now(), scheduled - timedelta(hours=30 if notice > 0.3 else 3)
                    ),
                ),
            )
            importing.import_manifest(
                acting_user=officer,
                movement=movement,
                name=f"liste-{movement.reference}.csv",
                data=_csv(_list(rng, names, size, today)),
                source=f"DGM {code}" if origin == "DO" else f"{origin} {mode}",
            )
            if notice >= 0.1:
                # The list came with the notice, or (for some) just before the convoy.
                list_at = scheduled - timedelta(hours=26 if notice > 0.3 else 1)
                Movement.objects.filter(pk=movement.pk).update(
                    list_received_at=min(list_at, timezone.now())
                )
            else:
                Movement.objects.filter(pk=movement.pk).update(list_received_at=None)
            if arrived and back <= CHECKED_IN_DAYS and back > 0:
                movement.refresh_from_db()
                _check_in_all(officer, movement, rng)
                Movement.objects.filter(pk=movement.pk).update(
                    arrived_at=scheduled,
                    actual_headcount=movement.arrivals.count(),
                    status="closed",
                )
            elif arrived and back > 0:
                Movement.objects.filter(pk=movement.pk).update(
                    arrived_at=scheduled + timedelta(minutes=rng.randint(0, 40)),
                    actual_headcount=size + rng.choice([0] * 6 + [-2, 3]),
                    status="closed",
                )
            made += 1
    compliance.evaluate(Movement.objects.filter(organisation=organisation), actor=coordinator)
    return made
