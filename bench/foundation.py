"""Foundation benchmark: audit events per second (with the hash chain) and home-page server time.

Usage (from the repository root, after `pip install -e ".[dev]"`):

    python bench/foundation.py --database sqlite
    python bench/foundation.py --database postgres   # needs PostgreSQL on 127.0.0.1:5432

Each measure is repeated (`--runs`, default 5) and the median is reported, with the spread.
Synthetic data is generated with a fixed seed in a throw-away database.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgres://postgres@127.0.0.1:5432/orienta_bench"


def prepare_environment(database: str) -> None:
    os.environ["ORIENTA_HOME"] = tempfile.mkdtemp(prefix="orienta-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orienta.settings")
    os.environ["ORIENTA_LOG_LEVEL"] = "WARNING"
    os.environ["ORIENTA_ALLOWED_HOSTS"] = "testserver"
    if database == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS orienta_bench")
            connection.execute("CREATE DATABASE orienta_bench")
        os.environ["DATABASE_URL"] = PG_BENCH
    else:
        os.environ.pop("DATABASE_URL", None)


def audit_rate(events: int, per_transaction: int) -> float:
    from django.db import transaction

    from orienta.audit.services import record

    started = time.perf_counter()
    if per_transaction == 0:  # no enclosing transaction, as when a read is recorded
        for n in range(events):
            record("bench.thing.read", actor=None, object_type="bench.thing", object_id=str(n))
        return events / (time.perf_counter() - started)
    for first in range(0, events, per_transaction):
        with transaction.atomic():
            for n in range(first, min(first + per_transaction, events)):
                record(
                    "bench.thing.touched",
                    actor=None,
                    object_type="bench.thing",
                    object_id=str(n),
                    changes={"field": ["old", "new"]},
                )
    return events / (time.perf_counter() - started)


def concurrent_audit_rate(events: int, writers: int, per_transaction: int) -> float:
    """Events per second from `writers` threads, each with its own connection: how a busy
    server with several request threads appends to the one chain."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(writers + 1)
    share = events // writers

    def work() -> None:
        barrier.wait()
        audit_rate(share, per_transaction)
        connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(writers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return share * writers / (time.perf_counter() - started)


def home_times(email: str, requests: int) -> list[float]:
    from django.test import Client

    from orienta.accounts.models import User

    client = Client()
    client.force_login(
        User.objects.get(email=email), backend="django.contrib.auth.backends.ModelBackend"
    )
    for _ in range(20):  # warm caches and connections
        assert client.get("/").status_code == 200
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get("/")
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return samples


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 1),
        "min": round(min(values), 1),
        "max": round(max(values), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--events", type=int, default=2000, help="audit events per run")
    parser.add_argument("--requests", type=int, default=200, help="home-page requests per run")
    args = parser.parse_args()

    prepare_environment(args.database)
    import django

    django.setup()
    from django.core.management import call_command

    from orienta.accounts.models import Membership, User
    from orienta.audit.services import verify_chain
    from orienta.core.synthetic import generate
    from orienta.directory.models import Organisation

    call_command("migrate", verbosity=0)
    generate(seed=7, organisations=200, people=2000, audit_events=20_000)
    organisation = Organisation.objects.order_by("name").first()
    for email, role in [
        ("admin@bench.invalid", "administrator"),
        ("cw@bench.invalid", "caseworker"),
    ]:
        user = User.objects.create_user(email, None, full_name=email)
        Membership.objects.create(user=user, organisation=organisation, role=role)

    standalone = [audit_rate(args.events, 0) for _ in range(args.runs)]
    single = [audit_rate(args.events, 1) for _ in range(args.runs)]
    batched = [audit_rate(args.events, 10) for _ in range(args.runs)]
    concurrent = [concurrent_audit_rate(args.events, 2, 1) for _ in range(args.runs)]
    report = verify_chain()
    assert report.intact, report.problem

    home = {}
    for label, email in [
        ("administrator", "admin@bench.invalid"),
        ("caseworker", "cw@bench.invalid"),
    ]:
        runs = [home_times(email, args.requests) for _ in range(args.runs)]
        home[label] = {
            "p50_ms": summary([percentile(r, 0.50) for r in runs]),
            "p95_ms": summary([percentile(r, 0.95) for r in runs]),
        }

    result = {
        "database": args.database,
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
        "runs": args.runs,
        "data": {
            "organisations": Organisation.objects.count(),
            "accounts": User.objects.count(),
            "audit_events": report.events,
        },
        "audit_events_per_second": {
            "standalone": summary(standalone),
            "one_per_transaction": summary(single),
            "ten_per_transaction": summary(batched),
            "two_writers_one_per_transaction": summary(concurrent),
        },
        "home_page_server_time": home,
    }
    json.dump(result, sys.stdout, indent=2)
    print()
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / f"foundation-{args.database}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
