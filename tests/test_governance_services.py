"""Governance services: the version workflow, comments and their treatment, members, the
roadmap's dependencies — and the audit written with each change."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from orienta.audit.models import AuditEvent
from orienta.core.errors import ConflictError, ServiceError
from orienta.governance import services, text, versions
from orienta.governance.choices import DocumentKind, EventKind, Treatment, VersionStatus
from orienta.governance.models import Comment, DocumentVersion
from tests.governance_helpers import (
    advance,
    comment,
    days,
    finalise,
    make_committee,
    make_document,
    make_event,
    next_version,
    treat,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(coordinator, organisation, provider):
    return make_committee(coordinator, (organisation, "chair", True), (provider, "member", None))


def test_a_version_moves_one_step_at_a_time_and_is_frozen_after_the_draft(coordinator, committee):
    document = make_document(coordinator, committee)
    version = document.versions.get()
    with pytest.raises(ServiceError):
        advance(coordinator, version, VersionStatus.VALIDATED)
    version = advance(
        coordinator, version, VersionStatus.IN_CONSULTATION, consultation_until=days(7)
    )
    with pytest.raises(ServiceError):
        versions.edit_draft(
            acting_user=coordinator,
            version=version,
            content="x",
            change_summary="",
            expected_version=version.version,
        )
    version = advance(coordinator, version, VersionStatus.FINAL)
    assert version.final_on == days(0)
    with pytest.raises(ServiceError) as refused:
        advance(coordinator, version, VersionStatus.VALIDATED)
    assert refused.value.details["field"] == "validated_on"
    with pytest.raises(ServiceError):
        advance(
            coordinator, version, VersionStatus.VALIDATED, validated_on=days(1), validated_by="X"
        )
    version = advance(
        coordinator, version, VersionStatus.VALIDATED, validated_on=days(0), validated_by="COPIL"
    )
    actions = list(
        AuditEvent.objects.filter(object_id=str(version.pk)).values_list("action", flat=True)
    )
    assert actions.count("governance.version.status_changed") == 3


def test_validation_at_an_event_takes_its_date(coordinator, committee, organisation):
    event = make_event(coordinator, committee, EventKind.VALIDATION, -2)
    version = finalise(coordinator, make_document(coordinator, committee).versions.get())
    version = advance(coordinator, version, VersionStatus.VALIDATED, validation_event=event)
    assert version.validated_on == days(-2) and version.validation_event == event
    other = make_committee(coordinator, (organisation, "member", True), name="Autre")
    foreign = make_event(coordinator, other, EventKind.VALIDATION, -1)
    second = finalise(coordinator, make_document(coordinator, committee).versions.get())
    with pytest.raises(ServiceError):
        advance(coordinator, second, VersionStatus.VALIDATED, validation_event=foreign)


def test_one_draft_at_a_time(coordinator, committee):
    document = make_document(coordinator, committee)
    with pytest.raises(ServiceError):
        next_version(coordinator, document, "# v2")
    finalise(coordinator, document.versions.get())
    with pytest.raises(ServiceError) as refused:
        next_version(coordinator, document, "# v2", summary="")
    assert refused.value.details["field"] == "change_summary"
    assert next_version(coordinator, document, "# v2").number == 2
    # Lists read the latest version's number and status from the document itself.
    document.refresh_from_db()
    assert (document.current_number, document.current_status) == (2, VersionStatus.DRAFT)
    finalise(coordinator, document.versions.get(number=2))
    document.refresh_from_db()
    assert document.current_status == VersionStatus.FINAL


def test_a_treatment_points_to_a_later_version_of_the_same_document(
    coordinator, committee, organisation
):
    document = make_document(coordinator, committee)
    first = document.versions.get()
    remark = comment(coordinator, first, organisation)
    finalise(coordinator, first)
    other = make_document(coordinator, committee, title="Autre")
    with pytest.raises(ServiceError):
        treat(coordinator, remark, Treatment.INTEGRATED)  # no version named
    with pytest.raises(ServiceError):
        treat(coordinator, remark, Treatment.INTEGRATED, first)  # not later
    with pytest.raises(ServiceError):
        treat(coordinator, remark, Treatment.INTEGRATED, other.versions.get())
    with pytest.raises(ServiceError):
        treat(coordinator, remark, Treatment.PARTLY, next_version(coordinator, document, "# v2"))
    second = document.versions.get(number=2)
    treated = treat(coordinator, remark, Treatment.PARTLY, second, why="Le reste est hors sujet")
    assert treated.integrated_in == second and treated.treated_at is not None
    back = treat(coordinator, remark, Treatment.PENDING)
    assert back.integrated_in is None and back.justification == "" and back.treated_at is None
    with pytest.raises(ConflictError):
        versions.treat_comment(
            acting_user=coordinator, comment=remark, treatment=Treatment.PENDING, expected_version=1
        )


def test_members_comment_only_in_consultation_and_only_for_their_organisation(
    coordinator, committee, organisation, provider, make_user, other_organisation
):
    from orienta.accounts.roles import Role

    member = make_user("m@a.example", organisation, Role.COMMITTEE_MEMBER)
    stranger = make_user("m@b.example", other_organisation, Role.COMMITTEE_MEMBER)
    version = make_document(coordinator, committee).versions.get()
    with pytest.raises(ServiceError):
        comment(member, version, organisation)  # a draft
    version = advance(coordinator, version, VersionStatus.IN_CONSULTATION)
    with pytest.raises(ServiceError):
        comment(member, version, provider)
    with pytest.raises(PermissionDenied):
        comment(stranger, version, other_organisation)
    made = comment(member, version, organisation, "Très bien.")
    event = AuditEvent.objects.get(action="governance.comment.created", object_id=str(made.pk))
    assert event.organisation_id == organisation.pk


def test_a_declined_organisation_no_longer_speaks(coordinator, committee, provider, make_user):
    from orienta.accounts.roles import Role

    focal = make_user("f@p.example", provider, Role.COMMITTEE_MEMBER)
    seat = committee.memberships.get(organisation=provider)
    services.answer_invitation(acting_user=focal, membership=seat, accept=False)
    assert not versions.speaking_for(focal, committee).exists()


def test_membership_rules(coordinator, committee, organisation):
    with pytest.raises(ServiceError):
        services.save_membership(
            acting_user=coordinator,
            committee=committee,
            organisation=organisation,
            values={"invited_on": days(0)},
        )
    seat = committee.memberships.get(organisation=organisation)
    with pytest.raises(ServiceError):
        services.save_membership(
            acting_user=coordinator,
            committee=committee,
            membership=seat,
            values={"confirmed_on": days(-100)},
            expected_version=seat.version,
        )


def test_the_roadmap_refuses_loops_and_unfinished_done_actions(
    coordinator, committee, organisation
):
    priority = services.save_priority(
        acting_user=coordinator, committee=committee, values={"title": "P"}
    )

    def action(title, **extra):
        return services.save_roadmap_action(
            acting_user=coordinator,
            values={
                "priority": priority,
                "title": title,
                "owner": organisation,
                "starts_on": days(0),
                "ends_on": days(10),
                "status": "in_progress",
                "progress": 10,
                **extra,
            },
        )

    first = action("A")
    second = action("B")
    services.save_roadmap_action(
        acting_user=coordinator,
        values={},
        depends_on=[first],
        action=second,
        expected_version=second.version,
    )
    first.refresh_from_db()
    with pytest.raises(ServiceError) as refused:
        services.save_roadmap_action(
            acting_user=coordinator,
            values={},
            depends_on=[second],
            action=first,
            expected_version=first.version,
        )
    assert refused.value.details["field"] == "depends_on"
    with pytest.raises(ServiceError):
        action("C", status="done", progress=50)
    with pytest.raises(ServiceError):
        action("D", ends_on=days(-1))


def test_attendance_is_recorded_after_the_event_and_for_listed_people_only(coordinator, committee):
    event = make_event(coordinator, committee, EventKind.TRAINING, 3, held=False)
    with pytest.raises(ServiceError):
        services.record_attendance(
            acting_user=coordinator, event=event, present=[], expected_version=event.version
        )
    past = make_event(coordinator, committee, EventKind.TRAINING, -1, held=False)
    with pytest.raises(ServiceError):
        services.record_attendance(
            acting_user=coordinator, event=past, present=[999], expected_version=past.version
        )


def test_a_failed_change_leaves_no_audit_event(coordinator, committee):
    before = AuditEvent.objects.count()
    with pytest.raises(ServiceError), transaction.atomic():
        document = versions.create_document(
            acting_user=coordinator, committee=committee, kind=DocumentKind.ROADMAP, title="T"
        )
        raise ServiceError("stop", code="invalid") if document else None
    assert AuditEvent.objects.count() == before
    assert not DocumentVersion.objects.exists() and not Comment.objects.exists()


def test_markdown_is_shown_without_its_html_and_headings_become_sections():
    html = text.to_html("# T\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert text.headings("# Titre\n\n## Contexte\n\ntexte\n\n## Priorités") == [
        "Titre",
        "Contexte",
        "Priorités",
    ]


def test_only_the_latest_version_moves_along(coordinator, committee):
    document = make_document(coordinator, committee)
    first = finalise(coordinator, document.versions.get())
    finalise(coordinator, next_version(coordinator, document, "# v2"))
    with pytest.raises(ServiceError):
        advance(coordinator, first, VersionStatus.VALIDATED, validated_on=days(0), validated_by="X")


def test_members_cannot_comment_after_the_consultation_closed(
    coordinator, committee, organisation, make_user
):
    from orienta.accounts.roles import Role

    member = make_user("m@a.example", organisation, Role.COMMITTEE_MEMBER)
    version = advance(
        coordinator,
        make_document(coordinator, committee).versions.get(),
        VersionStatus.IN_CONSULTATION,
        consultation_until=days(3),
    )
    DocumentVersion.objects.filter(pk=version.pk).update(consultation_until=days(-1))
    version.refresh_from_db()
    with pytest.raises(ServiceError) as refused:
        comment(member, version, organisation)
    assert "secrétariat" in str(refused.value.message)
    assert comment(coordinator, version, organisation).pk  # a late letter, recorded


def test_an_event_in_the_future_is_not_held(coordinator, committee):
    with pytest.raises(ServiceError):
        services.save_event(
            acting_user=coordinator,
            committee=committee,
            values={"kind": "training", "title": "T", "held_on": days(2), "status": "held"},
        )


def test_the_documents_of_an_event_are_in_its_audit(coordinator, committee):
    document = make_document(coordinator, committee)
    event = make_event(coordinator, committee, EventKind.CONSULTATION, -1, held=False)
    event = services.save_event(
        acting_user=coordinator,
        committee=committee,
        values={},
        documents=[document],
        event=event,
        expected_version=event.version,
    )
    audit = AuditEvent.objects.filter(action="governance.event.changed", object_id=str(event.pk))
    assert audit.get().changes["documents"] == [[], [str(document.pk)]]
