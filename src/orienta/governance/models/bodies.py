"""Committees and working groups, and the organisations that sit on them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orienta.governance.choices import CommitteeKind, MemberRole, MembershipStatus
from orienta.governance.models.scope import CommitteeQuerySet, CommitteeScopedQuerySet


class Committee(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=CommitteeKind.choices, default=CommitteeKind.STEERING
    )
    country = models.CharField(_("country"), max_length=2, blank=True)
    # The working group reports to its parent committee; the steering committee has none.
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="working_groups",
        verbose_name=_("reports to"),
    )
    terms_of_reference = models.TextField(
        _("terms of reference"), blank=True, help_text=_("Markdown: mandate, roles, composition.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = CommitteeQuerySet.as_manager()

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CommitteeMembership(models.Model):
    """An organisation of the directory on a committee, with its role and its answer to the
    invitation."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="committee_memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(
        _("role"), max_length=12, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    representative = models.CharField(_("representative"), max_length=200, blank=True)
    representative_title = models.CharField(_("title or function"), max_length=200, blank=True)
    invited_on = models.DateField(_("invited on"))
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    declined_on = models.DateField(_("declined on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("committee membership")
        verbose_name_plural = _("committee memberships")
        ordering = ["committee", "role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "organisation"], name="governance_one_seat_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.get_role_display()}"

    @property
    def status(self) -> str:
        if self.declined_on:
            return MembershipStatus.DECLINED
        if self.confirmed_on:
            return MembershipStatus.CONFIRMED
        return MembershipStatus.INVITED

    def get_status_display(self) -> str:
        return str(MembershipStatus(self.status).label)
