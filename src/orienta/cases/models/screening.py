"""Vulnerability screening (IOM DoMV: four levels of risk and protective factors) and needs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from orienta.cases.fields import EncryptedTextField
from orienta.cases.models.choices import (
    Level,
    NeedStatus,
    Polarity,
    Presence,
    Priority,
    Urgency,
)


class ScreeningItem(models.Model):
    """One question of the screening form; loaded from packs (`packs/screening/`), so a country
    adds a question without code."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    factor = models.CharField(_("factor"), max_length=60)
    polarity = models.CharField(_("polarity"), max_length=10, choices=Polarity.choices)
    label_fr = models.CharField(_("question (French)"), max_length=300)
    label_en = models.CharField(_("question (English)"), max_length=300)
    # Ticking "yes" also records this specific need (the rules then weigh it).
    implies_need = models.CharField(max_length=40, blank=True)
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("Empty: asked everywhere.")
    )
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("screening question")
        verbose_name_plural = _("screening questions")
        ordering = ["level", "position", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.label_en if (get_language() or "fr").startswith("en") else self.label_fr


class Screening(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="screenings")
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    screened_at = models.DateTimeField(_("screened at"), auto_now_add=True)
    specific_needs = models.JSONField(_("specific needs"), default=list, blank=True)
    # What the rules derived, kept as it was decided (the rules may change later).
    profile = models.JSONField(_("vulnerability profile"), default=list)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    priority_reasons = models.JSONField(default=list)
    rules_version = models.CharField(max_length=20)

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        ordering = ["-screened_at"]

    def __str__(self) -> str:
        return f"{self.case} {self.screened_at:%Y-%m-%d}"


class ScreeningAnswer(models.Model):
    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ScreeningItem, on_delete=models.PROTECT, related_name="+")
    present = models.CharField(_("present"), max_length=8, choices=Presence.choices)
    # Notes here tell of violence, trafficking, health: encrypted at rest.
    note = EncryptedTextField(_("note"), blank=True, default="")

    class Meta:
        verbose_name = _("screening answer")
        verbose_name_plural = _("screening answers")
        constraints = [
            models.UniqueConstraint(fields=["screening", "item"], name="cases_answer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item.code}={self.present}"


class Need(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="needs")
    term = models.ForeignKey(
        "directory.TaxonomyTerm",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("need"),
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.term} ({self.get_urgency_display()})"
