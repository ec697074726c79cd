"""Standard briefs: one per entity and per dialogue, written from the knowledge base's data and
kept in versions. A version's sections and the facts it shows are copied into it when it is
written, so a final brief says what it said even after the data has moved on."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orienta.knowledge.choices import BriefStatus


class Brief(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    entity = models.OneToOneField(
        "knowledge.Entity", on_delete=models.CASCADE, related_name="brief", verbose_name=_("entity")
    )
    # The latest version's number and status, kept by the services (briefs.py) so that the
    # list of briefs reads no version.
    current_number = models.PositiveIntegerField(default=0, editable=False)
    current_status = models.CharField(
        max_length=8, choices=BriefStatus.choices, blank=True, editable=False
    )
    current_missing = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("brief")
        verbose_name_plural = _("briefs")

    def __str__(self) -> str:
        return str(self.entity)


class BriefVersion(models.Model):
    """One version of a brief. A draft is edited; a final version is frozen: a change is a new
    version, written again from the data."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=8, choices=BriefStatus.choices, default=BriefStatus.DRAFT
    )
    # [{"code", "en", "fr", "sources": [{"field", "reference", "url", "accessed",
    #   "confidence"}]}] in the order of the brief's template (briefs.SECTIONS).
    sections = models.JSONField(default=list)
    # What the brief shows beside its sections, as it was: names, kind, founded, seat,
    # member states, policy instruments.
    profile = models.JSONField(default=dict)
    change_summary = models.TextField(_("what changed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    final_on = models.DateField(_("final on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("brief version")
        verbose_name_plural = _("brief versions")
        ordering = ["brief", "number"]
        constraints = [
            models.UniqueConstraint(fields=["brief", "number"], name="knowledge_brief_number")
        ]

    def __str__(self) -> str:
        return f"{self.brief} v{self.number}"
