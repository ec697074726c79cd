"""The gates every referral passes: the person's consent to that recipient and purpose, and a
data-sharing agreement in force between the two organisations that allows every field group
in the packet. Checked when sending and again on every reading of the packet, so that a
withdrawn consent or a lapsed agreement ends access at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from orienta.cases.consent import has_consent
from orienta.cases.models import Case
from orienta.cases.models.choices import ConsentPurpose
from orienta.referrals.choices import AgreementPurpose, FieldGroup
from orienta.referrals.models import DataSharingAgreement, Referral

CONSENT = "consent"
AGREEMENT = "agreement"


@dataclass
class GateResult:
    agreement: DataSharingAgreement | None = None
    missing: list[str] = field(default_factory=list)  # CONSENT, AGREEMENT
    messages: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.missing


def _group_labels(groups: set[str]) -> str:
    return ", ".join(str(FieldGroup(g).label) for g in sorted(groups))


def find_agreement(
    sender: Any, recipient: Any, groups: list[str], *, on: date | None = None
) -> tuple[DataSharingAgreement | None, str]:
    """The agreement in force between the two that allows every group for referral, or None
    with a message naming what is missing."""
    found = list(
        DataSharingAgreement.objects.in_force(on).between(sender, recipient).order_by("-valid_from")
    )
    wanted = set(groups)
    best: tuple[int, DataSharingAgreement] | None = None
    for agreement in found:
        if AgreementPurpose.REFERRAL not in agreement.purposes:
            continue
        lacking = wanted - set(agreement.field_groups)
        if not lacking:
            return agreement, ""
        if best is None or len(lacking) < best[0]:
            best = (len(lacking), agreement)
    if best is None:
        return None, _(
            "No data-sharing agreement for referrals is in force between %(sender)s and "
            "%(recipient)s."
        ) % {"sender": sender, "recipient": recipient}
    lacking = wanted - set(best[1].field_groups)
    return None, _("The agreement “%(agreement)s” does not allow sharing: %(groups)s.") % {
        "agreement": best[1],
        "groups": _group_labels(lacking),
    }


def check(
    case: Case,
    recipient: Any,
    consent_target: Any,
    groups: list[str],
    *,
    sender: Any = None,
    on: date | None = None,
) -> GateResult:
    """Both gates for sending `groups` of `case` to `recipient` (an organisation);
    `consent_target` is what the consent must cover (the service, or the organisation)."""
    result = GateResult()
    sender = sender or case.organisation
    if not has_consent(case, ConsentPurpose.REFERRAL, consent_target, on=on):
        result.missing.append(CONSENT)
        result.messages.append(
            _("No consent of the person to a referral to %(recipient)s is in force.")
            % {"recipient": consent_target}
        )
    if getattr(sender, "pk", sender) != getattr(recipient, "pk", recipient):
        agreement, message = find_agreement(sender, recipient, groups, on=on)
        if agreement is None:
            result.missing.append(AGREEMENT)
            result.messages.append(message)
        result.agreement = agreement
    return result


@dataclass(frozen=True)
class PacketAccess:
    open: bool
    reason: str = ""


def packet_access(referral: Referral, *, on: date | None = None) -> PacketAccess:
    """Whether the recipient may read the packet now. A gate overridden in an emergency
    stands in only while the referral is open; one that held when sent must still hold."""
    from orienta.referrals.choices import ReferralStatus

    if referral.status == ReferralStatus.DRAFT:
        return PacketAccess(False, _("The referral has not been sent."))
    overridden = set(referral.override_missing) if referral.emergency_override else set()
    target = referral.service or referral.recipient_organisation
    if not has_consent(referral.case, ConsentPurpose.REFERRAL, target, on=on) and not (
        CONSENT in overridden and referral.is_open
    ):
        return PacketAccess(
            False, _("The person's consent to this referral is no longer in force.")
        )
    if referral.sender_organisation_id == referral.recipient_organisation_id:
        return PacketAccess(True)
    # Read again, never from a cached copy: a suspension counts from the moment it is saved.
    agreement = (
        DataSharingAgreement.objects.filter(pk=referral.agreement_id).first()
        if referral.agreement_id
        else None
    )
    allowed = (
        agreement is not None
        and agreement.is_in_force(on)
        and set(referral.field_groups) <= set(agreement.field_groups)
    )
    if not allowed and not (AGREEMENT in overridden and referral.is_open):
        return PacketAccess(
            False, _("The data-sharing agreement that covered this referral is no longer in force.")
        )
    return PacketAccess(True)
