"""Breaches of a bilateral protocol found on movements and arrivals. Never deleted: a breach no
longer detected is marked cleared, and people annotate, confirm or contest it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orienta.returns.choices import NoteKind, Severity, ViolationStatus


class Violation(models.Model):
    movement = models.ForeignKey(
        "returns.Movement", on_delete=models.CASCADE, related_name="violations"
    )
    arrival = models.ForeignKey(
        "returns.Arrival", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    rule = models.ForeignKey(
        "returns.ProtocolRule", on_delete=models.PROTECT, related_name="violations"
    )
    kind = models.CharField(_("breach"), max_length=60)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    evidence = models.JSONField(_("evidence"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=ViolationStatus.choices, default=ViolationStatus.OPEN
    )
    detected_at = models.DateTimeField(default=timezone.now)
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-detected_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["movement", "arrival", "kind"], name="violation_once"),
            models.UniqueConstraint(
                fields=["movement", "kind"],
                condition=models.Q(arrival__isnull=True),
                name="movement_violation_once",
            ),
        ]
        indexes = [models.Index(fields=["movement", "status"])]
        verbose_name = _("protocol breach")
        verbose_name_plural = _("protocol breaches")

    def __str__(self) -> str:
        return self.kind


class ViolationNote(models.Model):
    violation = models.ForeignKey(Violation, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("kind"), max_length=10, choices=NoteKind.choices)
    text = models.TextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["violation", "created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]
