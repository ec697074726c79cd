"""Directory benchmark at scale: matching, public search, HSDS export and import.

    python bench/directory.py --database sqlite --services 100000
    python bench/directory.py --database postgres --services 100000

Targets (issue D): with 100,000 services, matching p95 ≤ 20 ms per case, public search p95
≤ 150 ms, HSDS export ≤ 60 s, HSDS import ≤ 120 s. Medians over --runs repetitions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from foundation import percentile, prepare_environment, summary  # noqa: E402


def matching_times(cases: int, seed: int) -> list[float]:
    from orienta.directory.matching import Place, Profile, match
    from orienta.directory.synthetic import AREAS

    rng = random.Random(seed)
    needs = ["SHEL", "HEALTH-PRIM", "PROT-CHILD", "IMM", "EMP-PLACE", "MHPSS", "DOC-ID"]
    samples = []
    for _ in range(cases):
        code, _name, lat, lon = rng.choice(AREAS)
        started = time.perf_counter()
        match(
            rng.sample(needs, rng.randint(1, 2)),
            Place(admin1_code=code, latitude=lat, longitude=lon),
            Profile(
                age=rng.choice([None, 9, 16, 34]),
                target_groups=tuple(rng.sample(["returnees", "gbv_survivors"], rng.randint(0, 1))),
                language=rng.choice(["", "ht", "fr"]),
            ),
        )
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def search_times(requests: int, seed: int) -> list[float]:
    from django.test import Client

    from orienta.directory.synthetic import AREAS, WORDS

    rng = random.Random(seed)
    client = Client()
    samples = []
    for _ in range(requests):
        params = {}
        if rng.random() < 0.6:
            params["q"] = rng.choice(WORDS)
        if rng.random() < 0.5:
            params["category"] = rng.choice(["SHEL", "HEALTH", "PROT-CHILD", "EMP"])
        if rng.random() < 0.5:
            params["area"] = rng.choice(AREAS)[0]
        if rng.random() < 0.3:
            params["free"] = "on"
        if rng.random() < 0.3:
            params["language"] = rng.choice(["ht", "fr"])
        if rng.random() < 0.2:
            params["target_group"] = "returnees"
        started = time.perf_counter()
        response = client.get("/directory/", params)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument(
        "--hsds-only",
        action="store_true",
        help="Measure only the HSDS export and import (after a change to either).",
    )
    args = parser.parse_args()

    prepare_environment(args.database)
    import django

    django.setup()
    from django.core.management import call_command

    from orienta.directory.hsds.exporter import write_package
    from orienta.directory.hsds.importer import import_input
    from orienta.directory.hsds.reader import read_path
    from orienta.directory.hsds.spec import ORDER, tables
    from orienta.directory.matching import match
    from orienta.directory.models import Service
    from orienta.directory.synthetic import generate_directory

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    generate_directory(seed=11, services=args.services)
    generated = time.perf_counter() - started

    started = time.perf_counter()
    match(["SHEL"])
    index_build = time.perf_counter() - started

    runs = 0 if args.hsds_only else args.runs
    matching = [matching_times(args.cases, seed) for seed in range(runs)] or [[0.0]]
    search = [search_times(args.requests, seed) for seed in range(runs)] or [[0.0]]

    folder = Path(tempfile.mkdtemp(prefix="hsds-export-"))
    exports, imports = [], []
    for run in range(min(args.runs, 3)):
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        counts = write_package(folder)
        exports.append(time.perf_counter() - started)
        for name in reversed(ORDER):  # import into an empty directory: every row is new
            tables()[name].model._default_manager.all().delete()
        started = time.perf_counter()
        report = import_input(read_path(folder), source=f"bench-{run}")
        imports.append(time.perf_counter() - started)
        assert report.created["service"] == args.services
    rows = sum(counts.values())

    result = {
        "database": args.database,
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
        "services": Service.objects.count(),
        "hsds_rows": rows,
        "generate_seconds": round(generated, 1),
        "matching_index_build_seconds": round(index_build, 2),
        "matching_ms": {
            "p50": summary([percentile(r, 0.5) for r in matching]),
            "p95": summary([percentile(r, 0.95) for r in matching]),
        },
        "public_search_ms": {
            "p50": summary([percentile(r, 0.5) for r in search]),
            "p95": summary([percentile(r, 0.95) for r in search]),
        },
        "hsds_export_seconds": summary(exports),
        "hsds_import_seconds": summary(imports),
        "runs": args.runs,
    }
    json.dump(result, sys.stdout, indent=2)
    print()
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    suffix = "-hsds" if args.hsds_only else ""
    (out / f"directory-{args.database}{suffix}.json").write_text(json.dumps(result, indent=2))
    print("median p95 search", statistics.median(percentile(r, 0.95) for r in search))


if __name__ == "__main__":
    main()
