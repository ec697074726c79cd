"""A small, deliberate world for the indicator tests (tests/test_indicators*.py), built through
the real services where they exist, then dated by hand (as tests/test_returns_statistics.py
does), so that every figure can be counted on paper.

Entry points MAL (HT-MALPASSE, land) and CAP (HT-CAP-AIR, flights), both on Haiti time.
Organisations A and B receive; P1 (the provider) and P2 (a clinic) receive the referrals.

Movements (M6 cancelled: never counts):

    M1  A  MAL  land    DO  31 Mar 20:00    breaches: open, confirmed (+ one cleared)
    M2  B  CAP  flight  US   2 Apr 09:00    breaches: one cleared only
    M3  A  CAP  flight  DO  10 Apr 09:00    breaches: contested
    M4  B  MAL  land    DO  31 Mar 23:30    (1 April in UTC: a March movement)
    M5  A  CAP  flight  US   5 May 09:00    announced, nobody yet
    M6  B  MAL  land    DO  20 Apr          cancelled, with an open breach

Arrivals (local check-in time; 21:30 and later on 31 March is 1 April in UTC):

    a1   M1  male    adult    HT01  31 Mar 21:30
    a2   M1  male    adult    HT01  31 Mar 21:30  repeat return
    a3   M1  female  adult    HT02  31 Mar 20:30
    a4   M1  female  older    HT02  31 Mar 20:30  medical urgency
    a5   M4  male    child    —     31 Mar 23:45  unaccompanied
    a6   M4  (sex and age not known, not registered: no person, no case)  1 Apr 00:15
    a10  M4  male    older    HT01   1 Apr 00:15
    a7   M2  female  adult    HT01   2 Apr 10:00  repeat return
    a8   M2  male    adult    HT02   2 Apr 10:00
    a9   M2  female  adult    HT02   2 Apr 10:00
    a11  M3  female  adult    HT01  10 Apr 11:00
    a12  M3  male    adult    HT01  10 Apr 11:00  repeat return

Every registered arrival opened a case (c1… as its arrival, opened on the local day of the
check-in); c13 is registered directly by B (no arrival): male adult, HT03, 4 May, presumed
victim of trafficking.

Referrals (sent at noon UTC; days to service in brackets):

    r1   c1   SHEL-TEMP    P1  completed       1 Apr  [2]
    r2   c3   SHEL-SAFE    P1  not completed   3 Apr  [4]
    r3   c7   HEALTH-PRIM  P2  accepted        5 Apr
    r4   c8   HEALTH-PRIM  P2  declined        6 Apr
    r5   c5   SHEL-TEMP    P1  sent, overdue   7 Apr  (escalation level 1)
    r10  c4   SHEL-TEMP    P1  cancelled      20 Apr
    r6   c11  HEALTH-PRIM  P1  in progress     2 May  [0.5]
    r7   c13  SHEL-TEMP    P2  acknowledged    3 May  (escalation level 1: not overdue)
    r8   c2   HEALTH-PRIM  P2  completed       4 May  [3]
    r11  c10  SHEL-TEMP    P2  sent           12 May  (not escalated)
    r9   c1   a draft: never counts

Scored survey rounds (economic, social, psychosocial, composite); s6 is not scored:

    s1  c1   0 months  5 Apr   .5 .6 .7 .6
    s2  c1   3 months  1 Jul   .7 .8 .9 .8
    s3  c9   0 months 20 Apr   .2 .4 .3 .3
    s4  c5   0 months 10 Apr   .1 .2 .3 .2
    s5  c12  6 months 10 Oct   .9 .5 .4 .6
    s6  c13  0 months  4 May   not scored
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from orienta.accounts.roles import Role
from orienta.cases.models import Case, Person
from orienta.directory.models import Organisation
from orienta.referrals.choices import ReferralStatus as S
from orienta.referrals.models import Referral
from orienta.reintegration.models import SurveyRound
from orienta.returns import checkin
from orienta.returns.models import Arrival, ProtocolRule, Violation
from tests.cases_helpers import register_case
from tests.reintegration_helpers import make_configuration
from tests.returns_helpers import load_haiti, local, movement, profile

MAL, CAP = "HT-MALPASSE", "HT-CAP-AIR"
AREAS = {"HT01": "Ouest", "HT02": "Nord", "HT03": "Nord-Ouest"}
ADULT, OLDER, CHILD = date(1990, 5, 1), date(1950, 1, 1), date(2012, 6, 1)


def noon(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T12:00").replace(tzinfo=UTC)


def breach(moved: Any, kind: str, status: str) -> Violation:
    rule = ProtocolRule.objects.filter(protocol__key="ht-do-1999").order_by("pk")[0]
    return Violation.objects.create(
        movement=moved, rule=rule, kind=kind, severity="major", status=status
    )


def _arrive(
    user: Any,
    moved: Any,
    name: str,
    sex: str,
    born: date | None,
    area: str,
    at: str,
    **extra: Any,
) -> Arrival:
    values: dict[str, Any] = {"given_name": name, "family_name": f"{name}son", "sex": sex}
    if born is not None:
        values["birth_date"] = born
    if born == CHILD:
        values.update(age_group="child", best_interests_reference="IBESR-7")
    values.update(extra)
    arrival = checkin.check_in(acting_user=user, movement=moved, profile=profile(**values))
    moment = local(at)
    Arrival.objects.filter(pk=arrival.pk).update(checked_in_at=moment)
    if arrival.person_id is not None:
        Person.objects.filter(pk=arrival.person_id).update(
            origin_admin1_code=area, origin_admin1_name=AREAS.get(area, "")
        )
    if arrival.case_id is not None:
        Case.objects.filter(pk=arrival.case_id).update(opened_on=moment.date())
    arrival.refresh_from_db()
    return arrival


def build_world(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The world described above, for a `world` fixture of the tests: {name: object} ("A",
    "B", "P1", "P2", "M1"…, "a1"…, "c1"…, "r1"…, "s1"…), plus the users "officer_b",
    "focal_p1" and "focal_p2". Uses conftest's fixtures."""
    reception_officer: Any = request.getfixturevalue("reception_officer")
    outsider: Any = request.getfixturevalue("outsider")
    make_user: Any = request.getfixturevalue("make_user")
    organisation: Organisation = request.getfixturevalue("organisation")
    other_organisation: Organisation = request.getfixturevalue("other_organisation")
    provider: Organisation = request.getfixturevalue("provider")
    load_haiti()
    officer_b = make_user("reception@b.example", other_organisation, Role.RECEPTION_OFFICER)
    clinic = Organisation.objects.create(
        name="Clinique Sainte-Croix (fictive)", acronym="CSC", kind="ngo", country="HT"
    )
    w: dict[str, Any] = {
        "A": organisation,
        "B": other_organisation,
        "P1": provider,
        "P2": clinic,
        "officer_b": officer_b,
        "focal_p1": make_user("focal@p1.example", provider, Role.PROVIDER_FOCAL_POINT),
        "focal_p2": make_user("focal@p2.example", clinic, Role.PROVIDER_FOCAL_POINT),
    }
    a, b = reception_officer, officer_b
    w["M1"] = movement(a, organisation, scheduled_at=local("2026-03-31T20:00"))
    w["M2"] = movement(
        b,
        other_organisation,
        entry_point=CAP,
        mode="flight",
        origin_country="US",
        scheduled_at=local("2026-04-02T09:00"),
    )
    w["M3"] = movement(
        a, organisation, entry_point=CAP, mode="flight", scheduled_at=local("2026-04-10T09:00")
    )
    w["M4"] = movement(b, other_organisation, scheduled_at=local("2026-03-31T23:30"))
    w["M5"] = movement(
        a,
        organisation,
        entry_point=CAP,
        mode="flight",
        origin_country="US",
        scheduled_at=local("2026-05-05T09:00"),
    )
    w["M6"] = movement(
        b, other_organisation, scheduled_at=local("2026-04-20T09:00"), status="cancelled"
    )
    breach(w["M1"], "hours", "open")
    breach(w["M1"], "advance_notice", "confirmed")
    breach(w["M1"], "group_size", "cleared")
    breach(w["M2"], "hours", "cleared")
    breach(w["M3"], "hours", "contested")
    breach(w["M6"], "hours", "open")

    m1, m2, m3, m4 = w["M1"], w["M2"], w["M3"], w["M4"]
    w["a1"] = _arrive(a, m1, "Wilner", "male", ADULT, "HT01", "2026-03-31T21:30")
    w["a2"] = _arrive(a, m1, "Jean", "male", ADULT, "HT01", "2026-03-31T21:30")
    w["a3"] = _arrive(a, m1, "Marie", "female", ADULT, "HT02", "2026-03-31T20:30")
    w["a4"] = _arrive(
        a, m1, "Rose", "female", OLDER, "HT02", "2026-03-31T20:30", medical_urgency=True
    )
    w["a5"] = _arrive(b, m4, "Ti", "male", CHILD, "", "2026-03-31T23:45")
    w["a6"] = _arrive(
        b,
        m4,
        "",
        "unknown",
        None,
        "",
        "2026-04-01T00:15",
        age_group="unknown",
        registration_consent=False,
    )
    w["a10"] = _arrive(b, m4, "Paul", "male", OLDER, "HT01", "2026-04-01T00:15")
    w["a7"] = _arrive(b, m2, "Nadège", "female", ADULT, "HT01", "2026-04-02T10:00")
    w["a8"] = _arrive(b, m2, "Pierre", "male", ADULT, "HT02", "2026-04-02T10:00")
    w["a9"] = _arrive(b, m2, "Anne", "female", ADULT, "HT02", "2026-04-02T10:00")
    w["a11"] = _arrive(a, m3, "Claire", "female", ADULT, "HT01", "2026-04-10T11:00")
    w["a12"] = _arrive(a, m3, "Louis", "male", ADULT, "HT01", "2026-04-10T11:00")
    repeat = [w["a2"].pk, w["a7"].pk, w["a12"].pk]
    Arrival.objects.filter(pk__in=repeat).update(repeat_return=True)
    for number in (1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12):
        w[f"c{number}"] = Case.objects.get(pk=w[f"a{number}"].case_id)
    w["c13"] = register_case(
        outsider,
        other_organisation,
        kind="presumed_trafficking_victim",
        person={
            "given_name": "Jonas",
            "family_name": "Bélizaire",
            "birth_date": date(1991, 4, 12),
            "origin_admin1_code": "HT03",
            "origin_admin1_name": AREAS["HT03"],
        },
    )
    Case.objects.filter(pk=w["c13"].pk).update(opened_on=date(2026, 5, 4))

    hour = timedelta(hours=1)
    rows = [
        # name, case, category, recipient, status, sent, started (hours), escalation level
        ("r1", "c1", "SHEL-TEMP", "P1", S.COMPLETED, "2026-04-01", 48, 0),
        ("r2", "c3", "SHEL-SAFE", "P1", S.NOT_COMPLETED, "2026-04-03", 96, 0),
        ("r3", "c7", "HEALTH-PRIM", "P2", S.ACCEPTED, "2026-04-05", None, 0),
        ("r4", "c8", "HEALTH-PRIM", "P2", S.DECLINED, "2026-04-06", None, 0),
        ("r5", "c5", "SHEL-TEMP", "P1", S.SENT, "2026-04-07", None, 1),
        ("r10", "c4", "SHEL-TEMP", "P1", S.CANCELLED, "2026-04-20", None, 0),
        ("r6", "c11", "HEALTH-PRIM", "P1", S.IN_PROGRESS, "2026-05-02", 12, 0),
        ("r7", "c13", "SHEL-TEMP", "P2", S.ACKNOWLEDGED, "2026-05-03", None, 1),
        ("r8", "c2", "HEALTH-PRIM", "P2", S.COMPLETED, "2026-05-04", 72, 0),
        ("r11", "c10", "SHEL-TEMP", "P2", S.SENT, "2026-05-12", None, 0),
    ]
    answered = {S.COMPLETED, S.NOT_COMPLETED, S.ACCEPTED, S.DECLINED, S.IN_PROGRESS}
    for name, case, category, recipient, status, sent, started, level in rows:
        at = noon(sent)
        w[name] = Referral(
            case=w[case],
            category=category,
            sender_organisation=w[case].organisation,
            recipient_organisation=w[recipient],
            status=status,
            sent_at=at,
            acknowledged_at=None if status == S.SENT else at + hour,
            answered_at=at + 2 * hour if status in answered else None,
            started_at=None if started is None else at + started * hour,
            escalation_level=level,
        )
    w["r9"] = Referral(
        case=w["c1"],
        category="SHEL-TEMP",
        sender_organisation=organisation,
        recipient_organisation=clinic,
    )
    # In bulk, as tests/test_referral_dashboard.py does: the statuses are set, not walked.
    Referral.objects.bulk_create([w[f"r{n}"] for n in range(1, 12)])

    asked = make_configuration()
    surveys = [
        ("s1", "c1", 0, "2026-04-05", (0.5, 0.6, 0.7, 0.6)),
        ("s2", "c1", 3, "2026-07-01", (0.7, 0.8, 0.9, 0.8)),
        ("s3", "c9", 0, "2026-04-20", (0.2, 0.4, 0.3, 0.3)),
        ("s4", "c5", 0, "2026-04-10", (0.1, 0.2, 0.3, 0.2)),
        ("s5", "c12", 6, "2026-10-10", (0.9, 0.5, 0.4, 0.6)),
        ("s6", "c13", 0, "2026-05-04", (None, None, None, None)),
    ]
    for name, case, months, day, (economic, social, psychosocial, composite) in surveys:
        w[name] = SurveyRound.objects.create(
            case=w[case],
            asked_with=asked,
            months=months,
            interviewed_on=date.fromisoformat(day),
            interviewer="Enquêteur",
            economic=economic,
            social=social,
            psychosocial=psychosocial,
            composite=composite,
        )
    return w
