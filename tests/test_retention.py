"""Retention: list, anonymise, and a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from orienta.audit.models import AuditEvent
from orienta.cases import services
from orienta.cases.models import Case, CaseNote, IdentityDocument, Person
from orienta.identity.models import PersonKey
from tests.cases_helpers import register_case

pytestmark = pytest.mark.usefixtures("nrm")


def _closed(user, organisation, days_ago: int, **person):
    case = register_case(
        user,
        organisation,
        person={
            **person,
            "documents": [
                {
                    "document_type": "passport",
                    "number": f"P{days_ago}{len(person)}",
                    "issuing_country": "HT",
                    "status": "held",
                }
            ],
        },
    )
    services.add_note(
        acting_user=user, case=case, body="Récit", topic="protection", confidentiality="team"
    )
    services.change_status(
        acting_user=user,
        case=case,
        status="closed",
        closure_reason="needs_met",
        expected_version=case.version,
    )
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=days_ago))
    return Case.objects.get(pk=case.pk)


def _run(*args: str) -> str:
    out = StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def test_dry_run_lists_the_run_anonymises_the_second_run_changes_nothing(
    colleague, organisation, settings
) -> None:
    settings.ORIENTA_RETENTION_DAYS = {"forced_return": 365}
    old = _closed(colleague, organisation, 400)
    recent = _closed(colleague, organisation, 30, given_name="Récente")
    listing = _run("--dry-run")
    assert old.reference in listing and recent.reference not in listing
    assert Person.objects.filter(anonymised_at__isnull=False).count() == 0

    _run()
    person = Person.objects.get(pk=old.person_id)
    assert person.anonymised_at and person.given_name == "" and person.family_name == ""
    assert person.birth_date.year == 1991 and (person.birth_date.month, person.birth_date.day) == (
        7,
        1,
    )
    assert person.sex == "male" and person.nationality == "HT"
    assert not IdentityDocument.objects.filter(person=person).exists()
    assert not PersonKey.objects.filter(person=person).exists()
    assert not CaseNote.objects.filter(case=old).exists()
    assert Case.objects.get(pk=old.pk).anonymised_at is not None
    assert Person.objects.get(pk=recent.person_id).given_name == "Récente"
    assert AuditEvent.objects.filter(action="cases.person.anonymised").count() == 1

    events = AuditEvent.objects.count()
    snapshot = list(Person.objects.order_by("pk").values())
    assert "0 case(s)" in _run()
    assert AuditEvent.objects.count() == events
    assert list(Person.objects.order_by("pk").values()) == snapshot


def test_a_person_with_a_live_case_keeps_their_identity(colleague, organisation, settings) -> None:
    settings.ORIENTA_RETENTION_DAYS = {"forced_return": 365}
    old = _closed(colleague, organisation, 500)
    register_case(colleague, organisation, existing_person=old.person)
    _run()
    person = Person.objects.get(pk=old.person_id)
    assert person.anonymised_at is None and person.given_name == "Wilner"
    assert Case.objects.get(pk=old.pk).anonymised_at is not None


def test_unknown_kind_in_the_setting_is_refused(settings) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from orienta.cases.retention import validate_retention_settings

    settings.ORIENTA_RETENTION_DAYS = {"deportation": 10}
    with pytest.raises(ImproperlyConfigured):
        validate_retention_settings()
