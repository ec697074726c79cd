"""The governance API: committees and their members, documents and their versions, comments
and their treatment, and the process indicators.

The same scoping and services as the pages: objects come through the scoped querysets (404 for
what the caller may not see) and every change goes through `orienta.governance.versions`, which
checks who speaks for which organisation and audits it."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from orienta.accounts.access import get_object_for_user
from orienta.api.auth import capability
from orienta.directory.models import Organisation
from orienta.governance import indicators, versions
from orienta.governance.choices import (
    CommitteeKind,
    DocumentKind,
    MemberRole,
    MembershipStatus,
    Treatment,
    VersionStatus,
)
from orienta.governance.models import Comment, Committee, Document, DocumentVersion

router = Router(tags=["governance"])

READ = ("governance.view", "governance.manage")
MAX_COMMENT = 10_000


class MemberOut(Schema):
    organisation_id: UUID
    organisation: str = Field(..., alias="organisation.name")
    role: MemberRole
    status: MembershipStatus
    invited_on: date
    confirmed_on: date | None
    declined_on: date | None


class CommitteeOut(Schema):
    id: UUID
    name: str
    acronym: str
    kind: CommitteeKind
    parent_id: UUID | None
    version: int


class CommitteeDetailOut(CommitteeOut):
    terms_of_reference: str
    members: list[MemberOut]

    @staticmethod
    def resolve_members(committee: Committee) -> list[Any]:
        return list(committee.memberships.select_related("organisation"))


class VersionOut(Schema):
    id: UUID
    number: int
    status: VersionStatus
    change_summary: str
    created_at: datetime
    final_on: date | None
    validated_on: date | None
    has_file: bool
    content: str
    version: int

    @staticmethod
    def resolve_has_file(version: DocumentVersion) -> bool:
        return bool(version.file)


class DocumentOut(Schema):
    id: UUID
    committee_id: UUID
    kind: DocumentKind
    title: str
    versions: list[VersionOut]

    @staticmethod
    def resolve_versions(document: Document) -> list[Any]:
        return list(document.versions.order_by("number"))


class CommentOut(Schema):
    id: UUID
    version_number: int = Field(..., alias="version.number")
    organisation_id: UUID
    organisation: str = Field(..., alias="organisation.name")
    section: str
    text: str
    submitted_at: datetime
    treatment: Treatment
    justification: str
    integrated_in: int | None
    version: int = Field(..., alias="version_counter")

    @staticmethod
    def resolve_integrated_in(comment: Comment) -> int | None:
        return comment.integrated_in.number if comment.integrated_in else None


class CommentIn(Schema):
    organisation_id: UUID
    section: str = Field("", max_length=200)
    text: str = Field(..., min_length=1, max_length=MAX_COMMENT)


class TreatmentIn(Schema):
    treatment: Treatment
    justification: str = Field("", max_length=MAX_COMMENT)
    integrated_in: int | None = Field(None, description="The number of the integrating version")
    version: int = Field(..., description="The comment's version, as read (optimistic locking)")


class IndicatorOut(Schema):
    code: str
    phase: int
    label: str
    definition: str
    value: float | int | date | None
    shown: str
    detail: list[tuple[str, str]]


def _committee(
    request: HttpRequest, committee_id: UUID, capability_name: str | None = None
) -> Committee:
    found: Committee = get_object_for_user(
        Committee, request.user, capability=capability_name, pk=committee_id
    )
    return found


def _version(request: HttpRequest, version_id: UUID) -> DocumentVersion:
    found: DocumentVersion = get_object_for_user(
        DocumentVersion.objects.select_related("document__committee"), request.user, pk=version_id
    )
    return found


@router.get("/committees", response=list[CommitteeOut], summary="The committees the caller sees")
@capability(*READ)
def list_committees(request: HttpRequest) -> Any:
    return Committee.objects.visible_to(request.user).order_by("name")


@router.get(
    "/committees/{committee_id}",
    response=CommitteeDetailOut,
    summary="A committee, its terms of reference and its members",
)
@capability(*READ)
def get_committee(request: HttpRequest, committee_id: UUID) -> Committee:
    return _committee(request, committee_id)


@router.get(
    "/committees/{committee_id}/indicators",
    response=list[IndicatorOut],
    summary="The process indicators of a committee and its working groups",
)
@capability("governance.view_indicators", *READ)
def get_indicators(request: HttpRequest, committee_id: UUID) -> list[dict[str, Any]]:
    committee = _committee(request, committee_id, "governance.view_indicators")
    return [
        {
            "code": item.code,
            "phase": item.phase,
            "label": item.label,
            "definition": item.definition,
            "value": item.value,
            "shown": item.shown,
            "detail": [(str(label), str(value)) for label, value in item.detail],
        }
        for item in indicators.process_indicators(committee)
    ]


@router.get("/documents/{document_id}", response=DocumentOut, summary="A document and its versions")
@capability(*READ)
def get_document(request: HttpRequest, document_id: UUID) -> Document:
    found: Document = get_object_for_user(Document, request.user, pk=document_id)
    return found


@router.get(
    "/versions/{version_id}/comments",
    response=list[CommentOut],
    summary="The stakeholder comments on a version, with their treatment",
)
@capability(*READ)
def list_comments(request: HttpRequest, version_id: UUID) -> Any:
    version = _version(request, version_id)
    return version.comments.select_related("version", "organisation", "integrated_in")


@router.post(
    "/versions/{version_id}/comments",
    response={201: CommentOut},
    summary="Comment on a version on behalf of an organisation one speaks for",
)
@capability("governance.comment", "governance.manage")
def create_comment(request: HttpRequest, version_id: UUID, payload: CommentIn) -> Any:
    version = _version(request, version_id)
    organisation = Organisation.objects.filter(pk=payload.organisation_id).first()
    comment = versions.add_comment(
        acting_user=request.user,
        version=version,
        organisation=organisation,
        section=payload.section,
        text=payload.text,
    )
    return Status(201, comment)


@router.post(
    "/comments/{comment_id}/treatment",
    response=CommentOut,
    summary="Record what became of a comment (secretariat)",
)
@capability("governance.manage")
def treat_comment(request: HttpRequest, comment_id: UUID, payload: TreatmentIn) -> Comment:
    comment: Comment = get_object_for_user(
        Comment.objects.select_related("version__document"), request.user, pk=comment_id
    )
    integrated_in = None
    if payload.integrated_in is not None:
        integrated_in = comment.version.document.versions.filter(
            number=payload.integrated_in
        ).first()
        if integrated_in is None:
            raise HttpError(422, _("No such version of this document."))
    return versions.treat_comment(
        acting_user=request.user,
        comment=comment,
        treatment=payload.treatment,
        justification=payload.justification,
        integrated_in=integrated_in,
        expected_version=payload.version,
    )
