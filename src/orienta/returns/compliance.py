"""Checking movements and arrivals against the bilateral protocol in force, and the compliance
figures the bilateral commission reads.

The facts of many movements are read in a few statements, judged by `rules.py`, and the breaches
reconciled with those already recorded: a new breach is added, one that still holds is left as
people annotated it, one no longer found (a corrected arrival time, say) is marked cleared, and
a cleared one found again is reopened. Nothing is deleted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from orienta.audit.services import record
from orienta.core.signals import changed
from orienta.returns.choices import AgeGroup, ViolationStatus
from orienta.returns.models import Arrival, Holiday, ManifestRow, Movement, Protocol, Violation
from orienta.returns.models.protocol import ProtocolRule
from orienta.returns.rules import ArrivalFacts, MovementFacts, Rule, judge

CHUNK = 2_000  # movements judged per round: bounded memory for a year of them
LIVE = (ViolationStatus.OPEN, ViolationStatus.CONFIRMED, ViolationStatus.CONTESTED)


@dataclass
class Evaluation:
    movements: int = 0
    without_protocol: int = 0
    found: int = 0
    added: int = 0
    cleared: int = 0
    reopened: int = 0


class Protocols:
    """The protocols and their applicable rules, looked up by corridor and day."""

    def __init__(self) -> None:
        self.by_corridor: dict[tuple[str, str], list[Protocol]] = defaultdict(list)
        self.rules: dict[int, list[tuple[ProtocolRule, Rule]]] = defaultdict(list)
        for protocol in Protocol.objects.all():
            self.by_corridor[(protocol.receiving_country, protocol.deporting_country)].append(
                protocol
            )
        for rule in ProtocolRule.objects.all():
            if rule.applies:
                self.rules[rule.protocol_id].append((rule, Rule(rule.kind, rule.parameters or {})))

    def in_force(self, receiving: str, deporting: str, day: date) -> Protocol | None:
        candidates = [
            p for p in self.by_corridor.get((receiving, deporting), []) if p.in_force_on(day)
        ]
        return max(candidates, key=lambda p: p.version, default=None)


def holidays() -> set[tuple[str, date]]:
    return set(Holiday.objects.values_list("country", "date"))


def _facts(movements: Sequence[dict[str, Any]]) -> dict[Any, MovementFacts]:
    ids = [m["id"] for m in movements]
    arrivals: dict[Any, list[ArrivalFacts]] = defaultdict(list)
    for row in Arrival.objects.filter(movement_id__in=ids).values_list(
        "movement_id",
        "id",
        "age_group",
        "accompaniment",
        "child_protection_handover",
        "family_separated",
        "detention_days",
        "removal_order_received",
        "belongings_returned",
        "abuse_reported",
        "pregnant",
        "medical_urgency",
        "listed_id",
    ):
        (movement, pk, age, company, handover, separated, days, order, belongings, abuse) = row[:10]
        pregnant, urgent, listed = row[10:]
        arrivals[movement].append(
            ArrivalFacts(
                id=pk,
                unaccompanied_child=age == AgeGroup.CHILD
                and company in ("unaccompanied", "separated"),
                child_protection_handover=handover,
                family_separated=separated,
                detention_days=days,
                removal_order_received=order,
                belongings_returned=belongings,
                abuse_reported=abuse,
                vulnerable=pregnant or urgent or age == AgeGroup.OLDER,
                listed=listed is not None,
            )
        )
    listed = dict(
        ManifestRow.objects.filter(movement_id__in=ids, status="accepted")
        .values_list("movement_id")
        .annotate(n=Count("pk"))
        .values_list("movement_id", "n")
    )
    return {
        m["id"]: MovementFacts(
            id=m["id"],
            moment=m["arrived_at"] or m["scheduled_at"],
            time_zone=m["entry_point__time_zone"],
            entry_point=m["entry_point__code"],
            mode=m["mode"],
            announced_headcount=m["announced_headcount"],
            actual_headcount=m["actual_headcount"],
            listed=listed.get(m["id"], 0),
            notice_received_at=m["notice_received_at"],
            list_received_at=m["list_received_at"],
            consular_access_refused=m["consular_access_refused"],
            arrivals=tuple(arrivals.get(m["id"], ())),
        )
        for m in movements
    }


FIELDS = (
    "id",
    "arrived_at",
    "scheduled_at",
    "mode",
    "origin_country",
    "announced_headcount",
    "actual_headcount",
    "notice_received_at",
    "list_received_at",
    "consular_access_refused",
    "entry_point__code",
    "entry_point__country",
    "entry_point__time_zone",
)


def evaluate(
    movements: QuerySet[Movement] | Iterable[Movement], *, actor: Any = None
) -> Evaluation:
    """Judge these movements (and their arrivals) against the protocol in force on the day of
    each, and record what changed. One transaction per chunk of movements."""
    if isinstance(movements, QuerySet):
        ids = list(movements.order_by().values_list("pk", flat=True))
    else:
        ids = [m.pk for m in movements]
    protocols = Protocols()
    days_off = holidays()
    total = Evaluation()
    for start in range(0, len(ids), CHUNK):
        with transaction.atomic():
            part = _evaluate_chunk(ids[start : start + CHUNK], protocols, days_off)
            # Each chunk's breaches are audited in the transaction that writes them; a run a
            # person asked for is audited even when it changed nothing.
            if actor is not None or part.added or part.cleared or part.reopened:
                record(
                    "returns.compliance.evaluated",
                    actor=actor,
                    object_type="returns.movement",
                    changes=vars(part),
                )
        for name in vars(total):
            setattr(total, name, getattr(total, name) + getattr(part, name))
    return total


def _evaluate_chunk(ids: list[Any], protocols: Protocols, days_off: set) -> Evaluation:
    result = Evaluation()
    rows = list(Movement.objects.filter(pk__in=ids).values(*FIELDS))
    facts = _facts(rows)
    wanted: dict[tuple[Any, Any, str], tuple[ProtocolRule, Any]] = {}
    under: dict[Any, list[Any]] = defaultdict(list)
    for row in rows:
        movement = facts[row["id"]]
        day = movement.local.date()
        protocol = protocols.in_force(row["entry_point__country"], row["origin_country"], day)
        result.movements += 1
        under[protocol.pk if protocol else None].append(row["id"])
        if protocol is None:
            result.without_protocol += 1
            continue
        by_rule = protocols.rules[protocol.pk]
        lookup = {id(judged): stored for stored, judged in by_rule}
        for judged, breach in judge([j for _s, j in by_rule], movement, days_off):
            wanted[(row["id"], breach.arrival, breach.kind)] = (lookup[id(judged)], breach)
    result.found = len(wanted)
    existing = {
        (v.movement_id, v.arrival_id, v.kind): v
        for v in Violation.objects.filter(movement_id__in=ids).only(
            "pk", "movement_id", "arrival_id", "kind", "status", "evidence"
        )
    }
    now = timezone.now()
    new = []
    for key, (rule, breach) in wanted.items():
        found = existing.get(key)
        if found is None:
            new.append(
                Violation(
                    movement_id=key[0],
                    arrival_id=key[1],
                    kind=breach.kind,
                    rule=rule,
                    severity=rule.severity,
                    evidence=breach.evidence,
                    detected_at=now,
                )
            )
        elif found.status == ViolationStatus.CLEARED:
            found.status = ViolationStatus.OPEN
            found.cleared_at = None
            found.evidence = breach.evidence
            found.save(update_fields=["status", "cleared_at", "evidence"])
            result.reopened += 1
    Violation.objects.bulk_create(new, batch_size=1_000)
    result.added = len(new)
    gone = [v.pk for key, v in existing.items() if key not in wanted and v.status in LIVE]
    if gone:
        result.cleared = Violation.objects.filter(pk__in=gone).update(
            status=ViolationStatus.CLEARED, cleared_at=now
        )
    for protocol_id, movement_ids in under.items():
        Movement.objects.filter(pk__in=movement_ids).update(
            evaluated_at=now, protocol_id=protocol_id
        )
    # Their breaches were written in bulk (no post_save): the indicators count them again.
    changed(Movement, ids)
    return result


# --- Figures ------------------------------------------------------------------------------


def breached() -> Exists:
    return Exists(Violation.objects.filter(movement=OuterRef("pk"), status__in=LIVE).values("pk"))


def compliance_rows(movements: QuerySet[Movement], by: str) -> list[dict[str, Any]]:
    """Movements judged against a protocol in force and those with no breach, grouped by `by`
    (a Movement field path such as "origin_country" or "entry_point__code"), with the rate in
    percent."""
    judged = movements.filter(evaluated_at__isnull=False, protocol__isnull=False)
    rows = (
        judged.annotate(breached=breached())
        .values(by)
        .annotate(total=Count("pk"), breaching=Count("pk", filter=Q(breached=True)))
        .order_by(by)
    )
    out = []
    for row in rows:
        compliant = row["total"] - row["breaching"]
        out.append(
            {
                "key": row[by],
                "total": row["total"],
                "compliant": compliant,
                "rate": round(100 * compliant / row["total"], 1) if row["total"] else None,
            }
        )
    return out
