"""Check-in at the desk: registration, consent, the reception checklist and its referrals."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from orienta.cases.models import Case, Consent
from orienta.core.errors import ConflictError, ServiceError
from orienta.referrals.models import Referral
from orienta.returns import checkin, importing, sop
from orienta.returns.models import ArrivalStep, ManifestRow
from tests.returns_helpers import HEADER, load_haiti, manifest, movement, profile

pytestmark = pytest.mark.django_db

LIST = (
    HEADER
    + "Pierre;Jean;M;12/03/1990;HT;\n"
    + "Pierre;Ti Jo;M;01/06/2014;HT;\n"
    + "Joseph;Nadège;F;03/03/2011;HT;\n"
    + "Absent;Paul;M;01/01/1980;HT;\n"
)


@pytest.fixture
def convoy(reception_officer: Any, organisation: Any) -> Any:
    load_haiti()
    moved = movement(reception_officer, organisation)
    manifest(reception_officer, moved, LIST)
    return moved


def row(name: str) -> ManifestRow:
    return ManifestRow.objects.get(given_name=name)


def test_an_adult_on_the_list_is_registered_with_consent_and_the_everyone_steps(
    reception_officer: Any, convoy: Any
) -> None:
    arrival = checkin.check_in(
        acting_user=reception_officer, movement=convoy, profile=profile(), listed=row("Jean")
    )
    assert arrival.person.family_name == "Pierre"
    assert arrival.person.birth_date == date(1990, 3, 12)
    assert arrival.case.episodes.get().entry_point == "HT-MALPASSE"
    assert Consent.objects.filter(case=arrival.case, purpose="registration").exists()
    assert [s.rule.code for s in arrival.steps.all()] == ["onm-registration", "water-food"]
    convoy.refresh_from_db()
    assert convoy.status == "arrived" and convoy.arrived_at is not None


def test_an_unaccompanied_child_gets_the_child_protection_steps_and_referral(
    reception_officer: Any, convoy: Any
) -> None:
    child = profile(accompaniment="alone", best_interests_reference="IBESR-MAL-0042")
    arrival = checkin.check_in(
        acting_user=reception_officer, movement=convoy, profile=child, listed=row("Nadège")
    )
    assert arrival.age_group == "child" and arrival.accompaniment == "unaccompanied"
    steps = {s.rule.code: s for s in arrival.steps.select_related("rule__responsible")}
    assert {"ibesr-child", "bpm-child"} <= set(steps)
    assert steps["ibesr-child"].rule.responsible.acronym == "IBESR"
    assert steps["bpm-child"].rule.responsible.acronym == "BPM"
    assert steps["ibesr-child"].due_at == arrival.checked_in_at + timedelta(minutes=60)
    referral = steps["ibesr-child"].referral
    assert referral is not None and referral.status == "draft"
    assert referral.recipient_organisation.acronym == "IBESR"
    assert referral.need.term.code == "PROT-CHILD"
    case = Case.objects.get(pk=arrival.case_id)
    assert case.is_child and case.kind == "unaccompanied_child"
    consent = Consent.objects.get(case=case)
    assert consent.given_by == "best_interests"


def test_an_unaccompanied_child_needs_the_best_interests_reference(
    reception_officer: Any, convoy: Any
) -> None:
    with pytest.raises(ServiceError) as refused:
        checkin.check_in(
            acting_user=reception_officer,
            movement=convoy,
            profile=profile(accompaniment="alone"),
            listed=row("Nadège"),
        )
    assert refused.value.details["field"] == "best_interests_reference"
    assert not ArrivalStep.objects.exists() and not Case.objects.exists()


def test_a_child_with_family_is_linked_to_the_adult_checked_in_first(
    reception_officer: Any, convoy: Any
) -> None:
    with pytest.raises(ServiceError):
        checkin.check_in(
            acting_user=reception_officer,
            movement=convoy,
            profile=profile(accompaniment="with_family"),
            listed=row("Ti Jo"),
        )
    father = checkin.check_in(
        acting_user=reception_officer, movement=convoy, profile=profile(), listed=row("Jean")
    )
    son = checkin.check_in(
        acting_user=reception_officer,
        movement=convoy,
        profile=profile(accompaniment="with_family", accompanied_by=father),
        listed=row("Ti Jo"),
    )
    assert son.person.family_links.get().relative == father.person
    assert Consent.objects.get(case=son.case).given_by == "parent_or_guardian"
    assert "ibesr-child" not in [s.rule.code for s in son.steps.all()]


def test_no_consent_receives_without_registering(reception_officer: Any, convoy: Any) -> None:
    arrival = checkin.check_in(
        acting_user=reception_officer,
        movement=convoy,
        profile=profile(registration_consent=False, documents="none", medical_urgency=True),
        listed=row("Jean"),
    )
    assert arrival.person is None and arrival.case is None
    codes = {s.rule.code: s for s in arrival.steps.all()}
    assert {"oni-id", "anh-civil", "mspp-emergency"} <= set(codes)
    assert codes["mspp-emergency"].referral is None  # no case, no referral
    assert not Referral.objects.exists()


def test_someone_not_on_the_list_and_the_reconciliation(
    reception_officer: Any, convoy: Any
) -> None:
    checkin.check_in(
        acting_user=reception_officer, movement=convoy, profile=profile(), listed=row("Jean")
    )
    checkin.check_in(
        acting_user=reception_officer,
        movement=convoy,
        profile=profile(given_name="Wisly", family_name="Noël", nationality="DO"),
    )
    found = importing.reconcile(convoy)
    assert (found.listed, found.arrived, found.not_listed) == (4, 2, 1)
    assert [r.given_name for r in found.absent] == ["Paul", "Nadège", "Ti Jo"]
    foreign = convoy.arrivals.get(listed__isnull=True)
    assert "mae-foreign" in [s.rule.code for s in foreign.steps.all()]


def test_checking_in_twice_is_refused(reception_officer: Any, convoy: Any) -> None:
    checkin.check_in(
        acting_user=reception_officer,
        movement=convoy,
        profile=profile(registration_consent=False),
        listed=row("Jean"),
    )
    with pytest.raises(ConflictError):
        checkin.check_in(
            acting_user=reception_officer,
            movement=convoy,
            profile=profile(registration_consent=False),
            listed=row("Jean"),
        )


def test_assistance_and_steps(reception_officer: Any, convoy: Any) -> None:
    arrival = checkin.check_in(
        acting_user=reception_officer, movement=convoy, profile=profile(), listed=row("Jean")
    )
    with pytest.raises(ServiceError):
        checkin.give_assistance(acting_user=reception_officer, arrival=arrival, kind="transport")
    given = checkin.give_assistance(
        acting_user=reception_officer, arrival=arrival, kind="transport", amount=Decimal("2500")
    )
    assert given.amount == Decimal("2500")
    checkin.give_assistance(
        acting_user=reception_officer, arrival=arrival, kind="hygiene_kit", quantity=2
    )
    step = arrival.steps.first()
    sop.complete_step(acting_user=reception_officer, step=step)
    with pytest.raises(ServiceError):
        sop.complete_step(acting_user=reception_officer, step=step)


def test_an_outsider_cannot_check_in(outsider: Any, convoy: Any) -> None:
    with pytest.raises(PermissionDenied):
        checkin.check_in(
            acting_user=outsider, movement=convoy, profile=profile(), listed=row("Jean")
        )
