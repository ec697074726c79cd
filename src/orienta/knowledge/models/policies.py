"""Policy instruments, CLIMB-like: declarations, strategies, laws, action plans, MoUs, NDCs and
NAPs, disaster risk reduction strategies, with their climate-mobility relevance."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from orienta.core.i18n import in_language
from orienta.knowledge.choices import PolicyLevel, PolicyStatus, PolicyType
from orienta.knowledge.models.sources import Sourced


class PolicyInstrument(Sourced):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.SlugField(_("key"), max_length=80, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=500)
    title_fr = models.CharField(_("title (French)"), max_length=500, blank=True)
    title_ar = models.CharField(_("title (Arabic)"), max_length=500, blank=True)
    issuer = models.ForeignKey(
        "knowledge.Entity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policies",
        verbose_name=_("issuing entity"),
    )
    issuer_country = models.CharField(_("issuing country"), max_length=3, blank=True)
    level = models.CharField(_("level"), max_length=14, choices=PolicyLevel.choices)
    type = models.CharField(_("type"), max_length=14, choices=PolicyType.choices)
    year = models.PositiveIntegerField(_("year"), null=True, blank=True)
    themes = models.ManyToManyField(
        "knowledge.Theme", blank=True, related_name="policies", verbose_name=_("themes")
    )
    mobility = models.JSONField(_("mobility"), default=list, blank=True)
    hazard = models.JSONField(_("hazard"), default=list, blank=True)
    gcm_objectives = models.JSONField(_("GCM objectives"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PolicyStatus.choices, default=PolicyStatus.ADOPTED
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    url = models.URLField(_("address"), max_length=500, blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_fr = models.TextField(_("summary (French)"), blank=True)
    # Optimistic locking: each change makes the next version; an edit made from an older page
    # is refused rather than silently overwriting what was saved in between.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("policy instrument")
        verbose_name_plural = _("policy instruments")
        ordering = ["-year", "title_en"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return in_language(self, "title")

    @property
    def summary(self) -> str:
        return in_language(self, "summary")
