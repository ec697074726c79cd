"""Where a fact comes from and how sure we are of it: every fact of the knowledge base says so,
and the pages show it beside the fact."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from orienta.knowledge.choices import Confidence


class Sourced(models.Model):
    confidence = models.CharField(
        _("confidence"), max_length=12, choices=Confidence.choices, default=Confidence.UNVERIFIED
    )
    source_reference = models.CharField(_("source"), max_length=500, blank=True)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    source_accessed = models.DateField(_("consulted on"), null=True, blank=True)

    class Meta:
        abstract = True
