"""The roadmap of the mechanism: priorities and the actions that carry them out."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from orienta.governance.choices import RoadmapStatus
from orienta.governance.models.scope import CommitteeScopedQuerySet


class ActionScopedQuerySet(CommitteeScopedQuerySet):
    committee_path = "priority__committee__"


class Priority(models.Model):
    committee = models.ForeignKey(
        "governance.Committee", on_delete=models.PROTECT, related_name="priorities"
    )
    title = models.CharField(_("priority"), max_length=300)
    order = models.PositiveIntegerField(_("order"), default=1)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        ordering = ["committee", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class RoadmapAction(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner organisation"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RoadmapStatus.choices,
        default=RoadmapStatus.NOT_STARTED,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="+", verbose_name=_("depends on")
    )
    version = models.PositiveIntegerField(default=1)

    objects = ActionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("roadmap action")
        verbose_name_plural = _("roadmap actions")
        ordering = ["starts_on", "title"]

    def __str__(self) -> str:
        return self.title
