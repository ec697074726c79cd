from __future__ import annotations

from typing import Any

from django.db import transaction

from orienta.accounts.access import require_capability
from orienta.audit.services import diff, record, snapshot
from orienta.directory.models import Organisation

EDITABLE = ("name", "acronym", "kind", "country")


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
