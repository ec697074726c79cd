"""The reception procedures: from an arrival's profile to the steps owed to them, each with the
organisation responsible, a deadline and, where the rule says so, a referral. The checklist, the
entry point's board, the SOP document and its flowchart all read the same rules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from orienta.accounts.access import require_capability
from orienta.audit.services import Entry, record, record_many
from orienta.cases import services as case_services
from orienta.cases.models.choices import Urgency
from orienta.core.errors import ServiceError
from orienta.referrals import services as referral_services
from orienta.returns.choices import AgeGroup, Condition, Documents, SopStatus
from orienta.returns.models import Arrival, ArrivalStep, EntryPoint, SopRule, SopRuleSet

# A step due within this many minutes is an immediate need; within a day, a high one.
IMMEDIATE_MINUTES = 60
HIGH_MINUTES = 24 * 60


def conditions_of(arrival: Arrival, country: str) -> set[str]:
    """The profile conditions an arrival meets."""
    held = {Condition.EVERYONE}
    if arrival.is_child:
        held.add(Condition.CHILD)
    if arrival.unaccompanied_child:
        held.add(Condition.UNACCOMPANIED_CHILD)
    if arrival.documents == Documents.NONE:
        held.add(Condition.NO_DOCUMENTS)
    if arrival.nationality and arrival.nationality != country:
        held.add(Condition.FOREIGN_NATIONAL)
    if arrival.age_group == AgeGroup.OLDER:
        held.add(Condition.OLDER_PERSON)
    flags = {
        Condition.MEDICAL_EMERGENCY: arrival.medical_urgency,
        Condition.PREGNANT: arrival.pregnant,
        Condition.DISABILITY: arrival.disability,
        Condition.ABUSE_REPORTED: arrival.abuse_reported,
        Condition.CRIMINAL_RECORD: arrival.criminal_record_notice,
        Condition.REPEAT_RETURN: arrival.repeat_return,
    }
    held.update(condition for condition, flag in flags.items() if flag)
    return {str(c) for c in held}


def ruleset_in_force(country: str) -> SopRuleSet | None:
    return (
        SopRuleSet.objects.filter(country=country, status=SopStatus.IN_FORCE)
        .order_by("-version")
        .first()
    )


def rules_in_force(country: str) -> list[SopRule]:
    ruleset = ruleset_in_force(country)
    if ruleset is None:
        return []
    return list(ruleset.rules.select_related("responsible").order_by("position", "pk"))


def _urgency(minutes: int) -> str:
    if minutes <= IMMEDIATE_MINUTES:
        return Urgency.IMMEDIATE
    return Urgency.HIGH if minutes <= HIGH_MINUTES else Urgency.NORMAL


def apply(*, acting_user: Any, arrival: Arrival, country: str) -> list[ArrivalStep]:
    """The arrival's checklist. Called inside the check-in transaction. A rule naming a
    referral opens a need on the case and a draft referral to the responsible organisation,
    which the caseworker sends once consent and the agreement allow it: the gates are not
    bypassed at the border."""
    held = conditions_of(arrival, country)
    steps = [
        ArrivalStep(
            arrival=arrival,
            rule=rule,
            due_at=arrival.checked_in_at + timedelta(minutes=rule.deadline_minutes),
        )
        for rule in rules_in_force(country)
        if rule.condition in held
    ]
    for step in steps:
        rule = step.rule
        case = arrival.case
        if case is None or not (rule.referral_category and rule.responsible_id):
            continue
        if rule.responsible_id != case.organisation_id:
            need = case_services.add_need(
                acting_user=acting_user,
                case=case,
                term=rule.referral_category,
                urgency=_urgency(rule.deadline_minutes),
                note=rule.action_fr,
            )
            step.referral = referral_services.create(
                acting_user=acting_user,
                draft=referral_services.ReferralDraft(
                    case=case,
                    need=need,
                    organisation=rule.responsible,
                    note=_("Reception step: %(action)s") % {"action": rule.action_fr},
                ),
            )
    ArrivalStep.objects.bulk_create(steps)
    record_many(
        Entry(
            "returns.step.opened",
            actor=acting_user,
            organisation=arrival.organisation,
            target=step,
            changes={"rule": step.rule.code, "due_at": step.due_at.isoformat()},
        )
        for step in steps
    )
    return steps


@transaction.atomic
def complete_step(*, acting_user: Any, step: ArrivalStep, note: str = "") -> ArrivalStep:
    require_capability(acting_user, "returns.receive_arrivals", step.arrival.organisation_id)
    done = ArrivalStep.objects.filter(pk=step.pk, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=acting_user, note=note
    )
    if not done:
        raise ServiceError(_("This step was already marked done."), code="conflict")
    step.refresh_from_db()
    record(
        "returns.step.done",
        actor=acting_user,
        organisation=step.arrival.organisation,
        target=step,
        changes={"rule": step.rule.code, "note": note},
    )
    return step


def open_steps(entry_point: EntryPoint, steps: QuerySet[ArrivalStep]) -> QuerySet[ArrivalStep]:
    """The entry point's board: steps not done yet, the most overdue first."""
    return (
        steps.filter(arrival__movement__entry_point=entry_point, done_at__isnull=True)
        .select_related("rule", "rule__responsible", "arrival", "arrival__movement")
        .order_by("due_at", "pk")
    )
