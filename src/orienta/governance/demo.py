"""Demo governance history for Cameroon and Burkina Faso: a steering committee and a working
group, meetings, workshops and a training with their attendance, documents in several versions
with stakeholder comments and their treatment, a draft MoU and a roadmap (packs/governance).

Everything goes through the real services, as the demo coordinator, and the dates are then moved
back to tell the story of the last months (the pack gives them as days from today). Loaded once;
run again, it leaves what exists alone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from orienta.accounts.models import User
from orienta.core.packs import available, load_pack
from orienta.directory.models import Organisation
from orienta.governance import mou as builder
from orienta.governance import services, versions
from orienta.governance.choices import DocumentKind, VersionStatus
from orienta.governance.models import (
    Approval,
    Comment,
    Committee,
    Document,
    DocumentVersion,
    Event,
    RoadmapAction,
)


class _Story:
    """The pack's keys and day offsets turned into the platform's objects and dates."""

    def __init__(self, pack: dict[str, Any], coordinator: User) -> None:
        self.pack = pack
        self.user = coordinator
        self.today = timezone.localdate()
        country = pack["country"]
        self.organisations: dict[str, Organisation] = {}
        for organisation in Organisation.objects.filter(country=country):
            self.organisations.setdefault(organisation.name, organisation)
            if organisation.acronym:
                self.organisations.setdefault(organisation.acronym, organisation)
        self.committees: dict[str, Committee] = {}
        self.events: dict[str, Event] = {}
        self.documents: dict[str, Document] = {}

    def day(self, offset: int | None) -> date | None:
        return None if offset is None else self.today + timedelta(days=offset)

    def organisation(self, key: str | None) -> Organisation | None:
        return self.organisations[key] if key else None


def _committees(story: _Story) -> None:
    for raw in story.pack["committees"]:
        committee = services.save_committee(
            acting_user=story.user,
            values={
                "name": raw["name"],
                "acronym": raw.get("acronym", ""),
                "kind": raw["kind"],
                "country": story.pack["country"],
                "parent": story.committees.get(raw.get("parent") or ""),
                "terms_of_reference": raw.get("terms_of_reference", ""),
            },
        )
        story.committees[raw["key"]] = committee
        for seat in raw["members"]:
            services.save_membership(
                acting_user=story.user,
                committee=committee,
                organisation=story.organisation(seat["organisation"]),
                values={
                    "role": seat["role"],
                    "representative": seat.get("representative", ""),
                    "representative_title": seat.get("representative_title", ""),
                    "invited_on": story.day(seat["invited"]),
                    "confirmed_on": story.day(seat.get("confirmed")),
                    "declined_on": story.day(seat.get("declined")),
                },
            )


def _events(story: _Story) -> None:
    for raw in story.pack["events"]:
        event = services.save_event(
            acting_user=story.user,
            committee=story.committees[raw["committee"]],
            values={
                "kind": raw["kind"],
                "level": raw.get("level", "national"),
                "title": raw["title"],
                "held_on": story.day(raw["day"]),
                "place": raw.get("place", ""),
                "agenda": raw.get("agenda", ""),
                "minutes": raw.get("minutes", ""),
                "status": "planned",
            },
        )
        story.events[raw["key"]] = event
        present = []
        for person in raw["participants"]:
            participant = services.save_participant(
                acting_user=story.user,
                event=event,
                values={
                    "full_name": person["name"],
                    "organisation": story.organisation(person.get("organisation")),
                    "organisation_name": person.get("organisation_name", ""),
                    "category": person["category"],
                    "sex": person["sex"],
                    "role": person.get("role", ""),
                },
            )
            if person.get("attended"):
                present.append(participant.pk)
        if raw.get("status") == "held":
            event = services.record_attendance(
                acting_user=story.user, event=event, present=present, expected_version=event.version
            )
        for text in raw.get("decisions", []):
            services.add_decision(acting_user=story.user, event=event, text=text)
        for item in raw.get("actions", []):
            services.save_action_item(
                acting_user=story.user,
                event=event,
                values={
                    "text": item["text"],
                    "owner": story.organisation(item["owner"]),
                    "due_on": story.day(item.get("due")),
                    "status": item.get("status", "open"),
                    "follow_up": item.get("follow_up", ""),
                },
            )


def _comment(story: _Story, version: DocumentVersion, raw: dict[str, Any]) -> tuple[Comment, Any]:
    comment = versions.add_comment(
        acting_user=story.user,
        version=version,
        organisation=story.organisation(raw["organisation"]),
        section=raw.get("section", ""),
        text=raw["text"],
    )
    return comment, raw


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _backdate(version: DocumentVersion, raw: dict[str, Any], story: _Story) -> None:
    """Move the version's dates into the story: written two weeks before it became final (or,
    still open, before today), its comments a week later."""
    written = story.day(raw.get("final")) or story.today
    DocumentVersion.objects.filter(pk=version.pk).update(
        created_at=_midnight(written - timedelta(days=14)),
        final_on=story.day(raw.get("final")),
    )
    Comment.objects.filter(version=version).update(
        submitted_at=_midnight(written - timedelta(days=7))
    )


def _versions(
    story: _Story, document: Document, plan: list[dict[str, Any]], compose: Any = None
) -> None:
    """Write each version, gather its comments while it is open, move it along; then treat the
    comments, once the versions that integrate them exist."""
    comments: list[tuple[Comment, dict[str, Any]]] = []
    for number, raw in enumerate(plan, start=1):
        content = compose() if compose else raw["content"]
        if number == 1:
            version = document.versions.get(number=1)
            version = versions.edit_draft(
                acting_user=story.user,
                version=version,
                content=content,
                change_summary=raw.get("change_summary", ""),
                expected_version=version.version,
            )
        else:
            version = versions.new_version(
                acting_user=story.user,
                document=document,
                content=content,
                change_summary=raw.get("change_summary") or "—",
            )
        status = raw["status"]
        if status == VersionStatus.IN_CONSULTATION:
            version = versions.advance(
                acting_user=story.user,
                version=version,
                status=status,
                expected_version=version.version,
                consultation_until=story.day(raw.get("consultation_until")),
            )
        comments += [_comment(story, version, c) for c in raw.get("comments", [])]
        if status in (VersionStatus.FINAL, VersionStatus.VALIDATED):
            version = versions.advance(
                acting_user=story.user,
                version=version,
                status=VersionStatus.FINAL,
                expected_version=version.version,
            )
        for answer in raw.get("approvals", []):
            approval = versions.record_approval(
                acting_user=story.user,
                version=version,
                organisation=story.organisation(answer["organisation"]),
                decision=answer["decision"],
                remarks=answer.get("remarks", ""),
                given_by=answer.get("given_by", ""),
            )
            given_on = story.day(answer.get("day", -1))
            Approval.objects.filter(pk=approval.pk).update(given_on=given_on)
        if status == VersionStatus.VALIDATED:
            event = story.events.get(raw.get("validation_event") or "")
            version = versions.advance(
                acting_user=story.user,
                version=version,
                status=status,
                expected_version=version.version,
                validated_on=story.day(raw["validated"]),
                validated_by=raw.get("validated_by", ""),
                validation_event=event,
            )
        for finding in raw.get("findings", []):
            versions.add_finding(
                acting_user=story.user,
                version=version,
                kind=finding["kind"],
                text=finding["text"],
                recommendation=finding.get("recommendation", ""),
            )
        _backdate(version, raw, story)
    for comment, raw in comments:
        if raw["treatment"] == "pending":
            continue
        comment.refresh_from_db()
        versions.treat_comment(
            acting_user=story.user,
            comment=comment,
            treatment=raw["treatment"],
            justification=raw.get("justification", ""),
            integrated_in=document.versions.filter(number=raw.get("integrated_in") or 0).first(),
            expected_version=comment.version_counter,
        )


def _documents(story: _Story) -> None:
    for raw in story.pack["documents"]:
        document = versions.create_document(
            acting_user=story.user,
            committee=story.committees[raw["committee"]],
            kind=raw["kind"],
            title=raw["title"],
            audience=raw.get("audience", ""),
        )
        story.documents[raw["key"]] = document
        _versions(story, document, raw["versions"])
    for raw in story.pack["events"]:
        keys = raw.get("documents", [])
        if keys:
            story.events[raw["key"]].documents.set([story.documents[k] for k in keys])


def _mou(story: _Story) -> None:
    raw = story.pack["mou"]
    document = versions.create_document(
        acting_user=story.user,
        committee=story.committees[raw["committee"]],
        kind=DocumentKind.MOU,
        title=raw["title"],
    )
    mou = document.mou
    builder.save_sections(
        acting_user=story.user,
        mou=mou,
        values={
            **raw["sections"],
            "starts_on": story.day(raw.get("starts")),
            "ends_on": story.day(raw.get("ends")),
        },
        expected_version=mou.version,
    )
    for party in raw["parties"]:
        builder.save_party(
            acting_user=story.user,
            mou=mou,
            organisation=story.organisation(party["organisation"]),
            values={
                "responsibilities": party.get("responsibilities", ""),
                "signatory": party.get("signatory", ""),
                "signatory_title": party.get("signatory_title", ""),
                "signed_on": story.day(party.get("signed")),
            },
        )
    # A party the pack leaves without responsibilities keeps that gap, for the completeness check.
    for party in raw["parties"]:
        if not party.get("responsibilities"):
            mou.parties.filter(organisation=story.organisation(party["organisation"])).update(
                responsibilities=""
            )
    for clause in raw["clauses"]:
        builder.save_clause(
            acting_user=story.user,
            mou=mou,
            title=clause["title"],
            parties=[story.organisation(o) for o in clause["parties"]],
            purposes=clause["purposes"],
            field_groups=clause["field_groups"],
        )
    story.documents["mou"] = document
    _versions(story, document, raw["versions"], compose=lambda: builder.compose(mou))


def _roadmap(story: _Story) -> None:
    raw = story.pack["roadmap"]
    committee = story.committees[raw["committee"]]
    actions: dict[str, RoadmapAction] = {}
    plans: dict[str, dict[str, Any]] = {}
    for order, priority_raw in enumerate(raw["priorities"], start=1):
        priority = services.save_priority(
            acting_user=story.user,
            committee=committee,
            values={"title": priority_raw["title"], "order": order},
        )
        for action in priority_raw["actions"]:
            actions[action["key"]] = services.save_roadmap_action(
                acting_user=story.user,
                values={
                    "priority": priority,
                    "title": action["title"],
                    "owner": story.organisation(action["owner"]),
                    "starts_on": story.day(action["starts"]),
                    "ends_on": story.day(action["ends"]),
                    "status": action["status"],
                    "progress": action["progress"],
                },
            )
            plans[action["key"]] = action
    for key, action in plans.items():
        if action.get("depends_on"):
            services.save_roadmap_action(
                acting_user=story.user,
                values={},
                depends_on=[actions[k] for k in action["depends_on"]],
                action=actions[key],
                expected_version=actions[key].version,
            )


def has_pack(country: str) -> bool:
    return country.lower() in available("governance")


@transaction.atomic
def load_demo_governance(country: str) -> int:
    """The country's governance history; the number of committees loaded (0 if none or there)."""
    if not has_pack(country):
        return 0
    pack = load_pack("governance", country.lower())
    if Committee.objects.filter(name=pack["committees"][0]["name"]).exists():
        return 0
    accounts = load_pack("demo", country.lower())["accounts"]
    email = next(a["email"] for a in accounts if a["role"] == "coordinator")
    story = _Story(pack, User.objects.get(email=email))
    _committees(story)
    _events(story)
    _documents(story)
    _mou(story)
    _roadmap(story)
    return len(story.committees)
