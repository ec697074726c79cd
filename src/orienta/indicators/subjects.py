"""What each kind of counted record contributes: its categories (one per breakdown) and its
measures. These are the formulas over the models; an indicator (models.Indicator) combines
measures of one subject, and a dashboard breaks it down by the subject's breakdowns.

Definitions, in one place (docs/indicators.md repeats them for readers):

- arrivals: every arrival checked in. Month: the local month at the entry point (the clock the
  protocol rules read). Country: the country the person was returned from. Organisation: the
  receiving organisation. Area: the department or region of origin of the person, when known.
- movements: every movement not cancelled; a breach is a live protocol violation (open,
  confirmed or contested). Month: the local month of the scheduled arrival.
- referrals: every referral sent (drafts never count). Month: the month it was sent.
  Organisation: the receiving one. Category: the top-level service category. Answered: accepted
  or declined; accepted: accepted, in progress, completed or not completed; closed: completed or
  not completed; overdue: still waiting for an acknowledgement after the escalation found it
  late; time to service: days from sending to the start of the service.
- cases: every case registered (anonymised ones too: a count keeps no person). Month: opening.
- surveys: every scored survey round. Month: the cohort, i.e. the month the case was opened;
  round: months after arrival (0 is the baseline).

For case-based records (referrals, cases, surveys), the entry point and the country returned
from are those of the first arrival linked to the case ("" when none); sex, age group and area
are the person's, age on the day the record counts from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Model, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from orienta.cases.models import Case
from orienta.indicators import models as cells
from orienta.referrals.choices import ReferralStatus
from orienta.referrals.models import Referral
from orienta.reintegration.models import SurveyRound
from orienta.returns.checkin import age_group_for
from orienta.returns.choices import Accompaniment, AgeGroup, MovementStatus
from orienta.returns.compliance import LIVE
from orienta.returns.models import Arrival, Movement

#: The filter columns every cell carries (besides its breakdown and category).
FILTERS = ("month", "entry_point", "origin_country", "organisation")
TOTAL = "total"
#: The filter value of the roll-up cells: every entry point, country and organisation at once.
#: Each fact is counted in its own cell and in its month's roll-up, so a tile filtered by
#: nothing but months sums a few hundred roll-up cells instead of every combination of entry
#: point, country and organisation (1.9 million cells for 2 million referrals, bench/indicators.py).
ALL = "*"
UNKNOWN = ""  # the category of a fact that has none (unknown sex, no entry point…)

#: Every breakdown a subject may offer, with its label.
BREAKDOWNS: dict[str, Promise] = {
    TOTAL: _("Total"),
    "sex": _("Sex"),
    "age_group": _("Age group"),
    "entry_point": _("Entry point"),
    "origin_country": _("Country returned from"),
    "organisation": _("Organisation"),
    "service_category": _("Service category"),
    "admin_area": _("Area of origin"),
    "month": _("Month"),
    "mode": _("Mode"),
    "status": _("Status"),
    "kind": _("Kind of case"),
    "round": _("Survey round"),
}

Categories = dict[str, str]
Measures = dict[str, float]
Read = tuple[str, Categories, Measures]


@dataclass(frozen=True)
class Subject:
    code: str
    label: Promise
    cell: type[cells.Cell]
    source: type[Model]
    breakdowns: tuple[str, ...]
    measures: tuple[str, ...]
    #: The facts of these records (absent: the record does not count, or no longer exists).
    read: Callable[[Sequence[Any], dict[str, str]], Iterator[Read]]

    @property
    def primary(self) -> str:
        """The count of the records themselves (1 per fact): a cell counts records if it is
        not zero."""
        return self.measures[0]


def month_key(day: date) -> str:
    return f"{day:%Y-%m}"


def _local_month(moment: datetime, zone: str) -> str:
    return month_key(moment.astimezone(ZoneInfo(zone)).date())


def _area(code: str | None, name: str | None, names: dict[str, str]) -> str:
    if code:
        if name:
            names[code] = name
        return code
    return UNKNOWN


def _flag(condition: bool) -> float:
    return 1.0 if condition else 0.0


# --- Arrivals -----------------------------------------------------------------------------------

_ARRIVAL_FIELDS = (
    "pk",
    "checked_in_at",
    "movement__entry_point__code",
    "movement__entry_point__time_zone",
    "movement__origin_country",
    "movement__mode",
    "organisation_id",
    "sex",
    "age_group",
    "accompaniment",
    "medical_urgency",
    "pregnant",
    "disability",
    "abuse_reported",
    "repeat_return",
    "person__origin_admin1_code",
    "person__origin_admin1_name",
)


def read_arrivals(keys: Sequence[Any], names: dict[str, str]) -> Iterator[Read]:
    for row in Arrival.objects.filter(pk__in=keys).values(*_ARRIVAL_FIELDS):
        categories = {
            "month": _local_month(row["checked_in_at"], row["movement__entry_point__time_zone"]),
            "entry_point": row["movement__entry_point__code"],
            "origin_country": row["movement__origin_country"],
            "organisation": str(row["organisation_id"]),
            "sex": row["sex"] or "unknown",
            "age_group": row["age_group"] or AgeGroup.UNKNOWN,
            "mode": row["movement__mode"],
            "admin_area": _area(
                row["person__origin_admin1_code"], row["person__origin_admin1_name"], names
            ),
        }
        alone = row["age_group"] == AgeGroup.CHILD and row["accompaniment"] in (
            Accompaniment.UNACCOMPANIED,
            Accompaniment.SEPARATED,
        )
        measures = {
            "returns": 1.0,
            "repeat_returns": _flag(row["repeat_return"]),
            "unaccompanied_children": _flag(alone),
            "medical_urgency": _flag(row["medical_urgency"]),
            "pregnant": _flag(row["pregnant"]),
            "disability": _flag(row["disability"]),
            "abuse_reported": _flag(row["abuse_reported"]),
        }
        yield str(row["pk"]), categories, measures


# --- Movements ----------------------------------------------------------------------------------


def read_movements(keys: Sequence[Any], names: dict[str, str]) -> Iterator[Read]:
    rows = (
        Movement.objects.filter(pk__in=keys)
        .exclude(status=MovementStatus.CANCELLED)
        .annotate(breaches=Count("violations", filter=Q(violations__status__in=LIVE)))
        .values(
            "pk",
            "scheduled_at",
            "entry_point__code",
            "entry_point__time_zone",
            "origin_country",
            "mode",
            "organisation_id",
            "announced_headcount",
            "breaches",
        )
    )
    for row in rows:
        categories = {
            "month": _local_month(row["scheduled_at"], row["entry_point__time_zone"]),
            "entry_point": row["entry_point__code"],
            "origin_country": row["origin_country"],
            "organisation": str(row["organisation_id"]),
            "mode": row["mode"],
        }
        measures = {
            "movements": 1.0,
            "with_breaches": _flag(row["breaches"] > 0),
            "breaches": float(row["breaches"]),
            "announced": float(row["announced_headcount"] or 0),
        }
        yield str(row["pk"]), categories, measures


# --- What case-based records share ------------------------------------------------------------

_PERSON = (
    "sex",
    "birth_date",
    "stated_age",
    "stated_age_on",
    "origin_admin1_code",
    "origin_admin1_name",
)


def _person_fields(prefix: str) -> list[str]:
    return [f"{prefix}{name}" for name in _PERSON]


def _age_group(row: dict[str, Any], prefix: str, on: date, child: bool = False) -> str:
    """The person's age group on `on`, from the date of birth or else the stated age (which
    grows by a year every 365 days, as Person.age_on has it)."""
    born = row[f"{prefix}birth_date"]
    stated, stated_on = row[f"{prefix}stated_age"], row[f"{prefix}stated_age_on"]
    age: int | None = None
    if born is not None:
        age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    elif stated is not None and stated_on is not None:
        age = stated + (on - stated_on).days // 365
    if age is None or age < 0:
        return AgeGroup.CHILD if child else AgeGroup.UNKNOWN
    return age_group_for(age)


def _person_categories(
    row: dict[str, Any], prefix: str, on: date, names: dict[str, str], child: bool = False
) -> Categories:
    return {
        "sex": row[f"{prefix}sex"] or "unknown",
        "age_group": _age_group(row, prefix, on, child),
        "admin_area": _area(
            row[f"{prefix}origin_admin1_code"], row[f"{prefix}origin_admin1_name"], names
        ),
    }


def first_arrivals(case_ids: Iterable[Any]) -> dict[Any, tuple[str, str]]:
    """(entry point, country returned from) of the first arrival of each case."""
    found: dict[Any, tuple[str, str]] = {}
    rows = (
        Arrival.objects.filter(case_id__in=set(case_ids))
        .order_by("case_id", "checked_in_at", "pk")
        .values_list("case_id", "movement__entry_point__code", "movement__origin_country")
    )
    for case_id, point, country in rows:
        found.setdefault(case_id, (point, country))
    return found


def _arrival_categories(case_id: Any, arrivals: dict[Any, tuple[str, str]]) -> Categories:
    point, country = arrivals.get(case_id, (UNKNOWN, UNKNOWN))
    return {"entry_point": point, "origin_country": country}


def _local_date(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


# --- Referrals ----------------------------------------------------------------------------------

_ACCEPTED = (
    ReferralStatus.ACCEPTED,
    ReferralStatus.IN_PROGRESS,
    ReferralStatus.COMPLETED,
    ReferralStatus.NOT_COMPLETED,
)
_CLOSED = (ReferralStatus.COMPLETED, ReferralStatus.NOT_COMPLETED)
_OVERDUE_LEVEL = 1  # referrals.escalation.OVERDUE: the escalation found it late

#: The referral measures that are, by definition, the referrals of some statuses: a board that
#: shows referrals by status declares them equal to the sum of those rows (suppression must
#: see that "completed" in a key figure and the "completed" row are one number).
BY_STATUS: dict[str, tuple[str, ...]] = {
    "completed": (ReferralStatus.COMPLETED,),
    "closed": _CLOSED,
    "accepted": _ACCEPTED,
    "answered": (*_ACCEPTED, ReferralStatus.DECLINED),
}
#: Measures that count some of the referrals of one status ("of which" that row).
WITHIN_STATUS: dict[str, str] = {"overdue": ReferralStatus.SENT}


def top_category(category: str) -> str:
    """The top-level taxonomy code, as the referral dashboard has it ("SHEL-TEMP" → "SHEL")."""
    return category.split("-", 1)[0]


def read_referrals(keys: Sequence[Any], names: dict[str, str]) -> Iterator[Read]:
    rows = list(
        Referral.objects.filter(pk__in=keys, sent_at__isnull=False)
        .exclude(status=ReferralStatus.DRAFT)
        .values(
            "pk",
            "case_id",
            "sent_at",
            "status",
            "category",
            "recipient_organisation_id",
            "emergency_override",
            "acknowledged_at",
            "started_at",
            "escalation_level",
            "case__is_child",
            *_person_fields("case__person__"),
        )
    )
    arrivals = first_arrivals(row["case_id"] for row in rows)
    for row in rows:
        sent = row["sent_at"]
        status = row["status"]
        categories = {
            "month": month_key(_local_date(sent)),
            "organisation": str(row["recipient_organisation_id"]),
            "service_category": top_category(row["category"]),
            "status": status,
            **_arrival_categories(row["case_id"], arrivals),
            **_person_categories(
                row, "case__person__", _local_date(sent), names, row["case__is_child"]
            ),
        }
        started = row["started_at"]
        waited = (started - sent).total_seconds() / 86400 if started is not None else 0.0
        measures = {
            "referrals": 1.0,
            "acknowledged": _flag(row["acknowledged_at"] is not None),
            "answered": _flag(status in _ACCEPTED or status == ReferralStatus.DECLINED),
            "accepted": _flag(status in _ACCEPTED),
            "closed": _flag(status in _CLOSED),
            "completed": _flag(status == ReferralStatus.COMPLETED),
            "overdue": _flag(
                status == ReferralStatus.SENT and row["escalation_level"] >= _OVERDUE_LEVEL
            ),
            "served": _flag(started is not None),
            "days_to_service": max(waited, 0.0),
            "emergency_override": _flag(row["emergency_override"]),
        }
        yield str(row["pk"]), categories, measures


# --- Cases --------------------------------------------------------------------------------------


def read_cases(keys: Sequence[Any], names: dict[str, str]) -> Iterator[Read]:
    rows = list(
        Case.objects.filter(pk__in=keys).values(
            "pk",
            "opened_on",
            "organisation_id",
            "kind",
            "status",
            "is_child",
            *_person_fields("person__"),
        )
    )
    arrivals = first_arrivals(row["pk"] for row in rows)
    for row in rows:
        opened = row["opened_on"]
        categories = {
            "month": month_key(opened),
            "organisation": str(row["organisation_id"]),
            "kind": row["kind"],
            **_arrival_categories(row["pk"], arrivals),
            **_person_categories(row, "person__", opened, names, child=row["is_child"]),
        }
        measures = {"registrations": 1.0, "open_cases": _flag(row["status"] != "closed")}
        yield str(row["pk"]), categories, measures


# --- Survey rounds ------------------------------------------------------------------------------


def read_surveys(keys: Sequence[Any], names: dict[str, str]) -> Iterator[Read]:
    rows = list(
        SurveyRound.objects.filter(pk__in=keys, composite__isnull=False).values(
            "pk",
            "case_id",
            "months",
            "interviewed_on",
            "case__opened_on",
            "case__organisation_id",
            "case__is_child",
            "economic",
            "social",
            "psychosocial",
            "composite",
            *_person_fields("case__person__"),
        )
    )
    arrivals = first_arrivals(row["case_id"] for row in rows)
    for row in rows:
        categories = {
            "month": month_key(row["case__opened_on"]),
            "organisation": str(row["case__organisation_id"]),
            "round": str(row["months"]),
            **_arrival_categories(row["case_id"], arrivals),
            **_person_categories(
                row, "case__person__", row["interviewed_on"], names, row["case__is_child"]
            ),
        }
        measures = {
            "rounds": 1.0,
            "economic": float(row["economic"] or 0),
            "social": float(row["social"] or 0),
            "psychosocial": float(row["psychosocial"] or 0),
            "composite": float(row["composite"]),
        }
        yield str(row["pk"]), categories, measures


# --- The subjects -------------------------------------------------------------------------------

_COMMON = (TOTAL, "sex", "age_group", "entry_point", "origin_country", "organisation")

SUBJECTS: dict[str, Subject] = {
    subject.code: subject
    for subject in (
        Subject(
            "arrivals",
            _("Arrivals"),
            cells.ArrivalCell,
            Arrival,
            (*_COMMON, "admin_area", "month", "mode"),
            (
                "returns",
                "repeat_returns",
                "unaccompanied_children",
                "medical_urgency",
                "pregnant",
                "disability",
                "abuse_reported",
            ),
            read_arrivals,
        ),
        Subject(
            "movements",
            _("Movements"),
            cells.MovementCell,
            Movement,
            (TOTAL, "entry_point", "origin_country", "organisation", "month", "mode"),
            ("movements", "with_breaches", "breaches", "announced"),
            read_movements,
        ),
        Subject(
            "referrals",
            _("Referrals"),
            cells.ReferralCell,
            Referral,
            (*_COMMON, "service_category", "admin_area", "month", "status"),
            (
                "referrals",
                "acknowledged",
                "answered",
                "accepted",
                "closed",
                "completed",
                "overdue",
                "served",
                "days_to_service",
                "emergency_override",
            ),
            read_referrals,
        ),
        Subject(
            "cases",
            _("Cases"),
            cells.CaseCell,
            Case,
            (*_COMMON, "admin_area", "month", "kind"),
            ("registrations", "open_cases"),
            read_cases,
        ),
        Subject(
            "surveys",
            _("Survey rounds"),
            cells.SurveyCell,
            SurveyRound,
            (*_COMMON, "admin_area", "month", "round"),
            ("rounds", "economic", "social", "psychosocial", "composite"),
            read_surveys,
        ),
    )
}

#: Measures that are counts of records (suppressed when small); the others are sums of values
#: (days, scores), shown only through a mean over a count.
COUNTS = {
    "returns",
    "repeat_returns",
    "unaccompanied_children",
    "medical_urgency",
    "pregnant",
    "disability",
    "abuse_reported",
    "movements",
    "with_breaches",
    "breaches",
    "announced",
    "referrals",
    "acknowledged",
    "answered",
    "accepted",
    "closed",
    "completed",
    "overdue",
    "served",
    "emergency_override",
    "registrations",
    "open_cases",
    "rounds",
}

#: Measures that count some of the records another measure counts (part → whole): true by the
#: definitions above, and declared "of which" on a board so that the difference is protected.
PARTS: dict[str, str] = {
    "repeat_returns": "returns",
    "unaccompanied_children": "returns",
    "medical_urgency": "returns",
    "pregnant": "returns",
    "disability": "returns",
    "abuse_reported": "returns",
    "with_breaches": "movements",
    "acknowledged": "referrals",
    "answered": "referrals",
    "accepted": "answered",
    "closed": "accepted",
    "completed": "closed",
    "overdue": "referrals",
    "served": "referrals",
    "emergency_override": "referrals",
    "open_cases": "registrations",
}
