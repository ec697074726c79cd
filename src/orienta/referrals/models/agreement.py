"""Data-sharing agreements: which organisations may pass which groups of a person's data to
each other, for which purposes, and from when to when."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import ScopedQuerySet, scope_for
from orienta.referrals.choices import AgreementStatus


class AgreementQuerySet(ScopedQuerySet):
    scope_capability = "referrals.manage_agreements"

    def visible_to(self, user: Any, capability: str | None = None) -> AgreementQuerySet:
        """Coordinators see and keep every agreement of the mechanism (they are the NRM
        secretariat); members of a party see the agreements their organisation is party to."""
        if not scope_for(user, "referrals.manage_agreements").is_empty:
            return self.all()
        parties = scope_for(user, capability or "referrals.view_agreements")
        if parties.everywhere:
            return self.all()
        return self.filter(parties__in=parties.organisation_ids).distinct()

    def in_force(self, on: date | None = None) -> AgreementQuerySet:
        today = on or timezone.localdate()
        return self.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today),
            status=AgreementStatus.IN_FORCE,
            valid_from__lte=today,
        )

    def between(self, first: Any, second: Any) -> AgreementQuerySet:
        """Agreements to which both organisations are parties (one when they are the same)."""
        first_id, second_id = getattr(first, "pk", first), getattr(second, "pk", second)
        return self.filter(parties=first_id).filter(parties=second_id)


class DataSharingAgreement(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(_("title"), max_length=300)
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    parties = models.ManyToManyField(
        "directory.Organisation", related_name="data_sharing_agreements", verbose_name=_("parties")
    )
    purposes = models.JSONField(_("purposes"), default=list)
    field_groups = models.JSONField(_("allowed field groups"), default=list)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    signed_document = models.FileField(_("signed document"), upload_to="agreements/", blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Set by the governance module when a signed MoU's data-sharing section defines it.
    source = models.CharField(_("defined by"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("data-sharing agreement")
        verbose_name_plural = _("data-sharing agreements")
        ordering = ["-valid_from", "title"]
        indexes = [models.Index(fields=["status", "valid_from"])]

    def __str__(self) -> str:
        return self.title

    def is_in_force(self, on: date | None = None) -> bool:
        today = on or timezone.localdate()
        return (
            self.status == AgreementStatus.IN_FORCE
            and self.valid_from <= today
            and (self.valid_to is None or self.valid_to >= today)
        )


class ResponseDeadline(models.Model):
    """How long a provider has to acknowledge a referral, per urgency and, optionally, per
    category of service; the most specific row wins, and the settings' defaults apply where
    no row fits."""

    urgency = models.CharField(_("urgency"), max_length=10)
    category = models.CharField(
        _("category of services"),
        max_length=40,
        blank=True,
        help_text=_("A taxonomy code; empty for every category."),
    )
    acknowledge_hours = models.PositiveIntegerField(_("acknowledge within (hours)"))

    class Meta:
        verbose_name = _("response deadline")
        verbose_name_plural = _("response deadlines")
        ordering = ["urgency", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["urgency", "category"], name="referrals_deadline_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.urgency} {self.category or '*'}: {self.acknowledge_hours} h"
