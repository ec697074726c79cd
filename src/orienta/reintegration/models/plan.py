"""The reintegration plan of a case: three components, the assistance delivered, and the
community projects the person takes part in."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orienta.reintegration.choices import (
    AssistanceStatus,
    AssistanceType,
    ComponentStatus,
    Dimension,
)


class CommunityProject(models.Model):
    """A project run for a community (a cooperative, a rehabilitated market…) that returnees
    join. Not personal data: a shared list that any reintegration worker keeps."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    admin_area = models.CharField(_("administrative area"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="community_projects",
        verbose_name=_("organisation"),
    )
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("community project")
        verbose_name_plural = _("community projects")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReintegrationPlan(models.Model):
    """One per case. The three components are fields rather than rows: there are always
    exactly three, edited together on one form under the plan's version."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.OneToOneField(
        "cases.Case",
        on_delete=models.CASCADE,
        related_name="reintegration_plan",
        verbose_name=_("case"),
    )
    economic_objectives = models.TextField(_("economic objectives"), blank=True)
    economic_status = models.CharField(
        _("economic status"),
        max_length=20,
        choices=ComponentStatus.choices,
        default=ComponentStatus.NOT_STARTED,
    )
    social_objectives = models.TextField(_("social objectives"), blank=True)
    social_status = models.CharField(
        _("social status"),
        max_length=20,
        choices=ComponentStatus.choices,
        default=ComponentStatus.NOT_STARTED,
    )
    psychosocial_objectives = models.TextField(_("psychosocial objectives"), blank=True)
    psychosocial_status = models.CharField(
        _("psychosocial status"),
        max_length=20,
        choices=ComponentStatus.choices,
        default=ComponentStatus.NOT_STARTED,
    )
    community_projects = models.ManyToManyField(
        CommunityProject, blank=True, related_name="plans", verbose_name=_("community projects")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic locking: components and project links change only from the version read.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("reintegration plan")
        verbose_name_plural = _("reintegration plans")

    def __str__(self) -> str:
        return f"{self.case}"

    def components(self) -> list[dict[str, object]]:
        """The three components in order, for pages: dimension label, objectives, status."""
        return [
            {
                "dimension": dimension,
                "label": dimension.label,
                "objectives": getattr(self, f"{dimension.value}_objectives"),
                "status": getattr(self, f"{dimension.value}_status"),
                "status_label": ComponentStatus(getattr(self, f"{dimension.value}_status")).label,
            }
            for dimension in Dimension
        ]


class AssistanceItem(models.Model):
    """One piece of assistance: its kind, who provides it (through which referral, if any),
    what it is worth (an amount, or in kind), when, and how far it got."""

    plan = models.ForeignKey(
        ReintegrationPlan, on_delete=models.CASCADE, related_name="items", verbose_name=_("plan")
    )
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    assistance_type = models.CharField(
        _("type of assistance"), max_length=30, choices=AssistanceType.choices
    )
    provider = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("provider"),
    )
    # Only a referral of the plan's case (checked by the service).
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("delivered through the referral"),
    )
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    in_kind = models.BooleanField(_("in kind"), default=False)
    in_kind_description = models.TextField(_("what is given in kind"), blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AssistanceStatus.choices,
        default=AssistanceStatus.PLANNED,
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("assistance item")
        verbose_name_plural = _("assistance items")
        ordering = ["dimension", "planned_start", "pk"]
        constraints = [
            # Either an amount in a currency, or in kind with a description: never both, never
            # neither (the service says so in words; this is the last line).
            models.CheckConstraint(
                condition=(
                    Q(in_kind=False, amount__isnull=False) & ~Q(currency="")
                    | Q(in_kind=True, amount__isnull=True, currency="") & ~Q(in_kind_description="")
                ),
                name="assistance_amount_or_in_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_assistance_type_display()} ({self.plan})"
