"""Governance documents, their versions, what the assessment found, and what stakeholders said
about each version."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orienta.governance.choices import (
    ApprovalDecision,
    Audience,
    DocumentKind,
    FindingKind,
    Treatment,
    VersionStatus,
)
from orienta.governance.models.scope import CommitteeScopedQuerySet


class VersionScopedQuerySet(CommitteeScopedQuerySet):
    committee_path = "document__committee__"


class OnVersionQuerySet(CommitteeScopedQuerySet):
    committee_path = "version__document__committee__"


class Document(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    committee = models.ForeignKey(
        "governance.Committee",
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("committee"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=300)
    audience = models.CharField(
        _("audience"),
        max_length=20,
        choices=Audience.choices,
        blank=True,
        help_text=_("For information and training material."),
    )
    language = models.CharField(_("language"), max_length=5, default="fr")
    # The latest version's number and status, kept by the services that write versions
    # (versions.py), so that lists of documents need not read the versions and their text.
    current_number = models.PositiveIntegerField(default=0, editable=False)
    current_status = models.CharField(
        max_length=16, choices=VersionStatus.choices, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def latest(self) -> DocumentVersion | None:
        return self.versions.order_by("-number").first()


class DocumentVersion(models.Model):
    """One version of a document. Its content is frozen once it leaves the draft: a change
    is a new version, so the history and the comments stay true to what people read."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content = models.TextField(_("content"), blank=True, help_text=_("Markdown."))
    file = models.FileField(_("file"), upload_to="governance/", blank=True)
    change_summary = models.TextField(_("what changed"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    consultation_until = models.DateField(_("comments until"), null=True, blank=True)
    final_on = models.DateField(_("final on"), null=True, blank=True)
    validated_on = models.DateField(_("validated on"), null=True, blank=True)
    validated_by = models.CharField(_("validated by"), max_length=200, blank=True)
    validation_event = models.ForeignKey(
        "governance.Event",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="validated_versions",
        verbose_name=_("validation event"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = VersionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="governance_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


class Finding(models.Model):
    """A gap, challenge or opportunity the assessment identified, with its recommendation."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(_("kind"), max_length=12, choices=FindingKind.choices)
    text = models.TextField(_("finding"))
    recommendation = models.TextField(_("recommendation"), blank=True)

    objects = OnVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Comment(models.Model):
    """A stakeholder's comment on a version, and how the secretariat treated it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="comments")
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    section = models.CharField(_("section"), max_length=200, blank=True)
    text = models.TextField(_("comment"))
    attachment = models.FileField(_("attachment"), upload_to="governance/comments/", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    treatment = models.CharField(
        _("treatment"), max_length=16, choices=Treatment.choices, default=Treatment.PENDING
    )
    justification = models.TextField(_("justification"), blank=True)
    integrated_in = models.ForeignKey(
        DocumentVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="integrated_comments",
        verbose_name=_("integrated in"),
    )
    treated_at = models.DateTimeField(_("treated at"), null=True, blank=True)
    version_counter = models.PositiveIntegerField(default=1)

    objects = OnVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["submitted_at"]

    def __str__(self) -> str:
        return self.text[:80]


class Approval(models.Model):
    """A stakeholder's answer on the feedback and approval form of a version."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="approvals")
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    decision = models.CharField(_("decision"), max_length=24, choices=ApprovalDecision.choices)
    remarks = models.TextField(_("remarks"), blank=True)
    given_by = models.CharField(_("given by"), max_length=200, blank=True)
    given_on = models.DateField(_("given on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = OnVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["given_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "organisation"], name="governance_one_answer_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_decision_display()}"
