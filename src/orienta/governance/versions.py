"""Documents and their versions, findings, stakeholder comments and approvals.

A version is edited while it is a draft; once it goes to consultation its content is frozen, so
every comment refers to the text its author read. A change is then a new version. Each step
(draft → in consultation → final → validated) is audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import has_capability, require_capability, scope_for
from orienta.audit.services import record
from orienta.core.errors import ConflictError
from orienta.governance.choices import (
    INTEGRATING,
    JUSTIFIED,
    VERSION_FLOW,
    ApprovalDecision,
    DocumentKind,
    FindingKind,
    Treatment,
    VersionStatus,
)
from orienta.governance.models import (
    Approval,
    Comment,
    Committee,
    Document,
    DocumentVersion,
    Event,
    Finding,
    Mou,
)
from orienta.governance.models.scope import MANAGE
from orienta.governance.services import check_version, invalid

COMMENT = "governance.comment"


@transaction.atomic
def create_document(
    *,
    acting_user: Any,
    committee: Committee,
    kind: str,
    title: str,
    audience: str = "",
    language: str = "fr",
    content: str = "",
    file: Any = None,
) -> Document:
    """A new document with its first draft (and, for an MoU, its builder)."""
    require_capability(acting_user, MANAGE)
    if kind not in DocumentKind.values:
        raise invalid("kind", _("Choose the kind of document."))
    if not title.strip():
        raise invalid("title", _("Give the document a title."))
    document = Document.objects.create(
        committee=committee,
        kind=kind,
        title=title.strip(),
        audience=audience,
        language=language,
        created_by=acting_user,
    )
    record(
        "governance.document.created",
        actor=acting_user,
        target=document,
        changes={"kind": kind, "title": document.title},
    )
    if kind == DocumentKind.MOU:
        Mou.objects.create(document=document)
    _add_version(acting_user, document, content, file, "")
    return document


def refresh_current(documents: QuerySet[Document]) -> int:
    """Copy each document's latest version number and status onto it (one UPDATE); the
    services call it after every version they write or move, bulk loaders after loading."""
    latest = DocumentVersion.objects.filter(document=OuterRef("pk")).order_by("-number")
    return documents.update(
        current_number=Coalesce(Subquery(latest.values("number")[:1]), 0),
        current_status=Coalesce(Subquery(latest.values("status")[:1]), Value("")),
    )


def _add_version(
    acting_user: Any, document: Document, content: str, file: Any, change_summary: str
) -> DocumentVersion:
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = DocumentVersion.objects.create(
        document=document,
        number=number,
        content=content,
        change_summary=change_summary,
        created_by=acting_user,
        **({"file": file} if file else {}),
    )
    refresh_current(Document.objects.filter(pk=document.pk))
    record(
        "governance.version.created",
        actor=acting_user,
        target=version,
        changes={"number": number, "file": version.file.name or None},
    )
    return version


def _refuse_signed_mou(document: Document) -> None:
    """A signed MoU keeps the text that was signed: a change is a new MoU."""
    if (
        document.kind == DocumentKind.MOU
        and Mou.objects.filter(
            document=document, status__in=["signed", "suspended", "expired"]
        ).exists()
    ):
        raise invalid(None, _("A signed MoU is changed by a new MoU, not edited."))


@transaction.atomic
def new_version(
    *,
    acting_user: Any,
    document: Document,
    content: str,
    change_summary: str,
    file: Any = None,
) -> DocumentVersion:
    """The next version, as a draft. There is one draft at a time: edit it instead."""
    require_capability(acting_user, MANAGE)
    # Lock the document so two coordinators do not both write "version 3".
    Document.objects.select_for_update().filter(pk=document.pk).first()
    _refuse_signed_mou(document)
    latest = document.versions.order_by("-number").first()
    if latest is not None and latest.status == VersionStatus.DRAFT:
        raise invalid(None, _("Version %(n)s is still a draft: edit it.") % {"n": latest.number})
    if not change_summary.strip():
        raise invalid("change_summary", _("Say what changed in this version."))
    return _add_version(acting_user, document, content, file, change_summary.strip())


@transaction.atomic
def edit_draft(
    *,
    acting_user: Any,
    version: DocumentVersion,
    content: str,
    change_summary: str,
    expected_version: int,
    file: Any = None,
) -> DocumentVersion:
    require_capability(acting_user, MANAGE)
    check_version(version, expected_version)
    _refuse_signed_mou(version.document)
    if version.status != VersionStatus.DRAFT:
        raise invalid(
            None, _("This version has left the draft; its text is kept as it was. Start a new one.")
        )
    changed = {"content": version.content != content, "file": bool(file)}
    version.content = content
    version.change_summary = change_summary.strip()
    if file:
        version.file = file
    version.version += 1
    version.save()
    record(
        "governance.version.changed",
        actor=acting_user,
        target=version,
        changes={name: True for name, yes in changed.items() if yes},
    )
    return version


@transaction.atomic
def advance(
    *,
    acting_user: Any,
    version: DocumentVersion,
    status: str,
    expected_version: int,
    consultation_until: date | None = None,
    validated_on: date | None = None,
    validated_by: str = "",
    validation_event: Event | None = None,
) -> DocumentVersion:
    """Move a version one step along draft → in consultation → final → validated."""
    require_capability(acting_user, MANAGE)
    check_version(version, expected_version)
    if version.document.versions.filter(number__gt=version.number).exists():
        raise invalid("status", _("A later version exists: only the latest version moves along."))
    if status not in VERSION_FLOW.get(version.status, ()):
        raise invalid(
            "status",
            _("A version that is “%(now)s” cannot become “%(next)s”.")
            % {
                "now": VersionStatus(version.status).label,
                "next": VersionStatus(status).label if status in VersionStatus.values else status,
            },
        )
    if not version.content.strip() and not version.file:
        raise invalid(None, _("Write the content or attach the file first."))
    today = timezone.localdate()
    if status == VersionStatus.IN_CONSULTATION:
        if consultation_until and consultation_until < today:
            raise invalid("consultation_until", _("The end of the consultation is in the past."))
        version.consultation_until = consultation_until
    elif status == VersionStatus.FINAL:
        version.final_on = today
    elif status == VersionStatus.VALIDATED:
        if validation_event is not None:
            if validation_event.committee_id != version.document.committee_id:
                raise invalid("validation_event", _("Choose an event of this committee."))
            validated_on = validated_on or validation_event.held_on
        if not validated_on:
            raise invalid("validated_on", _("Give the date of the validation."))
        if validated_on > today:
            raise invalid("validated_on", _("The validation date is in the future."))
        if not validated_by.strip() and validation_event is None:
            raise invalid("validated_by", _("Say who validated it, or choose the event."))
        version.validated_on = validated_on
        version.validated_by = validated_by.strip()
        version.validation_event = validation_event
    before = version.status
    version.status = status
    version.version += 1
    version.save()
    refresh_current(Document.objects.filter(pk=version.document_id))
    record(
        "governance.version.status_changed",
        actor=acting_user,
        target=version,
        changes={"status": [before, status]},
    )
    return version


@transaction.atomic
def add_finding(
    *, acting_user: Any, version: DocumentVersion, kind: str, text: str, recommendation: str
) -> Finding:
    require_capability(acting_user, MANAGE)
    if kind not in FindingKind.values:
        raise invalid("kind", _("Choose the kind of finding."))
    if not text.strip():
        raise invalid("text", _("Describe the finding."))
    finding = Finding.objects.create(
        version=version, kind=kind, text=text.strip(), recommendation=recommendation.strip()
    )
    record("governance.finding.created", actor=acting_user, target=finding)
    return finding


# --- Comments and approvals -------------------------------------------------------------------


def speaking_for(user: Any, committee: Committee) -> QuerySet[Any]:
    """The organisations on whose behalf `user` may comment on the committee's documents: every
    organisation for the secretariat (it records comments received by mail, from members and
    from workshop participants alike), else the member organisations (not declined) where the
    user holds `governance.comment`."""
    from orienta.directory.models import Organisation

    if has_capability(user, MANAGE):
        return Organisation.objects.order_by("name")
    scope = scope_for(user, COMMENT)
    seats = committee.memberships.filter(declined_on__isnull=True)
    if not scope.everywhere:
        seats = seats.filter(organisation__in=scope.organisation_ids)
    return Organisation.objects.filter(pk__in=seats.values("organisation")).order_by("name")


def _require_voice(user: Any, version: DocumentVersion, organisation: Any) -> None:
    voices = speaking_for(user, version.document.committee)
    if not voices.exists():
        raise PermissionDenied(COMMENT)
    if organisation is None or not voices.filter(pk=organisation.pk).exists():
        raise invalid("organisation", _("Choose an organisation you speak for on this committee."))


@transaction.atomic
def add_comment(
    *,
    acting_user: Any,
    version: DocumentVersion,
    organisation: Any,
    section: str,
    text: str,
    attachment: Any = None,
) -> Comment:
    """A stakeholder's comment. Members comment while the version is in consultation; the
    secretariat may also record comments received on a draft or a final version."""
    _require_voice(acting_user, version, organisation)
    open_statuses = [VersionStatus.IN_CONSULTATION]
    if has_capability(acting_user, MANAGE):
        open_statuses += [VersionStatus.DRAFT, VersionStatus.FINAL]
    if version.status not in open_statuses:
        raise invalid(None, _("This version is not open for comments."))
    closes = version.consultation_until
    if closes and closes < timezone.localdate() and not has_capability(acting_user, MANAGE):
        raise invalid(
            None,
            _("The consultation closed on %(day)s; send late comments to the secretariat.")
            % {"day": formats.date_format(closes, "DATE_FORMAT")},
        )
    if not text.strip():
        raise invalid("text", _("Write the comment."))
    comment = Comment.objects.create(
        version=version,
        organisation=organisation,
        section=section.strip(),
        text=text.strip(),
        author=acting_user,
        **({"attachment": attachment} if attachment else {}),
    )
    record(
        "governance.comment.created",
        actor=acting_user,
        organisation=organisation,
        target=comment,
        changes={"version": str(version.pk), "section": comment.section},
    )
    return comment


@transaction.atomic
def treat_comment(
    *,
    acting_user: Any,
    comment: Comment,
    treatment: str,
    justification: str = "",
    integrated_in: DocumentVersion | None = None,
    expected_version: int,
) -> Comment:
    """Say what became of a comment: integrated (in which later version), partly integrated
    (where, and why not wholly), not integrated (why), or back to pending."""
    require_capability(acting_user, MANAGE)
    if comment.version_counter != expected_version:
        raise ConflictError(
            _("Someone treated this comment in the meantime. Reload the page and try again."),
            code="conflict",
        )
    if treatment not in Treatment.values:
        raise invalid("treatment", _("Choose a treatment."))
    if treatment in INTEGRATING:
        if integrated_in is None:
            raise invalid("integrated_in", _("Choose the version that integrated the comment."))
        if (
            integrated_in.document_id != comment.version.document_id
            or integrated_in.number <= comment.version.number
        ):
            raise invalid("integrated_in", _("Choose a later version of the same document."))
    else:
        integrated_in = None
    if treatment in JUSTIFIED and not justification.strip():
        raise invalid("justification", _("Say why the comment was not wholly integrated."))
    before = [comment.treatment, str(comment.integrated_in_id or "")]
    comment.treatment = treatment
    comment.justification = justification.strip() if treatment != Treatment.PENDING else ""
    comment.integrated_in = integrated_in
    comment.treated_at = None if treatment == Treatment.PENDING else timezone.now()
    comment.version_counter += 1
    comment.save()
    record(
        "governance.comment.treated",
        actor=acting_user,
        target=comment,
        changes={
            "treatment": [before[0], treatment],
            "integrated_in": [before[1], str(integrated_in.pk) if integrated_in else ""],
        },
    )
    return comment


@transaction.atomic
def record_approval(
    *,
    acting_user: Any,
    version: DocumentVersion,
    organisation: Any,
    decision: str,
    remarks: str = "",
    given_by: str = "",
    given_on: date | None = None,
) -> Approval:
    """The organisation's answer on the feedback and approval form (one per version; a new
    answer replaces the previous one, and the audit keeps both)."""
    _require_voice(acting_user, version, organisation)
    if decision not in ApprovalDecision.values:
        raise invalid("decision", _("Choose the decision."))
    if version.status == VersionStatus.DRAFT:
        raise invalid(None, _("A draft is not yet submitted for approval."))
    approval, created = Approval.objects.update_or_create(
        version=version,
        organisation=organisation,
        defaults={
            "decision": decision,
            "remarks": remarks.strip(),
            "given_by": given_by.strip() or acting_user.full_name,
            "given_on": given_on or timezone.localdate(),
            "recorded_by": acting_user,
        },
    )
    record(
        "governance.approval.created" if created else "governance.approval.changed",
        actor=acting_user,
        organisation=organisation,
        target=approval,
        changes={"decision": decision},
    )
    return approval
