"""Indicator engine benchmark (issue 10): the pre-aggregated cells behind the dashboards.

    python bench/indicators.py                        # PostgreSQL, 5M arrivals, 2M referrals
    python bench/indicators.py --scale small          # 50,000 arrivals, 20,000 referrals
    python bench/indicators.py --database sqlite --scale small
    python bench/indicators.py --reuse                # measure again on the kept database
    python bench/indicators.py --only tiles,refresh   # some steps only (generate, rebuild,
                                                      # tiles, page, raw, refresh, transition,
                                                      # verify)

Targets (issue 10): with 5M arrivals and 2M referrals, each dashboard tile p95 ≤ 100 ms (a raw
PostgreSQL GROUP BY over the arrivals measured 636 ms); the incremental refresh after a
5,000-row manifest ≤ 1 s.

The data (fixed formulas, no randomness: every choice is a hash of the row's number, so that
PostgreSQL and SQLite get the same rows): 56 organisations (one national receiving body taking
70 % of the movements, 5 others, 50 service providers), 7 entry points in 5 IANA time zones, the
movements of five years (December 2021 to November 2026) with a headcount growing over time
(flights 90–180, boats 40–120, buses 20–70; 1 % cancelled), one arrival per person and place
(1 in 7 a repeat return of an earlier person, 1 in 13 not registered), the persons (sex, birth
date, area of origin among 10 with 6 % unknown), one case per 5 arrivals, two referrals per case
(all sent; statuses, eight service categories and 50 recipients skewed towards the first ones;
some started), three scored survey rounds for one case in 10. The movements are computed in
Python (a few tens of thousands); arrivals, persons, cases, referrals and survey rounds are
written by set-based INSERT … SELECT over a number table (PostgreSQL and SQLite alike), with the
foreign-key checks off during the PostgreSQL load (`session_replication_role = replica`; the
references are counted afterwards: none dangles), then VACUUM ANALYZE. Tasks run on the
dummy backend: a commit does not refresh by itself, the script calls `refresh()` and times it.

Steps: `rebuild()` of every subject once (timed); ANALYZE of the cells (as autovacuum would);
every tile of the nrm pack — each indicator's headline and each disaggregation, as one
`Board(5, filters)` each, with no filter and with the largest entry point over 12 months (30
runs after 3 warm-ups by default) — and each dashboard as one Board holding all its tiles; a
dashboard page as a reader gets it: `dashboards.compute()` for an analyst (threshold 5, fetched
again for each call as a request would), its key figures and one breakdown, the default one and
two others, with both filter sets; the
raw GROUP BY over the arrivals a non-aggregated page would run (by sex, by entry point, by month;
10 runs); the refresh after 5,000 arrivals of one new movement (new persons and one case in
five, bulk-created; the cases queued as their post_save receiver would, the persons not — a
person's receiver queues nothing when it is created; the arrivals saved one by one through the
ORM so that the post_save receivers queue them and their cases), 10 times; one referral's
transition (a sent referral acknowledged: a queryset update, then `queue(Referral, [pk])` as the
receiver would) and its refresh, 30 times; and at the small scale, a check that the cells after
all these refreshes equal a fresh `rebuild()`. The JSON result goes to
bench/results/indicators-<database>-<scale>.json.
"""

# ruff: noqa: S608, E501  (SQL built from this file's constants; long generated fragments)
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/orienta_bench_ind"
SCALES = {"full": (5_000_000, 2_000_000), "small": (50_000, 20_000)}
STEPS = ("generate", "rebuild", "tiles", "page", "raw", "refresh", "transition", "verify")
START = datetime(2021, 12, 1, tzinfo=UTC)
DAYS = 1826  # five years: December 2021 to November 2026
MAIN_ORG = uuid.UUID(int=1)

#: code, name, kind, time zone, modes it receives (weight per mode)
ENTRY_POINTS = [
    ("HT-PAP-AIR", "Port-au-Prince airport", "airport", "America/Port-au-Prince", {"flight": 60}),
    ("HT-CAP-AIR", "Cap-Haïtien airport", "airport", "America/Port-au-Prince", {"flight": 25}),
    ("BF-OUA-AIR", "Ouagadougou airport", "airport", "Africa/Ouagadougou", {"flight": 15}),
    ("HT-CAP-SEA", "Cap-Haïtien port", "seaport", "America/Port-au-Prince", {"boat": 70}),
    ("CM-DLA-SEA", "Douala port", "seaport", "Africa/Douala", {"boat": 30}),
    ("HT-MALPASSE", "Malpasse", "land", "America/Port-au-Prince", {"land": 55}),
    ("NE-ASSAMAKA", "Assamaka", "land", "Africa/Niamey", {"land": 45}),
]
ORIGINS = {"flight": [("US", 55), ("BS", 15), ("TC", 15), ("MX", 10), ("LY", 5)],
           "boat": [("TC", 50), ("BS", 30), ("CU", 20)],
           "land": [("DO", 70), ("DZ", 30)]}  # fmt: skip
AREAS = [("HT01", "Ouest"), ("HT02", "Sud-Est"), ("HT03", "Nord"), ("HT04", "Nord-Est"),
         ("HT05", "Artibonite"), ("HT06", "Centre"), ("HT07", "Sud"), ("HT08", "Grand'Anse"),
         ("HT09", "Nord-Ouest"), ("HT10", "Nippes")]  # fmt: skip
CATEGORIES = ["SHEL-TEMP", "HLTH-PRIM", "HLTH-MENT", "FOOD-DIST", "LIVE-CASH",
              "PROT-CHLD", "LEGA-DOCS", "EDUC-FORM"]  # fmt: skip


# --- Django ------------------------------------------------------------------------------------


def _django(args: argparse.Namespace) -> None:
    os.environ["ORIENTA_HOME"] = args.home or tempfile.mkdtemp(prefix="orienta-bench-indicators-")
    if args.database == "postgres":
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orienta.settings")
    os.environ["ORIENTA_LOG_LEVEL"] = "WARNING"
    # A commit enqueues a refresh; the dummy backend keeps it, so that the script times it.
    os.environ["ORIENTA_TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    import django

    django.setup()


def _recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


# --- SQL that both databases run -----------------------------------------------------------------


class Sql:
    """Fragments that differ between PostgreSQL and SQLite."""

    def __init__(self, vendor: str) -> None:
        self.pg = vendor == "postgresql"

    def uid(self, salt: int, expr: str) -> str:
        """A UUID from a number: random-looking on PostgreSQL (as uuid4 keys are), a hex
        string on SQLite (how Django stores a UUIDField there)."""
        if self.pg:
            return f"md5('{salt}:' || ({expr}))::uuid"
        return f"printf('%08x%024llx', {salt}, {expr})"

    def ts_add(self, column: str, seconds: str) -> str:
        if self.pg:
            return f"({column} + ({seconds}) * INTERVAL '1 second')"
        return f"datetime({column}, '+' || ({seconds}) || ' seconds')"

    def to_date(self, column: str) -> str:
        return f"({column} AT TIME ZONE 'UTC')::date" if self.pg else f"date({column})"

    def date_add(self, column: str, days: str) -> str:
        if self.pg:
            return f"(({column}) + ({days})::int)"
        return f"date({column}, '+' || ({days}) || ' days')"

    def as_int(self, expr: str) -> str:
        return f"CAST({expr} AS BIGINT)"

    @property
    def uuid_type(self) -> str:
        return "uuid" if self.pg else "char(32)"

    @property
    def ts_type(self) -> str:
        return "timestamptz" if self.pg else "datetime"

    @property
    def key_type(self) -> str:
        return "BIGINT" if self.pg else "INTEGER"  # SQLite: INTEGER PRIMARY KEY is the rowid


def h(expr: str, salt: int, n: int) -> str:
    """A number in [0, n) that looks random, from a row's number (the same on both databases):
    a Weyl sequence modulo the prime 2^31 - 1 with a large multiplier per salt (row numbers stay
    under 10^8, so the product stays within 64 bits)."""
    a = random.Random(salt).randrange(10**8, 2 * 10**9)
    return f"((((CAST({expr} AS BIGINT) * {a}) + {salt * 104_729}) % 2147483647) % {n})"


def pick(value: str, choices: list[tuple[str, int]]) -> str:
    """CASE over weighted choices; `value` in [0, sum of weights)."""
    parts, bound = [], 0
    for choice, weight in choices[:-1]:
        bound += weight
        parts.append(f"WHEN {value} < {bound} THEN {choice}")
    return f"(CASE {' '.join(parts)} ELSE {choices[-1][0]} END)"


def q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --- Data --------------------------------------------------------------------------------------


def _escaped(statement: str) -> str:
    """The statement with its modulo operators doubled, as both drivers want with parameters."""
    return statement.replace("%", "%%").replace("%%s", "%s")


def _execute(statement: str, params: list[Any] | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_escaped(statement), params or [])
        return cursor.rowcount


def movements_plan(arrivals: int) -> list[dict[str, Any]]:
    """The movements, in Python: mode, entry point, origin, organisation, headcount; their
    times spread over five years with more later (a linear growth)."""
    rng = random.Random(10)
    points = {mode: [(i, w) for i, (*_x, modes) in enumerate(ENTRY_POINTS) if (w := modes.get(mode))]
              for mode in ("flight", "boat", "land")}  # fmt: skip
    plan: list[dict[str, Any]] = []
    total = 0
    while total < arrivals:
        mode = rng.choices(["flight", "boat", "land"], [45, 15, 40])[0]
        point = rng.choices([i for i, _w in points[mode]], [w for _i, w in points[mode]])[0]
        origin = rng.choices([c for c, _w in ORIGINS[mode]], [w for _c, w in ORIGINS[mode]])[0]
        low, high = {"flight": (90, 180), "boat": (40, 120), "land": (20, 70)}[mode]
        headcount = min(rng.randint(low, high), arrivals - total)
        cancelled = rng.random() < 0.01
        plan.append(
            {
                "j": len(plan) + 1,
                "mode": mode,
                "point": point,
                "origin": origin,
                "organisation": 0 if rng.random() < 0.7 else rng.randint(1, 5),
                "headcount": 0 if cancelled else headcount,
                "announced": headcount,
                "first_i": total + 1,
                "cancelled": cancelled,
            }
        )
        total += 0 if cancelled else headcount
    for row in plan:
        fraction = (row["first_i"] - 1) / arrivals
        # Density growing linearly with time: t = sqrt(fraction) of the five years.
        seconds = int(math.sqrt(fraction) * DAYS * 86400) + rng.randint(0, 6 * 3600)
        row["at"] = START + timedelta(seconds=min(seconds, DAYS * 86400 - 86400))
    return plan


def generate(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection, transaction

    from orienta.directory.models import Organisation
    from orienta.indicators.definitions import load_indicators
    from orienta.reintegration.packs import load_rss
    from orienta.returns.models import EntryPoint

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    load_indicators("nrm")
    config = load_rss("rss").configuration
    sql = Sql(connection.vendor)
    recipients = [_uid_value(sql, 5, n) for n in range(50)]  # the referrals name them so
    orgs = [
        Organisation(id=MAIN_ORG, name="Office national des migrations", acronym="ONM",
                     kind="state_institution", country="HT")
    ] + [
        Organisation(id=uuid.UUID(int=1 + n), name=f"Reception partner {n}", acronym=f"RP{n}",
                     kind="ngo", country="HT")
        for n in range(1, 6)
    ] + [
        Organisation(id=key, name=f"Service provider {n}", acronym=f"SP{n}", kind="ngo",
                     country="HT")
        for n, key in enumerate(recipients)
    ]  # fmt: skip
    Organisation.objects.bulk_create(orgs)
    points = [
        EntryPoint.objects.create(code=code, name=name, kind=kind, time_zone=zone,
                                  country=code[:2])
        for code, name, kind, zone, _modes in ENTRY_POINTS
    ]  # fmt: skip
    plan = movements_plan(args.arrivals)
    arrivals = sum(row["headcount"] for row in plan)
    cases_every = max(1, args.arrivals // max(1, args.referrals // 2))
    persons = arrivals - arrivals // 7
    timings: dict[str, float] = {}
    uid_param = (lambda u: u) if sql.pg else (lambda u: u.hex)
    ts_param = connection.ops.adapt_datetimefield_value

    def timed(name: str, statement: str, params: list[Any] | None = None) -> None:
        began = time.perf_counter()
        count = _execute(statement, params)
        timings[name] = round(time.perf_counter() - began, 1)
        print(f"  {name}: {count:,} rows in {timings[name]:.1f} s", flush=True)

    with transaction.atomic():
        if sql.pg:
            _execute("SET LOCAL session_replication_role = replica")  # no FK triggers
        _execute(f"CREATE TABLE bench_seq (i {sql.key_type} PRIMARY KEY)")
        if sql.pg:
            _execute("INSERT INTO bench_seq SELECT generate_series(1, %s)", [persons])
        else:
            _execute(
                "INSERT INTO bench_seq WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL "
                "SELECT i + 1 FROM s WHERE i < %s) SELECT i FROM s",
                [persons],
            )
        _execute(
            f"CREATE TABLE bench_movement (j {sql.key_type} PRIMARY KEY, id {sql.uuid_type}, "
            f"first_i BIGINT, hc BIGINT, arrived_at {sql.ts_type}, "
            f"organisation_id {sql.uuid_type}, age_salt BIGINT)"
        )
        org_ids = [MAIN_ORG] + [uuid.UUID(int=1 + n) for n in range(1, 6)]
        rows = []
        movement_rows = []
        for row in plan:
            ident = uuid.UUID(int=random.Random(row["j"]).getrandbits(128), version=4)
            org = org_ids[row["organisation"]]
            at = row["at"]
            rows.append((row["j"], uid_param(ident), row["first_i"], row["headcount"],
                         ts_param(at), uid_param(org), row["j"] % 3))  # fmt: skip
            movement_rows.append((
                uid_param(ident), uid_param(org), f"BENCH-{row['j']}", row["mode"],
                row["origin"], points[row["point"]].pk, ts_param(at - timedelta(hours=2)),
                row["announced"], None if row["cancelled"] else ts_param(at),
                None if row["cancelled"] else row["headcount"],
                "cancelled" if row["cancelled"] else "closed", False, "", ts_param(at), 1,
            ))  # fmt: skip
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO bench_movement VALUES (%s, %s, %s, %s, %s, %s, %s)", rows
            )
            cursor.executemany(
                "INSERT INTO returns_movement (id, organisation_id, reference, mode, "
                "origin_country, entry_point_id, scheduled_at, announced_headcount, arrived_at, "
                "actual_headcount, status, consular_access_refused, notes, created_at, version) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                movement_rows,
            )
        print(f"  movements: {len(plan):,} ({arrivals:,} arrivals)", flush=True)

        now = ts_param(datetime.now(UTC))
        # Person of arrival i: a repeat return (1 in 7) is an earlier person; the others their
        # own; 1 in 13 not registered (unless it has a case, which needs a person).
        repeat = "(a.i % 7 = 0)"
        person_no = (
            f"(CASE WHEN {repeat} THEN {h('a.i', 1, max(1, persons))} + 1 ELSE a.i - a.i / 7 END)"
        )
        with_case = f"(a.i % {cases_every} = 1)"
        no_person = f"(a.i % 13 = 0 AND NOT {with_case} AND NOT {repeat})"
        age = h("a.i", 2, 100)
        age_group = pick(age, [("'child'", 14), ("'adult'", 74), ("'older'", 6), ("'unknown'", 6)])
        source = (
            f"(SELECT m.id AS movement_id, m.organisation_id, m.first_i + s.i - 1 AS i, "
            f"{sql.ts_add('m.arrived_at', 's.i * 20')} AS checked_in_at "
            f"FROM bench_movement m JOIN bench_seq s ON s.i <= m.hc) a"
        )
        timed(
            "persons",
            "INSERT INTO cases_person (id, organisation_id, given_name, family_name, other_names, "
            "sex, birth_date, birth_date_precision, nationality, other_nationalities, "
            "statelessness_risk, origin_country, origin_admin1_code, origin_admin1_name, "
            "origin_admin2_code, origin_admin2_name, origin_locality, languages, phone, photo, "
            "created_at, updated_at) "
            f"SELECT {sql.uid(1, 'a.i')}, %s, 'Bench', 'Person ' || a.i, '[]', "
            f"{pick(h('a.i', 3, 100), [(q('male'), 60), (q('female'), 38), (q('unknown'), 2)])}, "
            f"{sql.date_add(q('1950-01-01') if not sql.pg else 'DATE ' + q('1950-01-01'), h('a.i', 4, 25_000))}, "
            "'exact', 'HT', '[]', false, 'HT', "
            f"{pick(h('a.i', 5, 100), [(q(c), 10 if c != 'HT01' else 30) for c, _n in AREAS[:7]] + [(q(c), 4) for c, _n in AREAS[7:]] + [(q(''), 6)])}, "  # noqa: E501
            f"{pick(h('a.i', 5, 100), [(q(n), 10 if c != 'HT01' else 30) for c, n in AREAS[:7]] + [(q(n), 4) for c, n in AREAS[7:]] + [(q(''), 6)])}, "  # noqa: E501
            "'', '', '', '[]', '', '', %s, %s "
            "FROM bench_seq a WHERE a.i <= %s",
            [uid_param(MAIN_ORG), now, now, persons],
        )
        child = f"({age} < 14)"
        timed(
            "arrivals",
            "INSERT INTO returns_arrival (id, movement_id, organisation_id, person_id, case_id, "
            "checked_in_at, age_group, sex, accompaniment, documents, nationality, "
            "medical_urgency, pregnant, disability, abuse_reported, family_separated, "
            "criminal_record_notice, child_protection_handover, repeat_return) "
            f"SELECT {sql.uid(2, 'a.i')}, a.movement_id, a.organisation_id, "
            f"CASE WHEN {no_person} THEN NULL ELSE {sql.uid(1, person_no)} END, "
            f"CASE WHEN {with_case} THEN {sql.uid(3, 'a.i')} ELSE NULL END, "
            f"a.checked_in_at, {age_group}, "
            f"{pick(h('a.i', 3, 100), [(q('male'), 60), (q('female'), 38), (q(''), 2)])}, "
            f"(CASE WHEN {child} AND {h('a.i', 6, 10)} < 2 THEN 'unaccompanied' "
            f"WHEN {child} AND {h('a.i', 6, 10)} < 3 THEN 'separated' "
            f"WHEN {h('a.i', 6, 10)} < 7 THEN 'alone' ELSE 'with_family' END), "
            f"{pick(h('a.i', 7, 10), [(q('id_card'), 5), (q('passport'), 2), (q('none'), 3)])}, "
            f"'HT', ({h('a.i', 8, 100)} < 3), ({h('a.i', 9, 100)} < 2), "
            f"({h('a.i', 10, 100)} < 2), ({h('a.i', 11, 100)} < 8), false, false, false, {repeat} "
            f"FROM {source}",
        )
        timed(
            "cases",
            "INSERT INTO cases_case (id, reference, person_id, organisation_id, kind, status, "
            "closure_reason, opened_on, closed_at, is_child, priority, profile, "
            "priority_reasons, created_at, updated_at, version) "
            f"SELECT {sql.uid(3, 'a.i')}, 'BC' || a.i, {sql.uid(1, person_no)}, "
            f"a.organisation_id, "
            f"{pick(h('a.i', 12, 100), [(q('forced_return'), 80), (q('unaccompanied_child'), 5), (q('presumed_trafficking_victim'), 3), (q('assisted_voluntary_return'), 7), (q('other'), 5)])}, "  # noqa: E501
            f"{pick(h('a.i', 13, 100), [(q('open'), 20), (q('active'), 30), (q('closed'), 50)])}, "
            f"'', {sql.to_date('a.checked_in_at')}, "
            f"CASE WHEN {h('a.i', 13, 100)} >= 50 THEN {sql.ts_add('a.checked_in_at', '7776000')} END, "
            f"{child}, 'normal', '[]', '[]', a.checked_in_at, a.checked_in_at, 1 "
            f"FROM {source} WHERE {with_case}",
        )
        k = "(a.i * 2 + n.i)"
        status = h(k, 14, 100)
        status_sql = pick(status, [(q("sent"), 10), (q("acknowledged"), 10), (q("accepted"), 15),
                                   (q("declined"), 8), (q("in_progress"), 12), (q("completed"), 30),
                                   (q("not_completed"), 7), (q("cancelled"), 4), (q("expired"), 4)])  # fmt: skip
        sent = sql.ts_add("a.checked_in_at", f"n.i * 259200 + {h(k, 15, 86400)}")
        acknowledged = f"({status} >= 10 AND {status} < 92)"
        started_ = f"({status} >= 43 AND {status} < 92)"  # in progress, completed, not completed
        recipient = f"({h(k, 16, 1000)} * {h(k, 16, 1000)} / 20000)"  # 0..49, skewed to the first
        timed(
            "referrals",
            "INSERT INTO referrals_referral (id, reference, case_id, category, "
            "sender_organisation_id, recipient_organisation_id, urgency, note, field_groups, "
            "matching_reasons, status, version, emergency_override, override_reason, "
            "override_missing, external, acknowledge_hours, escalation_level, sent_at, "
            "acknowledged_at, answered_at, started_at, decline_reason, decline_note, outcome, "
            "outcome_note, not_completed_reason, cancel_reason, created_at, updated_at) "
            f"SELECT {sql.uid(4, k)}, 'BR' || {k}, {sql.uid(3, 'a.i')}, "
            f"{pick(h(k, 17, 100), [(q(c), w) for c, w in zip(CATEGORIES, [25, 20, 8, 15, 12, 8, 7, 5], strict=True)])}, "  # noqa: E501
            f"a.organisation_id, {sql.uid(5, recipient)}, 'normal', '', '[]', '[]', "
            f"{status_sql}, 1, ({h(k, 18, 100)} < 3), '', '[]', false, 72, "
            f"CASE WHEN {status} < 10 AND {h(k, 19, 10)} < 3 THEN 1 ELSE 0 END, {sent}, "
            f"CASE WHEN {acknowledged} THEN {sql.ts_add(sent, h(k, 20, 72 * 3600))} END, "
            f"CASE WHEN {status} >= 20 AND {status} < 92 THEN {sql.ts_add(sent, '259200')} END, "
            f"CASE WHEN {started_} THEN {sql.ts_add(sent, f'86400 + {h(k, 21, 30 * 86400)}')} END, "
            "'', '', '', '', '', '', "
            f"{sent}, {sent} "
            f"FROM {source} JOIN bench_seq n ON n.i <= 2 WHERE {with_case}",
        )
        timed(
            "survey rounds",
            "INSERT INTO reintegration_surveyround (id, case_id, asked_with_id, months, "
            "interviewed_on, interviewer, answers, indicator_values, economic, social, "
            "psychosocial, composite, scored_with_id, scored_at, created_at) "
            f"SELECT {sql.uid(6, 'a.i * 3 + n.i')}, {sql.uid(3, 'a.i')}, %s, (n.i - 1) * 3, "
            f"{sql.date_add(sql.to_date('a.checked_in_at'), '(n.i - 1) * 91')}, '', '{{}}', '{{}}', "
            f"{h('a.i * 3 + n.i', 22, 100)} / 100.0, {h('a.i * 3 + n.i', 23, 100)} / 100.0, "
            f"{h('a.i * 3 + n.i', 24, 100)} / 100.0, {h('a.i * 3 + n.i', 25, 100)} / 100.0, "
            "%s, %s, %s "
            f"FROM {source} JOIN bench_seq n ON n.i <= 3 WHERE a.i % {cases_every * 10} = 1",
            [config.pk, config.pk, now, now],
        )
    with connection.cursor() as cursor:
        for table in ("bench_seq", "bench_movement"):
            cursor.execute(f"DROP TABLE {table}")
        cursor.execute("VACUUM ANALYZE" if sql.pg else "ANALYZE")
    report = {
        "organisations": len(orgs),
        "entry_points": len(points),
        "movements": len(plan),
        "arrivals": arrivals,
        "persons": persons,
        "cases_every": cases_every,
        "seconds": round(time.perf_counter() - started, 1),
        "steps": timings,
    }
    report.update(counts())
    problems = dangling()
    report["dangling_references"] = problems
    if any(problems.values()):
        print(f"  dangling references: {problems}", file=sys.stderr)
    return report


def _uid_value(sql: Sql, salt: int, number: int) -> uuid.UUID:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_escaped(f"SELECT {sql.uid(salt, '%s')}"), [number])
        value = cursor.fetchone()[0]
    return value if isinstance(value, uuid.UUID) else uuid.UUID(hex=value)


def counts() -> dict[str, int]:
    from orienta.cases.models import Case, Person
    from orienta.referrals.models import Referral
    from orienta.reintegration.models import SurveyRound
    from orienta.returns.models import Arrival, Movement

    return {
        "count_" + model.__name__.lower(): model._default_manager.count()
        for model in (Movement, Arrival, Person, Case, Referral, SurveyRound)
    }


def dangling() -> dict[str, int]:
    """References the load wrote without their foreign-key checks, that point nowhere."""
    checks = {
        "arrival.movement": "SELECT COUNT(*) FROM returns_arrival a LEFT JOIN returns_movement m "
        "ON m.id = a.movement_id WHERE m.id IS NULL",
        "arrival.person": "SELECT COUNT(*) FROM returns_arrival a LEFT JOIN cases_person p "
        "ON p.id = a.person_id WHERE a.person_id IS NOT NULL AND p.id IS NULL",
        "arrival.case": "SELECT COUNT(*) FROM returns_arrival a LEFT JOIN cases_case c "
        "ON c.id = a.case_id WHERE a.case_id IS NOT NULL AND c.id IS NULL",
        "case.person": "SELECT COUNT(*) FROM cases_case c LEFT JOIN cases_person p "
        "ON p.id = c.person_id WHERE p.id IS NULL",
        "referral.case": "SELECT COUNT(*) FROM referrals_referral r LEFT JOIN cases_case c "
        "ON c.id = r.case_id WHERE c.id IS NULL",
        "referral.recipient": "SELECT COUNT(*) FROM referrals_referral r LEFT JOIN "
        "directory_organisation o ON o.id = r.recipient_organisation_id WHERE o.id IS NULL",
    }
    from django.db import connection

    found = {}
    with connection.cursor() as cursor:
        for name, statement in checks.items():
            cursor.execute(statement)
            found[name] = cursor.fetchone()[0]
    return found


# --- Measuring ---------------------------------------------------------------------------------


def percentile(samples: list[float], share: float) -> float:
    """Nearest rank: the smallest sample with at least `share` of them at or below it."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(samples: list[float]) -> dict[str, Any]:
    return {
        "n": len(samples),
        "median": round(statistics.median(samples), 2),
        "p95": round(percentile(samples, 0.95), 2),
        "min": round(min(samples), 2),
        "max": round(max(samples), 2),
    }


def repeat(call: Callable[[], Any], runs: int, warm: int) -> list[float]:
    """Milliseconds of each of `runs` calls, after `warm` untimed ones."""
    for _ in range(warm):
        call()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def analyse_cells() -> None:
    from django.db import connection

    from orienta.indicators.subjects import SUBJECTS

    with connection.cursor() as cursor:
        for subject in SUBJECTS.values():
            table = subject.cell._meta.db_table
            cursor.execute(
                f"VACUUM ANALYZE {table}"
                if connection.vendor == "postgresql"
                else f"ANALYZE {table}"
            )
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE indicators_fact")


def cell_counts() -> dict[str, int]:
    from orienta.indicators.models import Fact
    from orienta.indicators.subjects import ALL, SUBJECTS

    found = {code: s.cell._default_manager.count() for code, s in SUBJECTS.items()}
    found |= {
        f"{code}_rollups": s.cell._default_manager.filter(entry_point=ALL).count()
        for code, s in SUBJECTS.items()
    }
    found["facts"] = Fact.objects.count()
    return found


def measure_rebuild() -> dict[str, Any]:
    from orienta.indicators.refresh import rebuild

    print("rebuild …", flush=True)
    report = rebuild()
    analyse_cells()
    result = {
        "seconds": round(report.seconds, 1),
        "minutes": round(report.seconds / 60, 1),
        "facts": report.facts,
        "cells_written": report.cells,
        "cells": cell_counts(),
    }
    print(f"  rebuild: {report.seconds / 60:.1f} min, facts {report.facts}", flush=True)
    return result


def filter_sets() -> dict[str, Any]:
    from orienta.indicators.board import Filters
    from orienta.indicators.models import ArrivalCell
    from orienta.indicators.subjects import ALL

    largest = (
        ArrivalCell.objects.filter(breakdown="total")
        .exclude(entry_point=ALL)  # the roll-up cells count every entry point
        .values("entry_point")
        .order_by()
        .annotate(n=__import__("django.db.models", fromlist=["Sum"]).Sum("returns"))
        .order_by("-n")
        .first()
    )
    point = largest["entry_point"] if largest else "HT-PAP-AIR"
    return {
        "all": Filters(),
        f"{point}, 12 months": Filters(
            since=date(2025, 12, 1), until=date(2026, 11, 1), entry_point=point
        ),
    }


def measure_tiles(runs: int, warm: int, save: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orienta.indicators.board import Board
    from orienta.indicators.models import Indicator
    from orienta.indicators.subjects import TOTAL

    indicators = list(Indicator.objects.order_by("dashboard", "position"))
    tiles: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    for filter_name, filters in filter_sets().items():
        print(f"tiles, {filter_name} …", flush=True)
        for indicator in indicators:
            for breakdown in [TOTAL, *indicator.disaggregations]:

                def call(
                    indicator: Any = indicator, breakdown: str = breakdown, filters: Any = filters
                ) -> Any:
                    board = Board(5, filters)
                    board.add(indicator, breakdown)
                    return board.tiles()

                with CaptureQueriesContext(connection) as queries:
                    result = call()
                samples = repeat(call, runs, warm)
                tiles.append(
                    {
                        "filters": filter_name,
                        "indicator": indicator.code,
                        "breakdown": breakdown,
                        "rows": len(result[0].rows),
                        "queries": len(queries.captured_queries),
                        "ms": summary(samples),
                    }
                )
                save({"tiles": tiles, "pages": pages})  # a long run keeps what it measured
            print(f"  {indicator.code}: done", flush=True)
        for dashboard in sorted({i.dashboard for i in indicators}):
            chosen = [i for i in indicators if i.dashboard == dashboard]

            def page(chosen: list[Any] = chosen, filters: Any = filters) -> Any:
                board = Board(5, filters)
                for indicator in chosen:
                    for breakdown in [TOTAL, *indicator.disaggregations]:
                        board.add(indicator, breakdown)
                return board.tiles()

            with CaptureQueriesContext(connection) as queries:
                result = page()
            samples = repeat(page, max(10, runs // 3), 2)
            pages.append(
                {
                    "filters": filter_name,
                    "dashboard": dashboard,
                    "tiles": len(result),
                    "queries": len(queries.captured_queries),
                    "ms": summary(samples),
                }
            )
            print(f"  page {dashboard}: {pages[-1]['ms']}", flush=True)
        worst = max((t for t in tiles if t["filters"] == filter_name), key=lambda t: t["ms"]["p95"])
        print(f"  worst tile: {worst}", flush=True)
    return {"tiles": tiles, "pages": pages}


def _analyst() -> Any:
    """A user with the analyst role in the receiving body: sees the dashboards, not the cases
    one by one, so small counts are hidden (threshold ORIENTA_SMALL_CELL, 5)."""
    from orienta.accounts.models import Membership, User
    from orienta.accounts.roles import Role

    user, _created = User.objects.get_or_create(
        email="bench-analyst@example.org", defaults={"full_name": "Bench analyst"}
    )
    Membership.objects.get_or_create(user=user, organisation_id=MAIN_ORG, role=Role.ANALYST)
    return user


def measure_page(runs: int, warm: int) -> list[dict[str, Any]]:
    """`dashboards.compute()` as the dashboard view calls it: key figures and one breakdown,
    the filter choices, the cohort trend of the reintegration page; the user read again each
    time (a request's user has no roles cached)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orienta.accounts.models import User
    from orienta.indicators.dashboards import DASHBOARDS, compute, indicators_of

    analyst = _analyst()
    found: list[dict[str, Any]] = []
    for filter_name, filters in filter_sets().items():
        for dashboard in DASHBOARDS.values():
            offered: list[str] = []
            for indicator in indicators_of(dashboard):
                offered += [n for n in indicator.disaggregations if n not in offered]
            # The default, and two others: the month (the most categories) and the area of
            # origin (the most cells summed: the slowest tiles before the roll-ups).
            chosen = [dashboard.default_by] + [
                n for n in ("month", "admin_area") if n in offered and n != dashboard.default_by
            ]
            for by in chosen:

                def call(dashboard: Any = dashboard, by: str = by, filters: Any = filters) -> Any:
                    return compute(User.objects.get(pk=analyst.pk), dashboard, filters, by)

                with CaptureQueriesContext(connection) as queries:
                    page = call()
                found.append(
                    {
                        "filters": filter_name,
                        "dashboard": dashboard.code,
                        "by": page.by,
                        "threshold": page.threshold,
                        "tiles": len(page.key_figures) + len(page.tiles),
                        "queries": len(queries.captured_queries),
                        "ms": summary(repeat(call, runs, warm)),
                    }
                )
                print(f"  page {filter_name} {dashboard.code} by {page.by}: "
                      f"{found[-1]['ms']} q={found[-1]['queries']}", flush=True)  # fmt: skip
    return found


def measure_raw(runs: int) -> dict[str, Any]:
    """What a page without the cells would run: GROUP BY over the arrivals."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from orienta.returns.models import Arrival

    queries = {
        "sex": lambda: list(Arrival.objects.order_by().values("sex").annotate(n=Count("pk"))),
        "entry_point": lambda: list(
            Arrival.objects.order_by().values("movement__entry_point__code").annotate(n=Count("pk"))
        ),
        "month": lambda: list(
            Arrival.objects.order_by()
            .annotate(m=TruncMonth("checked_in_at"))
            .values("m")
            .annotate(n=Count("pk"))
        ),
    }
    found = {}
    for name, call in queries.items():
        print(f"raw GROUP BY {name} …", flush=True)
        found[name] = summary(repeat(call, runs, 1))
        print(f"  {found[name]}", flush=True)
    return found


def _check_in_batch(run: int, size: int) -> None:
    """One movement and `size` arrivals, new persons, one case in five (one transaction)."""
    from django.db import transaction
    from django.utils import timezone

    from orienta.cases.models import Case, Person
    from orienta.directory.models import Organisation
    from orienta.indicators.refresh import queue
    from orienta.returns.models import Arrival, EntryPoint, Movement

    rng = random.Random(run)
    org = Organisation.objects.get(pk=MAIN_ORG)
    now = timezone.now()
    with transaction.atomic():
        movement = Movement.objects.create(
            organisation=org,
            reference=f"BENCH-CHECKIN-{run}-{uuid.uuid4().hex[:6]}",
            mode="flight",
            origin_country="US",
            entry_point=EntryPoint.objects.get(code="HT-PAP-AIR"),
            scheduled_at=now,
            arrived_at=now,
            announced_headcount=size,
            status="arrived",
        )
        persons = [
            Person(
                organisation=org,
                given_name="New",
                family_name=f"Arrival {run}-{n}",
                sex=rng.choice(["male", "female"]),
                birth_date=date(1960, 1, 1) + timedelta(days=rng.randint(0, 20_000)),
                nationality="HT",
                origin_country="HT",
                origin_admin1_code=rng.choice(AREAS)[0],
                origin_admin1_name="Ouest",
            )
            for n in range(size)
        ]
        Person.objects.bulk_create(persons, batch_size=2000)
        cases = [
            Case(person=p, organisation=org, kind="forced_return", opened_on=now.date(),
                 reference=f"BX{uuid.uuid4().hex[:12]}")
            for n, p in enumerate(persons) if n % 5 == 0
        ]  # fmt: skip
        Case.objects.bulk_create(cases, batch_size=2000)
        # What their post_save receivers queue: each new case; a new person nothing (its
        # receiver queues only updates: nothing counted refers to a person when it is created).
        queue(Case, [c.pk for c in cases])
        by_person = {c.person_id: c for c in cases}
        for n, person in enumerate(persons):
            Arrival(
                movement=movement,
                organisation=org,
                person=person,
                case=by_person.get(person.pk),
                checked_in_at=now + timedelta(seconds=n),
                age_group=rng.choice(["adult", "adult", "adult", "child", "older"]),
                sex=person.sex,
                accompaniment="alone",
                documents="id_card",
                nationality="HT",
                medical_urgency=rng.random() < 0.03,
                repeat_return=rng.random() < 0.1,
            ).save()  # post_save queues the arrival and its case


def measure_refresh(runs: int, size: int) -> dict[str, Any]:
    from orienta.indicators.models import PendingChange
    from orienta.indicators.refresh import refresh

    refresh()  # anything left over
    samples, reports = [], []
    for run in range(runs):
        _check_in_batch(run, size)
        pending = PendingChange.objects.count()
        report = refresh()
        samples.append(report.seconds * 1000)
        reports.append({"pending": pending, "changes": report.changes, "facts": report.facts,
                        "cells": report.cells, "ms": round(report.seconds * 1000, 1)})  # fmt: skip
        print(f"  refresh {run + 1}: {reports[-1]}", flush=True)
    return {"rows": size, "ms": summary(samples), "runs": reports}


def measure_transition(runs: int, warm: int) -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from orienta.indicators.refresh import queue, refresh
    from orienta.referrals.models import Referral

    keys = list(
        Referral.objects.filter(status="sent")
        .order_by("pk")
        .values_list("pk", flat=True)[: runs + warm]
    )
    samples = []
    for n, key in enumerate(keys):
        with transaction.atomic():
            Referral.objects.filter(pk=key).update(
                status="acknowledged", acknowledged_at=timezone.now()
            )
            queue(Referral, [key])  # what the referral's post_save receiver queues
        report = refresh()
        if n >= warm:
            samples.append(report.seconds * 1000)
    return {"ms": summary(samples)}


def snapshot_cells() -> dict[tuple, tuple]:
    from orienta.indicators.subjects import SUBJECTS

    found: dict[tuple, tuple] = {}
    keys = ("breakdown", "category", "month", "entry_point", "origin_country", "organisation")
    for code, subject in SUBJECTS.items():
        for row in subject.cell._default_manager.values(*keys, *subject.measures):
            measures = tuple(round(float(row[m]), 6) for m in subject.measures)
            if any(measures):
                found[(code, *(str(row[k]) for k in keys))] = measures
    return found


def verify() -> dict[str, Any]:
    from orienta.indicators.refresh import rebuild, refresh

    refresh()
    before = snapshot_cells()
    rebuild()
    after = snapshot_cells()
    differ = [k for k in before.keys() | after.keys() if before.get(k) != after.get(k)]
    for key in differ[:10]:
        print(f"  differs: {key}: incremental {before.get(key)} rebuilt {after.get(key)}")
    return {"cells": len(after), "differing": len(differ), "equal": not differ}


def machine() -> dict[str, Any]:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            server = re.sub(r" on .*", "", cursor.fetchone()[0])
    else:
        import sqlite3

        server = f"SQLite {sqlite3.sqlite_version}"
    memory = None
    try:
        with open("/proc/meminfo") as handle:
            memory = round(int(handle.readline().split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).isoformat(timespec="minutes"),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_gib": memory,
        "python": platform.python_version(),
        "database": server,
        "load_average_at_start": [round(load, 2) for load in os.getloadavg()],
    }


def table(result: dict[str, Any]) -> str:
    lines = []
    if "rebuild" in result:
        lines.append(
            f"rebuild: {result['rebuild']['minutes']} min, facts {result['rebuild']['facts']}"
        )
    for row in result.get("tiles", {}).get("tiles", []):
        ms = row["ms"]
        lines.append(f"{row['filters'][:22]:22} {row['indicator']:18} {row['breakdown']:16} "
                     f"{ms['median']:8.1f} {ms['p95']:8.1f}  q={row['queries']}")  # fmt: skip
    for row in result.get("tiles", {}).get("pages", []):
        ms = row["ms"]
        lines.append(f"{row['filters'][:22]:22} page {row['dashboard']:28} {ms['median']:8.1f} "
                     f"{ms['p95']:8.1f}  tiles={row['tiles']} q={row['queries']}")  # fmt: skip
    for row in result.get("page", []):
        ms = row["ms"]
        lines.append(f"{row['filters'][:22]:22} compute {row['dashboard']:13} by {row['by']:14} "
                     f"{ms['median']:8.1f} {ms['p95']:8.1f}  q={row['queries']}")  # fmt: skip
    for name in ("raw", "refresh", "transition", "verify"):
        if name in result:
            lines.append(
                f"{name}: {json.dumps({k: v for k, v in result[name].items() if k != 'runs'})}"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--database-url", default=PG_URL)
    parser.add_argument("--scale", choices=list(SCALES), default="full")
    parser.add_argument("--arrivals", type=int, help="default: the scale's")
    parser.add_argument("--referrals", type=int, help="default: the scale's")
    parser.add_argument("--runs", type=int, default=30, help="runs per tile (after warm-up)")
    parser.add_argument("--warm", type=int, default=3)
    parser.add_argument("--refresh-runs", type=int, default=10)
    parser.add_argument("--manifest", type=int, default=5_000, help="arrivals per refresh")
    parser.add_argument("--raw-runs", type=int, default=10)
    parser.add_argument("--only", help=f"comma-separated steps among {', '.join(STEPS)}")
    parser.add_argument("--reuse", action="store_true", help="keep the database (no generate)")
    parser.add_argument("--home", help="ORIENTA_HOME (SQLite: where the database is)")
    args = parser.parse_args()
    arrivals, referrals = SCALES[args.scale]
    args.arrivals = args.arrivals or arrivals
    args.referrals = args.referrals or referrals
    steps = set(args.only.split(",")) if args.only else set(STEPS)
    if args.arrivals > 200_000 and not args.only:
        steps.discard("verify")  # a second rebuild: say --only verify to have it
    if args.reuse:
        steps.discard("generate")
    if args.database == "postgres" and "generate" in steps:
        _recreate_database(args.database_url)
    _django(args)
    result: dict[str, Any] = {"machine": machine(), "arguments": vars(args)}
    print(json.dumps(result["machine"]), flush=True)
    name = f"indicators-{args.database}-{args.scale}"
    out = ROOT / "bench" / "results" / f"{name}.json"
    out.parent.mkdir(exist_ok=True)
    if out.exists() and args.only:
        result = {**json.loads(out.read_text()), **result}

    def save() -> None:
        out.write_text(json.dumps(result, indent=1, default=str))

    if "generate" in steps:
        print("generate …", flush=True)
        result["data"] = generate(args)
        save()
        print(json.dumps(result["data"]), flush=True)
    if "rebuild" in steps:
        result["rebuild"] = measure_rebuild()
        save()
    if "tiles" in steps:

        def keep(tiles: dict[str, Any]) -> None:
            result["tiles"] = tiles
            save()

        result["tiles"] = measure_tiles(args.runs, args.warm, keep)
        save()
    if "page" in steps:
        print("dashboard pages (compute) …", flush=True)
        result["page"] = measure_page(args.runs, args.warm)
        result["cells"] = cell_counts()
        save()
    if "raw" in steps:
        result["raw"] = measure_raw(args.raw_runs)
        save()
    if "refresh" in steps:
        print("refresh after check-ins …", flush=True)
        result["refresh"] = measure_refresh(args.refresh_runs, args.manifest)
        save()
    if "transition" in steps:
        print("referral transition …", flush=True)
        result["transition"] = measure_transition(args.runs, args.warm)
        save()
    if "verify" in steps:
        print("verify …", flush=True)
        result["verify"] = verify()
        save()
    print(table(result))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
