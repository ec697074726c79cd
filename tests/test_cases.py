"""Registration, screening, consent, needs and the case's lifecycle, through the services."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone, translation

from orienta.audit.models import AuditEvent
from orienta.cases import services
from orienta.cases.consent import has_consent
from orienta.cases.models import Case, CaseNote, Consent, Need, Person, Screening
from orienta.cases.models.choices import ConsentGiver, ConsentPurpose, Presence
from orienta.core.errors import ConflictError, ServiceError
from orienta.directory.models import Organisation
from tests.cases_helpers import register_case, registration_consent

pytestmark = pytest.mark.usefixtures("nrm")


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are checked in the source language here; the pages' tests check the French.
    with translation.override("en"):
        yield


def test_registration_saves_everything_with_its_audit_events(colleague, organisation) -> None:
    events_before = AuditEvent.objects.count()
    case = register_case(
        colleague,
        organisation,
        person={
            "documents": [
                {
                    "document_type": "passport",
                    "number": "HT-123 456",
                    "issuing_country": "HT",
                    "status": "retained",
                }
            ]
        },
        answers=[services.AnswerData("IND-SERIOUS-ILLNESS", Presence.YES, "diabète, insuline")],
        specific_needs=["no_documents"],
        needs=[
            __import__("orienta.cases.intake", fromlist=["NeedData"]).NeedData(
                "HEALTH-PRIM", "immediate"
            )
        ],
    )
    assert case.assigned_to == colleague and case.status == "active"
    assert case.priority == "critical"
    assert "R2" in case.profile and "R13" in case.profile
    assert case.person.documents.get().number_key == "HT123456"
    assert Need.objects.get(case=case).term.code == "HEALTH-PRIM"
    actions = set(AuditEvent.objects.filter(seq__gt=events_before).values_list("action", flat=True))
    assert {
        "cases.person.created",
        "cases.case.opened",
        "cases.screening.recorded",
        "cases.consent.recorded",
        "cases.need.recorded",
        "cases.document.recorded",
    } <= actions
    # Names and document numbers never enter the trail.
    created = AuditEvent.objects.get(action="cases.person.created", object_id=str(case.person.pk))
    assert created.changes["given_name"] == "***"
    assert "HT-123" not in str(
        AuditEvent.objects.filter(seq__gt=events_before).values_list("changes", flat=True)
    )


def _nothing_saved(before: int) -> None:
    assert Person.objects.count() == 0 and Case.objects.count() == 0
    assert Screening.objects.count() == 0 and Consent.objects.count() == 0
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        (
            {"person": {"birth_date": timezone.localdate() + timedelta(days=3)}},
            "birth_date",
            "future",
        ),
        ({"person": {"birth_date": date(1880, 1, 1)}}, "birth_date", "120"),
        (
            {
                "person": {
                    "birth_date": None,
                    "birth_date_precision": "estimated",
                    "stated_age": 140,
                }
            },
            "stated_age",
            "120",
        ),
        (
            {
                "person": {"birth_date": timezone.localdate() - timedelta(days=365 * 9)},
                "accompaniment": "with_parent",
            },
            "accompanied_by",
            "accompanied",
        ),
        (
            {"person": {"birth_date": timezone.localdate() - timedelta(days=365 * 9)}},
            "accompaniment",
            "child",
        ),
        ({"arrived_on": timezone.localdate() + timedelta(days=1)}, "arrived_on", "future"),
    ],
)
def test_bad_registrations_are_refused_and_nothing_is_saved(
    colleague, organisation, extra, field, words
) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(ServiceError) as refused:
        register_case(colleague, organisation, **extra)
    assert refused.value.details["field"] == field
    assert words in str(refused.value.message)
    _nothing_saved(before)


def test_an_unknown_need_stops_the_whole_registration(colleague, organisation) -> None:
    from orienta.cases.intake import NeedData

    before = AuditEvent.objects.count()
    with pytest.raises(ServiceError) as refused:
        register_case(colleague, organisation, needs=[NeedData("NOT-A-TERM", "high")])
    assert "NOT-A-TERM" in str(refused.value.message)
    _nothing_saved(before)


def test_a_document_number_of_another_person_is_refused(colleague, organisation) -> None:
    document = {
        "document_type": "passport",
        "number": "PP 998877",
        "issuing_country": "HT",
        "status": "held",
    }
    register_case(colleague, organisation, person={"documents": [document]})
    persons, cases = Person.objects.count(), Case.objects.count()
    with pytest.raises(ServiceError) as refused:
        register_case(
            colleague,
            organisation,
            person={"given_name": "Autre", "documents": [{**document, "number": "pp-998877"}]},
        )
    assert "already recorded" in str(refused.value.message)
    assert (Person.objects.count(), Case.objects.count()) == (persons, cases)


def test_registration_needs_the_consent_to_registration(colleague, organisation) -> None:
    with pytest.raises(ServiceError):
        register_case(
            colleague,
            organisation,
            consents=[registration_consent(purpose=ConsentPurpose.FOLLOW_UP)],
        )
    assert Person.objects.count() == 0


def test_a_child_with_the_adult_they_travel_with(colleague, organisation) -> None:
    parent = register_case(colleague, organisation).person
    child = register_case(
        colleague,
        organisation,
        person={
            "given_name": "Nadège",
            "sex": "female",
            "birth_date": timezone.localdate() - timedelta(days=365 * 8),
        },
        accompaniment="with_parent",
        accompanied_by=parent,
        consents=[
            registration_consent(
                given_by=ConsentGiver.PARENT_OR_GUARDIAN, giver_name="Wilner Dorsainvil"
            )
        ],
    )
    assert child.is_child and child.priority == "high" and child.profile == ["R6"]
    link = child.person.family_links.get()
    assert link.relative == parent and link.accompanying and link.relationship == "parent"


def test_an_unaccompanied_child_is_critical_and_consent_is_not_the_childs(
    colleague, organisation
) -> None:
    child_person = {"birth_date": timezone.localdate() - timedelta(days=365 * 15)}
    with pytest.raises(ServiceError) as refused:
        register_case(colleague, organisation, person=child_person, accompaniment="unaccompanied")
    assert refused.value.details["field"] == "given_by"
    case = register_case(
        colleague,
        organisation,
        person=child_person,
        accompaniment="unaccompanied",
        consents=[
            registration_consent(
                given_by=ConsentGiver.BEST_INTERESTS, best_interests_reference="BIP-2026-014"
            )
        ],
    )
    assert case.priority == "critical" and "R1" in case.profile


def test_a_repeat_return_is_a_new_case_of_the_same_person(colleague, organisation) -> None:
    first = register_case(colleague, organisation)
    second = register_case(
        colleague, organisation, existing_person=first.person, person={"phone": "+509 3412 0000"}
    )
    assert second.person == first.person and second.pk != first.pk
    assert Person.objects.count() == 1
    assert first.person.episodes.count() == 2


def test_withdrawn_consent_stops_at_once(colleague, organisation) -> None:
    case = register_case(colleague, organisation)
    other = Organisation.objects.create(name="Clinique", country="HT")
    consent = services.record_consent(
        acting_user=colleague,
        case=case,
        data=registration_consent(purpose=ConsentPurpose.SHARING, recipient_organisation=other),
    )
    assert has_consent(case, "sharing", other)
    assert has_consent(case, "registration")
    services.withdraw_consent(acting_user=colleague, consent=consent)
    assert not has_consent(case, "sharing", other)
    assert has_consent(case, "registration")


def test_consent_is_per_recipient_and_expires(colleague, organisation) -> None:
    case = register_case(colleague, organisation)
    clinic = Organisation.objects.create(name="Clinique", country="HT")
    school = Organisation.objects.create(name="École", country="HT")
    services.record_consent(
        acting_user=colleague,
        case=case,
        data=registration_consent(
            purpose=ConsentPurpose.REFERRAL,
            recipient_category="HEALTH",
            expires_on=timezone.localdate() + timedelta(days=30),
        ),
    )
    services.record_consent(
        acting_user=colleague,
        case=case,
        data=registration_consent(purpose=ConsentPurpose.SHARING, recipient_organisation=clinic),
    )
    assert has_consent(case, "referral", "HEALTH-PRIM")
    assert not has_consent(case, "referral", "EDU")
    assert not has_consent(case, "referral", "HEALTHY")  # a prefix is not a category
    assert not has_consent(case, "referral")  # no recipient: never "to anyone"
    assert has_consent(case, "sharing", clinic) and not has_consent(case, "sharing", school)
    assert not has_consent(case, "referral", "HEALTH", on=timezone.localdate() + timedelta(days=31))
    assert not has_consent(case, "follow_up")


def test_encrypted_fields_cannot_be_read_in_the_raw_row(colleague, organisation) -> None:
    case = register_case(
        colleague,
        organisation,
        answers=[services.AnswerData("IND-VIOLENCE", Presence.YES, "agression à la frontière")],
    )
    services.add_note(
        acting_user=colleague,
        case=case,
        body="Récit de traite très sensible",
        topic="trafficking",
        confidentiality="restricted",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM cases_casenote")
        (raw_note,) = cursor.fetchone()
        cursor.execute("SELECT note FROM cases_screeninganswer WHERE note <> ''")
        (raw_answer,) = cursor.fetchone()
    assert raw_note.startswith("fernet:") and "traite" not in raw_note
    assert raw_answer.startswith("fernet:") and "agression" not in raw_answer
    assert CaseNote.objects.get().body == "Récit de traite très sensible"
    assert "traite" not in str(
        AuditEvent.objects.filter(action="cases.note.added").values_list("changes", flat=True)
    )


def test_rotate_field_keys_re_encrypts_with_the_new_key(colleague, organisation, settings) -> None:
    from django.core.management import call_command

    from orienta.cases import crypto
    from orienta.env import new_field_key, parse_field_keys

    case = register_case(colleague, organisation)
    services.add_note(
        acting_user=colleague,
        case=case,
        body="ancienne clé",
        topic="general",
        confidentiality="team",
    )
    old = settings.ORIENTA_FIELD_KEYS
    new = parse_field_keys("K", new_field_key())
    settings.ORIENTA_FIELD_KEYS = [*new, *old]
    call_command("rotate_field_keys", verbosity=0)
    settings.ORIENTA_FIELD_KEYS = new  # the old key is gone
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM cases_casenote")
        (raw,) = cursor.fetchone()
    assert crypto.decrypt(raw) == "ancienne clé"
    settings.ORIENTA_FIELD_KEYS = old
    with pytest.raises(crypto.UndecryptableError):
        crypto.decrypt(raw)


def test_two_people_changing_a_case_at_once(colleague, owner, organisation) -> None:
    case = register_case(colleague, organisation)
    version = case.version
    services.change_status(
        acting_user=colleague,
        case=case,
        status="closed",
        closure_reason="needs_met",
        expected_version=version,
    )
    stale = Case.objects.get(pk=case.pk)
    stale.version = version
    with pytest.raises(ConflictError):
        services.assign(acting_user=owner, case=stale, assignee=owner, expected_version=version)


def test_closing_needs_a_reason(colleague, organisation) -> None:
    case = register_case(colleague, organisation)
    with pytest.raises(ServiceError):
        services.change_status(
            acting_user=colleague, case=case, status="closed", expected_version=case.version
        )


def test_case_visibility(
    colleague, owner, outsider, reception_officer, make_user, organisation
) -> None:
    from orienta.accounts.roles import Role

    other_worker = make_user("other@a.example", organisation, Role.CASEWORKER)
    case = register_case(colleague, organisation)
    child = register_case(
        reception_officer,
        organisation,
        person={
            "given_name": "Enfant",
            "birth_date": timezone.localdate() - timedelta(days=365 * 10),
        },
        accompaniment="unaccompanied",
        assigned_to=reception_officer,
        consents=[
            registration_consent(
                given_by=ConsentGiver.BEST_INTERESTS, best_interests_reference="BIP-1"
            )
        ],
    )
    visible = lambda user: set(Case.objects.visible_to(user))  # noqa: E731
    assert visible(colleague) == {case}
    assert visible(owner) == {case, child}  # the supervisor sees the caseload
    assert visible(outsider) == set()
    assert visible(other_worker) == set()  # need to know, within the organisation too
    assert visible(reception_officer) == set()  # a child's case: child protection only


def test_break_glass_is_limited_audited_and_reported(
    colleague, owner, make_user, organisation, django_capture_on_commit_callbacks
) -> None:
    from orienta.accounts.roles import Role

    other_worker = make_user("other@a.example", organisation, Role.CASEWORKER)
    case = register_case(colleague, organisation)
    with pytest.raises(ServiceError):
        services.break_glass(acting_user=other_worker, case=case, reason="urgent")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        grant = services.break_glass(
            acting_user=other_worker,
            case=case,
            reason="La personne est à l'hôpital, sa caseworker est injoignable.",
        )
    assert case in Case.objects.visible_to(other_worker)
    assert AuditEvent.objects.filter(action="cases.case.break_glass").count() == 1
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert case.reference in mail.outbox[0].subject
    grant.expires_at = timezone.now() - timedelta(minutes=1)
    grant.save()
    assert case not in Case.objects.visible_to(other_worker)


def test_outsiders_cannot_act_on_a_case(colleague, outsider, organisation) -> None:
    case = register_case(colleague, organisation)
    with pytest.raises(PermissionDenied):
        services.add_note(
            acting_user=outsider, case=case, body="x", topic="general", confidentiality="team"
        )
