"""The referral, what it carries (the packet), and the conversation about it."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import ScopedQuerySet, scope_for
from orienta.cases.fields import EncryptedTextField
from orienta.cases.models.case import new_reference
from orienta.referrals.choices import (
    DeclineReason,
    FieldGroup,
    NotCompletedReason,
    Outcome,
    ReferralStatus,
    ReferralUrgency,
)


class ReferralQuerySet(ScopedQuerySet):
    scope_capability = "referrals.send"

    def visible_to(self, user: Any, capability: str | None = None) -> ReferralQuerySet:
        """The referrals `user` may open.

        - the sending side: those who may open the case (its caseworker, the supervisors);
        - the receiving side: the provider focal points of the recipient organisation, and of a
          provider that referred the person onward.
        Nobody else, and the recipient never reaches the case through the referral.
        """
        from orienta.cases.models import Case

        send = scope_for(user, "referrals.send")
        receive = scope_for(user, "referrals.receive")
        if send.is_empty and receive.is_empty:
            return self.none()
        allowed: Any = Q(pk__in=[])
        if receive.everywhere:
            return self.all()
        if receive.organisation_ids:
            allowed |= Q(recipient_organisation_id__in=receive.organisation_ids)
            allowed |= Q(sender_organisation_id__in=receive.organisation_ids, parent__isnull=False)
        if not send.is_empty:
            cases = Case.objects.visible_to(user).filter(pk=OuterRef("case_id"))
            in_scope = (
                Q() if send.everywhere else Q(sender_organisation_id__in=send.organisation_ids)
            )
            allowed |= in_scope & Exists(cases)
        return self.filter(allowed)

    def received_by(self, user: Any) -> ReferralQuerySet:
        receive = scope_for(user, "referrals.receive")
        return receive.apply(self, "recipient_organisation")  # type: ignore[return-value]


class Referral(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(
        _("reference"), max_length=14, unique=True, default=new_reference, editable=False
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="referrals", verbose_name=_("case")
    )
    need = models.ForeignKey(
        "cases.Need",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("need"),
    )
    # The need's taxonomy code when sent: what the dashboard groups by, kept if the need goes.
    category = models.CharField(_("category"), max_length=40, blank=True)
    sender_organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals_sent",
        verbose_name=_("referring organisation"),
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="referrals_sent",
        verbose_name=_("referred by"),
    )
    recipient_organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("receiving organisation"),
    )
    service = models.ForeignKey(
        "directory.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
    )
    service_at_location = models.ForeignKey(
        "directory.ServiceAtLocation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service at location"),
    )
    urgency = models.CharField(
        _("urgency"),
        max_length=10,
        choices=ReferralUrgency.choices,
        default=ReferralUrgency.NORMAL,
    )
    # Why the person is referred, in the sender's words: part of the packet, so encrypted.
    note = EncryptedTextField(_("reason for the referral"), blank=True, default="")
    field_groups = models.JSONField(_("field groups shared"), default=list)
    matching_reasons = models.JSONField(default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=14, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    agreement = models.ForeignKey(
        "referrals.DataSharingAgreement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("data-sharing agreement"),
    )
    emergency_override = models.BooleanField(_("sent under emergency override"), default=False)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    override_missing = models.JSONField(default=list, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="onward_referrals",
        verbose_name=_("referred onward from"),
    )
    # Off the platform: the provider answers through an expiring link sent by e-mail.
    external = models.BooleanField(_("provider not on the platform"), default=False)
    acknowledge_hours = models.PositiveIntegerField(_("acknowledge within (hours)"), default=72)
    acknowledge_by = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    # Twice the deadline: unacknowledged then, the supervisors of both sides are told.
    escalate_at = models.DateTimeField(null=True, blank=True)
    expire_at = models.DateTimeField(_("expires if unacknowledged at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("accepted or declined at"), null=True, blank=True)
    decline_reason = models.CharField(
        _("reason for declining"), max_length=20, choices=DeclineReason.choices, blank=True
    )
    decline_note = models.TextField(_("note on declining"), blank=True)
    started_at = models.DateTimeField(_("service started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_date = models.DateField(_("date of the service"), null=True, blank=True)
    outcome_note = models.TextField(_("note on the outcome"), blank=True)
    not_completed_reason = models.CharField(
        _("reason not completed"), max_length=20, choices=NotCompletedReason.choices, blank=True
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            # The provider inbox: a recipient's open referrals, counted by status, and each
            # tab read status by status in deadline order.
            models.Index(
                fields=["recipient_organisation", "status", "acknowledge_by"],
                name="referral_inbox",
            ),
            models.Index(fields=["sender_organisation", "-created_at"], name="referral_sent"),
            models.Index(fields=["case", "-created_at"], name="referral_case"),
            # Escalation walks the unacknowledged referrals not yet at a step, past its moment.
            models.Index(
                fields=["status", "escalation_level", "acknowledge_by"], name="referral_overdue"
            ),
            models.Index(
                fields=["status", "escalation_level", "escalate_at"], name="referral_escalate"
            ),
            models.Index(
                fields=["status", "escalation_level", "expire_at"], name="referral_expire"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        from orienta.referrals.choices import OPEN_STATUSES

        return self.status in OPEN_STATUSES


class PacketEntry(models.Model):
    """One field group of the person's data as the recipient sees it: taken when the referral
    was sent, or added later by the sender. Never read from the case afterwards."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="packet")
    field_group = models.CharField(_("field group"), max_length=30, choices=FieldGroup.choices)
    content = EncryptedTextField(_("content"))  # JSON
    initial = models.BooleanField(default=True)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    shared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("packet entry")
        verbose_name_plural = _("packet entries")
        ordering = ["shared_at", "id"]

    def __str__(self) -> str:
        return f"{self.referral} {self.field_group}"


class ReferralMessage(models.Model):
    """The conversation between the two organisations about one referral."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="messages")
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_label = models.CharField(max_length=200, blank=True)
    body = EncryptedTextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("referral message")
        verbose_name_plural = _("referral messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.referral} {self.created_at:%Y-%m-%d %H:%M}"


class ExternalLink(models.Model):
    """A signed, expiring link for a provider not on the platform: it acknowledges, answers and
    records the outcome of one referral, and opens the packet only after a one-time code sent to
    the focal point's registered contact."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="external_links")
    token_digest = models.CharField(max_length=64, unique=True)
    contact_email = models.EmailField(_("focal point's e-mail"))
    contact_name = models.CharField(_("focal point"), max_length=200, blank=True)
    language = models.CharField(max_length=8, default="fr")
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    code_digest = models.CharField(max_length=64, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("external link")
        verbose_name_plural = _("external links")

    def __str__(self) -> str:
        return f"{self.referral} → {self.contact_email}"
