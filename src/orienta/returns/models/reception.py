"""Arrivals checked in at an entry point, the assistance given, and the reception checklist
built from the SOP rules."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import ScopedQuerySet
from orienta.returns.choices import (
    Accompaniment,
    AgeGroup,
    AssistanceKind,
    Condition,
    Documents,
    SopStatus,
)


class ArrivalQuerySet(ScopedQuerySet):
    scope_capability = "returns.view_movements"


class Arrival(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    movement = models.ForeignKey(
        "returns.Movement", on_delete=models.CASCADE, related_name="arrivals"
    )
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    listed = models.OneToOneField(
        "returns.ManifestRow",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="arrival",
        verbose_name=_("on the list as"),
    )
    person = models.ForeignKey(
        "cases.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="arrivals"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="arrivals"
    )
    checked_in_at = models.DateTimeField(_("checked in at"), default=timezone.now)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # The quick profile
    age_group = models.CharField(_("age group"), max_length=10, choices=AgeGroup.choices)
    sex = models.CharField(_("sex"), max_length=10, blank=True)
    accompaniment = models.CharField(
        _("accompanied?"), max_length=15, choices=Accompaniment.choices
    )
    documents = models.CharField(_("documents"), max_length=10, choices=Documents.choices)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    medical_urgency = models.BooleanField(_("medical urgency"), default=False)
    pregnant = models.BooleanField(_("pregnancy"), default=False)
    disability = models.BooleanField(_("disability"), default=False)
    abuse_reported = models.BooleanField(_("abuse reported"), default=False)
    detention_days = models.PositiveSmallIntegerField(_("days in detention"), null=True, blank=True)
    family_separated = models.BooleanField(_("separated from family (declared)"), default=False)
    criminal_record_notice = models.BooleanField(_("criminal-record notice"), default=False)
    removal_order_received = models.BooleanField(
        _("received a copy of the removal order"), null=True, blank=True
    )
    belongings_returned = models.BooleanField(
        _("belongings and documents returned"), null=True, blank=True
    )
    child_protection_handover = models.BooleanField(
        _("handed over by child-protection services"), default=False
    )
    repeat_return = models.BooleanField(_("repeat return"), default=False)

    objects = ArrivalQuerySet.as_manager()

    class Meta:
        ordering = ["movement", "checked_in_at", "pk"]
        indexes = [models.Index(fields=["movement", "checked_in_at"])]
        verbose_name = _("arrival")
        verbose_name_plural = _("arrivals")

    def __str__(self) -> str:
        return f"{self.movement_id} {self.checked_in_at:%Y-%m-%d %H:%M}"

    @property
    def is_child(self) -> bool:
        return self.age_group == AgeGroup.CHILD

    @property
    def unaccompanied_child(self) -> bool:
        return self.is_child and self.accompaniment in (
            Accompaniment.UNACCOMPANIED,
            Accompaniment.SEPARATED,
        )


class Assistance(models.Model):
    arrival = models.ForeignKey(Arrival, on_delete=models.CASCADE, related_name="assistance")
    kind = models.CharField(_("assistance"), max_length=15, choices=AssistanceKind.choices)
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    amount = models.DecimalField(
        _("amount"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    given_at = models.DateTimeField(default=timezone.now)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["arrival", "given_at", "pk"]
        verbose_name = _("immediate assistance")
        verbose_name_plural = _("immediate assistance")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} × {self.quantity}"


class SopRuleSet(models.Model):
    """One version of a country's reception procedures."""

    country = models.CharField(_("country"), max_length=2)
    version = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=SopStatus.choices)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["country", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["country", "version"], name="sop_version"),
        ]
        verbose_name = _("reception procedures")
        verbose_name_plural = _("reception procedures")

    def __str__(self) -> str:
        return f"{self.title_fr} v{self.version}"


class SopRule(models.Model):
    ruleset = models.ForeignKey(SopRuleSet, on_delete=models.CASCADE, related_name="rules")
    code = models.SlugField(_("code"), max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    condition = models.CharField(_("applies to"), max_length=25, choices=Condition.choices)
    action_fr = models.CharField(_("action (French)"), max_length=300)
    action_en = models.CharField(_("action (English)"), max_length=300)
    responsible = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible organisation"),
    )
    responsible_name = models.CharField(_("responsible (as written)"), max_length=120)
    deadline_minutes = models.PositiveIntegerField(_("deadline (minutes)"))
    referral_category = models.CharField(
        _("refer for (service category)"), max_length=30, blank=True
    )

    class Meta:
        ordering = ["ruleset", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["ruleset", "code"], name="sop_rule_once")]
        verbose_name = _("reception step rule")
        verbose_name_plural = _("reception step rules")

    def __str__(self) -> str:
        return self.action_fr

    @property
    def action(self) -> str:
        """The action in the interface's language (French unless English)."""
        from orienta.returns.labels import in_language  # labels reads the models

        return in_language(self, "action")


class ArrivalStepQuerySet(ScopedQuerySet):
    scope_capability = "returns.view_movements"
    scope_field = "arrival__organisation"


class ArrivalStep(models.Model):
    arrival = models.ForeignKey(Arrival, on_delete=models.CASCADE, related_name="steps")
    rule = models.ForeignKey(SopRule, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(_("due at"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    objects = ArrivalStepQuerySet.as_manager()

    class Meta:
        ordering = ["arrival", "rule__position", "pk"]
        indexes = [models.Index(fields=["done_at", "due_at"])]
        verbose_name = _("reception step")
        verbose_name_plural = _("reception steps")

    def __str__(self) -> str:
        return str(self.rule)

    def overdue(self, now: datetime | None = None) -> bool:
        return self.done_at is None and (now or timezone.now()) > self.due_at
