"""Referrals benchmark at scale: the provider inbox, sending one referral, escalation.

    python bench/referrals.py                        # PostgreSQL, 1,000,000 referrals, 3 runs
    python bench/referrals.py --reuse                # measure again on the kept database
    python bench/referrals.py --database sqlite --home /tmp/orienta-bench-referrals-sqlite
    python bench/referrals.py --referrals 20000 --cases 5000 --requests 20 --overdue 500  # a look

Targets (issue R), with 1,000,000 referrals stored: the provider inbox p95 ≤ 50 ms (server
time); sending one referral (matching, gates, packet, audit) p95 ≤ 100 ms; escalation over
1,000,000 open referrals ≤ 30 s.

The data: 4 sending organisations (200 caseworkers, 8 supervisors) holding the cases of
`--cases` synthetic persons (`orienta.cases.synthetic`), each case with one to three needs and
the person's consents; 200 receiving organisations with 1–3 focal points and 2–6 services each
(every taxonomy leaf offered), a data-sharing agreement between every sender and every
recipient; `--referrals` referrals with their packets (4 entries each) and the notification
each sent; recipients weighted so that a few are large: the measured inbox's organisation
receives 2 % of all referrals with 10 % of them open (20,000 and about 2,000 at 1M), the
largest 6 % with the general mix (60,000, about 30,000 open). General status mix: 40 %
completed or not completed, 30 % accepted or in service, 20 % sent or acknowledged, 10 %
declined, cancelled or expired. Sent referrals are recent and already escalated as far as
their age says, as the hourly job leaves them; each run first moves the time-dependent rows
by the time elapsed since the last run, so that `--reuse` measures the same situation.

Escalation is measured on a second state of the same table: the closed referrals are made
open (so all 1,000,000 are sent, acknowledged, accepted or in service), and before each run a
fresh set becomes due: `--overdue` newly past their acknowledgement deadline, a tenth of that
at twice the deadline and a fifteenth at three times (expiring). The run is timed, then run
again at once (idempotent: nothing left to do). The open state is undone afterwards (the
original values are kept in the table bench_referral_saved until then).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from foundation import PG_ADMIN, percentile  # noqa: E402

PG_REFERRALS = "postgres://postgres@127.0.0.1:5432/orienta_bench_referrals"
SENDERS, WORKERS, SUPERVISORS, RECIPIENTS = 4, 50, 2, 200
INBOX_ORG = "Prestataire 000 (synthétique)"  # the measured inbox
LARGEST_ORG = "Prestataire 001 (synthétique)"
INBOX_SHARE, LARGEST_SHARE = 0.02, 0.06

MIX = {
    "completed": 0.32,
    "not_completed": 0.08,
    "accepted": 0.12,
    "in_progress": 0.18,
    "sent": 0.12,
    "acknowledged": 0.08,
    "declined": 0.06,
    "cancelled": 0.025,
    "expired": 0.015,
}
INBOX_MIX = {  # an organisation that answers its referrals: 10 % open
    "completed": 0.58,
    "not_completed": 0.12,
    "declined": 0.12,
    "cancelled": 0.05,
    "expired": 0.03,
    "accepted": 0.035,
    "in_progress": 0.035,
    "sent": 0.02,
    "acknowledged": 0.01,
}
OPEN_MIX = {"sent": 0.24, "acknowledged": 0.16, "accepted": 0.30, "in_progress": 0.30}
OPEN = ("sent", "acknowledged", "accepted", "in_progress")
URGENCIES = (("critical", 0.05), ("high", 0.35), ("normal", 0.60))
GROUPS = ["identity", "contact", "needs", "vulnerability_summary"]
TIMED_COLUMNS = [
    "status",
    "escalation_level",
    "version",
    "created_at",
    "updated_at",
    "sent_at",
    "acknowledge_by",
    "escalate_at",
    "expire_at",
    "acknowledged_at",
    "answered_at",
    "started_at",
    "finished_at",
    "closed_at",
    "outcome",
    "outcome_date",
    "decline_reason",
    "not_completed_reason",
    "cancel_reason",
]
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


# -- environment ---------------------------------------------------------------------------


def prepare(args: argparse.Namespace) -> str:
    url = args.database_url or (
        PG_REFERRALS
        if args.database == "postgres"
        else f"sqlite:///{Path(args.home).resolve() / 'orienta.sqlite3'}"
    )
    Path(args.home).mkdir(parents=True, exist_ok=True)
    os.environ["ORIENTA_HOME"] = str(Path(args.home).resolve())
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orienta.settings")
    os.environ["ORIENTA_LOG_LEVEL"] = "WARNING"
    os.environ["ORIENTA_ALLOWED_HOSTS"] = "testserver"
    os.environ["ORIENTA_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["ORIENTA_TASKS_BACKEND"] = (
        "django_tasks.backends.dummy.DummyBackend"
        if args.tasks == "dummy"
        else "django_tasks.backends.immediate.ImmediateBackend"
    )
    # Synthetic data only: a fixed key, so that a kept database decrypts in any later run.
    os.environ.setdefault(
        "ORIENTA_FIELD_KEYS",
        base64.urlsafe_b64encode(hashlib.sha256(b"orienta bench referrals").digest()).decode(),
    )
    if args.reuse:
        return url
    if url.startswith("postgres"):
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    else:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    return url


class Values:
    """Python values as each database takes them in bulk (COPY on PostgreSQL, executemany on
    SQLite, where Django keeps UUIDs as 32 hex digits and datetimes as naive UTC text)."""

    def __init__(self, vendor: str) -> None:
        self.pg = vendor == "postgresql"

    def uid(self, value: Any) -> Any:
        if value is None:
            return None
        return value if self.pg else value.hex

    def ts(self, value: datetime | None) -> Any:
        if value is None or self.pg:
            return value
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    def day(self, value: Any) -> Any:
        return value if value is None or self.pg else value.isoformat()


def write(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection

    if not rows:
        return
    q = connection.ops.quote_name
    names = ", ".join(q(c) for c in columns)
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {q(table)} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        connection.ensure_connection()
        marks = ", ".join("?" for _ in columns)
        connection.connection.executemany(
            f"INSERT INTO {q(table)} ({names}) VALUES ({marks})",  # noqa: S608 - names, no values
            rows,
        )


def sql(statement: str, params: Any = None) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def analyse(table: str = "") -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        sql(f"VACUUM ANALYZE {table}")
    else:
        sql(f"ANALYZE {table}")


def meta(name: str, value: Any = None) -> Any:
    sql(
        "CREATE TABLE IF NOT EXISTS bench_referrals_meta (name varchar(40) PRIMARY KEY, value text)"
    )
    if value is None:
        found = sql("SELECT value FROM bench_referrals_meta WHERE name = %s", [name])
        return json.loads(found[0][0]) if found else None
    sql("DELETE FROM bench_referrals_meta WHERE name = %s", [name])
    sql("INSERT INTO bench_referrals_meta VALUES (%s, %s)", [name, json.dumps(value)])
    return value


# -- the data --------------------------------------------------------------------------------


def _hours() -> dict[str, int]:
    from django.conf import settings

    return {k: int(v) for k, v in settings.ORIENTA_REFERRAL_ACKNOWLEDGE_HOURS.items()}


def timeline(status: str, hours: int, now: datetime, rng: random.Random) -> dict[str, Any]:
    """Consistent moments for a referral in `status` with a deadline of `hours`, as of `now`.
    Sent ones are recent and at the escalation level their age gives."""
    h = hours * HOUR
    level = 0
    ack = answered = started = finished = closed = None
    if status == "sent":
        band = rng.random()
        if band < 0.7:
            sent, level = now - h * rng.uniform(0.05, 0.95), 0
        elif band < 0.9:
            sent, level = now - h * rng.uniform(1.05, 1.95), 1
        else:
            sent, level = now - h * rng.uniform(2.05, 2.95), 2
    elif status == "acknowledged":
        sent = now - DAY * rng.uniform(0.2, 14)
        ack = min(sent + h * rng.uniform(0.05, 0.9), sent + (now - sent) / 2)
    elif status in ("accepted", "in_progress"):
        sent = now - DAY * rng.uniform(1, 180)
        ack = sent + h * rng.uniform(0.05, 0.9)
        answered = min(ack + DAY * rng.uniform(0, 2), now)
        if status == "in_progress":
            started = min(answered + DAY * rng.uniform(0, 7), now)
    else:
        sent = now - DAY * rng.uniform(10, 730)
        if status == "expired":
            closed, level = sent + 3 * h, 3
        elif status == "cancelled":
            closed = sent + DAY * rng.uniform(0, 3)
        else:
            ack = sent + h * rng.uniform(0.05, 0.9)
            answered = ack + DAY * rng.uniform(0, 2)
            if status == "declined":
                closed = answered
            else:
                started = answered + DAY * rng.uniform(0, 7)
                finished = closed = started + DAY * rng.uniform(1, 60)
    created = sent - timedelta(minutes=rng.uniform(1, 30))
    latest = max(t for t in (sent, ack, answered, started, finished, closed) if t is not None)
    return {
        "status": status,
        "escalation_level": level,
        "version": 2 + sum(t is not None for t in (ack, answered, started, closed)),
        "created_at": created,
        "updated_at": latest,
        "sent_at": sent,
        "acknowledge_by": sent + h,
        "escalate_at": sent + 2 * h,
        "expire_at": sent + 3 * h,
        "acknowledged_at": ack,
        "answered_at": answered,
        "started_at": started,
        "finished_at": finished,
        "closed_at": closed,
        "outcome": "served" if status == "completed" else "",
        "outcome_date": finished.date() if status == "completed" and finished else None,
        "decline_reason": "no_capacity" if status == "declined" else "",
        "not_completed_reason": "did_not_come" if status == "not_completed" else "",
        "cancel_reason": "Annulée (synthétique)." if status == "cancelled" else "",
    }


def _timed_row(values: Values, moments: dict[str, Any]) -> list[Any]:
    row = []
    for column in TIMED_COLUMNS:
        value = moments[column]
        if column == "outcome_date":
            value = values.day(value)
        elif isinstance(value, datetime):
            value = values.ts(value)
        row.append(value)
    return row


def build(args: argparse.Namespace) -> dict[str, Any]:
    """Everything from an empty database; returns what the measures need to find again."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from orienta.accounts.models import Membership, Notification, User
    from orienta.accounts.roles import Role
    from orienta.cases import crypto
    from orienta.cases.models import Case, Consent, Need
    from orienta.cases.packs import load_screening
    from orienta.cases.synthetic import Owner, generate_cases
    from orienta.directory import models as d
    from orienta.directory.synthetic import AREAS
    from orienta.directory.taxonomy import load_taxonomy
    from orienta.referrals.models import DataSharingAgreement, PacketEntry, Referral

    rng = random.Random(args.seed)  # noqa: S311 - synthetic data
    values = Values(connection.vendor)
    now = timezone.now()
    today = timezone.localdate()
    steps: dict[str, float] = {}
    started = time.perf_counter()

    load_taxonomy()
    load_screening("ht")
    leaves = list(d.TaxonomyTerm.objects.exclude(parent=None).values_list("id", "code"))
    unusable = make_password(None)

    # Senders and their staff.
    senders = d.Organisation.objects.bulk_create(
        d.Organisation(name=f"Registre {n} (synthétique)", kind="state_institution", country="HT")
        for n in range(SENDERS)
    )
    owners, staff = [], []
    for n, org in enumerate(senders):
        workers = User.objects.bulk_create(
            User(email=f"cw-{n}-{k:02d}@bench.invalid", full_name=f"CW {n}-{k}", password=unusable)
            for k in range(WORKERS)
        )
        bosses = User.objects.bulk_create(
            User(email=f"sup-{n}-{k}@bench.invalid", full_name=f"Sup {n}-{k}", password=unusable)
            for k in range(SUPERVISORS)
        )
        staff += [Membership(user=u, organisation=org, role=Role.CASEWORKER) for u in workers]
        staff += [Membership(user=u, organisation=org, role=Role.CASE_SUPERVISOR) for u in bosses]
        owners.append(Owner(org, workers))
    Membership.objects.bulk_create(staff)

    # Recipients, their focal points and services (every leaf offered somewhere).
    recipients = d.Organisation.objects.bulk_create(
        d.Organisation(
            name=f"Prestataire {n:03d} (synthétique)",
            kind="ngo",
            country="HT",
            email=f"contact-{n:03d}@bench.invalid",
        )
        for n in range(RECIPIENTS)
    )
    focal: dict[Any, list[int]] = {}
    members = []
    for n, org in enumerate(recipients):
        users = User.objects.bulk_create(
            User(email=f"fp-{n:03d}-{k}@bench.invalid", full_name=f"FP {n}-{k}", password=unusable)
            for k in range(3 if n < 2 else rng.randint(1, 3))
        )
        focal[org.pk] = [u.pk for u in users]
        members += [
            Membership(user=u, organisation=org, role=Role.PROVIDER_FOCAL_POINT) for u in users
        ]
    Membership.objects.bulk_create(members)
    services, locations, links, attributes = [], [], [], []
    offered: dict[Any, list[tuple[Any, Any]]] = {}  # organisation → [(service, sal)]
    leaf_cycle = 0
    for org in recipients:
        for _ in range(rng.randint(2, 6)):
            code, area, lat, lon = rng.choice(AREAS)
            service = d.Service(
                id=uuid.UUID(int=rng.getrandbits(128)),
                organization=org,
                name=f"Service {len(services)} {area} ({org.name[:15]})",
                status="active",
                accepts_referrals=True,
                email=f"service-{len(services)}@bench.invalid",
                assured_date=today - timedelta(days=rng.randint(0, 300)),
            )
            location = d.Location(
                id=uuid.UUID(int=rng.getrandbits(128)),
                location_type="physical",
                latitude=lat + rng.uniform(-0.3, 0.3),
                longitude=lon + rng.uniform(-0.3, 0.3),
                country="HT",
                admin1_code=code,
                admin1_name=area,
            )
            sal = d.ServiceAtLocation(
                id=uuid.UUID(int=rng.getrandbits(128)), service=service, location=location
            )
            terms = {leaves[leaf_cycle % len(leaves)][0], rng.choice(leaves)[0]}
            leaf_cycle += 1
            attributes += [
                d.Attribute(link_id=service.id, link_entity="service", taxonomy_term_id=t)
                for t in terms
            ]
            services.append(service)
            locations.append(location)
            links.append(sal)
            offered.setdefault(org.pk, []).append((service.id, sal.id))
    d.Service.objects.bulk_create(services)
    d.Location.objects.bulk_create(locations)
    d.ServiceAtLocation.objects.bulk_create(links)
    d.Attribute.objects.bulk_create(attributes)
    d.directory_changed()

    # A bilateral agreement between every sender and every recipient.
    agreements = DataSharingAgreement.objects.bulk_create(
        DataSharingAgreement(
            title=f"Accord {s.name} – {r.name}",
            purposes=["referral"],
            field_groups=[*GROUPS, "documents"],
            valid_from=today - timedelta(days=800),
            status="in_force",
        )
        for s in senders
        for r in recipients
    )
    agreement_of: dict[tuple[Any, Any], Any] = {}
    through = DataSharingAgreement.parties.through
    parties = []
    for agreement, (s, r) in zip(
        agreements, [(s, r) for s in senders for r in recipients], strict=True
    ):
        agreement_of[(s.pk, r.pk)] = agreement.pk
        parties += [
            through(datasharingagreement_id=agreement.pk, organisation_id=s.pk),
            through(datasharingagreement_id=agreement.pk, organisation_id=r.pk),
        ]
    through.objects.bulk_create(parties)
    steps["organisations, services, agreements"] = time.perf_counter() - started

    # Cases, their needs and consents.
    mark = time.perf_counter()
    generate_cases(
        country="HT",
        owners=owners,
        persons=args.cases,
        seed=args.seed,
        screenings=True,
        batch=10_000,
    )
    steps["persons and cases (orienta.cases.synthetic)"] = time.perf_counter() - mark
    mark = time.perf_counter()
    cases = list(Case.objects.values_list("id", "organisation_id", "assigned_to_id", "created_at"))
    needs, consents = [], []
    for case_id, _org, worker, created in cases:
        chosen = rng.sample(leaves, rng.choice([1, 1, 1, 1, 1, 2, 2, 2, 3, 3]))
        for term_id, _code in chosen:
            needs.append(
                Need(
                    case_id=case_id,
                    term_id=term_id,
                    urgency=rng.choices(["immediate", "high", "normal"], [0.1, 0.4, 0.5])[0],
                    created_by_id=worker,
                    created_at=created,
                )
            )
        common = {"case_id": case_id, "given_by": "person", "method": "verbal_certified"}
        common |= {"script_language": "fr", "given_on": created.date(), "recorded_by_id": worker}
        consents.append(Consent(purpose="registration", created_at=created, **common))
        for top in sorted({code.split("-")[0] for _t, code in chosen}):
            consents.append(
                Consent(purpose="referral", recipient_category=top, created_at=created, **common)
            )
    Need.objects.bulk_create(needs, batch_size=5000)
    Consent.objects.bulk_create(consents, batch_size=5000)
    del needs, consents
    needs_of: dict[Any, list[tuple[int, str]]] = {}
    for need_id, case_id, code in Need.objects.values_list("id", "case_id", "term__code"):
        needs_of.setdefault(case_id, []).append((need_id, code))
    steps["needs and consents"] = time.perf_counter() - mark

    # The referrals, their packets and the notification each sent, in bulk.
    mark = time.perf_counter()
    total = args.referrals
    counts = [round(total * INBOX_SHARE), round(total * LARGEST_SHARE)]
    weights = [1 / (k + 10) ** 0.8 for k in range(RECIPIENTS - 2)]
    rest = total - sum(counts)
    counts += [int(rest * w / sum(weights)) for w in weights]
    counts[-1] += total - sum(counts)
    assignment = [i for i, c in enumerate(counts) for _ in range(c)]
    rng.shuffle(assignment)
    hours = _hours()
    note = crypto.encrypt("Orientation pour le besoin indiqué (texte synthétique).")
    sample_packet = {
        "identity": {"given_name": "Wilner", "family_name": "Dorsainvil", "sex": "male",
                     "birth_date": "1991-04-12", "age": 35, "nationality": "HT",
                     "other_names": [], "case_reference": "ABCD-EFGH-JKMN"},
        "contact": {"phone": "+509 3700 0000", "locality": "Nord-Est", "languages": ["fr", "ht"]},
        "needs": {"referred_for": "Hébergement temporaire", "referred_for_code": "SHEL-TEMP",
                  "urgency": "high", "reason": "Orientation (synthétique)", "other_needs": []},
        "vulnerability_summary": {"priority": "medium", "child": False, "specific_needs": [],
                                  "health_flag": False, "protection_flag": False},
    }  # fmt: skip
    contents = {g: crypto.encrypt(json.dumps(sample_packet[g], sort_keys=True)) for g in GROUPS}
    groups_json = json.dumps(GROUPS)
    referral_columns = [f.column for f in Referral._meta.concrete_fields]
    fixed = [c for c in referral_columns if c not in TIMED_COLUMNS]
    packet_columns = [
        "referral_id",
        "field_group",
        "content",
        "initial",
        "shared_by_id",
        "shared_at",
    ]
    notice_columns = ["user_id", "key", "title", "body", "url", "created_at", "read_at"]
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    recipient_ids = [r.pk for r in recipients]
    urgency_names = [u for u, _w in URGENCIES]
    urgency_weights = [w for _u, w in URGENCIES]
    mixes = [list(INBOX_MIX), list(MIX)]
    mix_weights = [list(INBOX_MIX.values()), list(MIX.values())]
    chunk = 20_000
    for first in range(0, total, chunk):
        rows, packets, notices = [], [], []
        for n in range(first, min(first + chunk, total)):
            recipient = recipient_ids[assignment[n]]
            which = 0 if assignment[n] == 0 else 1
            status = rng.choices(mixes[which], mix_weights[which])[0]
            case_id, sender, worker, _created = cases[rng.randrange(len(cases))]
            need_id, code = rng.choice(needs_of[case_id])
            service_id, sal_id = rng.choice(offered[recipient])
            urgency = rng.choices(urgency_names, urgency_weights)[0]
            moments = timeline(status, hours[urgency], now, rng)
            referral_id = uuid.UUID(int=rng.getrandbits(128))
            scrambled = (n * 0x9E3779B97F4A7C1) % (1 << 60)  # unique for n < 2**60
            code12 = "".join(alphabet[(scrambled >> (5 * i)) & 31] for i in range(12))
            plain = {
                "id": values.uid(referral_id),
                "reference": f"{code12[:4]}-{code12[4:8]}-{code12[8:]}",
                "case_id": values.uid(case_id),
                "need_id": need_id,
                "category": code,
                "sender_organisation_id": values.uid(sender),
                "sent_by_id": worker,
                "recipient_organisation_id": values.uid(recipient),
                "service_id": values.uid(service_id),
                "service_at_location_id": values.uid(sal_id),
                "urgency": urgency,
                "note": note,
                "field_groups": groups_json,
                "matching_reasons": "[]",
                "agreement_id": values.uid(agreement_of[(sender, recipient)]),
                "emergency_override": False,
                "override_reason": "",
                "override_missing": "[]",
                "parent_id": None,
                "external": rng.random() < 0.02,
                "acknowledge_hours": hours[urgency],
                "decline_note": "",
                "outcome_note": "",
            }
            rows.append(tuple(plain[c] for c in fixed) + tuple(_timed_row(values, moments)))
            shared = values.ts(moments["sent_at"])
            for group in GROUPS:
                packets.append(
                    (values.uid(referral_id), group, contents[group], True, worker, shared)
                )
            read = moments["sent_at"] + HOUR if moments["sent_at"] < now - 2 * DAY else None
            notices.append(
                (
                    focal[recipient][0],
                    f"referral:{referral_id}:sent",
                    f"Nouvelle orientation {plain['reference']} (synthétique)",
                    "",
                    f"/referrals/{referral_id}/",
                    shared,
                    values.ts(read),
                )
            )
        with transaction.atomic():
            write(Referral._meta.db_table, fixed + TIMED_COLUMNS, rows)
            write(PacketEntry._meta.db_table, packet_columns, packets)
            write(Notification._meta.db_table, notice_columns, notices)
        if (first // chunk) % 10 == 0:
            print(f"  referrals {first + len(rows):,} / {total:,}", flush=True)
    steps["referrals, packets, notifications (bulk)"] = time.perf_counter() - mark
    mark = time.perf_counter()
    analyse()
    steps["VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"] = (
        time.perf_counter() - mark
    )
    meta("as_of", now.isoformat())
    meta("generated", {k: round(v, 1) for k, v in steps.items()})
    return {k: round(v, 1) for k, v in steps.items()}


def rebase() -> float:
    """Move the time-dependent referrals (sent, acknowledged) by the time since the data was
    last made consistent, so that tabs and escalation levels are those of generation time."""
    from django.db.models import F
    from django.utils import timezone

    from orienta.referrals.models import Referral

    now = timezone.now()
    as_of = datetime.fromisoformat(meta("as_of"))
    delta = now - as_of
    if delta < timedelta(minutes=5):
        return 0.0
    moved = {
        c: F(c) + delta
        for c in ("created_at", "updated_at", "sent_at", "acknowledge_by", "escalate_at")
        + ("expire_at", "acknowledged_at")
    }
    Referral.objects.filter(status__in=["sent", "acknowledged"]).update(**moved)
    meta("as_of", now.isoformat())
    analyse("referrals_referral")
    return delta.total_seconds()


# -- patching referrals, and undoing it ------------------------------------------------------


def _saved_exists() -> bool:
    from django.db import connection

    return "bench_referral_saved" in connection.introspection.table_names()


def _saved_table() -> None:
    if not _saved_exists():
        columns = ", ".join(TIMED_COLUMNS)
        sql(
            f"CREATE TABLE bench_referral_saved AS SELECT id, {columns} FROM referrals_referral "  # noqa: S608 - table and column names only
            "WHERE 1 = 0"
        )
        sql("CREATE UNIQUE INDEX bench_referral_saved_id ON bench_referral_saved (id)")


def keep_sent() -> None:
    """Keep every sent referral as it is: escalation may touch any of them (some come due by
    themselves while the runs go on)."""
    _saved_table()
    columns = ", ".join(TIMED_COLUMNS)
    sql(
        f"INSERT INTO bench_referral_saved (id, {columns}) SELECT id, {columns} "  # noqa: S608 - table and column names only
        "FROM referrals_referral r WHERE status = 'sent' "
        "AND NOT EXISTS (SELECT 1 FROM bench_referral_saved s WHERE s.id = r.id)"
    )


def patch(rows: list[list[Any]]) -> None:
    """Set TIMED_COLUMNS of the referrals `rows` ([id, *values]) after keeping the original
    values in bench_referral_saved (once per referral)."""
    columns = ", ".join(TIMED_COLUMNS)
    _saved_table()
    sql("DROP TABLE IF EXISTS bench_referral_patch")
    sql(
        f"CREATE TABLE bench_referral_patch AS SELECT id, {columns} FROM referrals_referral "  # noqa: S608 - table and column names only
        "WHERE 1 = 0"
    )
    write("bench_referral_patch", ["id", *TIMED_COLUMNS], [tuple(r) for r in rows])
    sql(
        f"INSERT INTO bench_referral_saved (id, {columns}) SELECT r.id, "  # noqa: S608 - table and column names only
        + ", ".join(f"r.{c}" for c in TIMED_COLUMNS)
        + " FROM referrals_referral r JOIN bench_referral_patch p ON p.id = r.id"
        " WHERE NOT EXISTS (SELECT 1 FROM bench_referral_saved s WHERE s.id = r.id)"
    )
    assignments = ", ".join(f"{c} = p.{c}" for c in TIMED_COLUMNS)
    sql(
        f"UPDATE referrals_referral SET {assignments} FROM bench_referral_patch p"  # noqa: S608 - table and column names only
        " WHERE referrals_referral.id = p.id"
    )
    sql("DROP TABLE bench_referral_patch")


def restore() -> int:
    if not _saved_exists():
        return 0
    count = sql("SELECT count(*) FROM bench_referral_saved")[0][0]
    assignments = ", ".join(f"{c} = s.{c}" for c in TIMED_COLUMNS)
    sql(
        f"UPDATE referrals_referral SET {assignments} FROM bench_referral_saved s"  # noqa: S608 - table and column names only
        " WHERE referrals_referral.id = s.id"
    )
    sql("DROP TABLE bench_referral_saved")
    cleared = meta("notifications_before")
    if cleared is not None:  # those the escalation runs made
        sql("DELETE FROM accounts_notification WHERE id > %s", [cleared])
    if meta("as_of_before") is not None:
        meta("as_of", meta("as_of_before"))
    analyse("referrals_referral")
    return count


# -- measures --------------------------------------------------------------------------------


def inbox_times(email: str, requests: int) -> dict[str, list[float]]:
    from django.test import Client

    from orienta.accounts.models import User
    from orienta.referrals.inbox import TABS

    client = Client()
    client.force_login(
        User.objects.get(email=email), backend="django.contrib.auth.backends.ModelBackend"
    )
    samples: dict[str, list[float]] = {tab: [] for tab in TABS}
    for n in range(requests):
        tab = TABS[n % len(TABS)]
        started = time.perf_counter()
        response = client.get("/referrals/inbox/", {"tab": tab})
        samples[tab].append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return samples


def send_picks(count: int, seed: int) -> list[tuple[Any, int]]:
    from orienta.cases.models import Need

    rng = random.Random(seed)  # noqa: S311
    ids = list(Need.objects.filter(status="open").values_list("case_id", "id")[: count * 50])
    return rng.sample(ids, count)


def send_times(picks: list[tuple[Any, int]]) -> dict[str, list[float]]:
    """One `services_for` (the matches shown on the refer page) and one `refer` of the best
    match, per case; both timed together, with what runs on commit (the focal points'
    notifications and e-mails)."""
    from orienta.accounts.models import User
    from orienta.cases.models import Case, Need
    from orienta.referrals.choices import ReferralStatus
    from orienta.referrals.matching import services_for
    from orienta.referrals.services import ReferralDraft, refer

    samples: dict[str, list[float]] = {"total": [], "matching": [], "refer": []}
    for case_id, need_id in picks:
        case = Case.objects.select_related("person", "organisation").get(pk=case_id)
        need = Need.objects.select_related("term").get(pk=need_id)
        user = User.objects.get(pk=case.assigned_to_id)  # roles not yet loaded, as in a request
        started = time.perf_counter()
        result = services_for(case, need)
        middle = time.perf_counter()
        best = result.matches[0]
        referral = refer(
            acting_user=user,
            draft=ReferralDraft(
                case=case,
                need=need,
                service_at_location=best.service_at_location,
                note="Orientation mesurée (synthétique).",
                matching_reasons=[r.label for r in best.reasons],
            ),
        )
        ended = time.perf_counter()
        assert referral.status == ReferralStatus.SENT and not referral.emergency_override
        samples["matching"].append((middle - started) * 1000)
        samples["refer"].append((ended - middle) * 1000)
        samples["total"].append((ended - started) * 1000)
    return samples


def query_counts(inbox_email: str, pick: tuple[Any, int]) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from orienta.accounts.models import User

    client = Client()
    client.force_login(
        User.objects.get(email=inbox_email), backend="django.contrib.auth.backends.ModelBackend"
    )
    counts = {}
    for tab in ("new", "in_service"):
        with CaptureQueriesContext(connection) as captured:
            client.get("/referrals/inbox/", {"tab": tab})
        counts[f"inbox {tab}"] = len(captured)
    with CaptureQueriesContext(connection) as captured:
        send_times([pick])
    counts["send (matching + refer)"] = len(captured)
    return counts


def open_state(seed: int) -> dict[str, Any]:
    """Make every closed referral open (OPEN_MIX), sent ones at their level as of now."""
    from django.utils import timezone

    from orienta.referrals.models import Referral

    rng = random.Random(seed)  # noqa: S311
    values = Values(_vendor())
    now = timezone.now()
    started = time.perf_counter()
    closed = list(Referral.objects.exclude(status__in=OPEN).values_list("id", "acknowledge_hours"))
    statuses, weights = list(OPEN_MIX), list(OPEN_MIX.values())
    rows = []
    for pk, hours in closed:
        moments = timeline(rng.choices(statuses, weights)[0], hours, now, rng)
        rows.append([values.uid(pk), *_timed_row(values, moments)])
    for first in range(0, len(rows), 100_000):
        patch(rows[first : first + 100_000])
    meta("as_of", now.isoformat())
    analyse("referrals_referral")
    return {"converted": len(rows), "seconds": round(time.perf_counter() - started, 1)}


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


def due_now(overdue: int, seed: int) -> dict[str, int]:
    """A fresh set of sent referrals reaching each escalation moment a few minutes ago."""
    from django.utils import timezone

    from orienta.referrals.models import Referral

    rng = random.Random(seed)  # noqa: S311
    values = Values(_vendor())
    now = timezone.now()
    margin = now + timedelta(minutes=30)
    sets = {
        1: ("acknowledge_by", overdue),
        2: ("escalate_at", overdue // 10),
        3: ("expire_at", overdue // 15),
    }
    rows, made = [], {}
    columns = [f.column for f in Referral._meta.concrete_fields if f.column in TIMED_COLUMNS]
    for level, (moment, size) in sets.items():
        pool = list(
            Referral.objects.filter(
                status="sent", escalation_level=level - 1, **{f"{moment}__gt": margin}
            ).values_list("id", "acknowledge_hours", *columns)
        )
        for pk, hours, *current in rng.sample(pool, min(size, len(pool))):
            moments = dict(zip(columns, current, strict=True))
            reached = now - timedelta(minutes=rng.uniform(1, 50))
            sent = reached - level * hours * HOUR
            moments.update(
                sent_at=sent,
                created_at=sent - timedelta(minutes=5),
                updated_at=sent,
                acknowledge_by=sent + hours * HOUR,
                escalate_at=sent + 2 * hours * HOUR,
                expire_at=sent + 3 * hours * HOUR,
            )
            rows.append([values.uid(pk), *_timed_row(values, moments)])
        made[moment] = min(size, len(pool))
    patch(rows)
    analyse("referrals_referral")
    return made


def escalation_runs(runs: int, overdue: int, seed: int) -> dict[str, Any]:
    from django.core import mail
    from django.utils import timezone

    from orienta.accounts.models import Notification
    from orienta.referrals.escalation import escalate
    from orienta.referrals.models import Referral

    last = Notification.objects.order_by("-id").values_list("id", flat=True).first()
    meta("notifications_before", last or 0)
    meta("as_of_before", meta("as_of"))
    state = open_state(seed)
    keep_sent()
    state["open"] = Referral.objects.filter(status__in=OPEN).count()
    state["sent"] = Referral.objects.filter(status="sent").count()
    result: dict[str, Any] = {"state": state, "runs": []}
    for run in range(runs):
        due = due_now(overdue, seed + 100 + run)
        mail.outbox = []
        clear_tasks()
        started = time.perf_counter()
        report = escalate(timezone.now())
        first = time.perf_counter() - started
        emails = len(mail.outbox)
        started = time.perf_counter()
        again = escalate(timezone.now())
        second = time.perf_counter() - started
        result["runs"].append(
            {
                "due": due,
                "seconds": round(first, 2),
                "overdue": report.overdue,
                "escalated": report.escalated,
                "expired": report.expired,
                "notifications": report.notifications,
                "emails_sent": emails,
                "second_run_seconds": round(second, 3),
                # Referrals that came due by themselves in the meantime (the clock runs on).
                "second_run_found": again.overdue + again.escalated + again.expired,
            }
        )
        print("  escalation", result["runs"][-1], flush=True)
        mail.outbox = []
        clear_tasks()
    return result


def clear_tasks() -> None:
    from django_tasks import default_task_backend

    if hasattr(default_task_backend, "clear"):
        default_task_backend.clear()


# -- report ----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    from django.db import connection

    info = Path("/proc/cpuinfo").read_text()
    model = next(
        (ln.split(":", 1)[1].strip() for ln in info.splitlines() if ln.startswith("model name")), ""
    )
    memory = next(
        ln for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal")
    )
    if connection.vendor == "postgresql":
        database = "PostgreSQL " + sql("SHOW server_version")[0][0]
    else:
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    import django

    return {
        "date": datetime.now().astimezone().strftime("%a %b %d %H:%M:%S %Z %Y"),  # as `date`
        "nproc": os.cpu_count(),
        "memory_gib": round(int(memory.split()[1]) / 1024 / 1024, 1),
        "cpu": model,
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database,
    }


def per_run(runs: list[list[float]]) -> dict[str, Any]:
    pooled = [x for r in runs for x in r]
    p50 = [percentile(r, 0.5) for r in runs]
    p95 = [percentile(r, 0.95) for r in runs]
    return {
        "samples": len(pooled),
        "p50_median": round(statistics.median(p50), 1),
        "p95_median": round(statistics.median(p95), 1),
        "p95_min": round(min(p95), 1),
        "p95_max": round(max(p95), 1),
        "p95_pooled": round(percentile(pooled, 0.95), 1),
        "max": round(max(pooled), 1),
    }


def table(result: dict[str, Any]) -> str:
    lines = [
        f"{result['machine']['database']}, {result['data']['referrals']:,} referrals, "
        f"{result['machine']['date']}",
        "| Measure | samples | p50 (median of runs) | p95 (median, min–max of runs) | pooled p95 "
        "| target | ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    data = result["data"]
    for label, key, target in [
        (
            f"Inbox, {data['inbox_org_received']:,} received / {data['inbox_org_open']:,} open",
            "inbox",
            50,
        ),
        (
            f"Inbox, largest: {data['largest_org_received']:,} / {data['largest_org_open']:,}",
            "inbox_largest",
            None,
        ),
        ("Send: services_for + refer", "send", 100),
        ("  of which services_for", "send_matching", None),
        ("  of which refer", "send_refer", None),
    ]:
        if key not in result:
            continue
        s = result[key]
        ratio = f"{s['p95_median'] / target:.2f}" if target else ""
        lines.append(
            f"| {label} | {s['samples']} | {s['p50_median']} ms | {s['p95_median']} ms "
            f"({s['p95_min']}–{s['p95_max']}) | {s['p95_pooled']} ms | "
            f"{f'≤ {target} ms' if target else ''} | {ratio} |"
        )
    if "escalation" in result:
        runs = result["escalation"]["runs"]
        times = [r["seconds"] for r in runs]
        median = statistics.median(times)
        lines.append(
            f"| Escalation over {result['escalation']['state']['open']:,} open "
            f"({runs[0]['overdue']:,} overdue, {runs[0]['escalated']:,} escalated, "
            f"{runs[0]['expired']:,} expired, {runs[0]['notifications']:,} notifications) | "
            f"{len(runs)} runs | {median:.1f} s | ({min(times):.1f}–{max(times):.1f}) | | ≤ 30 s "
            f"| {median / 30:.2f} |"
        )
        again = [r["second_run_seconds"] for r in runs]
        lines.append(
            f"| Escalation run again at once (nothing to do) | {len(runs)} runs | "
            f"{statistics.median(again):.2f} s | | | | |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument(
        "--database-url",
        help=f"default: {PG_REFERRALS} (dropped and re-created), or a SQLite file in --home",
    )
    parser.add_argument(
        "--home", help="ORIENTA_HOME (kept); default /tmp/orienta-bench-referrals-<database>"
    )
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=100_000, help="synthetic persons")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--requests", type=int, default=100, help="inbox requests and sends per run"
    )
    parser.add_argument(
        "--overdue", type=int, default=15_000, help="newly overdue per escalation run"
    )
    parser.add_argument("--seed", type=int, default=43)
    parser.add_argument(
        "--tasks",
        choices=["immediate", "dummy"],
        default="immediate",
        help="tasks backend: immediate renders and sends each e-mail (locmem) in the process, "
        "dummy only queues it",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure again on the database an earlier run generated (same --database-url, "
        "and on SQLite the same --home)",
    )
    parser.add_argument("--generate-only", action="store_true", help="build the data and stop")
    parser.add_argument("--no-escalation", action="store_true")
    parser.add_argument("--escalation-only", action="store_true")
    args = parser.parse_args()
    args.home = args.home or str(
        Path(tempfile.gettempdir()) / f"orienta-bench-referrals-{args.database}"
    )
    prepare(args)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count

    from orienta.accounts.models import Notification, User
    from orienta.cases.models import Case
    from orienta.referrals.models import PacketEntry, Referral

    call_command("migrate", verbosity=0)
    restored = restore()  # an earlier run stopped in the open state
    if restored:
        print(f"restored {restored:,} referrals from an interrupted escalation run")
    generation: Any = meta("generated") if args.reuse else None
    if not args.reuse:
        print("generating…", flush=True)
        generation = build(args)
        print(generation, flush=True)
        if args.generate_only:
            return
    moved = rebase()

    from orienta.directory.models import Organisation

    inbox_org = Organisation.objects.get(name=INBOX_ORG)
    largest_org = Organisation.objects.get(name=LARGEST_ORG)
    inbox_user = User.objects.filter(memberships__organisation=inbox_org).order_by("email").first()
    largest_user = (
        User.objects.filter(memberships__organisation=largest_org).order_by("email").first()
    )
    received = Referral.objects.filter(recipient_organisation=inbox_org)
    largest = Referral.objects.filter(recipient_organisation=largest_org)
    result: dict[str, Any] = {
        "machine": machine(),
        "tasks_backend": args.tasks,
        "generation_seconds": generation,
        "rebased_by_seconds": round(moved),
        "data": {
            "referrals": Referral.objects.count(),
            "packet_entries": PacketEntry.objects.count(),
            "notifications": Notification.objects.count(),
            "cases": Case.objects.count(),
            "status_mix": {
                row["status"]: row["n"]
                for row in Referral.objects.values("status")
                .annotate(n=Count("id"))
                .order_by("status")
            },
            "inbox_org_received": received.count(),
            "inbox_org_open": received.filter(status__in=OPEN).count(),
            "largest_org_received": largest.count(),
            "largest_org_open": largest.filter(status__in=OPEN).count(),
        },
        "runs": args.runs,
        "requests_per_run": args.requests,
    }
    print(json.dumps(result, indent=2, default=str), flush=True)
    if not args.escalation_only:
        from orienta.referrals.inbox import inbox_for

        result["inbox_tabs"] = inbox_for(inbox_user).counts
        result["largest_tabs"] = inbox_for(largest_user).counts
        picks = send_picks(args.requests * args.runs + 11, args.seed + 7)
        inbox_times(inbox_user.email, 20)  # warm-up
        send_times(picks[-10:])
        result["queries"] = query_counts(inbox_user.email, picks[-11])
        inbox_runs, largest_runs, send_runs = [], [], []
        tabs: dict[str, list[float]] = {}
        for run in range(args.runs):
            samples = inbox_times(inbox_user.email, args.requests)
            inbox_runs.append([x for v in samples.values() for x in v])
            for tab, v in samples.items():
                tabs.setdefault(tab, []).extend(v)
            largest = inbox_times(largest_user.email, args.requests)
            largest_runs.append([x for v in largest.values() for x in v])
            send_runs.append(send_times(picks[run * args.requests : (run + 1) * args.requests]))
            print(
                f"  run {run + 1}: inbox p95 {percentile(inbox_runs[-1], 0.95):.1f} ms, send "
                f"p95 {percentile(send_runs[-1]['total'], 0.95):.1f} ms",
                flush=True,
            )
        result["inbox"] = per_run(inbox_runs)
        result["inbox_by_tab_p95_pooled"] = {
            t: round(percentile(v, 0.95), 1) for t, v in tabs.items()
        }
        result["inbox_largest"] = per_run(largest_runs)
        result["send"] = per_run([r["total"] for r in send_runs])
        result["send_matching"] = per_run([r["matching"] for r in send_runs])
        result["send_refer"] = per_run([r["refer"] for r in send_runs])
    if not args.no_escalation:
        try:
            result["escalation"] = escalation_runs(args.runs, args.overdue, args.seed)
        finally:
            mark = time.perf_counter()
            restore()
            result["restore_seconds"] = round(time.perf_counter() - mark, 1)
    print(json.dumps(result, indent=2, default=str))
    print()
    print(table(result))
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    vendor = "postgres" if result["machine"]["database"].startswith("PostgreSQL") else "sqlite"
    suffix = "-dummy" if args.tasks == "dummy" else ""
    (out / f"referrals-{vendor}{suffix}.json").write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
