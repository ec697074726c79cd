"""The enumerations of referrals, in one place: forms, API, packs and the dashboard share them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FieldGroup(models.TextChoices):
    """What of a person a packet may carry; an agreement lists the groups it allows."""

    IDENTITY = "identity", _("Identity")
    CONTACT = "contact", _("Contact and whereabouts")
    NEEDS = "needs", _("Needs")
    VULNERABILITY = "vulnerability_summary", _("Vulnerability summary")
    HEALTH = "health_details", _("Health details")
    PROTECTION = "protection_details", _("Protection details")
    DOCUMENTS = "documents", _("Identity documents")


#: What a referral carries unless the sender chooses otherwise: enough to act on, no more.
DEFAULT_FIELD_GROUPS = (
    FieldGroup.IDENTITY,
    FieldGroup.CONTACT,
    FieldGroup.NEEDS,
    FieldGroup.VULNERABILITY,
)


class AgreementPurpose(models.TextChoices):
    REFERRAL = "referral", _("Referral to services")
    FOLLOW_UP = "follow_up", _("Follow-up of referred persons")
    CASE_TRANSFER = "case_transfer", _("Handover of case management")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_FORCE = "in_force", _("In force")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")


class ReferralUrgency(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IN_PROGRESS = "in_progress", _("Service in progress")
    COMPLETED = "completed", _("Completed")
    NOT_COMPLETED = "not_completed", _("Not completed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


#: Waiting on the provider or being served: what inboxes, escalation and packets care about.
OPEN_STATUSES = (
    ReferralStatus.SENT,
    ReferralStatus.ACKNOWLEDGED,
    ReferralStatus.ACCEPTED,
    ReferralStatus.IN_PROGRESS,
)
CLOSED_STATUSES = (
    ReferralStatus.DECLINED,
    ReferralStatus.COMPLETED,
    ReferralStatus.NOT_COMPLETED,
    ReferralStatus.CANCELLED,
    ReferralStatus.EXPIRED,
)


class DeclineReason(models.TextChoices):
    NO_CAPACITY = "no_capacity", _("No capacity at present")
    NOT_ELIGIBLE = "not_eligible", _("The person is not eligible")
    OUT_OF_AREA = "out_of_area", _("Outside our area")
    NOT_OFFERED = "not_offered", _("We do not offer this service")
    DUPLICATE = "duplicate", _("Already referred or already served")
    OTHER = "other", _("Other reason")


class NotCompletedReason(models.TextChoices):
    PERSON_DID_NOT_COME = "did_not_come", _("The person did not come")
    PERSON_DECLINED = "person_declined", _("The person declined the service")
    LOST_CONTACT = "lost_contact", _("Contact lost")
    MOVED_AWAY = "moved_away", _("The person moved away")
    SERVICE_INTERRUPTED = "service_interrupted", _("The service was interrupted")
    OTHER = "other", _("Other reason")


class Outcome(models.TextChoices):
    SERVED = "served", _("Service delivered")
    PARTLY_SERVED = "partly_served", _("Service partly delivered")
    REFERRED_ONWARD = "referred_onward", _("Referred onward to another provider")
