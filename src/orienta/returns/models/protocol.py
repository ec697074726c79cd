"""Bilateral repatriation protocols as versioned, structured rules (never prose only)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orienta.returns.choices import ProtocolStatus, RuleKind, Severity, Verification


class Protocol(models.Model):
    key = models.SlugField(_("key"), max_length=60, help_text=_("The same for every version."))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title_fr = models.CharField(_("title (French)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    receiving_country = models.CharField(_("receiving country"), max_length=2)
    deporting_country = models.CharField(_("deporting country"), max_length=2)
    status = models.CharField(_("status"), max_length=10, choices=ProtocolStatus.choices)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_at_place = models.CharField(_("signed at"), max_length=120, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    document = models.FileField(_("signed document"), upload_to="protocols/", blank=True)
    summary = models.TextField(_("summary"), blank=True)
    source = models.TextField(_("sources"), blank=True)
    # Steps of the return, each with the stakeholders responsible: [{step_fr, step_en, who}]
    workflow = models.JSONField(_("workflow"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["receiving_country", "deporting_country", "key", "-version"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="protocol_version")]
        verbose_name = _("bilateral protocol")
        verbose_name_plural = _("bilateral protocols")

    def __str__(self) -> str:
        return f"{self.title_fr} (v{self.version})"

    def in_force_on(self, day: date) -> bool:
        return (
            self.status == ProtocolStatus.IN_FORCE
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_to is None or day <= self.valid_to)
        )


class ProtocolRule(models.Model):
    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("kind of rule"), max_length=30, choices=RuleKind.choices)
    clause = models.CharField(_("clause"), max_length=30, blank=True)
    text_fr = models.TextField(_("rule (French)"))
    text_en = models.TextField(_("rule (English)"))
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    severity = models.CharField(
        _("severity of a breach"), max_length=10, choices=Severity.choices, default=Severity.MAJOR
    )
    verification = models.CharField(_("verification"), max_length=12, choices=Verification.choices)
    source = models.CharField(_("source"), max_length=300, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["protocol", "position", "pk"]
        verbose_name = _("protocol rule")
        verbose_name_plural = _("protocol rules")

    def __str__(self) -> str:
        return f"{self.clause} {self.get_kind_display()}".strip()

    @property
    def applies(self) -> bool:
        """Checked against movements: verified in the text, or confirmed by a coordinator."""
        return self.verification == Verification.VERIFIED or self.confirmed_at is not None

    def parameter(self, name: str, default: Any = None) -> Any:
        return (self.parameters or {}).get(name, default)
