"""Consent, recorded per purpose and, for sharing and referral, per recipient."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orienta.cases.models.choices import ConsentGiver, ConsentMethod, ConsentPurpose


class Consent(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    # For sharing and referral: the organisation named, or a category of services (a taxonomy
    # code: "HEALTH" covers "HEALTH-PRIM"). Registration and follow-up name no recipient.
    recipient_organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient organisation"),
    )
    recipient_category = models.CharField(
        _("recipient category of services"), max_length=40, blank=True
    )
    given_by = models.CharField(_("given by"), max_length=20, choices=ConsentGiver.choices)
    giver_name = models.CharField(_("name of who gave it"), max_length=150, blank=True)
    best_interests_reference = models.CharField(
        _("best-interests procedure reference"), max_length=80, blank=True
    )
    method = models.CharField(_("how"), max_length=20, choices=ConsentMethod.choices)
    script_language = models.CharField(_("script read in"), max_length=5, blank=True)
    given_on = models.DateField(_("given on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_note = models.TextField(_("withdrawal note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["case", "purpose"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.given_on})"
