"""Movements (a flight, a boat, a land convoy), their manifests and the rows of each list."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import ScopedQuerySet
from orienta.returns.choices import Mode, MovementStatus, RowStatus


class MovementQuerySet(ScopedQuerySet):
    scope_capability = "returns.view_movements"


class Movement(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="movements",
        verbose_name=_("receiving organisation"),
    )
    reference = models.CharField(_("flight, boat or convoy"), max_length=80, blank=True)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    origin_country = models.CharField(_("returned from (country)"), max_length=2)
    entry_point = models.ForeignKey(
        "returns.EntryPoint",
        on_delete=models.PROTECT,
        related_name="movements",
        verbose_name=_("entry point"),
    )
    scheduled_at = models.DateTimeField(_("scheduled arrival"))
    announced_headcount = models.PositiveIntegerField(
        _("announced headcount"), null=True, blank=True
    )
    notice_received_at = models.DateTimeField(_("notice received at"), null=True, blank=True)
    list_received_at = models.DateTimeField(_("list received at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("actual arrival"), null=True, blank=True)
    actual_headcount = models.PositiveIntegerField(_("actual headcount"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MovementStatus.choices, default=MovementStatus.ANNOUNCED
    )
    consular_access_refused = models.BooleanField(
        _("consular access to detention refused"), default=False
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    protocol = models.ForeignKey(
        "returns.Protocol",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
        verbose_name=_("protocol in force"),
    )
    evaluated_at = models.DateTimeField(_("checked against the protocol at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = MovementQuerySet.as_manager()

    class Meta:
        ordering = ["-scheduled_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "-scheduled_at"]),
            models.Index(fields=["entry_point", "-scheduled_at"]),
            models.Index(fields=["origin_country", "scheduled_at"]),
        ]
        verbose_name = _("movement")
        verbose_name_plural = _("movements")

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {self.reference or ''} {self.entry_point_id}".strip()

    def local(self, moment: datetime) -> datetime:
        """A moment in the entry point's time, where protocol rules are read."""
        return timezone.localtime(moment, self.entry_point.zone)


class ColumnMapping(models.Model):
    """How the lists of one source name their columns, remembered for the next list."""

    source = models.CharField(_("source"), max_length=120, unique=True)
    mapping = models.JSONField(default=dict)  # field → column title as written in the file
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.source


class ManifestQuerySet(ScopedQuerySet):
    scope_capability = "returns.view_movements"
    scope_field = "movement__organisation"


class Manifest(models.Model):
    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="manifests")
    source = models.CharField(_("source of the list"), max_length=120, blank=True)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    rows_total = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)

    objects = ManifestQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("manifest")
        verbose_name_plural = _("manifests")

    def __str__(self) -> str:
        return self.file_name or self.source or str(self.pk)


class ManifestRowQuerySet(ScopedQuerySet):
    scope_capability = "returns.view_movements"
    scope_field = "movement__organisation"


class ManifestRow(models.Model):
    """One person on a list, as the deporting state wrote them, checked and pre-registered."""

    manifest = models.ForeignKey(Manifest, on_delete=models.CASCADE, related_name="rows")
    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="listed")
    row_number = models.PositiveIntegerField(_("row"))
    cells = models.JSONField(_("cells as read"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=RowStatus.choices)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    given_name = models.CharField(_("given names"), max_length=150, blank=True)
    family_name = models.CharField(_("family name"), max_length=150, blank=True)
    sex = models.CharField(_("sex"), max_length=10, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    candidate = models.ForeignKey(
        "cases.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    candidate_probability = models.FloatField(null=True, blank=True)
    repeat_return = models.BooleanField(_("repeat returnee"), default=False)

    objects = ManifestRowQuerySet.as_manager()

    class Meta:
        ordering = ["movement", "row_number", "pk"]
        indexes = [
            models.Index(fields=["movement", "status", "family_name"]),
            models.Index(fields=["manifest", "status"]),
        ]
        verbose_name = _("person on a manifest")
        verbose_name_plural = _("persons on manifests")

    def __str__(self) -> str:
        return f"{self.family_name} {self.given_name}".strip() or f"#{self.row_number}"


class ListTokenQuerySet(ScopedQuerySet):
    scope_capability = "returns.receive_arrivals"


class ListToken(models.Model):
    """Lets the authorities of a deporting state (or a partner) send advance lists as data."""

    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.CASCADE,
        related_name="list_tokens",
        verbose_name=_("receiving organisation"),
    )
    name = models.CharField(_("sender"), max_length=200)
    origin_country = models.CharField(_("deporting country"), max_length=2)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ListTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("advance-list token")
        verbose_name_plural = _("advance-list tokens")

    def __str__(self) -> str:
        return self.name
