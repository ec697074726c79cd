"""The case: one episode of the mechanism's work with a person, owned by one organisation."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import ScopedQuerySet, scope_for
from orienta.cases.models.choices import (
    CaseKind,
    CaseStatus,
    ClosureReason,
    Priority,
)

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U to misread


def new_reference() -> str:
    """12 characters (60 bits) in groups of four, easy to read out over the phone."""
    code = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


class CaseQuerySet(ScopedQuerySet):
    scope_capability = "cases.work_cases"

    def visible_to(self, user: Any, capability: str | None = None) -> CaseQuerySet:
        """The cases `user` may open.

        - supervisors (`cases.view_caseload`): every case of their organisation;
        - caseworkers and reception officers (`cases.work_cases`): the cases assigned to them,
          and those they opened with break-glass access that has not expired;
        - children's cases only for those who also hold `cases.view_child_cases` there.
        Everyone else, and every other organisation, sees nothing: 404, as if missing.
        """
        caseload = scope_for(user, "cases.view_caseload")
        casework = scope_for(user, "cases.work_cases")
        children = scope_for(user, "cases.view_child_cases")
        if caseload.is_empty and casework.is_empty:
            return self.none()
        # Conditions as plain as the user's roles allow, so that the database can walk the
        # (organisation, created_at) and (assigned_to, created_at) indexes of the case lists.
        if caseload.everywhere:
            rows = self.all()
        else:
            whole = set(caseload.organisation_ids)
            own_only = set(casework.organisation_ids) - whole
            allowed: Any = Q(organisation_id__in=whole) if whole else Q(pk__in=[])
            if own_only:
                own = Q(assigned_to=user) | Exists(
                    BreakGlassGrant.objects.filter(
                        case=OuterRef("pk"), user=user, expires_at__gt=timezone.now()
                    )
                )
                allowed |= Q(organisation_id__in=own_only) & own
            rows = self.filter(allowed)
        if children.everywhere:
            return rows
        # A child's case stays out of reach without child protection in that organisation.
        reach = set(caseload.organisation_ids) | set(casework.organisation_ids)
        without = reach - set(children.organisation_ids)
        if caseload.everywhere or casework.everywhere:
            return rows.exclude(
                Q(is_child=True) & ~Q(organisation_id__in=children.organisation_ids)
            )
        if without:
            rows = rows.exclude(is_child=True, organisation_id__in=without)
        return rows

    def caseload_of(self, user: Any) -> CaseQuerySet:
        return self.filter(assigned_to=user)


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(
        _("reference"), max_length=14, unique=True, default=new_reference, editable=False
    )
    person = models.ForeignKey(
        "cases.Person", on_delete=models.PROTECT, related_name="cases", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("owning organisation"),
    )
    kind = models.CharField(_("kind of case"), max_length=40, choices=CaseKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    closure_reason = models.CharField(
        _("reason for closure"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assigned caseworker"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    opened_on = models.DateField(_("opened on"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    is_child = models.BooleanField(_("child at opening"), default=False)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    # The vulnerability profile of the latest screening: flag codes and the rules that fired.
    profile = models.JSONField(_("vulnerability profile"), default=list, blank=True)
    priority_reasons = models.JSONField(default=list, blank=True)
    # A default rather than auto_now_add, so that imported and generated cases keep their dates.
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic locking: a service changes the row only if the version it read is current.
    version = models.PositiveIntegerField(default=1)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        # The case lists page by (created_at, id), newest first, within these filters.
        indexes = [
            models.Index(fields=["organisation", "-created_at", "-id"], name="case_org_recent"),
            models.Index(fields=["assigned_to", "-created_at", "-id"], name="case_mine_recent"),
            models.Index(fields=["status", "closed_at"], name="case_retention"),
        ]

    def __str__(self) -> str:
        return self.reference


class Episode(models.Model):
    """One arrival or return: a person returned twice has two episodes, often two cases."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="episodes")
    person = models.ForeignKey("cases.Person", on_delete=models.CASCADE, related_name="episodes")
    arrived_on = models.DateField(_("date of arrival"))
    returned_from = models.CharField(_("returned from (country)"), max_length=2, blank=True)
    entry_point = models.CharField(_("entry point"), max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("episode")
        verbose_name_plural = _("episodes")
        ordering = ["-arrived_on"]

    def __str__(self) -> str:
        return f"{self.arrived_on} {self.entry_point}".strip()


class BreakGlassGrant(models.Model):
    """Emergency access to one case, for a limited time, with a written reason; audited and
    reported to the owning organisation's supervisors."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="break_glass_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"))
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("break-glass access")
        verbose_name_plural = _("break-glass accesses")
        indexes = [models.Index(fields=["case", "user", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.user} → {self.case} ({self.expires_at:%Y-%m-%d %H:%M})"
