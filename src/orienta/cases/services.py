"""Every change to a case goes through here: in a transaction, with its audit event, and with
the capability checked for the case's organisation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import has_capability, require_capability
from orienta.accounts.models import Membership
from orienta.accounts.roles import Role
from orienta.audit.services import record, snapshot
from orienta.cases import vulnerability
from orienta.cases.models import (
    BreakGlassGrant,
    Case,
    CaseNote,
    Consent,
    FamilyLink,
    Need,
    Person,
    Screening,
    ScreeningAnswer,
    ScreeningItem,
    Task,
)
from orienta.cases.models.choices import (
    CaseStatus,
    ClosureReason,
    ConsentGiver,
    ConsentPurpose,
    NeedStatus,
    Presence,
    SpecificNeed,
    Urgency,
)
from orienta.core.errors import ConflictError, ServiceError
from orienta.core.signals import changed
from orienta.directory.models import TaxonomyTerm


def _invalid(field_name: str, message: Any) -> ServiceError:
    return ServiceError(message, code="invalid", details={"field": field_name})


def _require_work(acting_user: Any, case: Case) -> None:
    require_capability(acting_user, "cases.work_cases", case.organisation_id)


def touch(case: Case, expected_version: int | None = None) -> None:
    """Advance the case's version; with `expected_version`, only if nobody changed it since the
    page was read (optimistic locking)."""
    rows = Case.objects.filter(pk=case.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if rows.update(version=F("version") + 1, updated_at=timezone.now()) == 0:
        raise ConflictError(
            _("Someone else changed this case while you were working on it. Reload the page."),
            code="conflict",
        )
    case.refresh_from_db(fields=["version", "updated_at"])


# --- Screening -----------------------------------------------------------------------------


@dataclass
class AnswerData:
    code: str
    present: str
    note: str = ""


@transaction.atomic
def record_screening(
    *,
    acting_user: Any,
    case: Case,
    answers: list[AnswerData],
    specific_needs: list[str],
    accompaniment: str = "",
) -> Screening:
    _require_work(acting_user, case)
    unknown_needs = set(specific_needs) - set(SpecificNeed.values)
    if unknown_needs:
        raise _invalid(
            "specific_needs",
            _("Unknown specific need: %(codes)s.") % {"codes": ", ".join(sorted(unknown_needs))},
        )
    items = {item.code: item for item in ScreeningItem.objects.filter(active=True)}
    for answer in answers:
        if answer.code not in items:
            raise _invalid(
                "answers", _("Unknown screening question: %(code)s.") % {"code": answer.code}
            )
        if answer.present not in Presence.values:
            raise _invalid("answers", _("Answer yes, no or not known."))
    facts = vulnerability.facts_from(
        age=case.person.age_on(case.opened_on),
        accompaniment=accompaniment,
        specific_needs=specific_needs,
        answers={a.code: a.present for a in answers},
        items={code: (item.polarity, item.implies_need) for code, item in items.items()},
    )
    assessment = vulnerability.assess(facts)
    screening = Screening.objects.create(
        case=case,
        screened_by=acting_user,
        specific_needs=sorted(facts.specific_needs),
        profile=assessment.profile,
        priority=assessment.priority,
        priority_reasons=assessment.profile,
        rules_version=vulnerability.RULES_VERSION,
    )
    ScreeningAnswer.objects.bulk_create(
        ScreeningAnswer(screening=screening, item=items[a.code], present=a.present, note=a.note)
        for a in answers
    )
    before = snapshot(case, ["priority", "profile"])
    case.priority = assessment.priority
    case.profile = assessment.profile
    case.priority_reasons = assessment.profile
    if case.status == CaseStatus.OPEN:
        case.status = CaseStatus.ACTIVE
    case.save(update_fields=["priority", "profile", "priority_reasons", "status", "updated_at"])
    touch(case)
    record(
        "cases.screening.recorded",
        actor=acting_user,
        organisation=case.organisation,
        target=screening,
        changes={
            "case_id": case.pk,
            "answers": len(answers),
            "priority": [before["priority"], assessment.priority],
            "profile": assessment.profile,
            "notes": "",
        },
        sensitive={"notes"},
    )
    return screening


# --- Needs ---------------------------------------------------------------------------------


def find_term(code_or_id: str) -> TaxonomyTerm:
    """A taxonomy term by code or id; an unknown one is a clear error, never a 500."""
    term = TaxonomyTerm.objects.filter(code=code_or_id).first()
    if term is None:
        try:
            term = TaxonomyTerm.objects.filter(pk=uuid.UUID(str(code_or_id))).first()
        except ValueError:
            term = None
    if term is None:
        raise _invalid(
            "term", _("Unknown need: %(code)s is not in the taxonomy.") % {"code": code_or_id}
        )
    return term


@transaction.atomic
def add_need(
    *, acting_user: Any, case: Case, term: str | TaxonomyTerm, urgency: str, note: str = ""
) -> Need:
    _require_work(acting_user, case)
    if isinstance(term, str):
        term = find_term(term)
    if urgency not in Urgency.values:
        raise _invalid("urgency", _("Choose an urgency: immediate, high or normal."))
    need = Need.objects.create(
        case=case, term=term, urgency=urgency, note=note, created_by=acting_user
    )
    touch(case)
    record(
        "cases.need.recorded",
        actor=acting_user,
        organisation=case.organisation,
        target=need,
        changes={"case_id": case.pk, "term": term.code, "urgency": urgency},
    )
    return need


@transaction.atomic
def set_need_status(*, acting_user: Any, need: Need, status: str) -> Need:
    _require_work(acting_user, need.case)
    if status not in NeedStatus.values:
        raise _invalid("status", _("Unknown status."))
    old = need.status
    need.status = status
    need.save(update_fields=["status"])
    touch(need.case)
    record(
        "cases.need.status_changed",
        actor=acting_user,
        organisation=need.case.organisation,
        target=need,
        changes={"status": [old, status]},
    )
    return need


# --- Consent -------------------------------------------------------------------------------


@dataclass
class ConsentData:
    purpose: str
    given_by: str
    method: str
    given_on: date
    expires_on: date | None = None
    giver_name: str = ""
    best_interests_reference: str = ""
    recipient_organisation: Any = None
    recipient_category: str = ""
    script_language: str = ""


def check_consent(case: Case, data: ConsentData) -> None:
    today = timezone.localdate()
    if data.given_on > today:
        raise _invalid("given_on", _("Consent cannot be dated in the future."))
    if data.expires_on is not None and data.expires_on < data.given_on:
        raise _invalid("expires_on", _("The consent expires before it was given."))
    names_nobody = data.recipient_organisation is None and not data.recipient_category
    if data.purpose in (ConsentPurpose.SHARING, ConsentPurpose.REFERRAL) and names_nobody:
        raise _invalid(
            "recipient_organisation",
            _("Name the organisation or the category of services this consent covers."),
        )
    if case.is_child and data.given_by == ConsentGiver.PERSON:
        raise _invalid(
            "given_by",
            _(
                "For a child, consent is given by a parent or guardian, or through a "
                "best-interests procedure."
            ),
        )
    if data.given_by == ConsentGiver.BEST_INTERESTS and not data.best_interests_reference:
        raise _invalid(
            "best_interests_reference", _("Give the reference of the best-interests procedure.")
        )
    guardian = data.given_by in (ConsentGiver.PARENT_OR_GUARDIAN, ConsentGiver.APPOINTED_GUARDIAN)
    if guardian and not data.giver_name.strip():
        raise _invalid("giver_name", _("Give the name of the parent or guardian."))


@transaction.atomic
def record_consent(*, acting_user: Any, case: Case, data: ConsentData) -> Consent:
    _require_work(acting_user, case)
    check_consent(case, data)
    consent = Consent.objects.create(case=case, recorded_by=acting_user, **data.__dict__)
    touch(case)
    record(
        "cases.consent.recorded",
        actor=acting_user,
        organisation=case.organisation,
        target=consent,
        changes=snapshot(
            consent,
            [
                "purpose",
                "given_by",
                "method",
                "given_on",
                "expires_on",
                "recipient_organisation",
                "recipient_category",
                "giver_name",
            ],
        ),
        sensitive={"giver_name"},
    )
    return consent


@transaction.atomic
def withdraw_consent(*, acting_user: Any, consent: Consent, note: str = "") -> Consent:
    _require_work(acting_user, consent.case)
    if consent.withdrawn_at is not None:
        return consent
    consent.withdrawn_at = timezone.now()
    consent.withdrawal_note = note
    consent.save(update_fields=["withdrawn_at", "withdrawal_note"])
    touch(consent.case)
    record(
        "cases.consent.withdrawn",
        actor=acting_user,
        organisation=consent.case.organisation,
        target=consent,
        changes={"purpose": consent.purpose, "withdrawn_at": consent.withdrawn_at},
    )
    return consent


# --- Notes and tasks -----------------------------------------------------------------------


@transaction.atomic
def add_note(
    *, acting_user: Any, case: Case, body: str, topic: str, confidentiality: str
) -> CaseNote:
    _require_work(acting_user, case)
    if not body.strip():
        raise _invalid("body", _("The note is empty."))
    note = CaseNote.objects.create(
        case=case, author=acting_user, body=body, topic=topic, confidentiality=confidentiality
    )
    touch(case)
    record(
        "cases.note.added",
        actor=acting_user,
        organisation=case.organisation,
        target=note,
        changes={"topic": topic, "confidentiality": confidentiality, "body": ""},
        sensitive={"body"},
    )
    return note


@transaction.atomic
def add_task(
    *, acting_user: Any, case: Case, title: str, due_on: date | None, assigned_to: Any = None
) -> Task:
    _require_work(acting_user, case)
    if not title.strip():
        raise _invalid("title", _("Say what is to be done."))
    task = Task.objects.create(
        case=case,
        title=title,
        due_on=due_on,
        assigned_to=assigned_to or acting_user,
        created_by=acting_user,
    )
    touch(case)
    record(
        "cases.task.added",
        actor=acting_user,
        organisation=case.organisation,
        target=task,
        changes=snapshot(task, ["title", "due_on", "assigned_to"]),
    )
    return task


@transaction.atomic
def complete_task(*, acting_user: Any, task: Task) -> Task:
    _require_work(acting_user, task.case)
    if task.done_at is None:
        task.done_at = timezone.now()
        task.save(update_fields=["done_at"])
        touch(task.case)
        record(
            "cases.task.done",
            actor=acting_user,
            organisation=task.case.organisation,
            target=task,
            changes={"done_at": task.done_at},
        )
    return task


# --- Status, assignment, emergency access --------------------------------------------------


@transaction.atomic
def change_status(
    *,
    acting_user: Any,
    case: Case,
    status: str,
    expected_version: int,
    closure_reason: str = "",
) -> Case:
    _require_work(acting_user, case)
    allowed = {
        CaseStatus.OPEN: {CaseStatus.ACTIVE, CaseStatus.CLOSED},
        CaseStatus.ACTIVE: {CaseStatus.CLOSED},
        CaseStatus.CLOSED: {CaseStatus.ACTIVE},  # reopened
    }
    if status not in allowed[CaseStatus(case.status)]:
        raise _invalid(
            "status",
            _("A case cannot go from %(old)s to %(new)s.")
            % {"old": case.get_status_display(), "new": CaseStatus(status).label},
        )
    if status == CaseStatus.CLOSED and closure_reason not in ClosureReason.values:
        raise _invalid("closure_reason", _("Give the reason for closing the case."))
    touch(case, expected_version)
    old = case.status
    case.status = status
    case.closure_reason = closure_reason if status == CaseStatus.CLOSED else ""
    case.closed_at = timezone.now() if status == CaseStatus.CLOSED else None
    case.save(update_fields=["status", "closure_reason", "closed_at"])
    record(
        "cases.case.status_changed",
        actor=acting_user,
        organisation=case.organisation,
        target=case,
        changes={"status": [old, status], "closure_reason": case.closure_reason},
    )
    return case


def assignable_users(case: Case) -> list[Any]:
    """Members of the owning organisation who may work on cases."""
    from orienta.accounts.models import User

    roles = [Role.CASEWORKER, Role.CASE_SUPERVISOR, Role.RECEPTION_OFFICER]
    if case.is_child:
        roles = [Role.CASEWORKER, Role.CASE_SUPERVISOR]
    ids = Membership.objects.filter(organisation_id=case.organisation_id, role__in=roles).values(
        "user_id"
    )
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "email"))


@transaction.atomic
def assign(*, acting_user: Any, case: Case, assignee: Any, expected_version: int) -> Case:
    require_capability(acting_user, "cases.view_caseload", case.organisation_id)
    if assignee is not None and assignee not in assignable_users(case):
        raise _invalid("assigned_to", _("This person cannot work on this case."))
    touch(case, expected_version)
    old = case.assigned_to_id
    case.assigned_to = assignee
    case.save(update_fields=["assigned_to"])
    record(
        "cases.case.assigned",
        actor=acting_user,
        organisation=case.organisation,
        target=case,
        changes={"assigned_to_id": [old, getattr(assignee, "pk", None)]},
    )
    return case


@transaction.atomic
def break_glass(*, acting_user: Any, case: Case, reason: str) -> BreakGlassGrant:
    """Open a case one is not assigned to, for a limited time. Only within one's organisation,
    never a child's case without child protection, and always told to the supervisors."""
    require_capability(acting_user, "cases.break_glass", case.organisation_id)
    if case.is_child and not has_capability(
        acting_user, "cases.view_child_cases", case.organisation_id
    ):
        raise ServiceError(
            _("Children's cases are open to child-protection staff only."), code="forbidden"
        )
    if len(reason.strip()) < 15:
        raise _invalid("reason", _("Write the reason in a full sentence (15 characters at least)."))
    hours = settings.ORIENTA_BREAK_GLASS_HOURS
    grant = BreakGlassGrant.objects.create(
        case=case,
        user=acting_user,
        reason=reason.strip(),
        expires_at=timezone.now() + timedelta(hours=hours),
    )
    record(
        "cases.case.break_glass",
        actor=acting_user,
        organisation=case.organisation,
        target=case,
        changes={"reason": grant.reason, "expires_at": grant.expires_at, "hours": hours},
    )
    transaction.on_commit(lambda: _tell_supervisors(grant))
    return grant


def _tell_supervisors(grant: BreakGlassGrant) -> None:
    from orienta.core.mail import absolute_url, send_templated_mail

    supervisors = Membership.objects.filter(
        organisation_id=grant.case.organisation_id, role=Role.CASE_SUPERVISOR
    ).select_related("user")
    for membership in supervisors:
        user = membership.user
        if not user.is_active or user == grant.user:
            continue
        send_templated_mail.enqueue(
            to=user.email,
            template="cases/email/break_glass",
            context={
                "who": grant.user.full_name or grant.user.email,
                "reference": grant.case.reference,
                "reason": grant.reason,
                "expires_at": grant.expires_at.isoformat(timespec="minutes"),
                "url": absolute_url(f"/cases/{grant.case.pk}/"),
            },
            language=user.language or "",
        )


# -- merging persons (identity resolution calls these; the merge itself is recorded there) ---


def _person_relations() -> list[Any]:
    """The columns of other tables that point at a person and belong to the person's file:
    every app's, so that a later table (referrals…) moves with a merge without a change here.
    Identity resolution's own tables (keys, queue, merges) and the merge pointer stay."""
    relations = Person._meta.get_fields(include_hidden=True)  # hidden: related_name="+"
    return [
        relation.field  # type: ignore[union-attr]
        for relation in relations
        if relation.one_to_many
        and relation.related_model is not Person
        and relation.related_model._meta.app_label != "identity"  # type: ignore[union-attr]
    ]


def fold_person_into(
    *, acting_user: Any, merged: Person, survivor: Person
) -> tuple[dict[str, dict[str, list[Any]]], dict[str, Any]]:
    """Move what hangs on `merged` to `survivor`, keep `merged`'s names as the survivor's
    other names, and mark `merged` as merged. Returns what was moved ({table: {column: [row
    ids]}}) and the survivor's fields before, for `restore_person`."""
    require_capability(acting_user, "cases.resolve_duplicates", survivor.organisation_id)
    if merged.organisation_id != survivor.organisation_id or merged.pk == survivor.pk:
        raise ServiceError(_("Only two persons of one registry can be merged."), code="invalid")
    moved: dict[str, dict[str, list[Any]]] = {}
    for field in _person_relations():
        model = field.model
        rows = model._default_manager.filter(**{field.name: merged})
        if model is FamilyLink:
            # A link to the survivor, or to a relative the survivor is already linked with,
            # would break the links' constraints: those stay on the merged record.
            other = "relative" if field.name == "person" else "person"
            taken = FamilyLink.objects.filter(**{field.name: survivor}).values(other)
            rows = rows.exclude(**{other: survivor}).exclude(**{f"{other}__in": taken})
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            model._default_manager.filter(pk__in=ids).update(**{field.name: survivor})
            changed(model, ids)
            moved.setdefault(model._meta.label_lower, {})[field.name] = [str(i) for i in ids]
    before = {"other_names": list(survivor.other_names)}
    spelling = f"{merged.given_name} {merged.family_name}".strip()
    names = [*survivor.other_names, *merged.other_names]
    if spelling and spelling != f"{survivor.given_name} {survivor.family_name}".strip():
        names.append(spelling)
    survivor.other_names = list(dict.fromkeys(names))
    survivor.save(update_fields=["other_names", "updated_at"])
    merged.merged_into = survivor
    merged.save(update_fields=["merged_into", "updated_at"])
    return moved, before


def restore_person(
    *,
    acting_user: Any,
    merged: Person,
    survivor: Person,
    moved: dict[str, dict[str, list[Any]]],
    survivor_before: dict[str, Any],
) -> None:
    """Undo `fold_person_into`: every moved row back to `merged`, the survivor's fields as they
    were, and `merged` a person of its own again."""
    require_capability(acting_user, "cases.resolve_duplicates", survivor.organisation_id)
    fields = {(f.model._meta.label_lower, f.name): f for f in _person_relations()}
    for label, columns in moved.items():
        for column, ids in columns.items():
            field = fields[(label, column)]
            field.model._default_manager.filter(pk__in=ids).update(**{column: merged})
            changed(field.model, ids)
    for name, value in survivor_before.items():
        setattr(survivor, name, value)
    survivor.save(update_fields=[*survivor_before, "updated_at"])
    merged.merged_into = None
    merged.save(update_fields=["merged_into", "updated_at"])
