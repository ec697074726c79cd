from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import has_capability, require_capability
from orienta.audit.services import diff, record, snapshot
from orienta.core.errors import ConflictError, ServiceError
from orienta.directory.models import (
    Attribute,
    ChangeStatus,
    CostOption,
    Organisation,
    Service,
    ServiceCapacity,
    ServiceChange,
    TaxonomyTerm,
    Unit,
    directory_changed,
)

EDITABLE = ("name", "acronym", "kind", "country", "description")


@transaction.atomic
def create_organisation(*, acting_user: Any, **values: Any) -> Organisation:
    require_capability(acting_user, "directory.manage_organisations")
    organisation = Organisation(**{field: values[field] for field in EDITABLE if field in values})
    organisation.full_clean()
    organisation.save()
    record(
        "directory.organisation.created",
        actor=acting_user,
        organisation=organisation,
        target=organisation,
        changes=snapshot(organisation, EDITABLE),
    )
    return organisation


@transaction.atomic
def update_organisation(
    *, acting_user: Any, organisation: Organisation, **values: Any
) -> Organisation:
    require_capability(acting_user, "directory.manage_organisations")
    before = snapshot(organisation, EDITABLE)
    for field in EDITABLE:
        if field in values:
            setattr(organisation, field, values[field])
    organisation.full_clean()
    organisation.save()
    changes = diff(before, snapshot(organisation, EDITABLE))
    if changes:
        record(
            "directory.organisation.updated",
            actor=acting_user,
            organisation=organisation,
            target=organisation,
            changes=changes,
        )
    return organisation


# --- Services ----------------------------------------------------------------------------------

SERVICE_FIELDS = (
    "name",
    "description",
    "status",
    "application_process",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "target_groups",
    "accepts_referrals",
    "referral_channel",
    "fees_description",
    "email",
    "url",
)


def service_state(service: Service) -> dict[str, Any]:
    """What a coordinator edits, as plain values: the service's fields, its categories (codes)
    and its cost model."""
    state = snapshot(service, SERVICE_FIELDS)
    state["categories"] = sorted(
        Attribute.objects.filter(link_id=service.pk, link_entity="service").values_list(
            "taxonomy_term__code", flat=True
        )
    )
    cost = service.cost_options.order_by("pk").first()
    state["cost"] = cost.option if cost else ""
    state["amount"] = cost.amount if cost else None
    return state


def _apply(service: Service, values: dict[str, Any]) -> None:
    for field in SERVICE_FIELDS:
        if field in values:
            setattr(service, field, values[field])
    service.full_clean(exclude=["organization", "program"])
    service.save()
    if "categories" in values:
        Attribute.objects.filter(link_id=service.pk, link_entity="service").delete()
        terms = TaxonomyTerm.objects.filter(code__in=values["categories"])
        Attribute.objects.bulk_create(
            Attribute(
                link_id=service.pk, link_entity="service", link_type="category", taxonomy_term=t
            )
            for t in terms
        )
    if values.get("cost"):
        service.cost_options.all().delete()
        CostOption.objects.create(
            service=service,
            option=values["cost"],
            amount=0 if values["cost"] == "free" else values.get("amount"),
        )
    directory_changed()


@transaction.atomic
def create_service(
    *, acting_user: Any, organisation: Organisation, values: dict[str, Any]
) -> Service:
    require_capability(acting_user, "directory.manage_services")
    service = Service(organization=organisation, status=values.get("status") or "active")
    _apply(service, values)
    record(
        "directory.service.created",
        actor=acting_user,
        organisation=organisation,
        target=service,
        changes=service_state(service),
    )
    return service


@transaction.atomic
def update_service(*, acting_user: Any, service: Service, values: dict[str, Any]) -> Service:
    require_capability(acting_user, "directory.manage_services")
    before = service_state(service)
    _apply(service, values)
    changes = diff(before, service_state(service))
    if changes:
        record(
            "directory.service.updated",
            actor=acting_user,
            organisation=service.organization_id,
            target=service,
            changes=changes,
        )
    return service


@transaction.atomic
def mark_verified(*, acting_user: Any, service: Service) -> Service:
    """Record that someone checked the entry with the provider today."""
    require_capability(acting_user, "directory.manage_services")
    before = (service.assured_date, service.assurer_email)
    service.assured_date = timezone.localdate()
    service.assurer_email = acting_user.email
    service.save(update_fields=["assured_date", "assurer_email"])
    directory_changed()
    record(
        "directory.service.verified",
        actor=acting_user,
        organisation=service.organization_id,
        target=service,
        changes={"assured_date": [before[0], service.assured_date]},
    )
    return service


@transaction.atomic
def propose_change(
    *, acting_user: Any, organisation: Organisation, service: Service | None, values: dict[str, Any]
) -> ServiceChange:
    """A provider's edit, held for a coordinator's validation."""
    require_capability(acting_user, "directory.propose_service_changes", organisation.pk)
    if service is not None and service.organization_id != organisation.pk:
        raise ServiceError(_("This service belongs to another organisation."), code="not_yours")
    change = ServiceChange.objects.create(
        organisation=organisation,
        service=service,
        proposed=json.loads(json.dumps(values, cls=DjangoJSONEncoder)),
        submitted_by=acting_user,
    )
    record(
        "directory.servicechange.created",
        actor=acting_user,
        organisation=organisation,
        target=change,
        changes=change.proposed,
    )
    return change


@transaction.atomic
def decide_change(
    *, acting_user: Any, change: ServiceChange, approve: bool, note: str = ""
) -> ServiceChange:
    require_capability(acting_user, "directory.manage_services")
    change = ServiceChange.objects.select_for_update().get(pk=change.pk)
    if change.status != ChangeStatus.PENDING:
        raise ConflictError(
            _("Someone has already decided on this change. Reload the page."), code="decided"
        )
    if approve:
        if change.service is None:
            change.service = create_service(
                acting_user=acting_user, organisation=change.organisation, values=change.proposed
            )
        else:
            update_service(acting_user=acting_user, service=change.service, values=change.proposed)
    change.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
    change.decided_by = acting_user
    change.decided_at = timezone.now()
    change.note = note
    change.save()
    record(
        f"directory.servicechange.{'approved' if approve else 'rejected'}",
        actor=acting_user,
        organisation=change.organisation_id,
        target=change,
        changes={"note": note} if note else None,
    )
    return change


@transaction.atomic
def relabel_term(*, acting_user: Any, term: TaxonomyTerm, name: str, name_en: str) -> TaxonomyTerm:
    """Correct a category's French and English labels; its code, and every link to it, stay."""
    require_capability(acting_user, "directory.manage_services")
    before = {"name": term.name, "name_en": term.name_en}
    term.name, term.name_en = name.strip(), name_en.strip()
    if not term.name:
        raise ServiceError(_("The French label cannot be empty."), code="invalid")
    term.save(update_fields=["name", "name_en"])
    changes = diff(before, {"name": term.name, "name_en": term.name_en})
    if changes:
        directory_changed()
        record("directory.taxonomyterm.updated", actor=acting_user, target=term, changes=changes)
    return term


@transaction.atomic
def set_capacity(
    *, acting_user: Any, service: Service, available: float, maximum: float | None = None
) -> Any:
    """Update how much of a service is available now (HSDS 3.1 service_capacity): the
    provider's focal point from the inbox, or a coordinator. Matching sees it at once."""
    if not (
        has_capability(acting_user, "referrals.receive", service.organization_id)
        or has_capability(acting_user, "directory.manage_services")
    ):
        raise PermissionDenied("referrals.receive")
    if available < 0 or (maximum is not None and (maximum < 0 or available > maximum)):
        raise ServiceError(
            _("The places available must be between 0 and the maximum."),
            code="invalid",
            details={"field": "available"},
        )
    capacity = service.capacities.order_by("-updated").first()
    before = (capacity.available, capacity.maximum) if capacity else (None, None)
    if capacity is None:
        unit, _created = Unit.objects.get_or_create(name="places", defaults={"scheme": ""})
        capacity = ServiceCapacity(service=service, unit=unit)
    capacity.available = available
    capacity.maximum = maximum if maximum is not None else capacity.maximum
    capacity.updated = timezone.now()
    capacity.save()
    directory_changed()
    record(
        "directory.service.capacity_set",
        actor=acting_user,
        organisation=service.organization_id,
        target=service,
        changes={"available": [before[0], available], "maximum": [before[1], capacity.maximum]},
    )
    return capacity
