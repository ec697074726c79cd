"""Keeping the pre-aggregated cells up to date (see models.py for the design).

- `queue(model, keys)`: called by the signal receivers (receivers.py) in the transaction that
  changes the records; a refresh is scheduled for when it commits (a django-tasks task, which the
  default backend runs straight away).
- `refresh()`: reads the queued records again and adds the difference to the cells. The work is
  proportional to the records changed, never to the records counted.
- `rebuild()`: recounts everything from the records (after installing, or to check).

One refresh at a time: on PostgreSQL a transaction-level advisory lock serialises them (two
refreshes reading the same fact would both add its difference); SQLite serialises writers anyway.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import BigIntegerField, Model

from orienta.cases.models import Case, Person
from orienta.indicators.models import CELL_KEY, AreaName, Fact, PendingChange
from orienta.indicators.subjects import ALL, FILTERS, SUBJECTS, TOTAL, Read, Subject
from orienta.referrals.models import Referral
from orienta.reintegration.models import SurveyRound
from orienta.returns.models import Arrival, Movement

#: Keys read per query (well under SQLite's limit on parameters).
SLICE = 2_000
_LOCK = 0x0E1E_17A  # the advisory lock's key: any constant of ours

CellKey = tuple[str, str, str, str, str, str]  # breakdown, category, month, point, country, org


@dataclass
class Report:
    changes: int = 0
    facts: dict[str, int] = field(default_factory=dict)
    cells: int = 0
    seconds: float = 0.0


def label(model: type[Model]) -> str:
    return str(model._meta.label_lower)


# --- Queueing -----------------------------------------------------------------------------------


def queue(model: type[Model], keys: Iterable[Any]) -> None:
    """Queue these records for the next refresh, and schedule one when the transaction commits."""
    rows = [PendingChange(model=label(model), key=str(key)) for key in keys if key is not None]
    if not rows:
        return
    PendingChange.objects.bulk_create(rows, batch_size=SLICE)
    _schedule()


_loading = threading.local()


@contextmanager
def deferred() -> Iterator[None]:
    """Queue changes but refresh nothing when each transaction commits: for a bulk load (the
    demo) that ends with `rebuild()`, which recounts everything once."""
    before = getattr(_loading, "deferred", False)
    _loading.deferred = True
    try:
        yield
    finally:
        _loading.deferred = before


def _schedule() -> None:
    from orienta.indicators.tasks import refresh_indicators

    if getattr(_loading, "deferred", False):
        return

    # Once per transaction: an import of 5,000 rows queues 5,000 times and needs one refresh.
    # (Django keeps the callbacks of the open transaction in `run_on_commit`.)
    pending = getattr(connection, "run_on_commit", [])
    if any(getattr(callback, "_orienta_refresh", False) for _ids, callback, *_ in pending):
        return

    def enqueue() -> None:
        refresh_indicators.enqueue()

    enqueue._orienta_refresh = True  # type: ignore[attr-defined]
    transaction.on_commit(enqueue)


# --- From queued records to the facts to read again -------------------------------------------


def _slices(keys: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(keys), SLICE):
        yield keys[start : start + SLICE]


def _where(model: type[Model], field_name: str, values: set[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(values)
    for part in _slices(ordered):
        found.update(
            str(pk)
            for pk in model._default_manager.filter(**{f"{field_name}__in": part}).values_list(
                "pk", flat=True
            )
        )
    return found


def affected(changes: dict[str, set[str]]) -> dict[str, set[str]]:
    """The records of each subject whose facts may have changed with these records."""
    persons = changes.get(label(Person), set())
    movements = changes.get(label(Movement), set())
    arrivals = changes.get(label(Arrival), set()) | _where(Arrival, "person_id", persons)
    arrivals |= _where(Arrival, "movement_id", movements)
    cases = changes.get(label(Case), set()) | _where(Case, "person_id", persons)
    # A case's entry point is its first arrival's: a changed arrival may change its case's.
    cases |= {
        str(case_id)
        for part in _slices(sorted(arrivals))
        for case_id in Arrival.objects.filter(pk__in=part, case_id__isnull=False).values_list(
            "case_id", flat=True
        )
    }
    referrals = changes.get(label(Referral), set()) | _where(Referral, "case_id", cases)
    surveys = changes.get(label(SurveyRound), set()) | _where(SurveyRound, "case_id", cases)
    return {
        "arrivals": arrivals,
        "movements": movements,
        "referrals": referrals,
        "cases": cases,
        "surveys": surveys,
    }


# --- Differences into cells -------------------------------------------------------------------


def cell_keys(subject: Subject, categories: dict[str, str]) -> Iterator[CellKey]:
    month = categories.get("month", "")
    where = tuple(categories.get(name, "") for name in FILTERS)
    for breakdown in subject.breakdowns:
        category = "" if breakdown == TOTAL else categories.get(breakdown, "")
        yield (breakdown, category, *where)  # type: ignore[misc]
        yield (breakdown, category, month, ALL, ALL, ALL)


def _add(
    deltas: dict[CellKey, dict[str, float]],
    subject: Subject,
    categories: dict[str, str],
    measures: dict[str, float],
    sign: float,
) -> None:
    for key in cell_keys(subject, categories):
        cell = deltas[key]
        for name, value in measures.items():
            if value:
                cell[name] = cell.get(name, 0.0) + sign * value


def upsert(subject: Subject, deltas: dict[CellKey, dict[str, float]]) -> int:
    """Add `deltas` to the cells, creating those that do not exist yet (one statement per
    slice: INSERT … ON CONFLICT DO UPDATE, which PostgreSQL and SQLite both have)."""
    rows = [(key, values) for key, values in deltas.items() if any(values.values())]
    if not rows:
        return 0
    meta = subject.cell._meta
    table = connection.ops.quote_name(meta.db_table)
    measures = list(subject.measures)
    columns = ", ".join(connection.ops.quote_name(name) for name in CELL_KEY + measures)
    updates = ", ".join(
        f"{q} = {table}.{q} + excluded.{q}"
        for q in (connection.ops.quote_name(name) for name in measures)
    )
    width = len(CELL_KEY) + len(measures)
    placeholder = "(" + ", ".join(["%s"] * width) + ")"
    conflict = ", ".join(connection.ops.quote_name(name) for name in CELL_KEY)
    step = max(1, 30_000 // width // 2)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), step):
            part = rows[start : start + step]
            params: list[Any] = []
            for (breakdown, category, month, point, country, org), values in part:
                params += [breakdown, category, _month_date(month), point, country, org]
                params += [values.get(name, 0) for name in measures]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608 (names are ours)
                + ", ".join([placeholder] * len(part))
                + f" ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
                params,
            )
    return len(rows)


def _copy(table: str, columns: list[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write rows with PostgreSQL's COPY: a rebuild writes millions of facts, and an INSERT
    of thousands of parameters costs more to build on the client than to run."""
    names = ", ".join(connection.ops.quote_name(name) for name in columns)
    statement = f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _copy_cells(subject: Subject, deltas: dict[CellKey, dict[str, float]]) -> int:
    measures = list(subject.measures)
    meta = subject.cell._meta
    whole = [isinstance(meta.get_field(name), BigIntegerField) for name in measures]
    rows = [
        (breakdown, category, _month_date(month), point, country, org)
        + tuple(
            round(values.get(name, 0)) if integer else values.get(name, 0)
            for name, integer in zip(measures, whole, strict=True)
        )
        for (breakdown, category, month, point, country, org), values in deltas.items()
        if any(values.values())
    ]
    _copy(subject.cell._meta.db_table, CELL_KEY + measures, rows)
    return len(rows)


def _month_date(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def _same(before: Fact | None, after: Read | None) -> bool:
    if before is None or after is None:
        return False
    return before.categories == after[1] and before.measures == after[2]


def _apply(
    subject: Subject,
    keys: Sequence[str],
    names: dict[str, str],
    fresh: bool,
    into: dict[CellKey, dict[str, float]] | None = None,
) -> int:
    """Bring the facts of `keys` up to date and return the number of cells touched. `fresh`:
    there are no facts yet (a rebuild), so none is read. `into`: add the differences there
    and leave the cells to the caller (a rebuild writes each cell once, not once per chunk)."""
    deltas: dict[CellKey, dict[str, float]] = defaultdict(dict) if into is None else into
    new: dict[str, Read] = {read[0]: read for read in subject.read(keys, names)}
    old: dict[str, Fact] = {}
    if not fresh:
        old = {f.key: f for f in Fact.objects.filter(subject=subject.code, key__in=keys)}
    created, changed, gone = [], [], []
    for key in keys:
        before, after = old.get(key), new.get(key)
        if _same(before, after):
            continue
        if before is not None:
            _add(deltas, subject, before.categories, before.measures, -1.0)
        if after is not None:
            _add(deltas, subject, after[1], after[2], 1.0)
            if before is None:
                created.append(
                    Fact(subject=subject.code, key=key, categories=after[1], measures=after[2])
                )
            else:
                before.categories, before.measures = after[1], after[2]
                changed.append(before)
        elif before is not None:
            gone.append(before.pk)
    if connection.vendor == "postgresql":
        _copy(
            Fact._meta.db_table,
            ["subject", "key", "categories", "measures"],
            ((f.subject, f.key, json.dumps(f.categories), json.dumps(f.measures)) for f in created),
        )
    else:
        Fact.objects.bulk_create(created, batch_size=SLICE)
    Fact.objects.bulk_update(changed, ["categories", "measures"], batch_size=SLICE)
    Fact.objects.filter(pk__in=gone).delete()
    return upsert(subject, deltas) if into is None else 0


def _save_names(names: dict[str, str]) -> None:
    if names:
        AreaName.objects.bulk_create(
            [AreaName(code=code, name=name) for code, name in names.items()],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name"],
        )


def _serialise() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])


# --- Refresh and rebuild ------------------------------------------------------------------------


def refresh(limit: int = 50_000) -> Report:
    """Apply the queued changes (at most `limit` of them; call again while `changes` is
    `limit`)."""
    started = time.perf_counter()
    report = Report()
    with transaction.atomic():
        _serialise()
        pending = list(
            PendingChange.objects.order_by("pk").values_list("pk", "model", "key")[:limit]
        )
        if not pending:
            return report
        changes: dict[str, set[str]] = defaultdict(set)
        for _pk, model, key in pending:
            changes[model].add(key)
        names: dict[str, str] = {}
        for code, keys in affected(changes).items():
            ordered = sorted(keys)
            report.facts[code] = len(ordered)
            for part in _slices(ordered):
                report.cells += _apply(SUBJECTS[code], part, names, fresh=False)
        _save_names(names)
        done = [pk for pk, _model, _key in pending]
        for part in _slices(done):
            PendingChange.objects.filter(pk__in=part).delete()
        report.changes = len(pending)
    report.seconds = time.perf_counter() - started
    return report


def rebuild(subjects: Iterable[str] | None = None, chunk: int = 5_000) -> Report:
    """Recount the cells of these subjects (all by default) from every record."""
    started = time.perf_counter()
    report = Report()
    codes = list(subjects or SUBJECTS)
    with transaction.atomic():
        _serialise()
        if set(codes) == set(SUBJECTS):
            PendingChange.objects.all().delete()
        names: dict[str, str] = {}
        for code in codes:
            subject = SUBJECTS[code]
            subject.cell._default_manager.all().delete()
            Fact.objects.filter(subject=code).delete()
            total = 0
            after: Any = None
            source = subject.source._default_manager.order_by("pk")
            # The cells of every chunk, written once at the end: a chunk of records in key order
            # touches most cells, so writing them per chunk rewrote each cell once per chunk.
            deltas: dict[CellKey, dict[str, float]] = defaultdict(dict)
            while True:
                page = source.filter(pk__gt=after) if after is not None else source
                keys = list(page.values_list("pk", flat=True)[:chunk])
                if not keys:
                    break
                after = keys[-1]
                _apply(subject, [str(k) for k in keys], names, fresh=True, into=deltas)
                total += len(keys)
            if connection.vendor == "postgresql":  # the cells are empty: no conflict
                report.cells += _copy_cells(subject, deltas)
            else:
                report.cells += upsert(subject, deltas)
            report.facts[code] = total
        _save_names(names)
    report.seconds = time.perf_counter() - started
    return report
