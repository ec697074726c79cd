"""The process indicators of the terms of reference, computed from the records.

They follow the table "Indicateurs de performance pour l'évaluation des résultats" of the
Cameroon terms of reference (seeds/002), phase by phase, over a committee and the working
groups that report to it. Each indicator says what it counts in `definition`, so the dashboard,
the progress report and the tests read the same rule. The records are about officials at
meetings, not about the people the mechanism assists; counts are shown as they are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orienta.governance.choices import (
    CONSULTATION_KINDS,
    COORDINATION_KINDS,
    INTEGRATING,
    MATERIAL_KINDS,
    SOP_AND_TOOL_KINDS,
    ApprovalDecision,
    Audience,
    DocumentKind,
    EventKind,
    EventLevel,
    EventStatus,
    FindingKind,
    MembershipStatus,
    ParticipantCategory,
    Sex,
    Treatment,
    VersionStatus,
)
from orienta.governance.models import (
    Approval,
    Comment,
    Committee,
    CommitteeMembership,
    Document,
    DocumentVersion,
    Event,
    Finding,
    Participant,
)

PHASES = {
    1: gettext_lazy("Assessment of the referral system"),
    2: gettext_lazy("Consultative roadmap"),
    3: gettext_lazy("Steering committee"),
    4: gettext_lazy("Memorandum of understanding"),
    5: gettext_lazy("Operational tools"),
    6: gettext_lazy("Information and training"),
    7: gettext_lazy("Sustainability plan"),
}


@dataclass
class Indicator:
    code: str
    phase: int
    label: str
    definition: str
    # The headline: a number, a date or None when there is nothing to count yet.
    value: int | float | date | None
    detail: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def shown(self) -> str:
        if self.value is None:
            return "—"
        if isinstance(self.value, date):
            return formats.date_format(self.value, "DATE_FORMAT")
        if isinstance(self.value, float):
            return f"{formats.number_format(round(self.value), 0)} %"
        return str(self.value)

    @property
    def is_date(self) -> bool:
        return isinstance(self.value, date)

    @property
    def phase_label(self) -> str:
        return str(PHASES[self.phase])


def bodies(committee: Committee) -> list[Any]:
    """The committee and the working groups that report to it."""
    return [committee.pk, *committee.working_groups.values_list("pk", flat=True)]


def _events(ids: list[Any]) -> QuerySet[Event]:
    return Event.objects.filter(committee__in=ids, status=EventStatus.HELD)


def _documents(ids: list[Any], *kinds: str) -> QuerySet[Document]:
    return Document.objects.filter(committee__in=ids, kind__in=kinds)


def _versions(ids: list[Any], *kinds: str) -> QuerySet[DocumentVersion]:
    return DocumentVersion.objects.filter(document__committee__in=ids, document__kind__in=kinds)


def _attended(events: QuerySet[Event]) -> QuerySet[Participant]:
    return Participant.objects.filter(event__in=events, attended=True)


def _by(queryset: QuerySet[Any], name: str, choices: Any) -> list[tuple[str, int]]:
    counts = dict(queryset.values_list(name).annotate(n=Count("pk")).order_by())
    return [(str(label), counts.get(value, 0)) for value, label in choices.choices]


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _status_label(version: DocumentVersion | None) -> str:
    return str(VersionStatus(version.status).label) if version else _("not started")


def coordination_meetings(ids: list[Any]) -> Indicator:
    cutoff = _versions(ids, DocumentKind.INCEPTION_REPORT).aggregate(d=Min("final_on"))["d"]
    meetings = _events(ids).filter(kind__in=COORDINATION_KINDS)
    if cutoff:
        meetings = meetings.filter(held_on__lte=cutoff)
    return Indicator(
        "coordination_meetings",
        1,
        _("Coordination meetings held before the inception report"),
        _(
            "Kick-off and coordination meetings held on or before the day the inception report "
            "first became final (all of them while it is not final)."
        ),
        meetings.count(),
        [(_("Inception report final on"), cutoff or "—")],
    )


def gaps_with_recommendations(ids: list[Any]) -> Indicator:
    newest = (
        DocumentVersion.objects.filter(document=OuterRef("version__document"))
        .order_by("-number")
        .values("number")[:1]
    )
    findings = (
        Finding.objects.filter(
            version__document__committee__in=ids,
            version__document__kind=DocumentKind.ASSESSMENT_REPORT,
            kind__in=[FindingKind.GAP, FindingKind.CHALLENGE],
        )
        .annotate(newest=Subquery(newest))
        .filter(version__number=F("newest"))
    )
    with_recommendation = findings.exclude(recommendation="")
    return Indicator(
        "gaps_with_recommendations",
        1,
        _("Gaps and challenges identified, with recommendations"),
        _(
            "Gaps and challenges in the latest version of each assessment report that carry a "
            "recommendation."
        ),
        with_recommendation.count(),
        [
            (_("Gaps"), findings.filter(kind=FindingKind.GAP).count()),
            (_("Challenges"), findings.filter(kind=FindingKind.CHALLENGE).count()),
            (_("Without a recommendation"), findings.filter(recommendation="").count()),
        ],
    )


def roadmap_approved(ids: list[Any]) -> Indicator:
    versions = _versions(ids, DocumentKind.ROADMAP)
    approved = versions.filter(status=VersionStatus.VALIDATED).aggregate(d=Min("validated_on"))
    return Indicator(
        "roadmap_approved",
        1,
        _("Roadmap approved by the parties"),
        _("The date the first version of a roadmap was validated."),
        approved["d"],
        [(_("Roadmap versions"), versions.count())],
    )


def workshop_participants(ids: list[Any]) -> Indicator:
    present = _attended(_events(ids).filter(kind=EventKind.CONSULTATION))
    return Indicator(
        "workshop_participants",
        2,
        _("Participants in the consultation workshops"),
        _("People recorded present at consultation workshops held, by category."),
        present.count(),
        _by(present, "category", ParticipantCategory) + _by(present, "sex", Sex),
    )


def _integration(comments: QuerySet[Comment]) -> tuple[int, int, list[tuple[str, int]]]:
    detail = _by(comments, "treatment", Treatment)
    integrated = comments.filter(treatment__in=INTEGRATING).count()
    return integrated, comments.count(), detail


def comments_integrated(ids: list[Any]) -> Indicator:
    comments = Comment.objects.filter(
        version__document__committee__in=ids, version__document__kind=DocumentKind.ROADMAP
    )
    integrated, received, detail = _integration(comments)
    return Indicator(
        "comments_integrated",
        2,
        _("Stakeholder comments integrated in the updated roadmap"),
        _(
            "Comments on the roadmap integrated or partly integrated in a later version, out of "
            "all comments received on it."
        ),
        _percent(integrated, received),
        [(_("Comments received"), received), *detail],
    )


def concept_note(ids: list[Any]) -> Indicator:
    versions = _versions(ids, DocumentKind.CONCEPT_NOTE).order_by("-number")
    latest = versions.first()
    answered = Approval.objects.filter(
        version__in=versions.filter(status__in=[VersionStatus.FINAL, VersionStatus.VALIDATED])
    )
    accepting = answered.exclude(decision=ApprovalDecision.NOT_APPROVED)
    return Indicator(
        "concept_note",
        2,
        _("Concept note finalised, with its version history"),
        _(
            "Versions of the concept note; the status of the latest; the approvals of its final "
            "versions."
        ),
        versions.count(),
        [
            (_("Latest version"), _status_label(latest)),
            (_("Approvals received"), answered.count()),
            (_("Of which approving"), accepting.count()),
        ],
    )


def members_confirmed(committee: Committee) -> Indicator:
    seats = list(CommitteeMembership.objects.filter(committee=committee))
    statuses = [seat.status for seat in seats]
    return Indicator(
        "members_confirmed",
        3,
        _("Members confirmed in the committee"),
        _("Organisations that confirmed their seat on the committee, out of those invited."),
        statuses.count(MembershipStatus.CONFIRMED),
        [
            (_("Invited"), len(seats)),
            (_("Awaiting an answer"), statuses.count(MembershipStatus.INVITED)),
            (_("Declined"), statuses.count(MembershipStatus.DECLINED)),
        ],
    )


def first_meeting(committee: Committee) -> Indicator:
    first = _events([committee.pk]).filter(kind=EventKind.COMMITTEE).order_by("held_on").first()
    present = _attended(Event.objects.filter(pk=first.pk)) if first else Participant.objects.none()
    organisations = present.exclude(organisation=None).values("organisation").distinct().count()
    return Indicator(
        "first_meeting",
        3,
        _("Date and attendance of the first committee meeting"),
        _("The first meeting of the committee itself that was held, and who came."),
        first.held_on if first else None,
        [
            (_("Present"), present.count()),
            (_("Organisations represented"), organisations),
        ],
    )


def mou_draft(ids: list[Any]) -> Indicator:
    documents = _documents(ids, DocumentKind.MOU).select_related("mou")
    versions = _versions(ids, DocumentKind.MOU)
    comments = Comment.objects.filter(version__in=versions)
    latest = versions.order_by("-number").first()
    statuses = [str(d.mou.get_status_display()) for d in documents if hasattr(d, "mou")]
    return Indicator(
        "mou_draft",
        4,
        _("MoU drafted with the parties, and comments received"),
        _("Comments received from members on the versions of the MoU."),
        comments.count(),
        [
            (_("Versions"), versions.count()),
            (_("Latest version"), _status_label(latest)),
            (_("Organisations that commented"), comments.values("organisation").distinct().count()),
            (_("MoU"), ", ".join(statuses) or "—"),
        ],
    )


def sop_stakeholders(ids: list[Any]) -> Indicator:
    events = (
        _events(ids)
        .filter(kind__in=CONSULTATION_KINDS, documents__kind__in=SOP_AND_TOOL_KINDS)
        .distinct()
    )
    present = _attended(events)
    organisations = present.exclude(organisation=None).values("organisation").distinct().count()
    return Indicator(
        "sop_stakeholders",
        5,
        _("Key stakeholders consulted on the SOPs and tools"),
        _(
            "People present at consultation and validation events that discussed the SOPs, "
            "protocols or reception guide."
        ),
        present.count(),
        [
            (_("Consultation sessions"), events.count()),
            (_("Organisations represented"), organisations),
            (
                _("SOP versions, final or validated"),
                _versions(ids, DocumentKind.SOP)
                .filter(status__in=[VersionStatus.FINAL, VersionStatus.VALIDATED])
                .count(),
            ),
        ],
    )


def materials(ids: list[Any]) -> Indicator:
    produced = (
        _documents(ids, *MATERIAL_KINDS)
        .filter(versions__status__in=[VersionStatus.FINAL, VersionStatus.VALIDATED])
        .distinct()
    )
    kinds = dict(produced.values_list("kind").annotate(n=Count("pk", distinct=True)).order_by())
    audiences = _by(produced.exclude(audience=""), "audience", Audience)
    return Indicator(
        "materials",
        6,
        _("Information and training materials produced"),
        _("Information and training materials with a final or validated version."),
        produced.count(),
        [(str(DocumentKind(k).label), kinds.get(k, 0)) for k in MATERIAL_KINDS] + audiences,
    )


def trainings(ids: list[Any]) -> Indicator:
    held = _events(ids).filter(kind=EventKind.TRAINING)
    trained = _attended(held)
    return Indicator(
        "trainings",
        6,
        _("Trainings held and people trained"),
        _("Trainings held; the detail counts the people recorded present."),
        held.count(),
        [
            (_("People trained"), trained.count()),
            *[
                (str(label), held.filter(level=level).count())
                for level, label in EventLevel.choices
            ],
            *_by(trained, "sex", Sex),
        ],
    )


def sustainability_plan(ids: list[Any]) -> Indicator:
    versions = _versions(ids, DocumentKind.SUSTAINABILITY_PLAN)
    validated = versions.filter(status=VersionStatus.VALIDATED).aggregate(d=Min("validated_on"))
    integrated = Comment.objects.filter(version__in=versions, treatment__in=INTEGRATING)
    return Indicator(
        "sustainability_plan",
        7,
        _("Sustainability plan drafted and validated; recommendations integrated"),
        _(
            "The date the plan was first validated; the detail counts its versions and the "
            "stakeholders' comments integrated in it."
        ),
        validated["d"],
        [
            (_("Versions"), versions.count()),
            (_("Latest version"), _status_label(versions.order_by("-number").first())),
            (_("Stakeholder recommendations integrated"), integrated.count()),
        ],
    )


def process_indicators(committee: Committee) -> list[Indicator]:
    ids = bodies(committee)
    return [
        coordination_meetings(ids),
        gaps_with_recommendations(ids),
        roadmap_approved(ids),
        workshop_participants(ids),
        comments_integrated(ids),
        concept_note(ids),
        members_confirmed(committee),
        first_meeting(committee),
        mou_draft(ids),
        sop_stakeholders(ids),
        materials(ids),
        trainings(ids),
        sustainability_plan(ids),
    ]


def open_actions(committee: Committee, readable: list[Any] | None = None) -> QuerySet[Any]:
    """Action items of the committee's meetings (and its working groups', or those of them in
    `readable`) still to be done, oldest deadline first."""
    from orienta.governance.models import ActionItem

    ids = bodies(committee) if readable is None else readable
    return (
        ActionItem.objects.filter(event__committee__in=ids)
        .filter(Q(status="open") | Q(status="in_progress"))
        .select_related("owner", "event")
        .order_by("due_on", "pk")
    )
