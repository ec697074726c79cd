"""Compliance evaluation in the database: the protocol in force, confirmed clauses, breaches
added, cleared, reopened, annotated, and the rates."""

from __future__ import annotations

from typing import Any

import pytest

from orienta.returns import checkin, compliance, services
from orienta.returns.choices import ViolationStatus
from orienta.returns.models import Movement, ProtocolRule, Violation
from tests.returns_helpers import load_haiti, local, movement, profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def haiti() -> None:
    load_haiti()


def kinds(moved: Movement) -> set[str]:
    return set(
        moved.violations.exclude(status=ViolationStatus.CLEARED).values_list("kind", flat=True)
    )


def test_a_night_convoy_at_an_unofficial_point_breaks_the_1999_protocol(
    haiti: None, reception_officer: Any, organisation: Any
) -> None:
    moved = movement(
        reception_officer,
        organisation,
        entry_point="HT-PAP-AIR",
        scheduled_at=local("2026-11-04T20:00"),
    )
    result = compliance.evaluate(Movement.objects.all())
    assert result.movements == 1 and result.without_protocol == 0
    moved.refresh_from_db()
    assert moved.protocol.key == "ht-do-1999"
    # The clauses known only from secondary sources are not applied until confirmed.
    assert kinds(moved) == {"outside_hours", "unofficial_entry_point"}
    hours = moved.violations.get(kind="outside_hours")
    assert hours.rule.clause == "(a)" and hours.severity == "major"
    assert hours.evidence["local_time"].startswith("2026-11-04T20:00")


def test_a_confirmed_clause_is_applied(
    haiti: None, reception_officer: Any, coordinator: Any, organisation: Any
) -> None:
    moved = movement(reception_officer, organisation, scheduled_at=local("2026-11-04T10:00"))
    compliance.evaluate([moved])
    assert kinds(moved) == set()
    clause = ProtocolRule.objects.get(protocol__key="ht-do-1999", kind="advance_notice")
    services.confirm_rule(acting_user=coordinator, rule=clause, note="Texte lu (Scribd 550960562)")
    compliance.evaluate([moved])
    assert kinds(moved) == {"no_notice", "no_list"}


def test_breaches_are_cleared_reopened_and_never_deleted(
    haiti: None, reception_officer: Any, coordinator: Any, organisation: Any
) -> None:
    moved = movement(reception_officer, organisation, scheduled_at=local("2026-11-08T15:00"))
    compliance.evaluate([moved])
    breach = moved.violations.get()
    assert breach.kind == "restricted_day"  # a Sunday afternoon
    services.annotate(
        acting_user=coordinator, violation=breach, kind="contest", text="Arrived at 11:40"
    )
    breach.refresh_from_db()
    assert breach.status == ViolationStatus.CONTESTED
    data = services.MovementData(
        mode="land",
        origin_country="DO",
        entry_point=moved.entry_point,
        scheduled_at=local("2026-11-08T11:40"),
    )
    services.update_movement(
        acting_user=reception_officer, movement=moved, data=data, expected_version=moved.version
    )
    result = compliance.evaluate([moved])
    assert result.cleared == 1
    breach.refresh_from_db()
    assert breach.status == ViolationStatus.CLEARED and breach.notes.count() == 1
    data.scheduled_at = local("2026-11-08T16:00")
    moved.refresh_from_db()
    services.update_movement(
        acting_user=reception_officer, movement=moved, data=data, expected_version=moved.version
    )
    assert compliance.evaluate([moved]).reopened == 1
    assert Violation.objects.count() == 1


def test_arrival_breaches(
    haiti: None, reception_officer: Any, coordinator: Any, organisation: Any
) -> None:
    for kind in ("belongings", "unaccompanied_children"):
        services.confirm_rule(
            acting_user=coordinator,
            rule=ProtocolRule.objects.get(protocol__key="ht-do-1999", kind=kind),
            note="confirmed by the commission",
        )
    moved = movement(reception_officer, organisation, scheduled_at=local("2026-11-04T10:00"))
    checkin.check_in(
        acting_user=reception_officer,
        movement=moved,
        profile=profile(
            given_name="Ana",
            family_name="Joseph",
            age_group="child",
            stated_age=12,
            accompaniment="alone",
            best_interests_reference="IBESR-1",
            family_separated=True,
            belongings_returned=False,
        ),
    )
    Movement.objects.filter(pk=moved.pk).update(arrived_at=local("2026-11-04T10:05"))
    compliance.evaluate([moved])
    assert kinds(moved) == {
        "family_separated",
        "belongings_not_returned",
        "unaccompanied_child_without_handover",
    }
    assert all(v.arrival_id for v in moved.violations.all())


def test_no_protocol_in_force_no_breach_and_not_in_the_rate(
    haiti: None, reception_officer: Any, organisation: Any
) -> None:
    night = local("2026-11-04T23:00")
    us = movement(
        reception_officer,
        organisation,
        origin_country="US",
        entry_point="HT-CAP-AIR",
        mode="flight",
        scheduled_at=night,
    )
    do_ok = movement(reception_officer, organisation, scheduled_at=local("2026-11-04T10:00"))
    do_bad = movement(reception_officer, organisation, scheduled_at=night)
    do_ok2 = movement(
        reception_officer,
        organisation,
        entry_point="HT-OUANAMINTHE",
        scheduled_at=local("2026-11-05T09:00"),
    )
    result = compliance.evaluate(Movement.objects.all())
    assert (result.movements, result.without_protocol) == (4, 1)
    us.refresh_from_db()
    assert us.protocol is None and not us.violations.exists()  # the draft is not in force
    rows = compliance.compliance_rows(Movement.objects.all(), "origin_country")
    assert rows == [{"key": "DO", "total": 3, "compliant": 2, "rate": 66.7}]
    by_point = compliance.compliance_rows(Movement.objects.all(), "entry_point__code")
    assert {r["key"]: r["rate"] for r in by_point} == {"HT-MALPASSE": 50.0, "HT-OUANAMINTHE": 100.0}
    assert do_ok and do_bad and do_ok2
