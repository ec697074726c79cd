"""The memorandum of understanding between the parties of the mechanism, built section by
section, and the data-sharing clauses that become referral agreements when it is signed."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from orienta.governance.choices import MouStatus
from orienta.governance.models.scope import CommitteeScopedQuerySet


class OnDocumentQuerySet(CommitteeScopedQuerySet):
    committee_path = "document__committee__"


class MouScopedQuerySet(CommitteeScopedQuerySet):
    committee_path = "mou__document__committee__"


class Mou(models.Model):
    """The builder's sections of an MoU document (`document.kind == "mou"`). Writing a version
    composes them into the document's Markdown, so versions, comments, the diff and the exports
    are the document's own."""

    document = models.OneToOneField(
        "governance.Document", on_delete=models.CASCADE, related_name="mou"
    )
    context = models.TextField(_("context and objective"), blank=True)
    target_group = models.TextField(_("target group"), blank=True)
    coordination = models.TextField(_("coordination mechanisms"), blank=True)
    funding = models.TextField(_("funding modalities"), blank=True)
    duration = models.TextField(_("duration"), blank=True)
    confidentiality = models.TextField(_("data confidentiality and sharing"), blank=True)
    starts_on = models.DateField(_("in force from"), null=True, blank=True)
    ends_on = models.DateField(_("in force until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MouStatus.choices, default=MouStatus.DRAFT
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    status_reason = models.TextField(_("reason"), blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = OnDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("memorandum of understanding")
        verbose_name_plural = _("memoranda of understanding")

    def __str__(self) -> str:
        return str(self.document)


class MouParty(models.Model):
    """A party to the MoU: an organisation of the directory, its roles and responsibilities,
    and who signs for it."""

    mou = models.ForeignKey(Mou, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    responsibilities = models.TextField(_("roles and responsibilities"), blank=True)
    signatory = models.CharField(_("signatory"), max_length=200, blank=True)
    signatory_title = models.CharField(_("signatory's title"), max_length=200, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)

    objects = MouScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["mou", "organisation"], name="governance_one_party")
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class DataSharingClause(models.Model):
    """Which parties may share which groups of a person's data, for which purposes. When the
    MoU is signed each clause brings a `referrals.DataSharingAgreement` into force."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    mou = models.ForeignKey(Mou, on_delete=models.CASCADE, related_name="clauses")
    title = models.CharField(_("title"), max_length=300)
    parties = models.ManyToManyField(
        "directory.Organisation", related_name="+", verbose_name=_("parties")
    )
    purposes = models.JSONField(_("purposes"), default=list)
    field_groups = models.JSONField(_("allowed field groups"), default=list)
    agreement = models.OneToOneField(
        "referrals.DataSharingAgreement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clause",
    )

    objects = MouScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("data-sharing clause")
        verbose_name_plural = _("data-sharing clauses")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
