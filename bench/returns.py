"""Returns and reception benchmark (issue M): manifest import with identity pre-registration,
check-in at the desk, and compliance evaluation of a year of movements.

    pip install -e ".[dev,bench]"
    python bench/returns.py                          # 1M persons, SQLite, 3 runs
    python bench/returns.py --database postgres      # on DATABASE_URL's server (a bench database)
    python bench/returns.py --persons 100000 --runs 1    # a quick look

Targets, on this 2-core machine: import and pre-register a 5,000-row manifest against 1M persons
≤ 10 s and a 500-row one ≤ 1 s; check-in of one arrival p95 ≤ 100 ms; compliance evaluation of
a year of movements (≈ 250k arrivals) ≤ 30 s. `--home` keeps the built registry between runs.
Medians over --runs; the JSON result goes to bench/results/returns.json.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OFFICER = "reception@bench.invalid"


def _django(args: argparse.Namespace) -> None:
    os.environ["ORIENTA_HOME"] = args.home or tempfile.mkdtemp(prefix="orienta-bench-returns-")
    if args.database == "postgres":
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orienta.settings")
    os.environ["ORIENTA_LOG_LEVEL"] = "WARNING"
    import django

    django.setup()


def build(persons: int) -> tuple[Any, Any, list[tuple[str, ...]]]:
    """The registry of `persons` synthetic returnees (keys indexed), an organisation and its
    reception officer; built once per database."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction

    from orienta.accounts.models import Membership, User
    from orienta.accounts.roles import Role
    from orienta.cases.models import Person
    from orienta.identity.services import index_new_persons
    from orienta.identity.synthetic import generate_persons
    from orienta.returns.packs import load_returns

    call_command("migrate", verbosity=0)
    rows = generate_persons(persons, seed=11)
    officer = User.objects.filter(email=OFFICER).first()
    if officer is not None:
        return officer, officer.memberships.get().organisation, rows
    call_command("load_pack", "ht", verbosity=0)
    load_returns("ht")
    from orienta.directory.models import Organisation

    onm = Organisation.objects.get(acronym="ONM", country="HT")
    officer = User.objects.create(email=OFFICER, password=make_password(None))
    Membership.objects.create(user=officer, organisation=onm, role=Role.RECEPTION_OFFICER)
    sexes = {"M": "male", "F": "female"}
    started = time.perf_counter()
    for start in range(0, len(rows), 20_000):
        people = [
            Person(
                id=uuid.UUID(int=int(row[0])),
                organisation=onm,
                given_name=row[1],
                family_name=row[2],
                sex=sexes.get(row[3], "unknown"),
                birth_date=date.fromisoformat(row[4]) if row[4] else None,
                origin_admin1_name=row[5],
                registered_by=officer,
            )
            for row in rows[start : start + 20_000]
        ]
        with transaction.atomic():
            Person.objects.bulk_create(people, batch_size=2000)
            index_new_persons(people, {})
    with connection.cursor() as cursor:
        # What autovacuum does soon after a bulk load: statistics, and the visibility map that
        # lets PostgreSQL answer key look-ups from the index alone.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"registry of {len(rows):,} persons built in {time.perf_counter() - started:.0f} s")
    return officer, onm, rows


def manifest_bytes(rows: list[tuple[str, ...]], size: int, seed: int) -> bytes:
    """A list as a deporting state sends it: ~10 % repeat returnees from the registry (written
    as the registry has them, or with small variations), the others new, ~2 % bad rows."""
    from orienta.identity.synthetic import generate_persons

    rng = random.Random(seed)
    fresh = generate_persons(size, seed=1000 + seed)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Apellidos", "Nombres", "Sexo", "Fecha de nacimiento", "Nacionalidad"])
    for i in range(size):
        row = rng.choice(rows) if rng.random() < 0.1 else fresh[i]
        born = row[4]
        if born:
            y, m, d = born.split("-")
            born = f"{d}/{m}/{y}"
        if rng.random() < 0.02:
            born = "31/02/1990"
        writer.writerow([row[2], row[1], row[3] or "M", born, "HT"])
    return out.getvalue().encode("utf-8")


def new_movement(officer: Any, organisation: Any, code: str = "HT-MALPASSE", **extra: Any) -> Any:
    from django.utils import timezone

    from orienta.returns import services
    from orienta.returns.models import EntryPoint

    values: dict[str, Any] = {
        "mode": "land",
        "origin_country": "DO",
        "entry_point": EntryPoint.objects.get(code=code),
        "scheduled_at": timezone.now(),
    }
    values.update(extra)
    return services.record_movement(
        acting_user=officer, organisation=organisation, data=services.MovementData(**values)
    )


def measure_import(officer: Any, organisation: Any, rows: list, size: int, runs: int) -> dict:
    from orienta.returns import importing

    times, last = [], None
    # A warm-up: the model, the registry size, the pages of the key index, as in a server.
    importing.import_manifest(
        acting_user=officer,
        movement=new_movement(officer, organisation),
        name="warm.csv",
        data=manifest_bytes(rows, 200, 99),
    )
    for run in range(runs):
        data = manifest_bytes(rows, size, run)
        movement = new_movement(officer, organisation)
        started = time.perf_counter()
        last = importing.import_manifest(
            acting_user=officer, movement=movement, name="list.csv", data=data, source="DGM"
        )
        times.append(time.perf_counter() - started)
    assert last is not None
    return {
        "rows": size,
        "seconds": summary(times),
        "accepted": last.accepted,
        "rejected": last.rejected,
        "repeat_returns": last.repeat_returns,
    }


def measure_check_in(officer: Any, organisation: Any, rows: list, count: int) -> dict:
    from django.utils import timezone

    from orienta.returns import checkin, importing

    movement = new_movement(officer, organisation)
    importing.import_manifest(
        acting_user=officer,
        movement=movement,
        name="desk.csv",
        data=manifest_bytes(rows, count + 20, 77),
    )
    rng = random.Random(5)
    listed = list(movement.listed.filter(status="accepted").order_by("row_number")[:count])
    today = timezone.localdate()
    times = []
    for index, row in enumerate(listed):
        child = checkin.age_group_of(row.birth_date, today) == "child"
        profile = checkin.Profile(
            age_group="adult",
            accompaniment="alone",
            documents=rng.choice(["id_card", "id_card", "none"]),
            best_interests_reference=f"IBESR-{index}" if child else "",
            registration_consent=rng.random() > 0.1,
            medical_urgency=rng.random() < 0.05,
            stated_age=12 if child and row.birth_date is None else None,
        )
        if not row.given_name:
            profile.given_name = "X"
        started = time.perf_counter()
        checkin.check_in(acting_user=officer, movement=movement, profile=profile, listed=row)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "arrivals": len(times),
        "ms": {
            "median": statistics.median(times),
            "p95": times[int(len(times) * 0.95) - 1],
            "max": times[-1],
        },
    }


def build_year(officer: Any, organisation: Any, arrivals_per_day: int) -> int:
    """A year of movements with their arrivals, inserted in bulk (check-in one by one would take
    hours); only the fields compliance reads are filled."""
    from django.db import transaction
    from django.utils import timezone

    from orienta.returns import services
    from orienta.returns.models import Arrival, EntryPoint, Movement, ProtocolRule

    for rule in ProtocolRule.objects.filter(protocol__key="ht-do-1999"):
        if not rule.applies:
            services.confirm_rule(acting_user=_coordinator(organisation), rule=rule, note="bench")
    points = {p.code: p for p in EntryPoint.objects.filter(country="HT")}
    land = ["HT-OUANAMINTHE", "HT-BELLADERE", "HT-MALPASSE", "HT-ANSE-A-PITRES"]
    rng = random.Random(3)
    start = timezone.now() - timedelta(days=365)
    made = 0
    for day in range(365):
        movements, arrivals = [], []
        for i in range(6):
            code = land[i % 4] if i < 4 else rng.choice(["HT-CAP-AIR", "HT-PAP-AIR", "HT-BAPTISTE"])
            size = arrivals_per_day // 6
            at = start + timedelta(days=day, hours=rng.choice([1, 13, 14, 15, 16, 17, 22]))
            movement = Movement(
                organisation=organisation,
                mode="land" if code in land else "flight",
                origin_country="DO" if i < 5 else "US",
                entry_point=points[code],
                scheduled_at=at,
                arrived_at=at,
                announced_headcount=size + rng.choice([0, 0, 0, 2]),
                actual_headcount=size,
                notice_received_at=at - timedelta(hours=rng.choice([2, 30, 30])),
                list_received_at=at - timedelta(hours=rng.choice([1, 26, 26])),
                status="closed",
                created_by=officer,
            )
            movements.append(movement)
            for _ in range(size):
                arrivals.append(
                    Arrival(
                        movement=movement,
                        organisation=organisation,
                        checked_in_at=at,
                        age_group=rng.choice(["adult"] * 8 + ["child", "older"]),
                        accompaniment=rng.choice(["alone"] * 9 + ["unaccompanied"]),
                        documents="id_card",
                        family_separated=rng.random() < 0.01,
                        abuse_reported=rng.random() < 0.01,
                        belongings_returned=rng.random() > 0.05,
                        removal_order_received=rng.random() > 0.1,
                    )
                )
        with transaction.atomic():
            Movement.objects.bulk_create(movements)
            Arrival.objects.bulk_create(arrivals, batch_size=2000)
        made += len(arrivals)
    return made


def _coordinator(organisation: Any) -> Any:
    from django.contrib.auth.hashers import make_password

    from orienta.accounts.models import Membership, User
    from orienta.accounts.roles import Role

    user, created = User.objects.get_or_create(
        email="coordinator@bench.invalid", defaults={"password": make_password(None)}
    )
    if created:
        Membership.objects.create(user=user, organisation=organisation, role=Role.COORDINATOR)
    return user


def measure_compliance(officer: Any, organisation: Any, per_day: int, runs: int) -> dict:
    from django.db.models import F

    from orienta.returns import compliance
    from orienta.returns.models import Arrival, Movement

    year = Movement.objects.filter(created_by=officer, status="closed")
    if not year.exists():
        build_year(officer, organisation, per_day)
    arrivals = Arrival.objects.filter(movement__in=year).count()
    first, again, changed = [], [], []
    for _run in range(runs):
        from orienta.returns.models import Violation

        Violation.objects.filter(movement__in=year).delete()  # a first evaluation each run
        started = time.perf_counter()
        result = compliance.evaluate(year)
        first.append(time.perf_counter() - started)
        started = time.perf_counter()
        compliance.evaluate(year)
        again.append(time.perf_counter() - started)
        some = list(year.values_list("pk", flat=True)[: max(1, year.count() // 100)])
        Movement.objects.filter(pk__in=some).update(arrived_at=F("arrived_at") + timedelta(hours=9))
        started = time.perf_counter()
        compliance.evaluate(year)
        changed.append(time.perf_counter() - started)
        Movement.objects.filter(pk__in=some).update(arrived_at=F("arrived_at") - timedelta(hours=9))
    return {
        "movements": year.count(),
        "arrivals": arrivals,
        "breaches": result.found,
        "first_seconds": summary(first),
        "again_seconds": summary(again),
        "after_1pc_change_seconds": summary(changed),
    }


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def machine(database: str) -> dict[str, Any]:
    from django.db import connection

    return {
        "date": datetime.now(UTC).date().isoformat(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "database": f"{connection.vendor} {connection.Database.__name__}",
        "platform": platform.platform(),
        "chosen": database,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/orienta_bench_returns"
    )
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--check-ins", type=int, default=300)
    parser.add_argument("--arrivals-per-day", type=int, default=700)
    parser.add_argument("--home", help="ORIENTA_HOME to build in or reuse (SQLite)")
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=["import", "checkin", "compliance"]
    )
    args = parser.parse_args()
    if args.database == "postgres":
        _create_database(args.database_url)
    _django(args)
    officer, organisation, rows = build(args.persons)
    result: dict[str, Any] = {"machine": machine(args.database), "persons": len(rows)}
    if "import" not in args.skip:
        result["import_5000"] = measure_import(officer, organisation, rows, 5000, args.runs)
        result["import_500"] = measure_import(officer, organisation, rows, 500, args.runs)
        for key in ("import_5000", "import_500"):
            r = result[key]
            print(
                f"{key}: median {r['seconds']['median']:.2f} s ({r['seconds']['min']:.2f}–"
                f"{r['seconds']['max']:.2f}), {r['accepted']} accepted, {r['rejected']} rejected,"
                f" {r['repeat_returns']} repeat"
            )
    if "checkin" not in args.skip:
        result["check_in"] = measure_check_in(officer, organisation, rows, args.check_ins)
        ms = result["check_in"]["ms"]
        print(
            f"check-in: median {ms['median']:.0f} ms, p95 {ms['p95']:.0f} ms, max {ms['max']:.0f}"
        )
    if "compliance" not in args.skip:
        result["compliance"] = c = measure_compliance(
            officer, organisation, args.arrivals_per_day, args.runs
        )
        print(
            f"compliance: {c['movements']:,} movements, {c['arrivals']:,} arrivals, "
            f"{c['breaches']:,} breaches; first {c['first_seconds']['median']:.1f} s, again "
            f"{c['again_seconds']['median']:.1f} s, after 1% changed "
            f"{c['after_1pc_change_seconds']['median']:.1f} s"
        )
    out = ROOT / "bench" / "results" / f"returns-{args.database}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str))
    print(f"written to {out}")


def _create_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not found:
            connection.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    sys.exit(main())
