"""Retention: after a case has been closed for its kind's retention period, the person's
identifying data is removed and only what statistics need is kept (IOM principle 9).

Kept: sex, year of birth, nationality, country and admin-1 of origin, the case's kind, dates,
priority, profile codes and needs (as taxonomy terms), the consent purposes. Removed: names,
other names, exact date of birth, phone, photo, documents, family links, notes, screening notes,
tasks, consent givers, break-glass reasons. A person is anonymised when every one of their
cases is past retention; a case past retention whose person still has a live case keeps the
person and loses its own notes and details.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from orienta.audit.services import record
from orienta.cases.models import (
    BreakGlassGrant,
    Case,
    CaseNote,
    Consent,
    FamilyLink,
    IdentityDocument,
    Need,
    Person,
    ScreeningAnswer,
    Task,
)
from orienta.cases.models.choices import CaseKind, CaseStatus
from orienta.core.signals import changed
from orienta.identity.services import forget_person

#: What apps downstream of cases keep about a case (its reintegration plan, its survey answers)
#: and remove with it: each registers, in its AppConfig.ready(), a function that removes the
#: free text of one case. Cases cannot import them: data flows forward.
CASE_ANONYMISERS: list[Callable[[Case], None]] = []


def register_case_anonymiser(anonymise: Callable[[Case], None]) -> None:
    if anonymise not in CASE_ANONYMISERS:
        CASE_ANONYMISERS.append(anonymise)


def validate_retention_settings() -> None:
    unknown = set(settings.ORIENTA_RETENTION_DAYS) - set(CaseKind.values)
    if unknown:
        raise ImproperlyConfigured(
            f"ORIENTA_RETENTION_DAYS names unknown case kinds: {', '.join(sorted(unknown))}. "
            f"Known: {', '.join(CaseKind.values)}."
        )


def retention_days(kind: str) -> int:
    return int(settings.ORIENTA_RETENTION_DAYS.get(kind, settings.ORIENTA_RETENTION_DEFAULT_DAYS))


def due_cases(today: date | None = None) -> list[Case]:
    """Closed cases past their kind's retention period and not yet anonymised."""
    now = (
        timezone.now()
        if today is None
        else timezone.make_aware(datetime.combine(today, datetime.min.time()))
    )
    condition = Q()
    for kind in CaseKind.values:
        condition |= Q(kind=kind, closed_at__lte=now - timedelta(days=retention_days(kind)))
    return list(
        Case.objects.filter(status=CaseStatus.CLOSED, anonymised_at__isnull=True)
        .filter(condition)
        .select_related("person", "organisation")
        .order_by("closed_at")
    )


@dataclass
class RetentionReport:
    cases: list[str] = field(default_factory=list)
    persons: list[str] = field(default_factory=list)


def _anonymise_case(case: Case, now: Any) -> None:
    CaseNote.objects.filter(case=case).delete()
    Task.objects.filter(case=case).delete()
    BreakGlassGrant.objects.filter(case=case).delete()
    ScreeningAnswer.objects.filter(screening__case=case).exclude(note="").update(note="")
    Need.objects.filter(case=case).update(note="")
    Consent.objects.filter(case=case).update(
        giver_name="", best_interests_reference="", withdrawal_note=""
    )
    case.episodes.update(entry_point="")
    for anonymise in CASE_ANONYMISERS:
        anonymise(case)
    Case.objects.filter(pk=case.pk).update(anonymised_at=now, assigned_to=None)
    changed(Case, [case.pk])
    record(
        "cases.case.anonymised",
        actor=None,
        organisation=case.organisation,
        target=case,
        changes={"kind": case.kind, "closed_at": case.closed_at},
    )


def _anonymise_person(person: Person, now: Any) -> None:
    birth_year = person.birth_date.year if person.birth_date else None
    IdentityDocument.objects.filter(person=person).delete()
    FamilyLink.objects.filter(Q(person=person) | Q(relative=person)).delete()
    forget_person(person)
    if person.photo:
        person.photo.delete(save=False)
    Person.objects.filter(pk=person.pk).update(
        given_name="",
        family_name="",
        other_names=[],
        # Only the year survives, as 1 July: statistics by age group stay right within a year.
        birth_date=date(birth_year, 7, 1) if birth_year else None,
        birth_date_precision="year",
        stated_age=None,
        stated_age_on=None,
        origin_admin2_code="",
        origin_admin2_name="",
        origin_locality="",
        phone="",
        photo="",
        languages=[],
        other_nationalities=[],
        anonymised_at=now,
    )
    changed(Person, [person.pk])
    record(
        "cases.person.anonymised",
        actor=None,
        organisation=person.organisation,
        target=person,
        changes={"kept": ["sex", "birth_year", "nationality", "origin_country", "origin_admin1"]},
    )


def apply_retention(*, dry_run: bool, today: date | None = None) -> RetentionReport:
    """Anonymise what is past retention. Idempotent: anonymised rows are never picked again."""
    report = RetentionReport()
    due = due_cases(today)
    report.cases = [case.reference for case in due]
    person_ids = {case.person_id for case in due}
    # A person goes only when no case of theirs is still within retention (or open).
    due_ids = {case.pk for case in due}
    keeping = set(
        Case.objects.filter(person_id__in=person_ids, anonymised_at__isnull=True)
        .exclude(pk__in=due_ids)
        .values_list("person_id", flat=True)
    )
    persons = list(
        Person.objects.filter(
            pk__in=person_ids - keeping, anonymised_at__isnull=True
        ).select_related("organisation")
    )
    report.persons = [str(person.pk) for person in persons]
    if dry_run:
        return report
    now = timezone.now()
    with transaction.atomic():
        for case in due:
            _anonymise_case(case, now)
        for person in persons:
            _anonymise_person(person, now)
    return report
