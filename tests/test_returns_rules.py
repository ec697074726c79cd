"""Each kind of protocol rule, judged on its own (no database)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from orienta.returns.rules import ArrivalFacts, MovementFacts, Rule, judge
from tests.returns_helpers import local

HOURS_1999 = Rule(
    "hours",
    {
        "start": "08:00",
        "end": "18:00",
        "restricted_weekdays": [6],
        "holidays_of": ["HT", "DO"],
        "restricted_start": "08:00",
        "restricted_end": "12:00",
    },
)
HOLIDAYS = {("HT", date(2026, 11, 18)), ("DO", date(2026, 11, 9))}


def facts(moment: str = "2026-11-04T10:00", **extra: object) -> MovementFacts:
    values: dict = {
        "id": 1,
        "moment": local(moment),
        "time_zone": "America/Port-au-Prince",
        "entry_point": "HT-MALPASSE",
        "mode": "land",
    }
    values.update(extra)
    return MovementFacts(**values)


def kinds(rule: Rule, movement: MovementFacts) -> list[str]:
    return [breach.kind for _rule, breach in judge([rule], movement, HOLIDAYS)]


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-11-04T08:00", []),  # Wednesday, opening minute
        ("2026-11-04T17:59", []),
        ("2026-11-04T18:00", ["outside_hours"]),  # "between 18:00 and 08:00" is night
        ("2026-11-04T07:59", ["outside_hours"]),
        ("2026-11-04T23:30", ["outside_hours"]),
        ("2026-11-08T09:00", []),  # Sunday morning: allowed
        ("2026-11-08T12:00", ["restricted_day"]),  # Sunday afternoon
        ("2026-11-08T15:00", ["restricted_day"]),
        ("2026-11-18T11:59", []),  # Haitian holiday (Vertières), morning
        ("2026-11-18T14:00", ["restricted_day"]),
        ("2026-11-09T14:00", ["restricted_day"]),  # Dominican holiday (moved Constitution day)
        ("2026-11-10T14:00", []),
    ],
)
def test_hours_and_the_sunday_and_holiday_morning_exception(moment: str, expected: list) -> None:
    assert kinds(HOURS_1999, facts(moment)) == expected


def test_hours_are_read_on_the_local_clock_across_daylight_saving() -> None:
    """Haiti moves to UTC−4 on the second Sunday of March (8 March 2026). The same UTC time,
    12:30, is 07:30 on the clock on Saturday 7 March (night: a breach) and 08:30 on Monday 9
    March (allowed)."""
    from datetime import UTC, datetime

    before = facts(moment="2026-03-07T00:00", **{})
    before = MovementFacts(
        **{**before.__dict__, "moment": datetime(2026, 3, 7, 12, 30, tzinfo=UTC)}
    )
    after = MovementFacts(**{**before.__dict__, "moment": datetime(2026, 3, 9, 12, 30, tzinfo=UTC)})
    assert kinds(HOURS_1999, before) == ["outside_hours"]
    assert kinds(HOURS_1999, after) == []
    breach = judge([HOURS_1999], before, HOLIDAYS)[0][1]
    assert breach.evidence["local_time"].startswith("2026-03-07T07:30")
    # And back in November (1 Nov 2026): 22:30 UTC is 18:30 on Saturday 31 Oct, 17:30 on 2 Nov.
    late = MovementFacts(
        **{**before.__dict__, "moment": datetime(2026, 10, 31, 22, 30, tzinfo=UTC)}
    )
    fine = MovementFacts(**{**before.__dict__, "moment": datetime(2026, 11, 3, 22, 30, tzinfo=UTC)})
    assert kinds(HOURS_1999, late) == ["outside_hours"]
    assert kinds(HOURS_1999, fine) == []


def test_allowed_entry_points() -> None:
    rule = Rule("entry_points", {"codes": ["HT-MALPASSE", "HT-OUANAMINTHE"]})
    assert kinds(rule, facts()) == []
    assert kinds(rule, facts(entry_point="HT-PAP-AIR")) == ["unofficial_entry_point"]


def test_advance_notice_and_list() -> None:
    rule = Rule("advance_notice", {"notice_hours": 24, "list_hours": 12})
    arrival = local("2026-11-04T10:00")
    assert kinds(rule, facts()) == ["no_notice", "no_list"]
    on_time = facts(
        notice_received_at=arrival - timedelta(hours=30),
        list_received_at=arrival - timedelta(hours=12),
    )
    assert kinds(rule, on_time) == []
    late = facts(
        notice_received_at=arrival - timedelta(hours=3),
        list_received_at=arrival - timedelta(hours=1),
    )
    assert kinds(rule, late) == ["late_notice", "late_list"]
    evidence = judge([rule], late, HOLIDAYS)[0][1].evidence
    assert evidence == {"hours_before_arrival": 3.0, "required_hours": 24}


def test_headcount_mismatch_against_the_announced_count_or_the_list() -> None:
    rule = Rule("advance_notice", {"notice_hours": 0, "list_hours": 0})
    arrival = local("2026-11-04T10:00")
    known = {"notice_received_at": arrival, "list_received_at": arrival}
    assert kinds(rule, facts(announced_headcount=40, actual_headcount=40, **known)) == []
    assert kinds(rule, facts(announced_headcount=40, actual_headcount=43, **known)) == [
        "headcount_mismatch"
    ]
    # No announced figure: the list is the announcement.
    assert kinds(rule, facts(listed=12, actual_headcount=11, **known)) == ["headcount_mismatch"]
    assert kinds(rule, facts(announced_headcount=40, **known)) == []  # not arrived yet


def with_arrivals(*arrivals: ArrivalFacts) -> MovementFacts:
    return facts(arrivals=arrivals)


@pytest.mark.parametrize(
    ("kind", "breaking", "keeping", "expected"),
    [
        (
            "family_unity",
            ArrivalFacts(1, family_separated=True),
            ArrivalFacts(2),
            "family_separated",
        ),
        (
            "unaccompanied_children",
            ArrivalFacts(1, unaccompanied_child=True),
            ArrivalFacts(2, unaccompanied_child=True, child_protection_handover=True),
            "unaccompanied_child_without_handover",
        ),
        (
            "vulnerable_persons",
            ArrivalFacts(1, vulnerable=True, listed=False),
            ArrivalFacts(2, vulnerable=True, listed=True),
            "vulnerable_not_announced",
        ),
        (
            "removal_order",
            ArrivalFacts(1, removal_order_received=False),
            ArrivalFacts(2, removal_order_received=None),  # not asked: no evidence
            "no_removal_order",
        ),
        (
            "belongings",
            ArrivalFacts(1, belongings_returned=False),
            ArrivalFacts(2, belongings_returned=True),
            "belongings_not_returned",
        ),
        ("dignity", ArrivalFacts(1, abuse_reported=True), ArrivalFacts(2), "abuse_reported"),
    ],
)
def test_rules_on_each_arrival(
    kind: str, breaking: ArrivalFacts, keeping: ArrivalFacts, expected: str
) -> None:
    found = judge([Rule(kind)], with_arrivals(breaking, keeping), HOLIDAYS)
    assert [(b.kind, b.arrival) for _r, b in found] == [(expected, 1)]


def test_detention_limit() -> None:
    rule = Rule("detention", {"max_days": 30})
    movement = with_arrivals(
        ArrivalFacts(1, detention_days=31), ArrivalFacts(2, detention_days=30), ArrivalFacts(3)
    )
    found = judge([rule], movement, HOLIDAYS)
    assert [(b.kind, b.arrival, b.evidence) for _r, b in found] == [
        ("detention_over_limit", 1, {"days": 31, "max_days": 30})
    ]


def test_group_size() -> None:
    rule = Rule("group_size", {"max": 150})
    assert kinds(rule, facts(announced_headcount=150)) == []
    assert kinds(rule, facts(announced_headcount=120, actual_headcount=151)) == ["group_too_large"]


def test_consular_access() -> None:
    rule = Rule("consular_access")
    assert kinds(rule, facts()) == []
    assert kinds(rule, facts(consular_access_refused=True)) == ["consular_access_refused"]
