"""Changes to reintegration plans, their assistance items and the community projects: each in
a transaction with its audit event, under optimistic locking."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import has_capability, require_capability
from orienta.audit.services import diff, record, snapshot
from orienta.cases.models import Case
from orienta.core.errors import ConflictError, ServiceError
from orienta.directory.models import Organisation
from orienta.referrals.models import Referral
from orienta.reintegration.access import CONFIGURE, WORK, require_plan_work
from orienta.reintegration.choices import (
    AssistanceStatus,
    AssistanceType,
    ComponentStatus,
    Dimension,
)
from orienta.reintegration.models import (
    AssistanceItem,
    CommunityProject,
    ReintegrationPlan,
    SurveyRound,
)

COMPONENT_FIELDS = [
    f"{dimension}_{part}" for dimension in Dimension.values for part in ("objectives", "status")
]
ITEM_FIELDS = [
    "dimension",
    "assistance_type",
    "provider",
    "referral",
    "amount",
    "currency",
    "in_kind",
    "in_kind_description",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "status",
    "notes",
]
PROJECT_FIELDS = ["name", "place", "admin_area", "organisation", "description"]
# Free text about the person: the trail says it changed, never what it says.
_SENSITIVE = {
    "economic_objectives",
    "social_objectives",
    "psychosocial_objectives",
    "notes",
    "in_kind_description",
}
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def invalid(field_name: str, message: Any) -> ServiceError:
    return ServiceError(message, code="invalid", details={"field": field_name})


def _conflict() -> ConflictError:
    return ConflictError(
        _("Someone else changed this while you were working on it. Reload the page."),
        code="conflict",
    )


def _bump(model: type[models.Model], pk: Any, expected_version: int, **values: Any) -> None:
    """Write `values` and advance the version, only if the row is still at `expected_version`
    (optimistic locking); a conflict otherwise."""
    rows = model._default_manager.filter(pk=pk, version=expected_version)
    if rows.update(version=F("version") + 1, **values) == 0:
        raise _conflict()


def _create_or_change(
    model: type[Any],
    row: Any,
    fields: Any,
    checked: dict[str, Any],
    expected_version: int | None,
    **create: Any,
) -> tuple[Any, dict[str, Any], str]:
    """A new row with `checked` (and `create`), or `row` changed from the version that was
    read: (the row, the changes to audit, "created" or "updated")."""
    if row is None:
        row = model.objects.create(**create, **checked)
        return row, snapshot(row, fields), "created"
    if expected_version is None:
        raise _conflict()
    before = snapshot(row, fields)
    _bump(model, row.pk, expected_version, **checked)
    row.refresh_from_db()
    return row, diff(before, snapshot(row, fields)), "updated"


# --- The plan ------------------------------------------------------------------------------


@transaction.atomic
def start_plan(*, acting_user: Any, case: Case) -> ReintegrationPlan:
    """The case's plan, created empty the first time (one plan per case)."""
    require_plan_work(acting_user, case)
    plan, created = ReintegrationPlan.objects.get_or_create(
        case=case, defaults={"created_by": acting_user}
    )
    if created:
        record(
            "reintegration.plan.created",
            actor=acting_user,
            organisation=case.organisation,
            target=plan,
            changes={"case_id": case.pk},
        )
    return plan


@transaction.atomic
def update_components(
    *, acting_user: Any, plan: ReintegrationPlan, expected_version: int, values: dict[str, Any]
) -> ReintegrationPlan:
    """Set the objectives and status of the economic, social and psychosocial components."""
    require_plan_work(acting_user, plan.case)
    changed = {name: values[name] for name in COMPONENT_FIELDS if name in values}
    for name, value in changed.items():
        if name.endswith("_status") and value not in ComponentStatus.values:
            raise invalid(name, _("Choose a status from the list."))
        if name.endswith("_objectives"):
            changed[name] = str(value).strip()
    before = snapshot(plan, list(changed))
    _bump(ReintegrationPlan, plan.pk, expected_version, **changed)
    plan.refresh_from_db()
    record(
        "reintegration.plan.updated",
        actor=acting_user,
        organisation=plan.case.organisation,
        target=plan,
        changes={"case_id": plan.case_id, **diff(before, snapshot(plan, list(changed)))},
        sensitive=_SENSITIVE,
    )
    return plan


@transaction.atomic
def link_project(
    *,
    acting_user: Any,
    plan: ReintegrationPlan,
    project: CommunityProject,
    expected_version: int,
    linked: bool = True,
) -> ReintegrationPlan:
    """Link the plan to a community project (or, with `linked=False`, remove the link)."""
    require_plan_work(acting_user, plan.case)
    _bump(ReintegrationPlan, plan.pk, expected_version)
    if linked:
        plan.community_projects.add(project)
    else:
        plan.community_projects.remove(project)
    plan.refresh_from_db()
    record(
        "reintegration.plan.project_linked" if linked else "reintegration.plan.project_unlinked",
        actor=acting_user,
        organisation=plan.case.organisation,
        target=plan,
        changes={"case_id": plan.case_id, "project_id": project.pk},
    )
    return plan


# --- Assistance items ----------------------------------------------------------------------


def _check_item(plan: ReintegrationPlan, values: dict[str, Any]) -> dict[str, Any]:
    """The item's values, checked and tidied; a ServiceError naming the field otherwise."""
    checked = {name: values.get(name) for name in ITEM_FIELDS}
    if checked["dimension"] not in Dimension.values:
        raise invalid("dimension", _("Choose the dimension the assistance serves."))
    if checked["assistance_type"] not in AssistanceType.values:
        raise invalid("assistance_type", _("Choose a type of assistance from the list."))
    if checked["status"] not in AssistanceStatus.values:
        raise invalid("status", _("Choose a status from the list."))
    provider = checked["provider"]
    if provider is not None and not isinstance(provider, Organisation):
        raise invalid("provider", _("Choose the provider from the directory."))
    referral = checked["referral"]
    if referral is not None and (
        not isinstance(referral, Referral) or referral.case_id != plan.case_id
    ):
        raise invalid("referral", _("Choose one of this case's referrals."))
    checked["in_kind"] = bool(checked["in_kind"])
    checked["currency"] = str(checked["currency"] or "").strip().upper()
    checked["in_kind_description"] = str(checked["in_kind_description"] or "").strip()
    checked["notes"] = str(checked["notes"] or "").strip()
    if checked["in_kind"]:
        if not checked["in_kind_description"]:
            raise invalid("in_kind_description", _("Say what is given in kind."))
        if checked["amount"] is not None:
            raise invalid("amount", _("Give either an amount or assistance in kind, not both."))
        checked["currency"] = ""
    else:
        amount = checked["amount"]
        if amount is None:
            raise invalid("amount", _("Give the amount, or mark the assistance as in kind."))
        if Decimal(amount) < 0:
            raise invalid("amount", _("The amount cannot be negative."))
        if not _CURRENCY.match(str(checked["currency"])):
            raise invalid("currency", _("Give the currency as a three-letter code (HTG, USD)."))
        checked["in_kind_description"] = ""
    for start, end in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
        first, last = checked[start], checked[end]
        if isinstance(first, date) and isinstance(last, date) and last < first:
            raise invalid(end, _("The end cannot come before the start."))
    return checked


@transaction.atomic
def save_item(
    *,
    acting_user: Any,
    plan: ReintegrationPlan,
    values: dict[str, Any],
    item: AssistanceItem | None = None,
    expected_version: int | None = None,
) -> AssistanceItem:
    """Add an assistance item to the plan, or change one (from the version that was read)."""
    require_plan_work(acting_user, plan.case)
    checked = _check_item(plan, values)
    if item is not None and item.plan_id != plan.pk:
        raise invalid("item", _("This assistance belongs to another plan."))
    item, changes, done = _create_or_change(
        AssistanceItem,
        item,
        ITEM_FIELDS,
        checked,
        expected_version,
        plan=plan,
        created_by=acting_user,
    )
    record(
        f"reintegration.assistance.{done}",
        actor=acting_user,
        organisation=plan.case.organisation,
        target=item,
        changes={"case_id": plan.case_id, **changes},
        sensitive=_SENSITIVE,
    )
    return item


# --- Community projects --------------------------------------------------------------------


@transaction.atomic
def save_project(
    *,
    acting_user: Any,
    values: dict[str, Any],
    project: CommunityProject | None = None,
    expected_version: int | None = None,
) -> CommunityProject:
    """Record a community project or change one. Projects are a shared list, not personal
    data: anyone who works on reintegration or configures it keeps it."""
    if not (has_capability(acting_user, WORK) or has_capability(acting_user, CONFIGURE)):
        require_capability(acting_user, WORK)
    checked = {name: values.get(name) for name in PROJECT_FIELDS}
    for name in ("name", "place", "admin_area", "description"):
        checked[name] = str(checked[name] or "").strip()
    if not checked["name"]:
        raise invalid("name", _("Give the project a name."))
    if not isinstance(checked["organisation"], Organisation):
        raise invalid("organisation", _("Choose the organisation that runs the project."))
    project, changes, done = _create_or_change(
        CommunityProject, project, PROJECT_FIELDS, checked, expected_version, created_by=acting_user
    )
    record(
        f"reintegration.project.{done}",
        actor=acting_user,
        organisation=project.organisation,
        target=project,
        changes=changes,
    )
    return project


def anonymise_case(case: Case) -> None:
    """Retention (cases.retention): a case past its retention period keeps, for statistics, its
    plan's statuses and assistance (type, dimension, provider, amounts, dates, status) and its
    survey rounds' indicator values and scores; it loses the free text people wrote about the
    person — objectives, notes, what was given in kind — and the raw answers and interviewer."""
    ReintegrationPlan.objects.filter(case=case).update(
        economic_objectives="", social_objectives="", psychosocial_objectives=""
    )
    AssistanceItem.objects.filter(plan__case=case).update(notes="")
    AssistanceItem.objects.filter(plan__case=case, in_kind=True).update(in_kind_description="—")
    SurveyRound.objects.filter(case=case).update(answers={}, interviewer="")
