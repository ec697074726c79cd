"""What each kind of protocol rule says about a movement and its arrivals, as pure functions.

The facts are read once from the database (compliance.py) and the rules judge them here, so a
year of movements is judged without a query per arrival, and each rule is tested on its own.
Times are judged in the entry point's local time: Haiti observes daylight saving, and "no
repatriation after 18:00" means 18:00 on the clock at the border.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from orienta.returns.choices import RuleKind

SUNDAY = 6


@dataclass(frozen=True)
class ArrivalFacts:
    id: Any
    unaccompanied_child: bool = False
    child_protection_handover: bool = False
    family_separated: bool = False
    detention_days: int | None = None
    removal_order_received: bool | None = None
    belongings_returned: bool | None = None
    abuse_reported: bool = False
    vulnerable: bool = False  # pregnant, medical urgency or older
    listed: bool = True


@dataclass(frozen=True)
class MovementFacts:
    id: Any
    moment: datetime  # actual arrival, or the scheduled one until it is known
    time_zone: str
    entry_point: str
    mode: str
    announced_headcount: int | None = None
    actual_headcount: int | None = None
    listed: int = 0
    notice_received_at: datetime | None = None
    list_received_at: datetime | None = None
    consular_access_refused: bool = False
    arrivals: tuple[ArrivalFacts, ...] = ()

    @property
    def local(self) -> datetime:
        return self.moment.astimezone(ZoneInfo(self.time_zone))


@dataclass(frozen=True)
class Breach:
    kind: str
    evidence: dict[str, Any]
    arrival: Any = None


@dataclass(frozen=True)
class Rule:
    """The parts of a ProtocolRule the judgement needs."""

    kind: str
    parameters: dict[str, Any] = field(default_factory=dict)


Holidays = set[tuple[str, date]]


def _clock(value: str) -> time:
    return time.fromisoformat(value)


def _hours(rule: Rule, facts: MovementFacts, holidays: Holidays) -> list[Breach]:
    local = facts.local
    at = local.time()
    start, end = _clock(rule.parameters["start"]), _clock(rule.parameters["end"])
    evidence: dict[str, Any] = {"local_time": local.isoformat(timespec="minutes")}
    if not start <= at < end:
        return [Breach("outside_hours", {**evidence, "allowed": f"{start:%H:%M}–{end:%H:%M}"})]
    day = local.date()
    restricted = []
    if local.weekday() in rule.parameters.get("restricted_weekdays", []):
        restricted.append("sunday" if local.weekday() == SUNDAY else f"weekday {local.weekday()}")
    restricted += [
        f"holiday {country}"
        for country in rule.parameters.get("holidays_of", [])
        if (country, day) in holidays
    ]
    if restricted:
        low = _clock(rule.parameters.get("restricted_start", rule.parameters["start"]))
        high = _clock(rule.parameters.get("restricted_end", rule.parameters["end"]))
        if not low <= at < high:
            return [
                Breach(
                    "restricted_day",
                    {
                        **evidence,
                        "day": ", ".join(restricted),
                        "allowed": f"{low:%H:%M}–{high:%H:%M}",
                    },
                )
            ]
    return []


def _entry_points(rule: Rule, facts: MovementFacts, holidays: Holidays) -> list[Breach]:
    allowed = rule.parameters.get("codes", [])
    if facts.entry_point in allowed:
        return []
    return [
        Breach("unofficial_entry_point", {"entry_point": facts.entry_point, "allowed": allowed})
    ]


def _late(received: datetime | None, facts: MovementFacts, hours: float, what: str) -> list[Breach]:
    if received is None:
        return [Breach(f"no_{what}", {})]
    ahead = (facts.moment - received).total_seconds() / 3600
    if ahead < hours:
        return [
            Breach(
                f"late_{what}",
                {"hours_before_arrival": round(ahead, 1), "required_hours": hours},
            )
        ]
    return []


def _advance_notice(rule: Rule, facts: MovementFacts, holidays: Holidays) -> list[Breach]:
    found = _late(
        facts.notice_received_at, facts, rule.parameters.get("notice_hours", 24), "notice"
    )
    found += _late(facts.list_received_at, facts, rule.parameters.get("list_hours", 24), "list")
    # The list is judged by whether it announced the people who came.
    if facts.actual_headcount is not None:
        announced = facts.announced_headcount
        if announced is None and facts.list_received_at is not None:
            announced = facts.listed
        if announced is not None and announced != facts.actual_headcount:
            found.append(
                Breach(
                    "headcount_mismatch",
                    {"announced": announced, "arrived": facts.actual_headcount},
                )
            )
    return found


def _per_arrival(
    kind: str, test: Callable[[ArrivalFacts], dict[str, Any] | None]
) -> Callable[[Rule, MovementFacts, Holidays], list[Breach]]:
    def judge(rule: Rule, facts: MovementFacts, holidays: Holidays) -> list[Breach]:
        found = []
        for arrival in facts.arrivals:
            evidence = test(arrival)
            if evidence is not None:
                found.append(Breach(kind, evidence, arrival.id))
        return found

    return judge


def _detention(rule: Rule, facts: MovementFacts, holidays: Holidays) -> list[Breach]:
    limit = rule.parameters.get("max_days")
    if limit is None:
        return []
    return _per_arrival(
        "detention_over_limit",
        lambda a: (
            {"days": a.detention_days, "max_days": limit}
            if a.detention_days is not None and a.detention_days > limit
            else None
        ),
    )(rule, facts, holidays)


def _group_size(rule: Rule, facts: MovementFacts, holidays: Holidays) -> list[Breach]:
    limit = rule.parameters.get("max")
    size = (
        facts.actual_headcount if facts.actual_headcount is not None else facts.announced_headcount
    )
    if limit is None or size is None or size <= limit:
        return []
    return [Breach("group_too_large", {"size": size, "max": limit})]


def _consular_access(rule: Rule, facts: MovementFacts, holidays: Holidays) -> list[Breach]:
    return [Breach("consular_access_refused", {})] if facts.consular_access_refused else []


JUDGES: dict[str, Callable[[Rule, MovementFacts, Holidays], list[Breach]]] = {
    RuleKind.HOURS: _hours,
    RuleKind.ENTRY_POINTS: _entry_points,
    RuleKind.ADVANCE_NOTICE: _advance_notice,
    RuleKind.FAMILY_UNITY: _per_arrival(
        "family_separated", lambda a: {} if a.family_separated else None
    ),
    RuleKind.UNACCOMPANIED_CHILDREN: _per_arrival(
        "unaccompanied_child_without_handover",
        lambda a: {} if a.unaccompanied_child and not a.child_protection_handover else None,
    ),
    RuleKind.VULNERABLE_PERSONS: _per_arrival(
        "vulnerable_not_announced", lambda a: {} if a.vulnerable and not a.listed else None
    ),
    RuleKind.GROUP_SIZE: _group_size,
    RuleKind.DETENTION: _detention,
    RuleKind.REMOVAL_ORDER: _per_arrival(
        "no_removal_order", lambda a: {} if a.removal_order_received is False else None
    ),
    RuleKind.BELONGINGS: _per_arrival(
        "belongings_not_returned", lambda a: {} if a.belongings_returned is False else None
    ),
    RuleKind.CONSULAR_ACCESS: _consular_access,
    RuleKind.DIGNITY: _per_arrival("abuse_reported", lambda a: {} if a.abuse_reported else None),
}

# Every kind of breach, with the rule kind that finds it (reports group by these).
BREACHES: dict[str, str] = {
    "outside_hours": RuleKind.HOURS,
    "restricted_day": RuleKind.HOURS,
    "unofficial_entry_point": RuleKind.ENTRY_POINTS,
    "no_notice": RuleKind.ADVANCE_NOTICE,
    "late_notice": RuleKind.ADVANCE_NOTICE,
    "no_list": RuleKind.ADVANCE_NOTICE,
    "late_list": RuleKind.ADVANCE_NOTICE,
    "headcount_mismatch": RuleKind.ADVANCE_NOTICE,
    "family_separated": RuleKind.FAMILY_UNITY,
    "unaccompanied_child_without_handover": RuleKind.UNACCOMPANIED_CHILDREN,
    "vulnerable_not_announced": RuleKind.VULNERABLE_PERSONS,
    "group_too_large": RuleKind.GROUP_SIZE,
    "detention_over_limit": RuleKind.DETENTION,
    "no_removal_order": RuleKind.REMOVAL_ORDER,
    "belongings_not_returned": RuleKind.BELONGINGS,
    "consular_access_refused": RuleKind.CONSULAR_ACCESS,
    "abuse_reported": RuleKind.DIGNITY,
}


def judge(
    rules: Iterable[Rule], facts: MovementFacts, holidays: Holidays
) -> list[tuple[Rule, Breach]]:
    """Every breach of these rules by the movement and its arrivals."""
    return [(rule, breach) for rule in rules for breach in JUDGES[rule.kind](rule, facts, holidays)]
