"""Keeping the indicators' cells up to date: what a change queues, what a refresh does with the
queue (the same cells and facts as a rebuild from scratch, whatever changed and however), the
refresh scheduled when a transaction commits; the pack's validation; the two commands.

The world is tests/indicators_helpers.py's."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from orienta.audit.models import AuditEvent
from orienta.cases.models import Case, Person
from orienta.core.signals import changed
from orienta.indicators import definitions
from orienta.indicators.board import Board
from orienta.indicators.definitions import PackError, load_indicators
from orienta.indicators.models import AreaName, Fact, Indicator, MovementCell, PendingChange
from orienta.indicators.refresh import rebuild, refresh
from orienta.indicators.subjects import ALL, SUBJECTS, TOTAL
from orienta.referrals import services as referral_services
from orienta.referrals.models import Referral
from orienta.reintegration.models import SurveyRound
from orienta.returns import services as return_services
from orienta.returns.models import Arrival, EntryPoint, Movement, Violation
from tests.indicators_helpers import CAP, MAL, breach, build_world
from tests.returns_helpers import load_haiti, local, movement

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(request: pytest.FixtureRequest) -> dict[str, Any]:
    return build_world(request)


KEY = ("breakdown", "category", "month", "entry_point", "origin_country", "organisation")
Snapshot = tuple[dict[str, dict[tuple[Any, ...], dict[str, float]]], dict[tuple[str, str], Any]]


def snapshot() -> Snapshot:
    """Every cell table (rows that are all zeros left out) and every fact."""
    cells: dict[str, dict[tuple[Any, ...], dict[str, float]]] = {}
    for code, subject in SUBJECTS.items():
        rows: dict[tuple[Any, ...], dict[str, float]] = {}
        for row in subject.cell._default_manager.values_list(*KEY, *subject.measures):
            key, measures = row[: len(KEY)], row[len(KEY) :]
            values = {
                m: round(float(v), 9) for m, v in zip(subject.measures, measures, strict=True)
            }
            values = {m: v for m, v in values.items() if v != 0}
            if values:
                rows[key] = values
        cells[code] = rows
    facts = {(f.subject, f.key): (f.categories, f.measures) for f in Fact.objects.all()}
    return cells, facts


def queued() -> set[tuple[str, str]]:
    return set(PendingChange.objects.values_list("model", "key"))


def figure(code: str, breakdown: str = TOTAL) -> dict[str, float | None]:
    board = Board(0)
    board.add(Indicator.objects.get(code=code), breakdown)
    (tile,) = board.tiles()
    if breakdown == TOTAL:
        return {"": tile.total.number}
    return {row.key: row.value.number for row in tile.rows}


def test_saving_a_record_queues_it_and_a_refresh_empties_the_queue(
    world: dict[str, Any],
) -> None:
    w = world
    rebuild()
    assert not PendingChange.objects.exists()
    before = snapshot()
    arrival = Arrival.objects.get(pk=w["a1"].pk)
    arrival.save()
    arrival.save()  # read once, however often queued
    Violation.objects.filter(movement=w["M2"]).get().save()
    Person.objects.get(pk=w["c9"].person_id).save()
    SurveyRound.objects.get(pk=w["s3"].pk).save()
    Referral.objects.get(pk=w["r2"].pk).save()
    changed(Referral, [w["r4"].pk])  # a queryset update, announced
    assert queued() == {
        ("returns.arrival", str(w["a1"].pk)),
        ("cases.case", str(w["c1"].pk)),  # its case: the arrival may be the case's first
        ("returns.movement", str(w["M2"].pk)),
        ("cases.person", str(w["c9"].person_id)),
        ("reintegration.surveyround", str(w["s3"].pk)),
        ("referrals.referral", str(w["r2"].pk)),
        ("referrals.referral", str(w["r4"].pk)),
    }
    waiting = PendingChange.objects.count()
    report = refresh()
    assert report.changes == waiting and not PendingChange.objects.exists()
    # Read again: a1, and M2's arrivals a7, a8, a9 (a9 also for c9's person); the cases of
    # those arrivals and of that person, c1, c7, c8, c9; their referrals r1, r9 (c1's draft),
    # r3, r4, and r2; their survey rounds s1, s2, s3.
    assert report.facts == {
        "arrivals": 4,
        "movements": 1,
        "referrals": 5,
        "cases": 4,
        "surveys": 3,
    }
    assert snapshot() == before  # nothing changed in the records: nothing in the cells
    assert refresh().changes == 0


def test_refresh_after_changes_equals_a_rebuild(world: dict[str, Any]) -> None:
    w = world
    load_indicators("nrm")
    rebuild()
    before = snapshot()
    # The clinic accepts the referral it acknowledged (r7), then completes it; P1
    # acknowledges the overdue one (r5). Through the services.
    r7 = Referral.objects.get(pk=w["r7"].pk)
    r7 = referral_services.accept(
        acting_user=w["focal_p2"], referral=r7, expected_version=r7.version
    )
    referral_services.complete(
        acting_user=w["focal_p2"], referral=r7, expected_version=r7.version, outcome="served"
    )
    r5 = Referral.objects.get(pk=w["r5"].pk)
    referral_services.acknowledge(
        acting_user=w["focal_p1"], referral=r5, expected_version=r5.version
    )
    # An arrival deleted: a12, the only arrival of c12, whose survey round s5 loses with it
    # its entry point and country.
    Arrival.objects.get(pk=w["a12"].pk).delete()
    # A person's sex corrected (c3's: her arrival a3, her case, her referral r2), another's
    # area (c9's: a9, c9, s3), with a new name for the area.
    person = Person.objects.get(pk=w["c3"].person_id)
    person.sex = "male"
    person.save()
    person = Person.objects.get(pk=w["c9"].person_id)
    person.origin_admin1_code, person.origin_admin1_name = "HT03", "Nord-Ouest (corrigé)"
    person.save()
    # M3 landed at Malpasse after all: a11 with it, c11 and its referral r6 (c11's first
    # arrival); and its breach is cleared.
    m3 = Movement.objects.get(pk=w["M3"].pk)
    m3.entry_point = EntryPoint.objects.get(code=MAL)
    m3.save()
    violation = Violation.objects.get(movement=m3)
    violation.status = "cleared"
    violation.save()
    # Queryset updates, announced with rows_changed.
    Case.objects.filter(pk=w["c4"].pk).update(kind="other")
    changed(Case, [w["c4"].pk])
    Arrival.objects.filter(pk=w["a1"].pk).update(repeat_return=True)
    changed(Arrival, [w["a1"].pk])
    assert PendingChange.objects.exists()

    refresh()
    assert not PendingChange.objects.exists()
    refreshed = snapshot()
    assert refreshed != before
    # Counted by hand after the changes.
    assert figure("ret-returns") == {"": 11}
    assert figure("ret-repeat", "entry_point") == {MAL: 2, CAP: 1}  # a1, a2; a7
    # An arrival keeps the sex given at the desk; the case counts the person's as corrected.
    assert figure("ret-returns", "sex") == {"female": 5, "male": 5, "other": 0, "unknown": 1}
    assert figure("ops-registrations", "sex") == {"female": 4, "male": 8, "other": 0, "unknown": 0}
    assert figure("ops-registrations", "entry_point") == {MAL: 7, CAP: 3, "": 2}
    assert figure("ops-registrations", "kind")["other"] == 1
    # M1 of M1, M3, M4 at Malpasse; none of M2, M5 at Cap-Haïtien.
    assert figure("ret-compliance", "entry_point") == {MAL: pytest.approx(100 / 3), CAP: 0.0}
    assert figure("ops-completion") == {"": 75.0}  # r1, r8, r7 of r1, r2, r8, r7
    assert figure("ops-overdue") == {"": 0}
    assert figure("rei-rounds", "entry_point") == {MAL: 3, CAP: 1, "": 1}
    assert figure("ops-registrations", "admin_area") == {"HT01": 6, "HT02": 3, "HT03": 2, "": 1}
    assert AreaName.objects.get(code="HT03").name == "Nord-Ouest (corrigé)"

    rebuild()
    assert snapshot() == refreshed


def test_records_that_stop_counting_leave_the_cells(world: dict[str, Any]) -> None:
    w = world
    load_indicators("nrm")
    rebuild()
    # A referral whose sending is undone (r10), a movement cancelled (M5, the only one of May).
    Referral.objects.filter(pk=w["r10"].pk).update(sent_at=None)
    changed(Referral, [w["r10"].pk])
    m5 = Movement.objects.get(pk=w["M5"].pk)
    m5.status = "cancelled"
    m5.save()
    refresh()
    assert not Fact.objects.filter(subject="referrals", key=str(w["r10"].pk)).exists()
    assert not Fact.objects.filter(subject="movements", key=str(w["M5"].pk)).exists()
    assert figure("ops-referrals") == {"": 9}
    assert figure("ops-referrals", "status")["cancelled"] == 0
    assert figure("ret-movements") == {"": 4}
    # Nothing of May is left in the cells (a row may stay, all zeros).
    assert not MovementCell.objects.filter(month=date(2026, 5, 1)).exclude(movements=0).exists()
    refreshed = snapshot()
    rebuild()
    assert snapshot() == refreshed


def test_the_queue_alone_builds_the_cells_a_rebuild_does(world: dict[str, Any]) -> None:
    # Every record of the world was queued as it was saved, except the referrals, created in
    # bulk: announced here as an import would.
    changed(Referral, Referral.objects.values_list("pk", flat=True))
    refresh()
    assert not PendingChange.objects.exists()
    refreshed = snapshot()
    assert all(refreshed[0].values())  # something in every table
    rebuild()
    assert snapshot() == refreshed


def test_a_change_is_refreshed_once_when_its_transaction_commits(
    reception_officer: Any, organisation: Any, django_capture_on_commit_callbacks: Any
) -> None:
    load_haiti()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        moved = movement(reception_officer, organisation, scheduled_at=local("2026-03-02T10:00"))
        moved.save()
        breach(moved, "hours", "open")
        assert len(queued()) == 1
    # One refresh scheduled for the transaction, however many records it changed.
    assert sum(getattr(c, "_orienta_refresh", False) for c in callbacks) == 1
    assert not PendingChange.objects.exists()
    # The movement's own cell (its entry point, country, organisation) and its month's roll-up.
    cells = MovementCell.objects.filter(breakdown=TOTAL)
    assert sorted(c.entry_point for c in cells) == sorted([ALL, moved.entry_point.code])
    assert {(c.movements, c.with_breaches, c.breaches) for c in cells} == {(1, 1, 1)}


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_reaches_the_board_by_itself(
    reception_officer: Any, organisation: Any
) -> None:
    # Really committed: the refresh runs as the transaction commits (the immediate task
    # backend), and the board reads outside any transaction (one snapshot on PostgreSQL).
    load_haiti()
    load_indicators("nrm")
    moved = movement(reception_officer, organisation, scheduled_at=local("2026-03-02T10:00"))
    assert not PendingChange.objects.exists()
    assert figure("ret-movements") == {"": 1}
    breach(moved, "hours", "open")
    assert figure("ret-compliance") == {"": 100.0}


def test_a_movement_changed_through_its_service_is_queued(world: dict[str, Any]) -> None:
    w = world
    rebuild()
    moved = Movement.objects.get(pk=w["M5"].pk)
    data = return_services.MovementData(
        mode=moved.mode,
        origin_country=moved.origin_country,
        entry_point=EntryPoint.objects.get(code=MAL),
        scheduled_at=moved.scheduled_at,
        status=moved.status,
    )
    return_services.update_movement(
        acting_user=w["M5"].created_by, movement=moved, data=data, expected_version=1
    )
    assert ("returns.movement", str(moved.pk)) in queued()
    refresh()
    refreshed = snapshot()
    rebuild()
    assert snapshot() == refreshed


# --- The pack -----------------------------------------------------------------------------


def item(code: str, **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "code": code,
        "label": {"fr": "Retours", "en": "Returns"},
        "subject": "arrivals",
        "formula": {"sum": "returns"},
        "unit": "count",
        "disaggregations": ["sex"],
        "dashboard": "returns",
        "hxl": "#affected+returnees+num",
    }
    values.update(extra)
    return values


BAD_PACK = {
    "indicators": [
        item("ok"),
        item("bad-subject", subject="visits"),
        item("bad-measure", formula={"sum": "visitors"}),
        item(
            "bad-ratio",
            subject="referrals",
            formula={"ratio": ["days_to_service", "served"]},
            unit="percent",
            disaggregations=[],
        ),
        item(
            "bad-breakdown",
            subject="movements",
            formula={"sum": "movements"},
            disaggregations=["mode", "sex", TOTAL],
        ),  # fmt: skip
        item("no-labels", label={"fr": "Retours"}, hxl="affected"),
        item("ok"),
    ]
}

BAD_PACK_PROBLEMS = [
    "bad-subject: subject 'visits' is unknown (arrivals, movements, referrals, cases, surveys)",
    "bad-measure: formula: arrivals have no measure 'visitors'",
    "bad-ratio: formula: 'days_to_service' is not a count",
    "bad-breakdown: disaggregation 'sex' is not one of movements's",
    "bad-breakdown: disaggregation 'total' is not one of movements's",
    "no-labels: label.en is missing",
    "no-labels: hxl must be a hashtag (#…)",
    "ok: defined twice",
]


def test_every_problem_of_a_pack_is_reported_at_once_and_nothing_is_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert load_indicators("nrm") == (16, 0)
    monkeypatch.setattr(definitions, "load_pack", lambda kind, name: BAD_PACK)
    with pytest.raises(PackError) as raised:
        load_indicators("nrm")
    assert raised.value.problems == BAD_PACK_PROBLEMS
    assert Indicator.objects.count() == 16 and not Indicator.objects.filter(code="ok").exists()
    assert AuditEvent.objects.filter(action="indicators.definitions.loaded").count() == 1


def test_the_commands(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    call_command("load_indicators", stdout=out)
    call_command("load_indicators", "nrm", stdout=out)
    assert out.getvalue().splitlines() == [
        "Indicators: 16 created, 0 updated.",
        "Indicators: 0 created, 0 updated.",  # nothing changed
    ]
    waiting = PendingChange.objects.count()
    assert waiting > 0
    out = io.StringIO()
    call_command("refresh_indicators", stdout=out)
    assert out.getvalue() == f"Applied {waiting} queued changes.\n"
    assert not PendingChange.objects.exists()

    out = io.StringIO()
    call_command("refresh_indicators", "--rebuild", stdout=out)
    referrals = Referral.objects.count()  # drafts too: every record is read
    assert out.getvalue().startswith(
        f"Rebuilt from 12 arrivals, 6 movements, {referrals} referrals, 12 cases, 6 surveys in "
    )
    assert figure("ops-referrals") == {"": 10}
    out = io.StringIO()
    call_command("refresh_indicators", "--rebuild", "--subject", "arrivals", stdout=out)
    assert out.getvalue().startswith("Rebuilt from 12 arrivals in ")
    assert figure("ret-returns") == {"": 12}

    monkeypatch.setattr(definitions, "load_pack", lambda kind, name: BAD_PACK)
    with pytest.raises(CommandError) as raised:
        call_command("load_indicators")
    assert str(raised.value).splitlines() == BAD_PACK_PROBLEMS


def test_an_entry_point_changed_moves_its_records_months(world: dict[str, Any]) -> None:
    """An entry point's time zone gives its arrivals and movements their local month: changing
    it queues its movements (and so their arrivals); the refresh then equals a rebuild."""
    rebuild()
    before = snapshot()
    point = EntryPoint.objects.get(code=MAL)
    point.time_zone = "Asia/Tokyo"  # 31 March 20:30 in Haiti is 1 April in Tokyo
    point.save()
    assert ("returns.movement", str(world["M1"].pk)) in queued()
    refresh()
    refreshed = snapshot()
    assert refreshed != before
    rebuild()
    assert snapshot() == refreshed


def test_deferring_refreshes_nests() -> None:
    from orienta.indicators import refresh as module

    with module.deferred():
        with module.deferred():
            pass
        assert module._loading.deferred  # still inside the outer one
    assert not module._loading.deferred
