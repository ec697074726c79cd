"""The process indicators, each against the number worked out by hand from one fixture. (The
detail rows are looked up by their label in the active language.)"""

from __future__ import annotations

import pytest
from django.utils.translation import gettext as _

from orienta.governance import indicators, versions
from orienta.governance.choices import (
    ApprovalDecision,
    Audience,
    DocumentKind,
    EventKind,
    EventLevel,
    FindingKind,
    ParticipantCategory,
    Sex,
    Treatment,
    VersionStatus,
)
from tests.governance_helpers import (
    advance,
    comment,
    days,
    finalise,
    make_committee,
    make_document,
    make_event,
    make_organisation,
    next_version,
    treat,
    validate,
)

pytestmark = pytest.mark.django_db

GOV, CSO, UN, ACADEMIA = "government", "civil_society", "un", "academia"
F, M = "female", "male"


def _label(choice) -> str:
    return str(choice.label)


@pytest.fixture
def world(coordinator, organisation):
    """The committee C (members A confirmed chair, P1 confirmed, P2 invited, P3 declined) and its
    working group W, with the records each indicator counts, and records it must not count."""
    a = organisation
    p1, p2, p3 = make_organisation("P1"), make_organisation("P2"), make_organisation("P3")
    c = make_committee(
        coordinator,
        (a, "chair", True),
        (p1, "member", True),
        (p2, "member", None),
        (p3, "member", False),
    )
    w = make_committee(coordinator, (a, "member", True), name="Groupe technique", parent=c)
    other = make_committee(coordinator, (p1, "member", True), name="Autre comité")
    u = coordinator

    # Phase 1. The inception report became final 30 days ago.
    inception = make_document(u, c, DocumentKind.INCEPTION_REPORT)
    finalise(u, inception.versions.get(), on=days(-30))
    make_event(u, c, EventKind.KICK_OFF, -40, [("K1", a, GOV, F, True)])  # counts
    make_event(u, w, EventKind.COORDINATION, -35)  # counts: the working group's
    make_event(u, c, EventKind.COORDINATION, -10)  # after the report: not counted
    make_event(u, c, EventKind.COORDINATION, -20, held=False)  # not held
    make_event(u, other, EventKind.COORDINATION, -36)  # another committee
    assessment = make_document(u, c, DocumentKind.ASSESSMENT_REPORT)
    old = assessment.versions.get()
    versions.add_finding(
        acting_user=u, version=old, kind=FindingKind.GAP, text="Ancien", recommendation="R"
    )
    finalise(u, old)
    latest = next_version(u, assessment, "# Évaluation v2")
    for kind, recommendation in [
        (FindingKind.GAP, "Créer un répertoire"),
        (FindingKind.GAP, ""),
        (FindingKind.CHALLENGE, "Former"),
        (FindingKind.OPPORTUNITY, "Associer les communes"),
    ]:
        versions.add_finding(
            acting_user=u, version=latest, kind=kind, text="Constat", recommendation=recommendation
        )
    # Phase 2. The roadmap: v1 final with four comments, v2 validated five days ago, v3 draft.
    roadmap = make_document(u, c, DocumentKind.ROADMAP)
    v1 = roadmap.versions.get()
    c1, c2, c3, c4 = (comment(u, v1, org) for org in (a, p1, p1, p2))
    finalise(u, v1)
    v2 = next_version(u, roadmap, "# Feuille de route v2")
    c5 = comment(u, v2, a)
    validate(u, v2, on=days(-5))
    v3 = next_version(u, roadmap, "# Feuille de route v3")
    treat(u, c1, Treatment.INTEGRATED, v2)
    treat(u, c2, Treatment.PARTLY, v2, why="En partie hors mandat")
    treat(u, c3, Treatment.NOT_INTEGRATED, why="Hors mandat")
    treat(u, c5, Treatment.INTEGRATED, v3)
    assert c4.treatment == Treatment.PENDING
    make_event(
        u,
        c,
        EventKind.CONSULTATION,
        -15,
        [
            ("G1", a, GOV, F, True),
            ("G2", p1, GOV, M, True),
            ("S1", p2, CSO, F, True),
            ("U1", p1, UN, M, False),  # absent
            ("R1", None, ACADEMIA, F, True),
        ],
        documents=[roadmap],
    )
    make_event(u, c, EventKind.CONSULTATION, 5, [("Z", a, GOV, F, False)], held=False)
    concept = make_document(u, c, DocumentKind.CONCEPT_NOTE)
    cv1 = finalise(u, concept.versions.get())
    versions.record_approval(
        acting_user=u, version=cv1, organisation=a, decision=ApprovalDecision.APPROVED_WITH_COMMENTS
    )
    cv2 = finalise(u, next_version(u, concept, "# Note v2"))
    versions.record_approval(
        acting_user=u, version=cv2, organisation=a, decision=ApprovalDecision.APPROVED
    )
    versions.record_approval(
        acting_user=u, version=cv2, organisation=p1, decision=ApprovalDecision.NOT_APPROVED
    )
    # Phase 3. The first committee meeting, 25 days ago; a later one.
    make_event(
        u,
        c,
        EventKind.COMMITTEE,
        -25,
        [
            ("M1", a, GOV, F, True),
            ("M2", p1, GOV, M, True),
            ("M3", None, ACADEMIA, M, True),
            ("M4", p2, CSO, F, False),
        ],
    )
    make_event(u, c, EventKind.COMMITTEE, -3, [("M5", a, GOV, F, True)])
    # Phase 4. The MoU: version 1 final, three comments from two organisations.
    mou = make_document(u, c, DocumentKind.MOU, title="Protocole")
    mv1 = mou.versions.get()
    versions.edit_draft(
        acting_user=u,
        version=mv1,
        content="# Protocole",
        change_summary="",
        expected_version=mv1.version,
    )
    for org in (p1, p1, a):
        comment(u, mv1, org)
    finalise(u, mv1)
    # Phase 5. The SOPs discussed at a validation event.
    sop = make_document(u, c, DocumentKind.SOP)
    advance(u, sop.versions.get(), VersionStatus.IN_CONSULTATION)
    make_event(
        u,
        c,
        EventKind.VALIDATION,
        -8,
        [
            ("V1", a, GOV, F, True),
            ("V2", p1, CSO, M, True),
            ("V3", p1, CSO, F, True),
            ("V4", p2, CSO, F, False),
        ],
        documents=[sop],
    )
    # Phase 6. Materials and trainings.
    info = make_document(u, c, DocumentKind.INFORMATION_MATERIAL, audience=Audience.MIGRANTS)
    finalise(u, info.versions.get())
    make_document(u, c, DocumentKind.TRAINING_MATERIAL, audience=Audience.FRONTLINE)  # draft
    training = make_document(u, w, DocumentKind.TRAINING_MATERIAL, audience=Audience.FRONTLINE)
    validate(u, training.versions.get(), on=days(-1))
    make_event(
        u,
        c,
        EventKind.TRAINING,
        -12,
        [("T1", a, GOV, F, True), ("T2", p1, CSO, M, True), ("T3", p2, CSO, M, False)],
        level=EventLevel.REGIONAL,
    )
    make_event(u, w, EventKind.TRAINING, -6, [("T4", a, GOV, F, True)])
    make_event(u, c, EventKind.TRAINING, 5, [("T5", a, GOV, F, False)], held=False)
    # Phase 7. The sustainability plan: v1 final with a comment integrated in v2, validated.
    plan = make_document(u, c, DocumentKind.SUSTAINABILITY_PLAN)
    pv1 = plan.versions.get()
    recommendation = comment(u, pv1, p1)
    finalise(u, pv1)
    pv2 = validate(u, next_version(u, plan, "# Plan v2"), on=days(-2))
    treat(u, recommendation, Treatment.INTEGRATED, pv2)
    return c


def _indicators(committee) -> dict[str, indicators.Indicator]:
    return {item.code: item for item in indicators.process_indicators(committee)}


def test_each_indicator_equals_the_hand_count(world):
    found = _indicators(world)
    assert len(found) == 13

    assert found["coordination_meetings"].value == 2
    gaps = found["gaps_with_recommendations"]
    assert gaps.value == 2
    assert dict(gaps.detail) == {_("Gaps"): 2, _("Challenges"): 1, _("Without a recommendation"): 1}
    assert found["roadmap_approved"].value == days(-5)
    assert dict(found["roadmap_approved"].detail)[_("Roadmap versions")] == 3

    workshop = found["workshop_participants"]
    assert workshop.value == 4
    detail = dict(workshop.detail)
    assert detail[_label(ParticipantCategory.GOVERNMENT)] == 2
    assert detail[_label(ParticipantCategory.CIVIL_SOCIETY)] == 1
    assert detail[_label(ParticipantCategory.ACADEMIA)] == 1
    assert detail[_label(ParticipantCategory.UN)] == 0
    assert detail[_label(Sex.FEMALE)] == 3
    assert detail[_label(Sex.MALE)] == 1

    integrated = found["comments_integrated"]
    assert integrated.value == 60.0  # (1 integrated + 1 partly + 1 on v2) of 5
    assert dict(integrated.detail)[_label(Treatment.PENDING)] == 1
    assert dict(integrated.detail)[_label(Treatment.NOT_INTEGRATED)] == 1

    concept = dict(found["concept_note"].detail)
    assert found["concept_note"].value == 2
    assert concept[_("Latest version")] == _label(VersionStatus.FINAL)
    assert concept[_("Approvals received")] == 3
    assert concept[_("Of which approving")] == 2

    members = found["members_confirmed"]
    assert members.value == 2
    assert dict(members.detail) == {_("Invited"): 4, _("Awaiting an answer"): 1, _("Declined"): 1}

    first = found["first_meeting"]
    assert first.value == days(-25)
    assert dict(first.detail) == {_("Present"): 3, _("Organisations represented"): 2}

    mou = found["mou_draft"]
    assert mou.value == 3
    assert dict(mou.detail)[_("Organisations that commented")] == 2

    sop = found["sop_stakeholders"]
    assert sop.value == 3
    assert dict(sop.detail)[_("Consultation sessions")] == 1
    assert dict(sop.detail)[_("Organisations represented")] == 2
    assert dict(sop.detail)[_("SOP versions, final or validated")] == 0

    materials = found["materials"]
    assert materials.value == 2
    assert dict(materials.detail)[_label(DocumentKind.INFORMATION_MATERIAL)] == 1
    assert dict(materials.detail)[_label(DocumentKind.TRAINING_MATERIAL)] == 1
    assert dict(materials.detail)[_label(Audience.FRONTLINE)] == 1

    trainings = found["trainings"]
    assert trainings.value == 2
    detail = dict(trainings.detail)
    assert detail[_("People trained")] == 3
    assert detail[_label(EventLevel.NATIONAL)] == 1
    assert detail[_label(EventLevel.REGIONAL)] == 1
    assert detail[_label(Sex.FEMALE)] == 2
    assert detail[_label(Sex.MALE)] == 1

    plan = found["sustainability_plan"]
    assert plan.value == days(-2)
    assert dict(plan.detail)[_("Stakeholder recommendations integrated")] == 1


def test_a_working_group_counts_only_its_own_records(world):
    group = world.working_groups.get()
    found = _indicators(group)
    assert found["coordination_meetings"].value == 1
    assert found["trainings"].value == 1
    assert found["members_confirmed"].value == 1
    assert found["comments_integrated"].value is None  # no roadmap: nothing to divide
    assert found["comments_integrated"].shown == "—"


def test_marking_a_comment_integrated_moves_the_percentage(coordinator, organisation):
    committee = make_committee(coordinator, (organisation, "chair", True))
    roadmap = make_document(coordinator, committee)
    first = roadmap.versions.get()
    pending = comment(coordinator, first, organisation)
    comment(coordinator, first, organisation, "Autre")
    finalise(coordinator, first)
    assert _indicators(committee)["comments_integrated"].value == 0.0
    second = next_version(coordinator, roadmap, "# v2")
    treat(coordinator, pending, Treatment.INTEGRATED, second)
    assert _indicators(committee)["comments_integrated"].value == 50.0
    assert _indicators(committee)["comments_integrated"].shown == "50 %"
