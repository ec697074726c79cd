"""Case-management benchmark at scale: registration with the candidate search, the case list
with keyset pagination, name search.

    python bench/cases.py --database sqlite --persons 1000000
    python bench/cases.py --database postgres --persons 1000000

Targets (issue C): with 1,000,000 persons, registering one person including the candidate
search p95 ≤ 150 ms server time; a caseworker's case list p95 ≤ 50 ms with keyset pagination;
name search over 1M persons p95 ≤ 100 ms. Medians over --runs repetitions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from django.utils import timezone

sys.path.insert(0, str(Path(__file__).parent))
from foundation import PG_BENCH, percentile, prepare_environment, summary  # noqa: E402

WORKERS = 200
RUN = int(time.time())


def build(persons: int) -> tuple[Any, Any, list[Any]]:
    """One national registry organisation holding every person (the worst case for searches),
    a supervisor and WORKERS caseworkers sharing the caseload."""
    from django.contrib.auth.hashers import make_password

    from orienta.accounts.models import Membership, User
    from orienta.accounts.roles import Role
    from orienta.cases.packs import load_screening
    from orienta.cases.synthetic import Owner, generate_cases
    from orienta.directory.models import Organisation
    from orienta.directory.taxonomy import load_taxonomy

    load_taxonomy()
    load_screening("ht")
    registry = Organisation.objects.create(name="Registre national (synthétique)", country="HT")
    unusable = make_password(None)
    workers = User.objects.bulk_create(
        User(email=f"worker-{n:03d}@bench.invalid", full_name=f"Worker {n}", password=unusable)
        for n in range(WORKERS)
    )
    supervisor = User.objects.create(email="supervisor@bench.invalid", password=unusable)
    Membership.objects.bulk_create(
        [Membership(user=u, organisation=registry, role=Role.CASEWORKER) for u in workers]
        + [Membership(user=supervisor, organisation=registry, role=Role.CASE_SUPERVISOR)]
    )
    generate_cases(
        country="HT",
        owners=[Owner(registry, workers)],
        persons=persons,
        seed=41,
        screenings=False,
        batch=10_000,
    )
    return registry, supervisor, workers


def analyse() -> None:
    """Statistics for the planner, and on PostgreSQL the visibility map that index-only scans
    need: what autovacuum gives a registry that grew over months, which a bulk load has not
    had time to get."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def registration_times(client: Any, count: int, seed: int) -> tuple[list[float], list[float]]:
    """Server time of the candidate panel plus the form's POST, per registration."""
    from orienta.core.packs import load_pack

    names = load_pack("names", "ht")
    rng = random.Random(seed)
    totals, candidates = [], []
    for n in range(count):
        sex = rng.choice(["female", "male"])
        given, family = rng.choice(names[sex]), rng.choice(names["family"])
        born = date(rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28))
        form = {
            "kind": "forced_return",
            "arrived_on": timezone.localdate().isoformat(),
            "returned_from": "DO",
            "given_name": given,
            "family_name": family,
            "sex": sex,
            "birth_date_precision": "exact",
            "birth_date": born.isoformat(),
            "nationality": "HT",
            "consent_given_by": "person",
            "consent_method": "verbal_certified",
            "consent_script_language": "fr",
            "consent_registration": "on",
            "need1_term": "SHEL",
            "need1_urgency": "high",
            "doc1_type": "passport",
            # Unique per run too: a run with --reuse must not meet an earlier run's numbers.
            "doc1_number": f"BENCH{seed}-{n}-{RUN}",
            "doc1_status": "held",
            "doc1_country": "HT",
            "doc2_status": "held",
            "q_COM-SHELTER": "yes",
        }
        started = time.perf_counter()
        panel = client.get(
            "/cases/register/candidates/",
            {
                "given_name": given,
                "family_name": family,
                "birth_date": born.isoformat(),
                "sex": sex,
            },
        )
        middle = time.perf_counter()
        response = client.post("/cases/register/", form)
        ended = time.perf_counter()
        assert panel.status_code == 200 and response.status_code == 302, response.status_code
        candidates.append((middle - started) * 1000)
        totals.append((ended - started) * 1000)
    return totals, candidates


def list_times(client: Any, pages: int, query: str = "") -> list[float]:
    """First page, then following the cursor `pages` times."""
    import re

    samples = []
    url = f"/cases/?{query}"
    for _ in range(pages):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        cursor = re.search(r'href="\?([^"]*after=[^"]+)"', response.content.decode())
        if cursor is None:
            break
        url = "/cases/?" + cursor.group(1).replace("&amp;", "&")
    return samples


def deep_page_times(client: Any, registry: Any, depth: int, requests: int) -> dict[str, Any]:
    """The organisation's list `depth` rows deep: keyset (the page's own query) against the
    offset paging it replaces."""
    from orienta.cases.caselist import encode_cursor
    from orienta.cases.models import Case

    rows = Case.objects.filter(organisation=registry).order_by("-created_at", "-pk")
    anchor = rows[depth - 1 : depth].get()
    cursor = encode_cursor(anchor)
    keyset = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get("/cases/", {"scope": "organisation", "after": cursor})
        keyset.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    offset = []
    for _ in range(max(3, requests // 10)):
        started = time.perf_counter()
        list(rows.select_related("person", "assigned_to")[depth : depth + 50])
        offset.append((time.perf_counter() - started) * 1000)
    return {"keyset_ms": keyset, "offset_query_ms": offset}


def search_times(client: Any, requests: int, seed: int) -> list[float]:
    from orienta.core.packs import load_pack

    names = load_pack("names", "ht")
    rng = random.Random(seed)
    samples = []
    for _ in range(requests):
        sex = rng.choice(["female", "male"])
        q = rng.choice(
            [
                f"{rng.choice(names[sex])} {rng.choice(names['family'])}",
                rng.choice(names["family"]),
                f"{rng.choice(names['family'])} {rng.choice(names[sex])}",
            ]
        )
        started = time.perf_counter()
        response = client.get("/cases/", {"scope": "organisation", "q": q})
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--depth", type=int, default=100_000)
    parser.add_argument(
        "--reuse",
        nargs="?",
        const="",
        metavar="ORIENTA_HOME",
        help="Measure again on the registry an earlier run generated, so that the measure can "
        "be taken on a quiet machine: on SQLite give that run's ORIENTA_HOME; on PostgreSQL "
        "the earlier run's database (orienta_bench) is used. Migrations run first.",
    )
    args = parser.parse_args()

    if args.reuse is not None:
        if args.database == "sqlite" and not args.reuse:
            parser.error("--reuse needs the earlier run's ORIENTA_HOME on SQLite")
        os.environ["ORIENTA_HOME"] = args.reuse or tempfile.mkdtemp(prefix="orienta-bench-")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orienta.settings")
        os.environ["ORIENTA_LOG_LEVEL"] = "WARNING"
        os.environ["ORIENTA_ALLOWED_HOSTS"] = "testserver"
        if args.database == "postgres":
            os.environ["DATABASE_URL"] = PG_BENCH
        else:
            os.environ.pop("DATABASE_URL", None)
    else:
        prepare_environment(args.database)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from orienta.cases.models import Case, Person
    from orienta.identity.models import PersonKey

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if args.reuse is not None:
        from orienta.accounts.models import User
        from orienta.directory.models import Organisation

        registry = Organisation.objects.get(name="Registre national (synthétique)")
        supervisor = User.objects.get(email="supervisor@bench.invalid")
        workers = list(User.objects.filter(email__startswith="worker-").order_by("email"))
    else:
        registry, supervisor, workers = build(args.persons)
    generated = time.perf_counter() - started
    analyse()

    worker_client, supervisor_client = Client(), Client()
    worker_client.force_login(workers[7], backend="django.contrib.auth.backends.ModelBackend")
    supervisor_client.force_login(supervisor, backend="django.contrib.auth.backends.ModelBackend")
    registration_times(worker_client, 10, seed=999)  # warm-up
    runs: dict[str, list[Any]] = {
        "register": [],
        "candidates": [],
        "mine": [],
        "org_first": [],
        "deep": [],
        "offset": [],
        "search": [],
    }
    for run in range(args.runs):
        total, candidates = registration_times(worker_client, args.requests, seed=run)
        runs["register"].append(total)
        runs["candidates"].append(candidates)
        runs["mine"].append(list_times(worker_client, args.requests))
        runs["org_first"].append(list_times(supervisor_client, args.requests, "scope=organisation"))
        deep = deep_page_times(supervisor_client, registry, args.depth, args.requests)
        runs["deep"].append(deep["keyset_ms"])
        runs["offset"].append(deep["offset_query_ms"])
        runs["search"].append(search_times(supervisor_client, args.requests, seed=run))

    def p(name: str) -> dict[str, Any]:
        return {
            "p50": summary([percentile(r, 0.5) for r in runs[name]]),
            "p95": summary([percentile(r, 0.95) for r in runs[name]]),
        }

    result = {
        "database": args.database,
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
        "persons": Person.objects.count(),
        "cases": Case.objects.count(),
        "person_keys": PersonKey.objects.count(),
        "caseload_of_one_worker": Case.objects.filter(assigned_to=workers[7]).count(),
        "generate_seconds": round(generated, 1),
        "reused": args.reuse is not None,
        "register_with_candidates_ms": p("register"),
        "candidate_panel_ms": p("candidates"),
        "caseworker_list_pages_ms": p("mine"),
        "organisation_list_pages_ms": p("org_first"),
        f"organisation_list_{args.depth}_deep_keyset_ms": p("deep"),
        f"offset_query_{args.depth}_deep_ms": p("offset"),
        "name_search_ms": p("search"),
        "runs": args.runs,
        "requests_per_run": args.requests,
    }
    json.dump(result, sys.stdout, indent=2)
    print()
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / f"cases-{args.database}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
