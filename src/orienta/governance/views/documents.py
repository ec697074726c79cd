"""Documents, their versions and the comments on them: reading a version, writing the next,
moving it through draft → in consultation → final → validated, comparing two versions,
exporting one (PDF, Word), commenting, treating comments, approvals and the comment matrix."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orienta.accounts.access import capability_required, get_object_for_user
from orienta.audit.services import record_view
from orienta.core.errors import ServiceError
from orienta.core.http import AuthenticatedHttpRequest, pdf_response, posted_version, show_on_form
from orienta.governance import exports, text, versions
from orienta.governance.choices import VERSION_FLOW, DocumentKind, VersionStatus
from orienta.governance.forms import (
    AdvanceForm,
    ApprovalForm,
    CommentForm,
    DocumentForm,
    FindingForm,
    TreatmentForm,
    VersionForm,
)
from orienta.governance.models import Comment, DocumentVersion
from orienta.governance.views.common import (
    COMMENT,
    MANAGE,
    READ,
    can_manage,
    committee_for,
    document_for,
    form_errors,
    form_page,
    version_for,
)


def _document_url(version: DocumentVersion, anchor: str = "") -> str:
    url = reverse("governance:document", args=[version.document_id])
    return f"{url}?v={version.number}{anchor}"


@capability_required(MANAGE)
def document_new(request: AuthenticatedHttpRequest, committee_pk: Any) -> HttpResponse:
    committee = committee_for(request, committee_pk)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = versions.create_document(
                acting_user=request.user,
                committee=committee,
                kind=data["kind"],
                title=data["title"],
                audience=data["audience"],
                language=data["language"],
                content=data["content"],
                file=data["file"],
            )
        except ServiceError as refused:
            show_on_form(form, refused)
        else:
            messages.success(request, _("Document created, with its first draft."))
            if document.kind == DocumentKind.MOU:
                return redirect("governance:mou", pk=document.pk)
            return redirect("governance:document", pk=document.pk)
    return form_page(
        request,
        form,
        title=_("New document"),
        back=reverse("governance:committee", args=[committee.pk]),
        back_label=committee.name,
        multipart=True,
    )


@capability_required(*READ)
def document_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    document = document_for(request, pk)
    history = list(document.versions.order_by("number"))
    if not history:
        raise Http404("No version.")
    wanted = request.GET.get("v", "")
    shown = next((v for v in history if str(v.number) == wanted), history[-1])
    voices = versions.speaking_for(request.user, document.committee)
    speaks = voices.exists()
    manage = can_manage(request)
    open_for_comments = shown.status == VersionStatus.IN_CONSULTATION or (
        manage and shown.status in (VersionStatus.DRAFT, VersionStatus.FINAL)
    )
    sections = text.headings(shown.content)
    comments = list(
        shown.comments.select_related("organisation", "integrated_in").order_by("submitted_at")
    )
    return render(
        request,
        "governance/document.html",
        {
            "document": document,
            "history": history,
            "shown": shown,
            "body": text.to_html(shown.content),
            "comments": comments,
            "integrated_here": shown.integrated_comments.select_related("organisation", "version"),
            "approvals": shown.approvals.select_related("organisation"),
            "findings": shown.findings.all(),
            "can_manage": manage,
            "next_statuses": [VersionStatus(s) for s in VERSION_FLOW[shown.status]],
            "advance_form": AdvanceForm(version=shown) if manage else None,
            "finding_form": FindingForm() if manage else None,
            "comment_form": CommentForm(voices=voices, sections=sections)
            if speaks and open_for_comments
            else None,
            "approval_form": ApprovalForm(voices=voices)
            if speaks and shown.status != VersionStatus.DRAFT
            else None,
            "is_mou": document.kind == DocumentKind.MOU,
        },
    )


@capability_required(MANAGE)
def version_write(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The next version (prefilled with the latest text), or the open draft to edit."""
    document = document_for(request, pk)
    latest = document.latest
    draft = latest if latest and latest.status == VersionStatus.DRAFT else None
    initial = {"content": latest.content if latest else ""}
    if draft is not None:
        initial["change_summary"] = draft.change_summary
    form = VersionForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if draft is not None:
                saved = versions.edit_draft(
                    acting_user=request.user,
                    version=draft,
                    content=data["content"],
                    change_summary=data["change_summary"],
                    file=data["file"],
                    expected_version=posted_version(request),
                )
            else:
                saved = versions.new_version(
                    acting_user=request.user,
                    document=document,
                    content=data["content"],
                    change_summary=data["change_summary"],
                    file=data["file"],
                )
        except ServiceError as refused:
            show_on_form(form, refused)
        else:
            messages.success(request, _("Version %(n)s saved.") % {"n": saved.number})
            return redirect(_document_url(saved))
    title = (
        _("Edit the draft, version %(n)s") % {"n": draft.number}
        if draft
        else _("Write version %(n)s") % {"n": (latest.number if latest else 0) + 1}
    )
    return form_page(
        request,
        form,
        title=title,
        back=reverse("governance:document", args=[document.pk]),
        back_label=document.title,
        version=draft.version if draft else None,
        multipart=True,
        intro=_(
            "Markdown: # for a title, ## for a section, - for a list, **bold**. The text of a "
            "version is frozen once it goes to consultation."
        ),
    )


@require_POST
@capability_required(MANAGE)
def version_advance(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    version = version_for(request, pk)
    form = AdvanceForm(request.POST, version=version)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(_document_url(version))
    data = form.cleaned_data
    try:
        versions.advance(
            acting_user=request.user,
            version=version,
            status=data["status"],
            expected_version=posted_version(request),
            consultation_until=data["consultation_until"],
            validated_on=data["validated_on"],
            validated_by=data["validated_by"],
            validation_event=data["validation_event"],
        )
    except ServiceError as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(
            request,
            _("Version %(n)s is now: %(status)s.")
            % {"n": version.number, "status": version.get_status_display()},
        )
    return redirect(_document_url(version))


@capability_required(*READ)
def version_compare(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    document = document_for(request, pk)
    history = list(document.versions.order_by("number"))
    if len(history) < 2:
        messages.info(request, _("There is only one version: nothing to compare yet."))
        return redirect("governance:document", pk=document.pk)

    def pick(name: str, default: DocumentVersion) -> DocumentVersion:
        wanted = request.GET.get(name, "")
        return next((v for v in history if str(v.number) == wanted), default)

    new = pick("to", history[-1])
    old = pick("from", history[-2] if new == history[-1] else history[max(new.number - 2, 0)])
    lines = text.compare(old.content, new.content)
    return render(
        request,
        "governance/compare.html",
        {
            "document": document,
            "history": history,
            "old": old,
            "new": new,
            "lines": lines,
            "counts": text.diff_counts(lines),
        },
    )


@capability_required(*READ)
def version_pdf(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    version = version_for(request, pk)
    return pdf_response(exports.version_pdf(version), f"v{version.number}.pdf")


@capability_required(*READ)
def version_docx(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    version = version_for(request, pk)
    response = HttpResponse(exports.version_docx(version), content_type=exports.DOCX)
    response["Content-Disposition"] = f'attachment; filename="v{version.number}.docx"'
    return response


def _attachment(field: Any) -> Any:
    if not field:
        raise Http404("No file.")
    name = field.name.rsplit("/", 1)[-1]
    response = FileResponse(field.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@capability_required(*READ)
def version_file(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    return _attachment(version_for(request, pk).file)


@require_POST
@capability_required(MANAGE)
def finding_new(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    version = version_for(request, pk)
    form = FindingForm(request.POST)
    if form.is_valid():
        try:
            versions.add_finding(acting_user=request.user, version=version, **form.cleaned_data)
        except ServiceError as refused:
            messages.error(request, str(refused.message))
        else:
            messages.success(request, _("Finding recorded."))
    else:
        messages.error(request, form_errors(form))
    return redirect(_document_url(version, "#findings"))


@require_POST
@capability_required(COMMENT, MANAGE)
def comment_new(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    version = version_for(request, pk)
    voices = versions.speaking_for(request.user, version.document.committee)
    form = CommentForm(
        request.POST, request.FILES, voices=voices, sections=text.headings(version.content)
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            versions.add_comment(
                acting_user=request.user,
                version=version,
                organisation=data["organisation"],
                section=data["section"],
                text=data["text"],
                attachment=data["attachment"],
            )
        except ServiceError as refused:
            messages.error(request, str(refused.message))
        else:
            messages.success(request, _("Comment recorded. Thank you."))
    else:
        messages.error(request, form_errors(form))
    return redirect(_document_url(version, "#comments"))


def _comment_for(request: AuthenticatedHttpRequest, pk: Any) -> Comment:
    return get_object_for_user(
        Comment.objects.select_related("version__document", "organisation"), request.user, pk=pk
    )


@capability_required(MANAGE)
def comment_treat(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    comment = _comment_for(request, pk)
    later = comment.version.document.versions.filter(number__gt=comment.version.number)
    form = TreatmentForm(
        request.POST or None,
        later=later,
        initial={
            "treatment": comment.treatment,
            "integrated_in": comment.integrated_in_id,
            "justification": comment.justification,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            versions.treat_comment(
                acting_user=request.user,
                comment=comment,
                treatment=data["treatment"],
                justification=data["justification"],
                integrated_in=data["integrated_in"],
                expected_version=posted_version(request),
            )
        except ServiceError as refused:
            show_on_form(form, refused)
        else:
            messages.success(request, _("Treatment saved."))
            return redirect(_document_url(comment.version, "#comments"))
    return render(
        request,
        "governance/comment_treat.html",
        {"comment": comment, "form": form, "back": _document_url(comment.version, "#comments")},
    )


@capability_required(*READ)
def comment_attachment(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    return _attachment(_comment_for(request, pk).attachment)


@capability_required(*READ)
def comment_matrix(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    document = document_for(request, pk)
    record_view(request, document, organisation=None, action="governance.comments.exported")
    response = HttpResponse(exports.comment_matrix_xlsx(document), content_type=exports.XLSX)
    response["Content-Disposition"] = 'attachment; filename="comment-matrix.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@capability_required(COMMENT, MANAGE)
def approval_new(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    version = version_for(request, pk)
    form = ApprovalForm(
        request.POST, voices=versions.speaking_for(request.user, version.document.committee)
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            versions.record_approval(
                acting_user=request.user,
                version=version,
                organisation=data["organisation"],
                decision=data["decision"],
                remarks=data["remarks"],
                given_by=data["given_by"],
                given_on=data["given_on"],
            )
        except ServiceError as refused:
            messages.error(request, str(refused.message))
        else:
            messages.success(request, _("Answer recorded."))
    else:
        messages.error(request, form_errors(form))
    return redirect(_document_url(version, "#approvals"))


@capability_required(*READ)
def feedback_form(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    version = version_for(request, pk)
    organisation = None
    wanted = request.GET.get("organisation", "")
    if wanted:
        try:
            wanted_id = uuid.UUID(wanted)
        except ValueError:
            raise Http404("Not a member.") from None
        seat = get_object_or_404(
            version.document.committee.memberships.select_related("organisation"),
            organisation_id=wanted_id,
        )
        organisation = seat.organisation
    return pdf_response(exports.feedback_form_pdf(version, organisation), "feedback-form.pdf")


urlpatterns: list[URLPattern] = [
    path(
        "governance/committees/<uuid:committee_pk>/documents/new/",
        document_new,
        name="document_new",
    ),
    path("governance/documents/<uuid:pk>/", document_detail, name="document"),
    path("governance/documents/<uuid:pk>/write/", version_write, name="version_write"),
    path("governance/documents/<uuid:pk>/compare/", version_compare, name="compare"),
    path("governance/documents/<uuid:pk>/comments.xlsx", comment_matrix, name="comment_matrix"),
    path("governance/versions/<uuid:pk>/status/", version_advance, name="version_advance"),
    path("governance/versions/<uuid:pk>/version.pdf", version_pdf, name="version_pdf"),
    path("governance/versions/<uuid:pk>/version.docx", version_docx, name="version_docx"),
    path("governance/versions/<uuid:pk>/file/", version_file, name="version_file"),
    path("governance/versions/<uuid:pk>/findings/", finding_new, name="finding_new"),
    path("governance/versions/<uuid:pk>/comments/", comment_new, name="comment_new"),
    path("governance/versions/<uuid:pk>/approvals/", approval_new, name="approval_new"),
    path("governance/versions/<uuid:pk>/feedback-form.pdf", feedback_form, name="feedback_form"),
    path("governance/comments/<uuid:pk>/", comment_treat, name="comment_treat"),
    path(
        "governance/comments/<uuid:pk>/attachment/", comment_attachment, name="comment_attachment"
    ),
]
