"""Building governance situations for tests: a committee with members, events with attendance,
documents moved through their versions, comments, an MoU ready to sign."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from orienta.directory.models import Organisation
from orienta.governance import mou as builder
from orienta.governance import services, versions
from orienta.governance.choices import DocumentKind, VersionStatus
from orienta.governance.models import Committee, Document, DocumentVersion, Event

TEXT = "# Feuille de route\n\n## Contexte\nLe mécanisme.\n\n## Priorités\n- Former les agents\n"


def days(offset: int) -> date:
    return timezone.localdate() + timedelta(days=offset)


def make_organisation(acronym: str, kind: str = "ngo") -> Organisation:
    return Organisation.objects.create(
        name=f"Organisation {acronym}", acronym=acronym, kind=kind, country="CM"
    )


def make_committee(
    user: Any, *seats: tuple[Organisation, str, bool | None], **values: Any
) -> Committee:
    """A committee; each seat is (organisation, role, answer): True confirmed, False declined,
    None no answer yet."""
    committee = services.save_committee(
        acting_user=user,
        values={"name": values.pop("name", "Comité de pilotage"), "kind": "steering", **values},
    )
    for organisation, role, answer in seats:
        services.save_membership(
            acting_user=user,
            committee=committee,
            organisation=organisation,
            values={
                "role": role,
                "invited_on": days(-60),
                "confirmed_on": days(-50) if answer is True else None,
                "declined_on": days(-50) if answer is False else None,
            },
        )
    return committee


def make_event(
    user: Any,
    committee: Committee,
    kind: str,
    offset: int,
    people: list[tuple[str, Organisation | None, str, str, bool]] = (),  # type: ignore[assignment]
    *,
    documents: list[Document] = (),  # type: ignore[assignment]
    level: str = "national",
    held: bool = True,
) -> Event:
    """An event `offset` days from today; people are (name, organisation, category, sex,
    present). Held events get their attendance recorded."""
    event = services.save_event(
        acting_user=user,
        committee=committee,
        values={"kind": kind, "level": level, "title": f"{kind} {offset}", "held_on": days(offset)},
        documents=list(documents),
    )
    present = []
    for name, organisation, category, sex, came in people:
        participant = services.save_participant(
            acting_user=user,
            event=event,
            values={
                "full_name": name,
                "organisation": organisation,
                "organisation_name": "" if organisation else "Université",
                "category": category,
                "sex": sex,
            },
        )
        if came:
            present.append(participant.pk)
    if held:
        event = services.record_attendance(
            acting_user=user, event=event, present=present, expected_version=event.version
        )
    return event


def make_document(
    user: Any,
    committee: Committee,
    kind: str = DocumentKind.ROADMAP,
    content: str = TEXT,
    **extra: Any,
) -> Document:
    return versions.create_document(
        acting_user=user,
        committee=committee,
        kind=kind,
        title=extra.pop("title", f"Document {kind}"),
        content=content,
        **extra,
    )


def advance(user: Any, version: DocumentVersion, status: str, **extra: Any) -> DocumentVersion:
    version.refresh_from_db()
    return versions.advance(
        acting_user=user, version=version, status=status, expected_version=version.version, **extra
    )


def finalise(user: Any, version: DocumentVersion, on: date | None = None) -> DocumentVersion:
    version = advance(user, version, VersionStatus.FINAL)
    if on is not None:
        DocumentVersion.objects.filter(pk=version.pk).update(final_on=on)
        version.refresh_from_db()
    return version


def validate(user: Any, version: DocumentVersion, on: date) -> DocumentVersion:
    if version.status != VersionStatus.FINAL:
        version = finalise(user, version)
    return advance(user, version, VersionStatus.VALIDATED, validated_on=on, validated_by="COPIL")


def next_version(
    user: Any, document: Document, content: str, summary: str = "Révision"
) -> DocumentVersion:
    return versions.new_version(
        acting_user=user, document=document, content=content, change_summary=summary
    )


def comment(
    user: Any, version: DocumentVersion, organisation: Organisation, text: str = "Préciser."
) -> Any:
    return versions.add_comment(
        acting_user=user, version=version, organisation=organisation, section="Priorités", text=text
    )


def treat(user: Any, item: Any, treatment: str, integrated_in: Any = None, why: str = "") -> Any:
    item.refresh_from_db()
    return versions.treat_comment(
        acting_user=user,
        comment=item,
        treatment=treatment,
        integrated_in=integrated_in,
        justification=why,
        expected_version=item.version_counter,
    )


def ready_mou(
    user: Any, committee: Committee, first: Organisation, second: Organisation, **term: Any
) -> Any:
    """A complete MoU between two organisations with one data-sharing clause for referrals, its
    text final and both signatures dated: ready to be signed."""
    document = make_document(
        user, committee, DocumentKind.MOU, content="", title="Protocole d'accord"
    )
    mou = document.mou
    builder.save_sections(
        acting_user=user,
        mou=mou,
        values={
            "context": "Contexte.",
            "target_group": "Migrants de retour.",
            "coordination": "Réunions trimestrielles.",
            "funding": "Chaque partie finance sa part.",
            "duration": "Trois ans.",
            "confidentiality": "Données minimales.",
            "starts_on": term.get("starts_on", days(-1)),
            "ends_on": term.get("ends_on", days(365)),
        },
        expected_version=mou.version,
    )
    for organisation in (first, second):
        builder.save_party(
            acting_user=user,
            mou=mou,
            organisation=organisation,
            values={
                "responsibilities": "Orienter.",
                "signatory": "Signataire",
                "signed_on": days(-1),
            },
        )
    builder.save_clause(
        acting_user=user,
        mou=mou,
        title="Orientation",
        parties=[first, second],
        purposes=["referral"],
        field_groups=["identity", "contact", "needs", "vulnerability_summary"],
    )
    version = document.versions.get()
    version = versions.edit_draft(
        acting_user=user,
        version=version,
        content=builder.compose(mou),
        change_summary="",
        expected_version=version.version,
    )
    finalise(user, version)
    mou.refresh_from_db()
    return mou
