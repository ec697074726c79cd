"""Keeping the data-sharing agreements and the response deadlines (coordinators)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import require_capability
from orienta.audit.services import diff, record, snapshot
from orienta.core.errors import ServiceError
from orienta.referrals.choices import AgreementPurpose, AgreementStatus, FieldGroup, ReferralUrgency
from orienta.referrals.models import DataSharingAgreement, ResponseDeadline

FIELDS = [
    "title",
    "reference",
    "purposes",
    "field_groups",
    "valid_from",
    "valid_to",
    "status",
    "signed_on",
    "notes",
]


def _validate(values: dict[str, Any], parties: list[Any]) -> None:
    if len({getattr(p, "pk", p) for p in parties}) < 2:
        raise ServiceError(
            _("An agreement has at least two parties."),
            code="invalid",
            details={"field": "parties"},
        )
    unknown = [g for g in values.get("field_groups", []) if g not in FieldGroup.values]
    unknown += [p for p in values.get("purposes", []) if p not in AgreementPurpose.values]
    if unknown:
        raise ServiceError(_("Unknown values: %s.") % ", ".join(unknown), code="invalid")
    if values.get("status") not in AgreementStatus.values:
        raise ServiceError(_("Choose a status."), code="invalid", details={"field": "status"})
    if values.get("valid_to") and values["valid_to"] < values["valid_from"]:
        raise ServiceError(
            _("The end comes before the start."), code="invalid", details={"field": "valid_to"}
        )


def defined_elsewhere(agreement: DataSharingAgreement) -> bool:
    """Whether another module (a signed MoU, in governance) defines the agreement: it is then
    changed only there, so that the MoU and the sharing it allows never disagree."""
    return bool(agreement.source)


@transaction.atomic
def save_agreement(
    *,
    acting_user: Any,
    values: dict[str, Any],
    parties: list[Any],
    agreement: DataSharingAgreement | None = None,
    document: Any = None,
    source: str | None = None,
) -> DataSharingAgreement:
    """Create or change an agreement. Suspending it or ending its validity closes, at once,
    every packet it covered (the gates read it on every access). `source` names what defines
    it (a signed MoU, from the governance module)."""
    require_capability(acting_user, "referrals.manage_agreements")
    if agreement is not None and source is None and defined_elsewhere(agreement):
        raise ServiceError(
            _("This agreement is defined by %(source)s: change it there.")
            % {"source": agreement.source},
            code="defined_elsewhere",
        )
    _validate(values, parties)
    creating = agreement is None
    agreement = agreement or DataSharingAgreement(created_by=acting_user)
    before = {} if creating else snapshot(agreement, FIELDS)
    before_parties = (
        [] if creating else sorted(str(p) for p in agreement.parties.values_list("pk", flat=True))
    )
    for name in FIELDS:
        if name in values:
            setattr(agreement, name, values[name])
    if document is not None:
        agreement.signed_document = document
    if source is not None and source != agreement.source:
        changes_source = [agreement.source, source]
        agreement.source = source
    else:
        changes_source = None
    if not creating:
        agreement.version += 1
    agreement.save()
    agreement.parties.set(parties)
    after_parties = sorted(str(getattr(p, "pk", p)) for p in parties)
    changes: dict[str, Any] = diff(before, snapshot(agreement, FIELDS))
    if before_parties != after_parties:
        changes["parties"] = [before_parties, after_parties]
    if document is not None:
        changes["signed_document"] = agreement.signed_document.name
    if changes_source is not None:
        changes["source"] = changes_source
    record(
        "referrals.agreement.created" if creating else "referrals.agreement.changed",
        actor=acting_user,
        target=agreement,
        changes=changes,
    )
    return agreement


@transaction.atomic
def lapse_agreement(
    *, agreement: DataSharingAgreement, status: str, acting_user: Any = None
) -> DataSharingAgreement:
    """End an agreement because what defined it ended (an MoU's term, run by the daily task,
    where no person acts): its status becomes expired or suspended, audited."""
    if status not in (AgreementStatus.EXPIRED, AgreementStatus.SUSPENDED):
        raise ValueError(status)
    before = agreement.status
    if before == status:
        return agreement
    agreement.status = status
    agreement.version += 1
    agreement.save(update_fields=["status", "version", "updated_at"])
    record(
        "referrals.agreement.changed",
        actor=acting_user,
        target=agreement,
        changes={"status": [before, status]},
    )
    return agreement


@transaction.atomic
def set_deadline(
    *, acting_user: Any, urgency: str, category: str, hours: int | None
) -> ResponseDeadline | None:
    """Set (or with `hours` None, remove) the acknowledgement deadline for an urgency and a
    category of services."""
    require_capability(acting_user, "referrals.manage_agreements")
    if urgency not in ReferralUrgency.values:
        raise ServiceError(_("Choose an urgency."), code="invalid", details={"field": "urgency"})
    category = category.strip().upper()
    if hours is None:
        ResponseDeadline.objects.filter(urgency=urgency, category=category).delete()
        row = None
    else:
        if not 1 <= hours <= 24 * 60:
            raise ServiceError(
                _("Give a number of hours between 1 and 1440."),
                code="invalid",
                details={"field": "hours"},
            )
        row, _created = ResponseDeadline.objects.update_or_create(
            urgency=urgency, category=category, defaults={"acknowledge_hours": hours}
        )
    record(
        "referrals.deadline.set",
        actor=acting_user,
        object_type="referrals.responsedeadline",
        object_id=f"{urgency}:{category or '*'}",
        changes={"hours": hours},
    )
    return row
