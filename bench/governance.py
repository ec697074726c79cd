"""Governance benchmark: process indicators, the dashboard and committee pages, the version
comparison, and the exports (comment matrix, version PDF, signature sheet, progress report).

    python bench/governance.py                          # SQLite in a temporary ORIENTA_HOME
    python bench/governance.py --database postgres      # orienta_bench_governance, re-created
    python bench/governance.py --runs 1                 # every measure once: a quick look

The data (fixed seed): a steering committee and 4 working groups reporting to it, 30 member
organisations (country CM), a coordinator; 2,000 events over 3 years with 40,000 participants
(about 80 % of those whose attendance is recorded came), one of them a planned meeting with
300 invited; 500 documents (not MoUs) with 5 versions each (Markdown of 200–400 lines, earlier
versions final or validated), 10,000 comments on them of which ~70 % treated, 2,000 of them on
one document (the comment matrix measured); a 501st document with one version of 1,500 lines
(~30 printed pages); 10 priorities with 300 roadmap actions, some depending on earlier ones.
The filler is written with bulk_create (the services take too long for 40,000 rows), dates
and statuses kept consistent with what the services would have written.

Targets: process indicators p95 ≤ 300 ms; dashboard p95 ≤ 500 ms, committee list p95 ≤ 100 ms,
committee page p95 ≤ 200 ms (server time, Django's test client); comparison of two 2,000-line
texts ≤ 500 ms; comment matrix (2,000 comments) ≤ 3 s; version PDF (~30 pages) ≤ 5 s;
signature sheet (300 participants) ≤ 5 s; progress report ≤ 10 s. Each measure is repeated
(20 for the indicators and pages, 10 for the comparison, 5 for the matrix, 3 for the PDFs;
`--runs N` repeats each N times instead) and reported as median, p95, min and max. The JSON
result goes to bench/results/governance.json, one entry per database.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_GOVERNANCE = "postgres://postgres@127.0.0.1:5432/orienta_bench_governance"
COORDINATOR = "coordinator@bench.invalid"
SEED = 20

ORGANISATIONS = 30
WORKING_GROUPS = 4
EVENTS = 2000
PARTICIPANTS = 40_000
SHEET_PARTICIPANTS = 300
DOCUMENTS = 500
VERSIONS = 5
COMMENTS = 10_000
MATRIX_COMMENTS = 2000
LONG_LINES = 1500
PRIORITIES = 10
ACTIONS = 300
COMPARE_LINES = 2000

# Strings first, split below: the word lists stay readable.
VOCABULARY = (
    "le mécanisme national de référencement assure la protection des migrants de retour "
    "avec les partenaires étatiques et la société civile selon les procédures opératoires "
    "normalisées qui décrivent l'accueil l'orientation le suivi des cas et la coordination "
    "entre les acteurs au niveau national régional et local les comités se réunissent chaque "
    "trimestre pour examiner les progrès les obstacles et les recommandations formulées par "
    "les groupes de travail thématiques santé éducation emploi logement réintégration "
    "psychosociale documentation juridique données confidentialité financement durabilité"
)
GIVEN_NAMES = "Aminatou Jean Brigitte Paul Clarisse Emmanuel Fadimatou Hervé Irène Joseph"
FAMILY_NAMES = "Ngono Mbarga Abena Fotso Tchoupo Bello Nkodo Essomba Moussa Kamga Manga Etoa"
WORDS, GIVEN, FAMILY = VOCABULARY.split(), GIVEN_NAMES.split(), FAMILY_NAMES.split()
PLACES = ["Yaoundé", "Douala", "Bafoussam", "Garoua", "Bamenda", "Maroua", "Bertoua", "Ebolowa"]
OTHER_ORGANISATIONS = ["Université de Yaoundé I", "Bureau d'un bailleur", "Chefferie", "Presse"]
FUNCTIONS = ["Point focal", "Directeur", "Chargé de programme", "Assistant", "Juriste", ""]


def _django(args: argparse.Namespace) -> None:
    os.environ["ORIENTA_HOME"] = args.home or tempfile.mkdtemp(prefix="orienta-bench-governance-")
    if args.database == "postgres":
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orienta.settings")
    os.environ["ORIENTA_LOG_LEVEL"] = "WARNING"
    os.environ["ORIENTA_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()


def _recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


# --- Synthetic text ---------------------------------------------------------------------------


def sentence(rng: random.Random, low: int = 8, high: int = 20) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


def markdown(rng: random.Random, lines: int) -> str:
    """A Markdown text of about `lines` lines: headings, paragraphs, bullet and numbered
    lists, now and then a table."""
    out: list[str] = [f"# {sentence(rng, 3, 6)[:-1]}", ""]
    section = 0
    while len(out) < lines:
        section += 1
        out += [f"## {section}. {sentence(rng, 2, 5)[:-1]}", ""]
        for _block in range(rng.randint(2, 5)):
            roll = rng.random()
            if roll < 0.45:
                out += [sentence(rng, 12, 30) for _ in range(rng.randint(1, 3))] + [""]
            elif roll < 0.7:
                out += [f"- {sentence(rng, 4, 12)}" for _ in range(rng.randint(3, 7))] + [""]
            elif roll < 0.85:
                items = rng.randint(3, 6)
                out += [f"{n}. {sentence(rng, 4, 12)}" for n in range(1, items + 1)] + [""]
            elif roll < 0.95:
                out += [f"### {section}.{rng.randint(1, 9)} {sentence(rng, 2, 5)[:-1]}", ""]
            else:
                out += ["| Acteur | Rôle | Délai |", "|---|---|---|"]
                out += [
                    f"| {rng.choice(WORDS)} | {sentence(rng, 3, 6)} | {rng.randint(1, 12)} mois |"
                    for _ in range(rng.randint(2, 5))
                ] + [""]
    return "\n".join(out[:lines]) + "\n"


def _alter(rng: random.Random, line: str) -> str:
    if not line.strip() or line.startswith("|---"):
        return line + " " + sentence(rng, 2, 4)
    words = line.split(" ")
    for _ in range(max(1, len(words) // 6)):
        words[rng.randrange(len(words))] = rng.choice(WORDS)
    return " ".join(words)


def revise(rng: random.Random, text: str, changed: float, added: float, removed: float) -> str:
    """`text` with a share of its lines changed (a few words each), removed, and new lines
    added, scattered through it."""
    lines = text.splitlines()
    count = len(lines)
    indices = list(range(count))
    rng.shuffle(indices)
    n_changed, n_removed = round(count * changed), round(count * removed)
    to_change = set(indices[:n_changed])
    to_remove = set(indices[n_changed : n_changed + n_removed])
    additions = set(rng.sample(range(count), round(count * added)))
    out = []
    for index, line in enumerate(lines):
        if index in additions:
            out.append(sentence(rng, 6, 18))
        if index in to_remove:
            continue
        out.append(_alter(rng, line) if index in to_change else line)
    return "\n".join(out) + "\n"


# --- Data -------------------------------------------------------------------------------------


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _at(day: date, rng: random.Random) -> datetime:
    return datetime(
        day.year, day.month, day.day, rng.randint(7, 18), rng.randint(0, 59), tzinfo=UTC
    )


@contextmanager
def given_dates(*fields: tuple[Any, str]) -> Iterator[None]:
    """Let bulk_create keep the creation dates the generator gives (auto_now_add would set
    them all to now); only in this process, for the duration of the block."""
    found = [model._meta.get_field(name) for model, name in fields]
    for field in found:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field in found:
            field.auto_now_add = True


def build(rng: random.Random) -> dict[str, Any]:
    """Everything the measures need; returns the objects they use and how long it took."""
    from django.db import connection, transaction
    from django.utils import timezone

    from orienta.accounts.models import Membership, User
    from orienta.accounts.roles import Role
    from orienta.directory.models import Organisation
    from orienta.directory.models.organisation import OrganisationKind
    from orienta.governance import services
    from orienta.governance.choices import CommitteeKind, MemberRole
    from orienta.governance.models import Document
    from orienta.governance.versions import refresh_current

    started = time.perf_counter()
    today = timezone.localdate()
    kinds = list(OrganisationKind.values)
    organisations = [
        Organisation.objects.create(
            name=f"Organisation {n:02d} (synthétique)",
            acronym=f"ORG{n:02d}",
            kind=rng.choice(kinds),
            country="CM",
        )
        for n in range(ORGANISATIONS)
    ]
    coordinator = User.objects.create_user(COORDINATOR, None, full_name="Coordination (bench)")
    Membership.objects.create(
        user=coordinator, organisation=organisations[0], role=Role.COORDINATOR
    )

    steering = services.save_committee(
        acting_user=coordinator,
        values={
            "name": "Comité de pilotage du MNR",
            "acronym": "COPIL",
            "kind": CommitteeKind.STEERING,
            "country": "CM",
            "terms_of_reference": markdown(rng, 60),
        },
    )
    groups = [
        services.save_committee(
            acting_user=coordinator,
            values={
                "name": f"Groupe de travail {n + 1}",
                "acronym": f"GT{n + 1}",
                "kind": CommitteeKind.WORKING_GROUP,
                "country": "CM",
                "parent": steering,
            },
        )
        for n in range(WORKING_GROUPS)
    ]
    bodies = [steering, *groups]
    start = today - timedelta(days=3 * 365)
    roles = [MemberRole.CHAIR, MemberRole.VICE_CHAIR, MemberRole.SECRETARIAT]
    for body in bodies:
        seats = organisations if body is steering else rng.sample(organisations, 10)
        for index, organisation in enumerate(seats):
            invited = start + timedelta(days=rng.randint(0, 30))
            answer = rng.random()
            services.save_membership(
                acting_user=coordinator,
                committee=body,
                organisation=organisation,
                values={
                    "role": roles[index] if index < len(roles) else MemberRole.MEMBER,
                    "representative": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
                    "representative_title": rng.choice(FUNCTIONS),
                    "invited_on": invited,
                    "confirmed_on": invited + timedelta(days=7) if answer < 0.85 else None,
                    "declined_on": invited + timedelta(days=9) if answer > 0.93 else None,
                },
            )
    with transaction.atomic():
        documents, long_version, matrix_document, compared = _documents(
            rng, coordinator, bodies, today
        )
        sheet_event = _events(rng, coordinator, bodies, organisations, documents, today)
        _comments(rng, coordinator, organisations, documents, matrix_document, today)
        _roadmap(rng, steering, organisations, today)
        # What the services keep on each document when they write a version.
        refresh_current(Document.objects.all())
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {
        "coordinator": coordinator,
        "steering": steering,
        "long_version": long_version,
        "matrix_document": matrix_document,
        "compared_document": compared,
        "sheet_event": sheet_event,
        "build_seconds": round(time.perf_counter() - started, 1),
    }


def _documents(
    rng: random.Random, user: Any, bodies: list[Any], today: date
) -> tuple[list[Any], Any, Any, Any]:
    """500 documents of every kind but the MoU, five versions each: the first four final or
    validated, the fifth anywhere on the way; and the long one-version document."""
    from orienta.governance.choices import MATERIAL_KINDS, Audience, DocumentKind, VersionStatus
    from orienta.governance.models import Approval, Document, DocumentVersion, Finding

    kinds = [k for k in DocumentKind.values if k != DocumentKind.MOU]
    weights = [0.4] + [0.15] * (len(bodies) - 1)
    documents, versions = [], []
    for n in range(DOCUMENTS + 1):
        long = n == DOCUMENTS
        kind = DocumentKind.SOP if long else rng.choice(kinds)
        begun = today - timedelta(days=rng.randint(320, 3 * 365 - 10))
        document = Document(
            id=_uuid(rng),
            committee=bodies[0] if n < 2 or long else rng.choices(bodies, weights)[0],
            kind=kind,
            title=(
                "Procédures opératoires normalisées — texte intégral"
                if long
                else f"{DocumentKind(kind).label} {n + 1:03d}"
            ),
            audience=rng.choice(Audience.values) if kind in MATERIAL_KINDS else "",
            created_by=user,
            created_at=_at(begun, rng),
        )
        documents.append(document)
        content = markdown(rng, LONG_LINES if long else rng.randint(200, 400))
        written = begun
        for number in range(1, 2 if long else VERSIONS + 1):
            last = long or number == VERSIONS
            if number > 1:
                content = revise(rng, content, 0.05, 0.03, 0.02)
            status = (
                rng.choice([VersionStatus.DRAFT, VersionStatus.IN_CONSULTATION])
                if last and rng.random() < 0.5
                else (VersionStatus.VALIDATED if rng.random() < 0.35 else VersionStatus.FINAL)
            )
            if long:
                status = VersionStatus.FINAL
            final_on = min(written + timedelta(days=rng.randint(5, 14)), today)
            validated_on = min(final_on + timedelta(days=rng.randint(1, 10)), today)
            versions.append(
                DocumentVersion(
                    id=_uuid(rng),
                    document=document,
                    number=number,
                    content=content,
                    change_summary="" if number == 1 else sentence(rng, 5, 12),
                    status=status,
                    consultation_until=(
                        today + timedelta(days=rng.randint(3, 30))
                        if status == VersionStatus.IN_CONSULTATION
                        else None
                    ),
                    final_on=(
                        final_on
                        if status in (VersionStatus.FINAL, VersionStatus.VALIDATED)
                        else None
                    ),
                    validated_on=validated_on if status == VersionStatus.VALIDATED else None,
                    validated_by="COPIL" if status == VersionStatus.VALIDATED else "",
                    created_by=user,
                    created_at=_at(written, rng),
                    version=3 if status == VersionStatus.VALIDATED else 2,
                )
            )
            written = written + timedelta(days=rng.randint(20, 60))
    with given_dates((Document, "created_at"), (DocumentVersion, "created_at")):
        Document.objects.bulk_create(documents, batch_size=500)
        DocumentVersion.objects.bulk_create(versions, batch_size=200)
    by_document: dict[Any, list[Any]] = {}
    for version in versions:
        by_document.setdefault(version.document_id, []).append(version)
    for document in documents:
        document.bench_versions = by_document[document.pk]
    # What the assessment found, and the approvals of final concept notes.
    findings, approvals = [], []
    organisations = list(bodies[0].memberships.values_list("organisation_id", flat=True))
    for version in versions:
        kind = version.document.kind
        if kind == DocumentKind.ASSESSMENT_REPORT:
            for _ in range(rng.randint(3, 8)):
                findings.append(
                    Finding(
                        version=version,
                        kind=rng.choice(["gap", "challenge", "opportunity"]),
                        text=sentence(rng),
                        recommendation=sentence(rng) if rng.random() < 0.8 else "",
                    )
                )
        if kind == DocumentKind.CONCEPT_NOTE and version.final_on:
            for organisation_id in rng.sample(organisations, 6):
                approvals.append(
                    Approval(
                        version=version,
                        organisation_id=organisation_id,
                        decision=rng.choice(
                            ["approved", "approved", "approved_with_comments", "not_approved"]
                        ),
                        given_by=f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
                        given_on=version.final_on,
                        recorded_by=user,
                    )
                )
    Finding.objects.bulk_create(findings, batch_size=1000)
    Approval.objects.bulk_create(approvals, batch_size=1000)
    long_version = versions[-1]
    return documents[:DOCUMENTS], long_version, documents[0], documents[1]


def _events(
    rng: random.Random,
    user: Any,
    bodies: list[Any],
    organisations: list[Any],
    documents: list[Any],
    today: date,
) -> Any:
    """2,000 events over three years across the five bodies, 40,000 participants; the one
    with 300 invited is a committee meeting in three weeks (its sheet is printed before)."""
    from orienta.governance.choices import (
        CONSULTATION_KINDS,
        EventKind,
        EventStatus,
        ParticipantCategory,
        Sex,
    )
    from orienta.governance.models import ActionItem, Decision, Event, Participant

    weights = [0.4] + [0.15] * (len(bodies) - 1)
    kinds = [
        EventKind.COORDINATION,
        EventKind.COMMITTEE,
        EventKind.CONSULTATION,
        EventKind.VALIDATION,
        EventKind.TRAINING,
    ]
    kind_weights = [0.3, 0.25, 0.2, 0.1, 0.15]
    sizes = [rng.randint(4, 35) for _ in range(EVENTS - 1)]
    missing = PARTICIPANTS - SHEET_PARTICIPANTS - sum(sizes)
    while missing:
        index = rng.randrange(len(sizes))
        step = 1 if missing > 0 else -1
        if sizes[index] + step >= 2:
            sizes[index] += step
            missing -= step
    sizes.append(SHEET_PARTICIPANTS)
    committee_documents: dict[Any, list[Any]] = {}
    for document in documents:
        committee_documents.setdefault(document.committee_id, []).append(document)
    events, participants, links, decisions, items = [], [], [], [], []
    through = Event.documents.through
    for n, size in enumerate(sizes):
        sheet = n == EVENTS - 1
        body = bodies[0] if sheet else rng.choices(bodies, weights)[0]
        if sheet:
            kind, held_on = EventKind.COMMITTEE, today + timedelta(days=21)
        elif n < len(bodies):
            kind, held_on = EventKind.KICK_OFF, today - timedelta(days=3 * 365 - 40 - n)
            body = bodies[n]
        else:
            kind = rng.choices(kinds, kind_weights)[0]
            held_on = today + timedelta(days=rng.randint(-3 * 365 + 45, 60))
        if held_on > today:
            status = EventStatus.PLANNED
        else:
            status = EventStatus.CANCELLED if rng.random() < 0.04 else EventStatus.HELD
        event = Event(
            id=_uuid(rng),
            committee=body,
            kind=kind,
            level="regional" if rng.random() < 0.25 else "national",
            title=f"{EventKind(kind).label} {n + 1:04d} — {body.acronym}",
            held_on=held_on,
            place=rng.choice(PLACES),
            agenda="\n".join(f"- {sentence(rng, 3, 8)}" for _ in range(rng.randint(3, 6))),
            minutes=markdown(rng, 30) if status == EventStatus.HELD else "",
            status=status,
            created_by=user,
            created_at=_at(min(held_on, today) - timedelta(days=rng.randint(7, 30)), rng),
            version=3 if status == EventStatus.HELD else 1,
        )
        events.append(event)
        for _ in range(size):
            known = rng.random() < 0.75
            participants.append(
                Participant(
                    event=event,
                    full_name=f"{rng.choice(GIVEN)} {rng.choice(FAMILY)} {rng.randint(1, 999)}",
                    organisation=rng.choice(organisations) if known else None,
                    organisation_name="" if known else rng.choice(OTHER_ORGANISATIONS),
                    category=rng.choice(ParticipantCategory.values),
                    sex=rng.choices(Sex.values, [0.45, 0.5, 0.05])[0],
                    role=rng.choice(FUNCTIONS),
                    attended=(rng.random() < 0.8) if status == EventStatus.HELD else None,
                )
            )
        if kind in CONSULTATION_KINDS and committee_documents.get(body.pk):
            pool = committee_documents[body.pk]
            for document in rng.sample(pool, min(len(pool), rng.randint(1, 3))):
                links.append(through(event_id=event.pk, document_id=document.pk))
        if status == EventStatus.HELD and kind in (EventKind.COMMITTEE, EventKind.COORDINATION):
            for _ in range(rng.randint(0, 2)):
                decisions.append(Decision(event=event, text=sentence(rng)))
            if rng.random() < 0.2:
                due = held_on + timedelta(days=rng.randint(14, 90))
                items.append(
                    ActionItem(
                        event=event,
                        text=sentence(rng),
                        owner=rng.choice(organisations),
                        due_on=due,
                        status=(
                            rng.choice(["done", "dropped", "open"])
                            if due < today
                            else rng.choice(["open", "in_progress"])
                        ),
                    )
                )
    with given_dates((Event, "created_at")):
        Event.objects.bulk_create(events, batch_size=500)
    Participant.objects.bulk_create(participants, batch_size=2000)
    through.objects.bulk_create(links, batch_size=2000)
    Decision.objects.bulk_create(decisions, batch_size=2000)
    ActionItem.objects.bulk_create(items, batch_size=2000)
    return events[-1]


def _comments(
    rng: random.Random,
    user: Any,
    organisations: list[Any],
    documents: list[Any],
    matrix_document: Any,
    today: date,
) -> None:
    """10,000 comments: 2,000 on the matrix document, the rest spread over the versions of
    the others. A comment on versions 1–4 is treated four times out of five (integrated or
    partly in a later version of the same document, or not integrated, with the reason); one
    on the fifth version, which no later version can integrate, is pending or not integrated."""
    from orienta.governance.choices import Treatment
    from orienta.governance.models import Comment

    others = [v for d in documents if d is not matrix_document for v in d.bench_versions]
    targets = [rng.choice(matrix_document.bench_versions) for _ in range(MATRIX_COMMENTS)]
    targets += [rng.choice(others) for _ in range(COMMENTS - MATRIX_COMMENTS)]
    siblings = {d.pk: d.bench_versions for d in documents}
    comments = []
    for version in targets:
        created = version.created_at.date()
        submitted = min(created + timedelta(days=rng.randint(1, 18)), today)
        later = [v for v in siblings[version.document_id] if v.number > version.number]
        roll = rng.random()
        if later and roll < 0.8:
            treatment = rng.choices(
                [Treatment.INTEGRATED, Treatment.PARTLY, Treatment.NOT_INTEGRATED], [0.5, 0.2, 0.3]
            )[0]
        elif not later and roll < 0.3:
            treatment = Treatment.NOT_INTEGRATED
        else:
            treatment = Treatment.PENDING
        integrated_in = None
        if treatment in (Treatment.INTEGRATED, Treatment.PARTLY):
            integrated_in = later[0] if rng.random() < 0.8 else rng.choice(later)
        treated = treatment != Treatment.PENDING
        treated_on = min(submitted + timedelta(days=rng.randint(1, 20)), today)
        if integrated_in is not None:
            treated_on = max(treated_on, integrated_in.created_at.date())
        comments.append(
            Comment(
                id=_uuid(rng),
                version=version,
                organisation=rng.choice(organisations),
                section=f"{rng.randint(1, 12)}. {sentence(rng, 2, 4)[:-1]}",
                text=" ".join(sentence(rng) for _ in range(rng.randint(1, 4))),
                author=user,
                submitted_at=_at(submitted, rng),
                treatment=treatment,
                justification=(
                    sentence(rng)
                    if treatment in (Treatment.PARTLY, Treatment.NOT_INTEGRATED)
                    else ""
                ),
                integrated_in=integrated_in,
                treated_at=_at(treated_on, rng) if treated else None,
                version_counter=2 if treated else 1,
            )
        )
    with given_dates((Comment, "submitted_at")):
        Comment.objects.bulk_create(comments, batch_size=1000)


def _roadmap(rng: random.Random, steering: Any, organisations: list[Any], today: date) -> None:
    """10 priorities with 30 actions each over the three years; about a third of the actions
    depend on one or two that start before them (so there is no loop)."""
    from orienta.governance.choices import RoadmapStatus
    from orienta.governance.models import Priority, RoadmapAction

    priorities = Priority.objects.bulk_create(
        [
            Priority(committee=steering, title=f"Priorité {n + 1} : {sentence(rng, 3, 7)}", order=n)
            for n in range(PRIORITIES)
        ]
    )
    if priorities[0].pk is None:
        priorities = list(Priority.objects.filter(committee=steering).order_by("order"))
    begin = today - timedelta(days=3 * 365)
    actions = []
    for n in range(ACTIONS):
        starts = begin + timedelta(days=rng.randint(0, 3 * 365 + 180))
        ends = starts + timedelta(days=rng.randint(30, 300))
        if starts > today:
            status, progress = RoadmapStatus.NOT_STARTED, 0
        elif ends < today:
            status = rng.choices(
                [RoadmapStatus.DONE, RoadmapStatus.DELAYED, RoadmapStatus.DROPPED], [0.7, 0.2, 0.1]
            )[0]
            progress = 100 if status == RoadmapStatus.DONE else rng.randint(10, 90)
        else:
            status = rng.choice([RoadmapStatus.IN_PROGRESS, RoadmapStatus.DELAYED])
            progress = rng.randint(5, 95)
        actions.append(
            RoadmapAction(
                id=_uuid(rng),
                priority=priorities[n % PRIORITIES],
                title=f"Action {n + 1:03d} : {sentence(rng, 3, 9)[:-1]}",
                owner=rng.choice(organisations),
                starts_on=starts,
                ends_on=ends,
                status=status,
                progress=progress,
            )
        )
    RoadmapAction.objects.bulk_create(actions, batch_size=500)
    ordered = sorted(actions, key=lambda a: a.starts_on)
    through = RoadmapAction.depends_on.through
    links = []
    for index, action in enumerate(ordered[1:], start=1):
        if rng.random() < 0.35:
            for before in rng.sample(ordered[:index], min(index, rng.randint(1, 2))):
                links.append(
                    through(from_roadmapaction_id=action.pk, to_roadmapaction_id=before.pk)
                )
    through.objects.bulk_create(links)


def data_sizes() -> dict[str, Any]:
    from django.db.models import Count

    from orienta.directory.models import Organisation
    from orienta.governance.models import (
        ActionItem,
        Comment,
        Committee,
        CommitteeMembership,
        Document,
        DocumentVersion,
        Event,
        Participant,
        Priority,
        RoadmapAction,
    )

    lines = [c.count("\n") for c in DocumentVersion.objects.values_list("content", flat=True)]
    return {
        "organisations": Organisation.objects.count(),
        "committees": Committee.objects.count(),
        "memberships": CommitteeMembership.objects.count(),
        "events": Event.objects.count(),
        "events_by_status": dict(Event.objects.values_list("status").annotate(n=Count("pk"))),
        "participants": Participant.objects.count(),
        "participants_attended": Participant.objects.filter(attended=True).count(),
        "participants_absent": Participant.objects.filter(attended=False).count(),
        "documents": Document.objects.count(),
        "versions": DocumentVersion.objects.count(),
        "version_lines": {"min": min(lines), "median": statistics.median(lines), "max": max(lines)},
        "versions_by_status": dict(
            DocumentVersion.objects.values_list("status").annotate(n=Count("pk"))
        ),
        "comments": Comment.objects.count(),
        "comments_by_treatment": dict(
            Comment.objects.values_list("treatment").annotate(n=Count("pk"))
        ),
        "action_items": ActionItem.objects.count(),
        "priorities": Priority.objects.count(),
        "roadmap_actions": RoadmapAction.objects.count(),
        "roadmap_dependencies": RoadmapAction.depends_on.through.objects.count(),
    }


# --- Measures ---------------------------------------------------------------------------------


def percentile(samples: list[float], q: float) -> float:
    """Nearest rank: the smallest sample with at least q of them at or below it."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def summary(samples: list[float]) -> dict[str, Any]:
    return {
        "n": len(samples),
        "median": round(statistics.median(samples), 2),
        "p95": round(percentile(samples, 0.95), 2),
        "min": round(min(samples), 2),
        "max": round(max(samples), 2),
    }


def timed(function: Callable[[], Any], repeat: int, warm: int = 1) -> tuple[list[float], Any]:
    """Milliseconds of `repeat` calls after `warm` untimed ones, and the last result."""
    result = None
    for _ in range(warm):
        result = function()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, result


def queries_of(function: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


def pages(data: dict[str, Any]) -> int | None:
    try:
        import io

        from pypdf import PdfReader
    except ImportError:
        return None
    return len(PdfReader(io.BytesIO(data)).pages)


def compare_texts(rng: random.Random) -> tuple[str, str, dict[str, int]]:
    from orienta.governance import text

    old = markdown(rng, COMPARE_LINES)
    new = revise(rng, old, 0.10, 0.05, 0.05)
    return old, new, text.diff_counts(text.compare(old, new))


def measure(data: dict[str, Any], runs: int | None, rng: random.Random) -> dict[str, Any]:
    from django.test import Client

    from orienta.governance import exports, indicators, text

    steering = data["steering"]
    client = Client()
    client.force_login(data["coordinator"], backend="django.contrib.auth.backends.ModelBackend")

    def get(url: str) -> Callable[[], Any]:
        def call() -> Any:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return call

    compared = data["compared_document"]
    old, new, counts = compare_texts(rng)
    urls = {
        "dashboard": f"/governance/dashboard/{steering.pk}/",
        "committee_list": "/governance/",
        "committee_page": f"/governance/committees/{steering.pk}/",
        "compare_page": f"/governance/documents/{compared.pk}/compare/?from=4&to=5",
    }
    plan: list[tuple[str, Callable[[], Any], int, float, str, str]] = [
        # name, call, repetitions, target (ms), the statistic the target names, note
        (
            "process_indicators",
            lambda: indicators.process_indicators(steering),
            20,
            300,
            "p95",
            "indicators.process_indicators(steering)",
        ),
        ("dashboard", get(urls["dashboard"]), 20, 500, "p95", f"GET {urls['dashboard']}"),
        ("committee_list", get(urls["committee_list"]), 20, 100, "p95", "GET /governance/"),
        (
            "committee_page",
            get(urls["committee_page"]),
            20,
            200,
            "p95",
            f"GET {urls['committee_page']}",
        ),
        (
            "text_compare_2000_lines",
            lambda: text.compare(old, new),
            10,
            500,
            "median",
            f"text.compare, 2,000 lines: {counts}",
        ),
        (
            "compare_page",
            get(urls["compare_page"]),
            10,
            500,
            "median",
            f"GET {urls['compare_page']} (versions 4 and 5 of '{compared.title}')",
        ),
        (
            "comment_matrix_xlsx",
            lambda: exports.comment_matrix_xlsx(data["matrix_document"]),
            5,
            3000,
            "median",
            f"{MATRIX_COMMENTS:,} comments",
        ),
        (
            "version_pdf",
            lambda: exports.version_pdf(data["long_version"]),
            3,
            5000,
            "median",
            f"{LONG_LINES:,} Markdown lines",
        ),
        (
            "signature_sheet_pdf",
            lambda: exports.signature_sheet_pdf(data["sheet_event"]),
            3,
            5000,
            "median",
            f"{SHEET_PARTICIPANTS} participants",
        ),
        (
            "progress_report_pdf",
            lambda: exports.progress_report_pdf(steering, indicators.bodies(steering)),
            3,
            10_000,
            "median",
            "steering committee and its 4 working groups",
        ),
    ]
    results: dict[str, Any] = {}
    for name, call, repeat, target, statistic, note in plan:
        print(f"  {name} ...", end="", flush=True)
        try:
            samples, last = timed(call, runs or repeat, warm=1)
        except Exception as failure:  # report, do not stop the other measures
            import traceback

            print(" FAILED")
            traceback.print_exc()
            results[name] = {"error": repr(failure), "note": note}
            continue
        entry: dict[str, Any] = {
            "ms": summary(samples),
            "target_ms": target,
            "target_on": statistic,
            "note": note,
            "queries": queries_of(call),
        }
        if isinstance(last, bytes):
            entry["bytes"] = len(last)
            if last.startswith(b"%PDF"):
                entry["pages"] = pages(last)
        elif hasattr(last, "content"):
            entry["bytes"] = len(last.content)
        results[name] = entry
        print(f" median {entry['ms']['median']:.0f} ms")
    return results


def table(results: dict[str, Any]) -> str:
    head = ("measure", "n", "median", "p95", "min–max", "target", "target/median", "met", "queries")
    rows = [head]

    def shown(ms: float, seconds: bool) -> str:
        return f"{ms / 1000:.2f} s" if seconds else f"{ms:.0f} ms" if ms >= 10 else f"{ms:.1f} ms"

    for name, entry in results.items():
        if "error" in entry:
            rows.append((name, "—", "FAILED", "", entry["error"][:60], "", "", "", ""))
            continue
        ms, target = entry["ms"], entry["target_ms"]
        seconds = target >= 1000
        value = ms["p95"] if entry["target_on"] == "p95" else ms["median"]
        rows.append(
            (
                name,
                str(ms["n"]),
                shown(ms["median"], seconds),
                shown(ms["p95"], seconds),
                f"{shown(ms['min'], seconds)} – {shown(ms['max'], seconds)}",
                f"{'p95 ' if entry['target_on'] == 'p95' else ''}≤ {shown(target, seconds)}",
                f"{target / ms['median']:.1f}",
                "yes" if value <= target else "NO",
                str(entry["queries"]),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def machine(database: str) -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT 1")
        server = cursor.fetchone()[0] if connection.vendor == "postgresql" else None
    if connection.vendor == "sqlite":
        import sqlite3

        server = f"SQLite {sqlite3.sqlite_version}"
    return {
        "date": datetime.now(UTC).date().isoformat(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "database": connection.vendor,
        "database_server": re.sub(r" on .*", "", str(server)),
        "chosen": database,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--database-url",
        default=PG_GOVERNANCE,
        help=f"PostgreSQL database, dropped and re-created (default {PG_GOVERNANCE})",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=None,
        help="repetitions of every measure (default: 20 indicators and pages, 10 comparison, "
        "5 comment matrix, 3 PDFs)",
    )
    parser.add_argument("--home", help="ORIENTA_HOME to build in (SQLite; default a temp dir)")
    args = parser.parse_args()
    if args.database == "postgres":
        _recreate_database(args.database_url)
    _django(args)
    from django.core.management import call_command

    from orienta.accounts.models import User

    call_command("migrate", verbosity=0)
    if User.objects.filter(email=COORDINATOR).exists():
        parser.error("this database already holds a governance bench: give a fresh --home")
    from django.utils import translation

    rng = random.Random(SEED)
    print(f"building the data on {args.database} (ORIENTA_HOME {os.environ['ORIENTA_HOME']}) ...")
    with translation.override("fr"):  # the titles made from the kinds' labels
        data = build(rng)
    sizes = data_sizes()
    print(f"built in {data['build_seconds']:.0f} s: " + json.dumps(sizes, default=str))
    facts = machine(args.database)
    print(
        f"{facts['platform']}, {facts['cpus']} CPUs, Python {facts['python']}, "
        f"{facts['database_server']}, {facts['date']}"
    )
    results = measure(data, args.runs, random.Random(SEED + 1))
    print()
    print(table(results))
    for name, entry in results.items():
        extra = [f"{entry['pages']} pages"] if entry.get("pages") else []
        extra += [f"{entry['bytes']:,} bytes"] if entry.get("bytes") else []
        print(f"  {name}: {entry['note']}" + (f" ({', '.join(extra)})" if extra else ""))
    out = ROOT / "bench" / "results" / "governance.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        stored = json.loads(out.read_text())
    except (OSError, ValueError):
        stored = {}
    stored[facts["database"]] = {
        "machine": facts,
        "runs": args.runs,
        "build_seconds": data["build_seconds"],
        "data": sizes,
        "results": results,
    }
    out.write_text(json.dumps(stored, indent=2, default=str, ensure_ascii=False))
    print(f"written to {out} (key {facts['database']!r})")
    if not args.home:  # the temporary ORIENTA_HOME this run made
        from django.db import connections

        connections.close_all()
        shutil.rmtree(os.environ["ORIENTA_HOME"], ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
