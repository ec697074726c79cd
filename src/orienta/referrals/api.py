"""Referrals in the REST API: the same scoping, capabilities, gates and services as the pages."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import translation
from ninja import Field, Router, Schema, Status

from orienta.accounts.access import get_object_for_user
from orienta.api.auth import capability
from orienta.cases.access import get_case_for_user
from orienta.directory.models import Organisation, Service, ServiceAtLocation
from orienta.referrals import external, services
from orienta.referrals.access import get_referral_for_user, read_packet
from orienta.referrals.agreements import FIELDS, save_agreement, set_deadline
from orienta.referrals.choices import (
    DEFAULT_FIELD_GROUPS,
    AgreementPurpose,
    AgreementStatus,
    DeclineReason,
    FieldGroup,
    NotCompletedReason,
    Outcome,
    ReferralStatus,
    ReferralUrgency,
)
from orienta.referrals.inbox import capacity_services, inbox_for
from orienta.referrals.models import DataSharingAgreement, ExternalLink, Referral, ResponseDeadline
from orienta.referrals.referral_list import referral_page

router = Router(tags=["referrals"])


class ReferralOut(Schema):
    id: UUID
    reference: str
    status: ReferralStatus
    urgency: ReferralUrgency
    category: str
    sender_organisation_id: UUID
    recipient_organisation_id: UUID
    service_id: UUID | None
    service_at_location_id: UUID | None
    field_groups: list[str]
    matching_reasons: list[str]
    emergency_override: bool
    override_missing: list[str]
    external: bool
    parent_id: UUID | None
    acknowledge_hours: int
    acknowledge_by: datetime | None
    sent_at: datetime | None
    acknowledged_at: datetime | None
    answered_at: datetime | None
    decline_reason: str
    started_at: datetime | None
    finished_at: datetime | None
    outcome: str
    outcome_date: date | None
    not_completed_reason: str
    closed_at: datetime | None
    created_at: datetime
    version: int


class ReferralPageOut(Schema):
    items: list[ReferralOut]
    next_cursor: str = Field(..., description="Pass as `after` for the next page; empty at end")


class ReferralIn(Schema):
    case_id: UUID
    need_id: int | None = None
    service_at_location_id: UUID | None = None
    service_id: UUID | None = None
    organisation_id: UUID | None = None
    urgency: ReferralUrgency | None = None
    field_groups: list[FieldGroup] = Field(default_factory=lambda: list(DEFAULT_FIELD_GROUPS))
    note: str = Field("", max_length=2000)
    override_reason: str = Field(
        "", max_length=1000, description="Emergency override: needs referrals.override_gates"
    )
    draft: bool = Field(False, description="Keep as a draft: nothing is shared")


class VersionIn(Schema):
    version: int


class DeclineIn(VersionIn):
    reason: DeclineReason
    note: str = ""


class CompleteIn(VersionIn):
    outcome: Outcome
    outcome_date: date | None = None
    note: str = ""


class NotCompletedIn(VersionIn):
    reason: NotCompletedReason
    note: str = ""


class CancelIn(VersionIn):
    reason: str


class SendIn(VersionIn):
    override_reason: str = ""


class PacketLineOut(Schema):
    label: str
    value: str


class PacketEntryOut(Schema):
    field_group: str
    initial: bool
    shared_at: datetime
    lines: list[PacketLineOut]


class PacketOut(Schema):
    open: bool
    reason: str
    entries: list[PacketEntryOut]


class MessageIn(Schema):
    body: str = Field(..., max_length=4000)


class MessageOut(Schema):
    id: int
    organisation_id: UUID
    author_label: str
    body: str
    created_at: datetime


class ShareIn(Schema):
    field_group: FieldGroup
    text: str = ""


class OnwardIn(Schema):
    service_at_location_id: UUID
    field_groups: list[FieldGroup] | None = None
    note: str = ""


class LinkOut(Schema):
    id: int
    contact_email: str
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class InboxOut(Schema):
    tab: str
    counts: dict[str, int]
    items: list[ReferralOut]
    more: bool


@router.get("/referrals", response=ReferralPageOut, summary="Referrals the caller may open")
@capability("referrals.send", "referrals.receive")
def list_referrals(
    request: HttpRequest,
    direction: str = "",
    status: ReferralStatus | None = None,
    after: str = "",
) -> dict[str, Any]:
    page = referral_page(
        request.user,
        status=status or "",
        direction=direction if direction in ("sent", "received") else "",
        after=after,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/referrals/inbox", response=InboxOut, summary="The provider inbox")
@capability("referrals.receive")
def inbox(request: HttpRequest, tab: str = "new") -> dict[str, Any]:
    box = inbox_for(request.user, tab)
    return {"tab": box.tab, "counts": box.counts, "items": box.items, "more": box.more}


def _draft(request: HttpRequest, payload: ReferralIn) -> services.ReferralDraft:
    case = get_case_for_user(request.user, payload.case_id)
    need = (
        case.needs.select_related("term").filter(pk=payload.need_id).first()
        if payload.need_id
        else None
    )
    if payload.need_id and need is None:
        raise Http404("No such need on this case.")
    place = (
        get_object_or_404(
            ServiceAtLocation.objects.select_related("service__organization"),
            pk=payload.service_at_location_id,
        )
        if payload.service_at_location_id
        else None
    )
    service = get_object_or_404(Service, pk=payload.service_id) if payload.service_id else None
    organisation = (
        get_object_or_404(Organisation, pk=payload.organisation_id)
        if payload.organisation_id
        else None
    )
    return services.ReferralDraft(
        case=case,
        need=need,
        service_at_location=place,
        service=service,
        organisation=organisation,
        urgency=payload.urgency or "",
        field_groups=[str(g) for g in payload.field_groups],
        note=payload.note,
    )


@router.post("/referrals", response={201: ReferralOut}, summary="Refer (or draft a referral)")
@capability("referrals.send")
def create_referral(request: HttpRequest, payload: ReferralIn) -> Status[Any]:
    draft = _draft(request, payload)
    if payload.draft:
        return Status(201, services.create(acting_user=request.user, draft=draft))
    return Status(
        201,
        services.refer(
            acting_user=request.user, draft=draft, override_reason=payload.override_reason
        ),
    )


@router.get("/referrals/{referral_id}", response=ReferralOut)
@capability("referrals.send", "referrals.receive")
def get_referral(request: HttpRequest, referral_id: UUID) -> Referral:
    return get_referral_for_user(request.user, referral_id)


@router.get(
    "/referrals/{referral_id}/packet",
    response=PacketOut,
    summary="What the provider sees (audited)",
)
@capability("referrals.send", "referrals.receive")
def get_packet(request: HttpRequest, referral_id: UUID) -> dict[str, Any]:
    referral = get_referral_for_user(request.user, referral_id)
    access, entries = read_packet(
        referral, actor=request.user, language=translation.get_language() or "fr", via="api"
    )
    return {
        "open": access.open,
        "reason": access.reason,
        "entries": [
            {
                "field_group": entry.field_group,
                "initial": entry.initial,
                "shared_at": entry.shared_at,
                "lines": [{"label": str(line.label), "value": str(line.value)} for line in lines],
            }
            for entry, lines in entries
        ],
    }


def _referral(request: HttpRequest, referral_id: UUID) -> Referral:
    return get_referral_for_user(request.user, referral_id)


@router.post("/referrals/{referral_id}/send", response=ReferralOut)
@capability("referrals.send", "referrals.receive")
def send(request: HttpRequest, referral_id: UUID, payload: SendIn) -> Referral:
    return services.send(
        acting_user=request.user,
        referral=_referral(request, referral_id),
        expected_version=payload.version,
        override_reason=payload.override_reason,
    )


@router.post("/referrals/{referral_id}/acknowledge", response=ReferralOut)
@capability("referrals.receive")
def acknowledge(request: HttpRequest, referral_id: UUID, payload: VersionIn) -> Referral:
    return services.acknowledge(
        acting_user=request.user,
        referral=_referral(request, referral_id),
        expected_version=payload.version,
    )


@router.post("/referrals/{referral_id}/accept", response=ReferralOut)
@capability("referrals.receive")
def accept(request: HttpRequest, referral_id: UUID, payload: VersionIn) -> Referral:
    return services.accept(
        acting_user=request.user,
        referral=_referral(request, referral_id),
        expected_version=payload.version,
    )


@router.post("/referrals/{referral_id}/decline", response=ReferralOut)
@capability("referrals.receive")
def decline(request: HttpRequest, referral_id: UUID, payload: DeclineIn) -> Referral:
    return services.decline(
        acting_user=request.user,
        referral=_referral(request, referral_id),
        expected_version=payload.version,
        reason=payload.reason,
        note=payload.note,
    )


@router.post("/referrals/{referral_id}/start", response=ReferralOut)
@capability("referrals.receive")
def start(request: HttpRequest, referral_id: UUID, payload: VersionIn) -> Referral:
    return services.start(
        acting_user=request.user,
        referral=_referral(request, referral_id),
        expected_version=payload.version,
    )


@router.post("/referrals/{referral_id}/complete", response=ReferralOut)
@capability("referrals.receive")
def complete(request: HttpRequest, referral_id: UUID, payload: CompleteIn) -> Referral:
    return services.complete(
        acting_user=request.user,
        referral=_referral(request, referral_id),
        expected_version=payload.version,
        outcome=payload.outcome,
        outcome_date=payload.outcome_date,
        note=payload.note,
    )


@router.post("/referrals/{referral_id}/not-completed", response=ReferralOut)
@capability("referrals.receive")
def not_completed(request: HttpRequest, referral_id: UUID, payload: NotCompletedIn) -> Referral:
    return services.not_complete(
        acting_user=request.user,
        referral=_referral(request, referral_id),
        expected_version=payload.version,
        reason=payload.reason,
        note=payload.note,
    )


@router.post("/referrals/{referral_id}/cancel", response=ReferralOut)
@capability("referrals.send", "referrals.receive")
def cancel(request: HttpRequest, referral_id: UUID, payload: CancelIn) -> Referral:
    return services.cancel(
        acting_user=request.user,
        referral=_referral(request, referral_id),
        expected_version=payload.version,
        reason=payload.reason,
    )


@router.get("/referrals/{referral_id}/messages", response=list[MessageOut])
@capability("referrals.send", "referrals.receive")
def messages(request: HttpRequest, referral_id: UUID) -> list[Any]:
    return list(_referral(request, referral_id).messages.all())


@router.post("/referrals/{referral_id}/messages", response={201: MessageOut})
@capability("referrals.send", "referrals.receive")
def post_message(request: HttpRequest, referral_id: UUID, payload: MessageIn) -> Status[Any]:
    message = services.post_message(
        acting_user=request.user, referral=_referral(request, referral_id), body=payload.body
    )
    return Status(201, message)


@router.post("/referrals/{referral_id}/share", response={201: PacketEntryOut})
@capability("referrals.send")
def share(request: HttpRequest, referral_id: UUID, payload: ShareIn) -> Status[Any]:
    from orienta.referrals import packet

    entry = services.share_more(
        acting_user=request.user,
        referral=_referral(request, referral_id),
        field_group=payload.field_group,
        text=payload.text,
    )
    lines = packet.read(
        entry.field_group, entry.content, language=translation.get_language() or "fr"
    )
    return Status(
        201,
        {
            "field_group": entry.field_group,
            "initial": entry.initial,
            "shared_at": entry.shared_at,
            "lines": [{"label": str(line.label), "value": str(line.value)} for line in lines],
        },
    )


@router.post("/referrals/{referral_id}/onward", response={201: ReferralOut})
@capability("referrals.receive")
def onward(request: HttpRequest, referral_id: UUID, payload: OnwardIn) -> Status[Any]:
    referral = _referral(request, referral_id)
    place = get_object_or_404(
        ServiceAtLocation.objects.select_related("service__organization"),
        pk=payload.service_at_location_id,
    )
    made = services.refer_onward(
        acting_user=request.user,
        referral=referral,
        service_at_location=place,
        field_groups=[str(g) for g in payload.field_groups or []],
        note=payload.note,
    )
    return Status(201, made)


@router.get("/referrals/{referral_id}/links", response=list[LinkOut])
@capability("referrals.send")
def links(request: HttpRequest, referral_id: UUID) -> list[Any]:
    referral = _referral(request, referral_id)
    services.require_sender(request.user, referral)
    return list(referral.external_links.order_by("-created_at"))


@router.post(
    "/referrals/{referral_id}/links",
    response={201: LinkOut},
    summary="E-mail a link to an off-platform provider",
)
@capability("referrals.send")
def issue_link(request: HttpRequest, referral_id: UUID) -> Status[Any]:
    link = external.send_link(referral=_referral(request, referral_id), acting_user=request.user)
    return Status(201, link)


@router.post("/referrals/{referral_id}/links/{link_id}/revoke", response=LinkOut)
@capability("referrals.send")
def revoke_link(request: HttpRequest, referral_id: UUID, link_id: int) -> ExternalLink:
    referral = _referral(request, referral_id)
    link = get_object_or_404(ExternalLink, pk=link_id, referral=referral)
    return external.revoke(acting_user=request.user, link=link)


# --- Agreements and deadlines ---------------------------------------------------------------


class AgreementIn(Schema):
    title: str = Field(..., max_length=300)
    reference: str = ""
    parties: list[UUID]
    purposes: list[AgreementPurpose]
    field_groups: list[FieldGroup]
    valid_from: date
    valid_to: date | None = None
    status: AgreementStatus = AgreementStatus.DRAFT
    signed_on: date | None = None
    notes: str = ""


class AgreementOut(Schema):
    id: UUID
    title: str
    reference: str
    parties: list[UUID]
    purposes: list[str]
    field_groups: list[str]
    valid_from: date
    valid_to: date | None
    status: AgreementStatus
    in_force: bool
    signed_on: date | None
    source: str
    version: int

    @staticmethod
    def resolve_parties(agreement: DataSharingAgreement) -> list[UUID]:
        return [p.pk for p in agreement.parties.all()]

    @staticmethod
    def resolve_in_force(agreement: DataSharingAgreement) -> bool:
        return agreement.is_in_force()


class DeadlineIn(Schema):
    urgency: ReferralUrgency
    category: str = ""
    acknowledge_hours: int | None = Field(None, description="Empty to remove")


class DeadlineOut(Schema):
    urgency: str
    category: str
    acknowledge_hours: int


@router.get("/referral-agreements", response=list[AgreementOut])
@capability("referrals.view_agreements", "referrals.manage_agreements")
def list_agreements(request: HttpRequest) -> list[Any]:
    return list(DataSharingAgreement.objects.visible_to(request.user).prefetch_related("parties"))


def _agreement_values(payload: AgreementIn) -> tuple[dict[str, Any], list[Organisation]]:
    values = payload.dict()
    parties = list(Organisation.objects.filter(pk__in=values.pop("parties")))
    values = {name: values[name] for name in FIELDS}
    values["purposes"] = [str(p) for p in values["purposes"]]
    values["field_groups"] = [str(g) for g in values["field_groups"]]
    return values, parties


@router.post("/referral-agreements", response={201: AgreementOut})
@capability("referrals.manage_agreements")
def create_agreement(request: HttpRequest, payload: AgreementIn) -> Status[Any]:
    values, parties = _agreement_values(payload)
    return Status(201, save_agreement(acting_user=request.user, values=values, parties=parties))


@router.get("/referral-agreements/{agreement_id}", response=AgreementOut)
@capability("referrals.view_agreements", "referrals.manage_agreements")
def get_agreement(request: HttpRequest, agreement_id: UUID) -> DataSharingAgreement:
    return get_object_for_user(DataSharingAgreement.objects.all(), request.user, pk=agreement_id)


@router.put("/referral-agreements/{agreement_id}", response=AgreementOut)
@capability("referrals.manage_agreements")
def update_agreement(
    request: HttpRequest, agreement_id: UUID, payload: AgreementIn
) -> DataSharingAgreement:
    agreement = get_object_for_user(
        DataSharingAgreement.objects.all(), request.user, pk=agreement_id
    )
    values, parties = _agreement_values(payload)
    return save_agreement(
        acting_user=request.user, agreement=agreement, values=values, parties=parties
    )


@router.get("/referral-deadlines", response=list[DeadlineOut])
@capability("referrals.manage_agreements")
def list_deadlines(request: HttpRequest) -> list[Any]:
    return list(ResponseDeadline.objects.all())


@router.put("/referral-deadlines", response={200: DeadlineOut, 204: None})
@capability("referrals.manage_agreements")
def put_deadline(request: HttpRequest, payload: DeadlineIn) -> Any:
    row = set_deadline(
        acting_user=request.user,
        urgency=payload.urgency,
        category=payload.category,
        hours=payload.acknowledge_hours,
    )
    return Status(204, None) if row is None else row


# --- Capacity from the inbox --------------------------------------------------------------


class CapacityIn(Schema):
    available: float
    maximum: float | None = None


class CapacityOut(Schema):
    service_id: UUID
    available: float
    maximum: float | None
    updated: datetime


@router.put("/services/{service_id}/capacity", response=CapacityOut)
@capability("referrals.receive", "directory.manage_services")
def put_capacity(request: HttpRequest, service_id: UUID, payload: CapacityIn) -> Any:
    from orienta.directory.services import set_capacity

    service = get_object_or_404(capacity_services(request.user), pk=service_id)
    return set_capacity(
        acting_user=request.user,
        service=service,
        available=payload.available,
        maximum=payload.maximum,
    )
