"""The one way to reach a referral and its packet: scoped, 404 for what one may not see."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404

from orienta.audit.services import record
from orienta.referrals import packet
from orienta.referrals.gates import PacketAccess, packet_access
from orienta.referrals.models import PacketEntry, Referral


def get_referral_for_user(user: Any, pk: Any) -> Referral:
    try:
        return (
            Referral.objects.visible_to(user)
            .select_related(
                "case",
                "case__organisation",
                "sender_organisation",
                "recipient_organisation",
                "service",
                "service_at_location__location",
                "sent_by",
                "agreement",
                "need__term",
                "parent",
            )
            .get(pk=pk)
        )
    except (Referral.DoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404("No such referral.") from None


def read_packet(
    referral: Referral, *, actor: Any, language: str, via: str = ""
) -> tuple[PacketAccess, list[tuple[PacketEntry, list[packet.Line]]]]:
    """The packet as the recipient reads it, when the gates still hold; every reading (and
    every refusal) is an access event of the owning organisation."""
    access = packet_access(referral)
    entries: list[tuple[PacketEntry, list[packet.Line]]] = []
    if access.open:
        allowed = set(referral.field_groups)
        entries = [
            (entry, packet.read(entry.field_group, entry.content, language=language))
            for entry in referral.packet.all()
            if entry.field_group in allowed
        ]
    record(
        "referrals.packet.viewed" if access.open else "referrals.packet.refused",
        actor=actor,
        organisation=referral.case.organisation_id,
        target=referral,
        changes={
            "groups": sorted({e.field_group for e, _ in entries}),
            **({"via": via} if via else {}),
        },
    )
    return access, entries
