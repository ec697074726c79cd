"""Referrals: the gates, the packet, the lifecycle with optimistic locking, escalation."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from orienta.accounts.models import Notification
from orienta.accounts.roles import Role
from orienta.audit.models import AuditEvent
from orienta.cases import services as case_services
from orienta.cases.models import Person
from orienta.core.errors import ConflictError, ServiceError
from orienta.directory.models import Organisation
from orienta.referrals import services
from orienta.referrals.access import read_packet
from orienta.referrals.choices import AgreementStatus, FieldGroup, ReferralStatus
from orienta.referrals.escalation import escalate
from orienta.referrals.gates import packet_access
from orienta.referrals.models import Referral
from orienta.referrals.services import ReferralDraft
from tests.referrals_helpers import case_with_need, make_agreement, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(colleague, organisation, provider, nrm):
    return case_with_need(
        colleague, organisation, consent_to=provider, person={"phone": "+509 3700 0000"}
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a service and what it leaves for after the commit (notifications, e-mails)."""

    def run(service, **arguments):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**arguments)

    return run


def _draft(case, shelter, **extra):
    return ReferralDraft(
        case=case, need=case.needs.first(), service_at_location=shelter, note="Nuit dehors", **extra
    )


def test_a_referral_with_consent_and_agreement_goes_out_with_its_packet(
    colleague, case, shelter, agreement, focal_point, committed
):
    referral = committed(services.refer, acting_user=colleague, draft=_draft(case, shelter))
    assert referral.status == ReferralStatus.SENT
    assert referral.agreement == agreement
    assert referral.urgency == "high"  # from the need
    assert referral.acknowledge_hours == 24
    assert referral.acknowledge_by - referral.sent_at == timedelta(hours=24)
    assert sorted(referral.packet.values_list("field_group", flat=True)) == sorted(
        ["identity", "contact", "needs", "vulnerability_summary"]
    )
    assert AuditEvent.objects.filter(
        action="referrals.referral.sent", object_id=str(referral.pk)
    ).exists()
    assert Notification.objects.filter(
        user=focal_point, key=f"referral:{referral.pk}:sent"
    ).exists()
    assert [m.to for m in mail.outbox] == [[focal_point.email]]


def test_without_consent_the_referral_is_refused_and_nothing_is_kept(
    colleague, organisation, provider, shelter, agreement, nrm
):
    case = case_with_need(colleague, organisation)  # registration consent only
    with pytest.raises(ServiceError) as refused:
        services.refer(acting_user=colleague, draft=_draft(case, shelter))
    assert refused.value.code == "gates_refused"
    assert refused.value.details["missing"] == ["consent"]
    assert "consentement" in str(refused.value.message) or "consent" in str(refused.value.message)
    assert not Referral.objects.exists()


def test_without_agreement_the_referral_is_refused(colleague, case, shelter):
    with pytest.raises(ServiceError) as refused:
        services.refer(acting_user=colleague, draft=_draft(case, shelter))
    assert refused.value.details["missing"] == ["agreement"]
    assert not Referral.objects.exists()


def test_an_agreement_that_does_not_allow_a_group_is_named(colleague, case, shelter, agreement):
    draft = _draft(case, shelter, field_groups=["identity", "health_details"])
    with pytest.raises(ServiceError) as refused:
        services.refer(acting_user=colleague, draft=draft)
    assert refused.value.details["missing"] == ["agreement"]
    assert str(FieldGroup.HEALTH.label) in refused.value.details["messages"][0]


def test_a_suspended_or_expired_agreement_does_not_count(colleague, case, shelter, agreement):
    agreement.status = AgreementStatus.SUSPENDED
    agreement.save()
    with pytest.raises(ServiceError):
        services.refer(acting_user=colleague, draft=_draft(case, shelter))
    agreement.status = AgreementStatus.IN_FORCE
    agreement.valid_to = timezone.localdate() - timedelta(days=1)
    agreement.save()
    with pytest.raises(ServiceError):
        services.refer(acting_user=colleague, draft=_draft(case, shelter))


def test_emergency_override_sends_flagged_and_needs_the_capability(
    colleague, owner, organisation, shelter, nrm
):
    case = case_with_need(colleague, organisation)
    with pytest.raises(ServiceError):
        services.refer(
            acting_user=colleague,
            draft=_draft(case, shelter),
            override_reason="Enfant seul la nuit à la frontière",
        )
    with pytest.raises(ServiceError) as short:
        services.refer(acting_user=owner, draft=_draft(case, shelter), override_reason="urgent")
    assert short.value.details == {"field": "override_reason"}
    referral = services.refer(
        acting_user=owner,
        draft=_draft(case, shelter),
        override_reason="Enfant seul la nuit à la frontière",
    )
    assert referral.status == ReferralStatus.SENT
    assert referral.emergency_override
    assert referral.override_missing == ["consent", "agreement"]
    assert AuditEvent.objects.filter(
        action="referrals.referral.override", object_id=str(referral.pk)
    ).exists()
    # The override stands in while the referral is open, and no longer.
    assert packet_access(referral).open
    services.cancel(
        acting_user=owner,
        referral=referral,
        expected_version=referral.version,
        reason="Pris en charge",
    )
    referral.refresh_from_db()
    assert not packet_access(referral).open


def test_the_whole_loop_and_the_sender_hears_each_answer(
    colleague, focal_point, case, shelter, agreement, committed
):
    referral = committed(services.refer, acting_user=colleague, draft=_draft(case, shelter))
    for step in (services.acknowledge, services.accept, services.start):
        referral = committed(
            step, acting_user=focal_point, referral=referral, expected_version=referral.version
        )
    referral = committed(
        services.complete,
        acting_user=focal_point,
        referral=referral,
        expected_version=referral.version,
        outcome="served",
        note="Hébergée 3 nuits",
    )
    assert referral.status == ReferralStatus.COMPLETED
    assert referral.outcome_date == timezone.localdate()
    keys = set(Notification.objects.filter(user=colleague).values_list("key", flat=True))
    assert {f"referral:{referral.pk}:accepted", f"referral:{referral.pk}:completed"} <= keys
    actions = list(
        AuditEvent.objects.filter(object_id=str(referral.pk)).values_list("action", flat=True)
    )
    for verb in ("created", "sent", "acknowledged", "accepted", "started", "completed"):
        assert f"referrals.referral.{verb}" in actions


def test_the_second_of_two_concurrent_actions_is_told_who_won(
    colleague, focal_point, case, shelter, agreement
):
    referral = services.refer(acting_user=colleague, draft=_draft(case, shelter))
    stale = Referral.objects.get(pk=referral.pk)
    services.accept(acting_user=focal_point, referral=referral, expected_version=referral.version)
    with pytest.raises(ConflictError) as lost:
        services.decline(
            acting_user=focal_point,
            referral=stale,
            expected_version=stale.version,
            reason="no_capacity",
        )
    assert lost.value.code == "conflict"
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.ACCEPTED


def test_a_transition_out_of_order_is_refused(colleague, focal_point, case, shelter, agreement):
    referral = services.refer(acting_user=colleague, draft=_draft(case, shelter))
    with pytest.raises(ServiceError) as refused:
        services.complete(
            acting_user=focal_point,
            referral=referral,
            expected_version=referral.version,
            outcome="served",
        )
    assert refused.value.code == "invalid"


def test_only_the_recipient_answers_and_only_the_sender_cancels(
    colleague, outsider, focal_point, case, shelter, agreement
):
    from django.core.exceptions import PermissionDenied

    referral = services.refer(acting_user=colleague, draft=_draft(case, shelter))
    for user in (colleague, outsider):
        with pytest.raises(PermissionDenied):
            services.accept(acting_user=user, referral=referral, expected_version=referral.version)
    with pytest.raises(PermissionDenied):
        services.cancel(
            acting_user=focal_point,
            referral=referral,
            expected_version=referral.version,
            reason="x",
        )


def test_the_packet_is_as_it_was_when_sent(colleague, focal_point, case, shelter, agreement):
    referral = services.refer(acting_user=colleague, draft=_draft(case, shelter))
    Person.objects.filter(pk=case.person_id).update(phone="+509 0000 1111")
    access, entries = read_packet(referral, actor=focal_point, language="fr")
    assert access.open
    contact = {
        str(line.label): line.value
        for entry, lines in entries
        if entry.field_group == "contact"
        for line in lines
    }
    assert contact["Téléphone"] == "+509 3700 0000"
    assert AuditEvent.objects.filter(
        action="referrals.packet.viewed", actor_id=focal_point.pk
    ).exists()


def test_withdrawn_consent_or_lapsed_agreement_ends_access_at_once(
    colleague, focal_point, case, shelter, agreement
):
    referral = services.refer(acting_user=colleague, draft=_draft(case, shelter))
    assert packet_access(referral).open
    agreement.status = AgreementStatus.SUSPENDED
    agreement.save()
    access, entries = read_packet(referral, actor=focal_point, language="fr")
    assert not access.open and entries == []
    agreement.status = AgreementStatus.IN_FORCE
    agreement.save()
    consent = case.consents.get(purpose="referral")
    case_services.withdraw_consent(acting_user=colleague, consent=consent)
    assert not packet_access(referral).open


def test_sharing_more_later_adds_to_the_packet_through_the_gates(
    colleague, case, shelter, agreement
):
    referral = services.refer(acting_user=colleague, draft=_draft(case, shelter))
    with pytest.raises(ServiceError):
        services.share_more(acting_user=colleague, referral=referral, field_group="health_details")
    agreement.field_groups = [*agreement.field_groups, "health_details"]
    agreement.save()
    entry = services.share_more(
        acting_user=colleague,
        referral=referral,
        field_group="health_details",
        text="Diabète, traitement en cours",
    )
    assert not entry.initial
    assert json.loads(entry.content)["text"] == "Diabète, traitement en cours"


def test_escalation_notifies_each_person_once_then_expires(
    colleague, owner, focal_point, case, shelter, agreement, committed
):
    referral = committed(services.refer, acting_user=colleague, draft=_draft(case, shelter))
    mail.outbox.clear()
    later = referral.acknowledge_by + timedelta(minutes=1)
    first = committed(escalate, now=later)
    again = committed(escalate, now=later)
    assert (first.overdue, again.overdue) == (1, 0)
    assert again.notifications == 0
    overdue = Notification.objects.filter(key=f"referral:{referral.pk}:escalation:1")
    assert sorted(overdue.values_list("user__email", flat=True)) == sorted(
        [colleague.email, focal_point.email]
    )
    sent = len(mail.outbox)
    assert sent == 2
    twice = referral.escalate_at + timedelta(minutes=1)
    assert escalate(twice).escalated == 1
    assert escalate(twice).escalated == 0
    assert (
        Notification.objects.filter(user=owner, key=f"referral:{referral.pk}:escalation:2").count()
        == 1
    )
    report = escalate(referral.expire_at + timedelta(minutes=1))
    assert report.expired == 1
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.EXPIRED
    assert escalate(referral.expire_at + timedelta(hours=1)).notifications == 0


def test_onward_referral_carries_no_more_than_was_received(
    colleague, focal_point, case, shelter, agreement, make_user, nrm
):
    third = Organisation.objects.create(
        name="Clinique (fictive)", acronym="CL", kind="ngo", country="HT"
    )
    make_user("focal@clinic.example", third, Role.PROVIDER_FOCAL_POINT)
    clinic = make_service(third, "HEALTH-PRIM")
    referral = services.refer(acting_user=colleague, draft=_draft(case, shelter))
    make_agreement(referral.recipient_organisation, third, groups=["identity", "health_details"])
    case_services.record_consent(
        acting_user=colleague,
        case=case,
        data=__import__("tests.cases_helpers", fromlist=["x"]).registration_consent(
            purpose="referral", recipient_organisation=third
        ),
    )
    onward = services.refer(
        acting_user=focal_point,
        draft=ReferralDraft(
            case=case,
            service_at_location=clinic,
            parent=referral,
            field_groups=["identity"],
            note="Consultation",
        ),
    )
    assert onward.sender_organisation == referral.recipient_organisation
    assert list(onward.packet.values_list("field_group", flat=True)) == ["identity"]
    assert Referral.objects.visible_to(focal_point).filter(pk=onward.pk).exists()


def test_notifications_and_mails_are_in_each_recipients_language(
    colleague, focal_point, case, shelter, agreement, committed
):
    focal_point.language = "en"
    focal_point.save()
    colleague.language = "fr"
    colleague.save()
    referral = committed(services.refer, acting_user=colleague, draft=_draft(case, shelter))
    committed(
        services.accept,
        acting_user=focal_point,
        referral=referral,
        expected_version=referral.version,
    )
    to_provider = Notification.objects.get(user=focal_point)
    to_sender = Notification.objects.get(user=colleague)
    assert to_provider.title.startswith("New referral")
    assert not to_sender.title.startswith("Referral ") and referral.reference in to_sender.title
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[focal_point.email].startswith("New referral")
    assert subjects[colleague.email] == to_sender.title


def test_escalation_sends_each_person_one_email_for_all_their_overdue_referrals(
    colleague, focal_point, organisation, provider, shelter, agreement, committed
):
    referrals = [
        committed(
            services.refer,
            acting_user=colleague,
            draft=_draft(case_with_need(colleague, organisation, consent_to=provider), shelter),
        )
        for _ in range(3)
    ]
    mail.outbox.clear()
    later = max(r.acknowledge_by for r in referrals) + timedelta(minutes=1)
    report = committed(escalate, now=later)
    assert (report.overdue, report.notifications, report.emails) == (3, 6, 2)
    [to_provider] = [m for m in mail.outbox if m.to == [focal_point.email]]
    assert all(r.reference in to_provider.body for r in referrals)
    assert "3" in to_provider.subject
    mail.outbox.clear()
    assert committed(escalate, now=later).emails == 0
    assert mail.outbox == []


def test_the_inbox_tabs_merge_their_statuses_in_deadline_order(
    colleague, focal_point, organisation, provider, shelter, agreement
):
    from orienta.referrals.inbox import inbox_for

    made = [
        services.refer(
            acting_user=colleague,
            draft=_draft(case_with_need(colleague, organisation, consent_to=provider), shelter),
        )
        for _ in range(3)
    ]
    services.acknowledge(
        acting_user=focal_point, referral=made[1], expected_version=made[1].version
    )
    now = timezone.now()
    for hours, referral in zip((5, 1, 3), made, strict=True):
        Referral.objects.filter(pk=referral.pk).update(acknowledge_by=now + timedelta(hours=hours))
    box = inbox_for(focal_point, "due_soon", now=now)
    assert [r.pk for r in box.items] == [made[1].pk, made[2].pk, made[0].pk]
    assert box.counts == {"new": 2, "due_soon": 3, "overdue": 0, "in_service": 0}
    later = inbox_for(focal_point, "overdue", now=now + timedelta(hours=4))
    assert [r.pk for r in later.items] == [made[1].pk, made[2].pk]


def test_the_escalation_command_reports_what_it_did(colleague, case, shelter, agreement):
    import io

    from django.core.management import call_command

    referral = services.refer(acting_user=colleague, draft=_draft(case, shelter))
    Referral.objects.filter(pk=referral.pk).update(
        acknowledge_by=timezone.now() - timedelta(minutes=5)
    )
    out = io.StringIO()
    call_command("escalate_referrals", stdout=out)
    assert "overdue: 1" in out.getvalue()
    out = io.StringIO()
    call_command("escalate_referrals", stdout=out)
    assert "overdue: 0" in out.getvalue() and "notifications: 0" in out.getvalue()


def test_a_provider_cannot_pass_on_a_packet_it_may_no_longer_read(
    colleague, focal_point, case, shelter, agreement, make_user, nrm
):
    from tests.cases_helpers import registration_consent

    third = Organisation.objects.create(
        name="Clinique (fictive)", acronym="CL", kind="ngo", country="HT"
    )
    clinic = make_service(third, "HEALTH-PRIM")
    referral = services.refer(acting_user=colleague, draft=_draft(case, shelter))
    make_agreement(referral.recipient_organisation, third)
    case_services.record_consent(
        acting_user=colleague,
        case=case,
        data=registration_consent(purpose="referral", recipient_organisation=third),
    )
    agreement.status = AgreementStatus.SUSPENDED
    agreement.save()
    with pytest.raises(ServiceError) as refused:
        services.refer_onward(
            acting_user=focal_point, referral=referral, service_at_location=clinic
        )
    assert refused.value.code == "gates_refused"
    assert not Referral.objects.filter(parent=referral).exists()
