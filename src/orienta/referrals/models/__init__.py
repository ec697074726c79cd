from orienta.referrals.models.agreement import DataSharingAgreement, ResponseDeadline
from orienta.referrals.models.referral import ExternalLink, PacketEntry, Referral, ReferralMessage

__all__ = [
    "DataSharingAgreement",
    "ExternalLink",
    "PacketEntry",
    "Referral",
    "ReferralMessage",
    "ResponseDeadline",
]
