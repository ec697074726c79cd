"""The returns API: movements, manifests, arrivals, and the advance-list endpoint.

The same scoping, capabilities and services as the pages: objects come through the scoped
querysets (404 for what the caller may not see), and every change goes through the services,
which check `returns.receive_arrivals` in the movement's organisation and audit it. The
advance-list endpoint alone is called with an advance-list token instead of a user's token."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError as ModelValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from ninja.security import HttpBearer
from pydantic import field_validator

from orienta.accounts.access import get_object_for_user, has_capability, scope_for
from orienta.api.auth import capability
from orienta.audit.services import record
from orienta.core.errors import ServiceError
from orienta.directory.models import Organisation
from orienta.returns import checkin, importing, services, sop
from orienta.returns import manifest as reading
from orienta.returns.choices import (
    Accompaniment,
    AgeGroup,
    AssistanceKind,
    Documents,
    Mode,
    MovementStatus,
    RowStatus,
)
from orienta.returns.models import (
    Arrival,
    ArrivalStep,
    Assistance,
    EntryPoint,
    ListToken,
    Manifest,
    ManifestRow,
    Movement,
)

router = Router(tags=["returns"])

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
ROW_PAGE_SIZE = 200
MAX_ROW_PAGE_SIZE = 1_000
MAX_FILE_BYTES = 20 * 1024 * 1024
LOCAL_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$"
TIME_HELP = (
    "Local time on the entry point's clock (YYYY-MM-DDTHH:MM) or an ISO time with its offset"
)
# The columns an advance list sent as data is written with: `manifest.guess_mapping` knows them.
CANONICAL_COLUMNS = (
    "family_name",
    "given_name",
    "sex",
    "birth_date",
    "nationality",
    "document_number",
)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _invalid(field_name: str, message: str) -> ServiceError:
    return ServiceError(message, code="invalid", details={"field": field_name})


# --- Schemas -------------------------------------------------------------------------------


class MovementOut(Schema):
    id: UUID
    organisation_id: UUID
    reference: str
    mode: Mode
    origin_country: str
    entry_point: str = Field(..., alias="entry_point.code")
    scheduled_at: datetime
    scheduled_local: str = Field(
        ..., description="The scheduled arrival on the entry point's clock (YYYY-MM-DDTHH:MM)"
    )
    announced_headcount: int | None
    notice_received_at: datetime | None
    list_received_at: datetime | None
    arrived_at: datetime | None
    actual_headcount: int | None
    status: MovementStatus
    consular_access_refused: bool
    notes: str
    created_at: datetime
    version: int

    @staticmethod
    def resolve_scheduled_local(movement: Movement) -> str:
        return movement.local(movement.scheduled_at).strftime("%Y-%m-%dT%H:%M")


class MovementPage(Schema):
    items: list[MovementOut]
    next_cursor: str = Field(..., description="Pass as `after` for the next page; empty at end")


class ReconciliationOut(Schema):
    listed: int = Field(..., description="Accepted rows on the lists")
    arrived: int = Field(..., description="Arrivals checked in")
    absent: int = Field(..., description="Listed persons not checked in")
    absent_row_ids: list[int]
    not_listed: int = Field(..., description="Arrivals who were not on a list")
    matches: bool


class ManifestOut(Schema):
    id: int
    source: str
    file_name: str
    uploaded_at: datetime
    rows_total: int
    rows_rejected: int


class MovementDetailOut(MovementOut):
    reconciliation: ReconciliationOut
    manifests: list[ManifestOut]

    @staticmethod
    def resolve_manifests(movement: Movement) -> list[Manifest]:
        return list(movement.manifests.all())


class MovementIn(Schema):
    organisation: UUID | None = Field(
        None, description="The receiving organisation, when you act for several"
    )
    reference: str = Field("", max_length=80, description="Flight, boat or convoy")
    mode: Mode
    origin_country: str = Field(..., min_length=2, max_length=2, description="e.g. DO")
    entry_point: str = Field(..., max_length=30, description="Entry point code, e.g. HT-MALPASSE")
    scheduled_at: str = Field(..., max_length=40, description=TIME_HELP)
    announced_headcount: int | None = Field(None, ge=0)
    notice_received_at: str | None = Field(None, max_length=40, description=TIME_HELP)
    list_received_at: str | None = Field(None, max_length=40, description=TIME_HELP)
    consular_access_refused: bool = False
    notes: str = Field("", max_length=4000)


class MovementPatch(Schema):
    version: int = Field(..., description="The version read: a stale one is refused with 409")
    reference: str | None = Field(None, max_length=80)
    mode: Mode | None = None
    origin_country: str | None = Field(None, min_length=2, max_length=2)
    entry_point: str | None = Field(None, max_length=30)
    scheduled_at: str | None = Field(None, max_length=40, description=TIME_HELP)
    announced_headcount: int | None = Field(None, ge=0)
    notice_received_at: str | None = Field(None, max_length=40, description=TIME_HELP)
    list_received_at: str | None = Field(None, max_length=40, description=TIME_HELP)
    arrived_at: str | None = Field(None, max_length=40, description=TIME_HELP)
    actual_headcount: int | None = Field(None, ge=0)
    status: MovementStatus | None = None
    consular_access_refused: bool | None = None
    notes: str | None = Field(None, max_length=4000)


class ProblemOut(Schema):
    row: int = Field(..., description="As in the file: the header is row 1")
    column: str = Field(..., description="The column as written in the file; empty for the row")
    reason: str


class RejectedRowOut(ProblemOut):
    row_id: int = Field(..., description="Fix it with PATCH /returns/rows/{row_id}")


class ImportOut(Schema):
    manifest_id: int
    accepted: int
    rejected: int
    already_listed: int
    repeat_returns: int
    rejected_rows: list[RejectedRowOut]


class RowProblemOut(Schema):
    column: str
    reason: str


class RowOut(Schema):
    id: int
    manifest_id: int
    movement_id: UUID
    row: int = Field(..., alias="row_number")
    status: RowStatus
    cells: dict[str, str]
    problems: list[RowProblemOut]
    family_name: str
    given_name: str
    sex: str
    birth_date: date | None
    nationality: str
    document_number: str
    repeat_return: bool
    arrived: bool

    @staticmethod
    def resolve_problems(row: ManifestRow) -> list[dict[str, str]]:
        return [
            {"column": p.get("column", ""), "reason": p.get("message", "")} for p in row.problems
        ]

    @staticmethod
    def resolve_arrived(row: ManifestRow) -> bool:
        return hasattr(row, "arrival")  # the reverse one-to-one is missing until check-in


class RowPage(Schema):
    items: list[RowOut]
    next_cursor: str = Field(..., description="Pass as `after` for the next page; empty at end")


class RowFixIn(Schema):
    cells: dict[str, str] = Field(
        ...,
        min_length=1,
        description="New text by column title as in the file (or by field name, e.g. birth_date)",
    )


class StepOut(Schema):
    id: int
    rule: str = Field(..., alias="rule.code")
    action: str
    responsible: str
    responsible_organisation_id: UUID | None = Field(..., alias="rule.responsible_id")
    due_at: datetime
    done_at: datetime | None
    overdue: bool
    referral_id: UUID | None
    note: str

    @staticmethod
    def resolve_action(step: ArrivalStep) -> str:
        return step.rule.action

    @staticmethod
    def resolve_responsible(step: ArrivalStep) -> str:
        rule = step.rule
        if rule.responsible is not None:
            return rule.responsible.acronym or rule.responsible.name
        return rule.responsible_name

    @staticmethod
    def resolve_overdue(step: ArrivalStep) -> bool:
        return step.overdue()


class AssistanceOut(Schema):
    id: int
    arrival_id: UUID
    kind: AssistanceKind
    quantity: int
    amount: Decimal | None
    given_at: datetime


class ArrivalOut(Schema):
    id: UUID
    movement_id: UUID
    listed_id: int | None
    person_id: UUID | None
    case_id: UUID | None
    checked_in_at: datetime
    age_group: AgeGroup
    sex: str
    accompaniment: Accompaniment
    documents: Documents
    nationality: str
    medical_urgency: bool
    pregnant: bool
    disability: bool
    abuse_reported: bool
    detention_days: int | None
    family_separated: bool
    criminal_record_notice: bool
    removal_order_received: bool | None
    belongings_returned: bool | None
    child_protection_handover: bool
    repeat_return: bool
    steps: list[StepOut]
    assistance: list[AssistanceOut]

    @staticmethod
    def resolve_steps(arrival: Arrival) -> list[ArrivalStep]:
        return list(arrival.steps.all())

    @staticmethod
    def resolve_assistance(arrival: Arrival) -> list[Assistance]:
        return list(arrival.assistance.all())


class ArrivalIn(Schema):
    """The quick profile asked at the desk (`checkin.Profile`)."""

    listed: int | None = Field(None, description="The row of this movement's list they are")
    accompanied_by: UUID | None = Field(
        None, description="For a child with family: the arrival of the adult, checked in first"
    )
    age_group: AgeGroup
    accompaniment: Accompaniment
    documents: Documents
    given_name: str = Field("", max_length=150)
    family_name: str = Field("", max_length=150)
    sex: str = Field("unknown", max_length=10)
    birth_date: date | None = None
    stated_age: int | None = Field(None, ge=0, le=120)
    nationality: str = Field("", max_length=2)
    medical_urgency: bool = False
    pregnant: bool = False
    disability: bool = False
    abuse_reported: bool = False
    detention_days: int | None = Field(None, ge=0, le=10_000)
    family_separated: bool = False
    criminal_record_notice: bool = False
    removal_order_received: bool | None = None
    belongings_returned: bool | None = None
    child_protection_handover: bool = False
    registration_consent: bool = Field(
        True, description="Without it the arrival is received, not registered"
    )
    best_interests_reference: str = Field("", max_length=120)
    same_person: bool = Field(
        True, description="The desk confirmed a repeat returnee is the person registered"
    )


class AssistanceIn(Schema):
    kind: AssistanceKind
    quantity: int = Field(1, ge=1, le=1_000)
    amount: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)


class StepDoneIn(Schema):
    note: str = Field("", max_length=2000)


class ListTokenOut(Schema):
    id: int
    organisation_id: UUID
    name: str
    origin_country: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    usable: bool = Field(
        ...,
        description=(
            "Lists sent with it are imported as the person who issued it: false when they no "
            "longer receive arrivals in the organisation (issue a new token)"
        ),
    )


class NewListTokenOut(ListTokenOut):
    token: str = Field(..., description="Shown once: only its hash is kept")


class ListTokenIn(Schema):
    organisation: UUID | None = Field(
        None, description="The receiving organisation, when you act for several"
    )
    name: str = Field(..., max_length=200, description="Who the token is for")
    origin_country: str = Field(..., min_length=2, max_length=2, description="e.g. DO")


class AdvanceListPersonIn(Schema):
    family_name: str = Field(..., min_length=1, max_length=150, pattern=r"\S")
    given_name: str = Field("", max_length=150)
    sex: str = Field("", max_length=20, description="F, M, or the word (female, masculino…)")
    birth_date: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD")
    nationality: str = Field("", max_length=60, description="Country code (HT) or the word")
    document_number: str = Field("", max_length=60)


class AdvanceListIn(Schema):
    """An advance list sent as data by the authorities of the deporting state or a partner."""

    reference: str = Field(..., max_length=80, description="Flight, boat or convoy")
    mode: Mode
    entry_point: str = Field(..., min_length=1, max_length=30, description="e.g. HT-MALPASSE")
    scheduled_arrival: str = Field(
        ..., pattern=LOCAL_TIME, description="Local time on the entry point's clock"
    )
    headcount: int | None = Field(None, ge=0, le=reading.MAX_ROWS)
    persons: list[AdvanceListPersonIn] = Field(..., min_length=1, max_length=reading.MAX_ROWS)

    @field_validator("scheduled_arrival")
    @classmethod
    def _a_real_time(cls, value: str) -> str:
        datetime.fromisoformat(value)  # raises ValueError (→ 422) for 2025-02-30T10:00
        return value


class AdvanceListOut(Schema):
    movement_id: UUID
    created: bool = Field(..., description="False when the list joined a movement on record")
    accepted: int
    rejected: int
    already_listed: int
    rejected_rows: list[ProblemOut] = Field(
        ..., description="Row 2 is the first person (persons[0]), as on a file"
    )


# --- Helpers -------------------------------------------------------------------------------


def _organisation_for(user: Any, capability_name: str, chosen: UUID | None) -> Organisation:
    """The caller's organisation holding the capability: the one chosen, or the only one."""
    scope = scope_for(user, capability_name)
    if chosen is not None:
        return get_object_or_404(scope.apply(Organisation.objects.all(), "pk"), pk=chosen)
    if scope.everywhere or len(scope.organisation_ids) != 1:
        raise _invalid(
            "organisation", _("You act for several organisations: say which one (organisation).")
        )
    return Organisation.objects.get(pk=next(iter(scope.organisation_ids)))


def _entry_point(code: str, field_name: str = "entry_point") -> EntryPoint:
    found = EntryPoint.objects.filter(code__iexact=code.strip()).first()
    if found is None:
        raise _invalid(field_name, _("Unknown entry point “%(code)s”.") % {"code": code})
    return found


def _moment(entry_point: EntryPoint, text: str | None, field_name: str) -> datetime | None:
    if text is None or not text.strip():
        return None
    try:
        return services.local_moment(entry_point, text.strip())
    except ServiceError as error:
        error.details = {"field": field_name}
        raise


def _movements(user: Any) -> QuerySet[Movement]:
    return Movement.objects.visible_to(user).select_related("entry_point")


def _movement(request: HttpRequest, movement_id: UUID) -> Movement:
    return get_object_for_user(
        Movement.objects.select_related("entry_point"), request.user, pk=movement_id
    )


def _encode(movement: Movement) -> str:
    micros = (movement.scheduled_at - EPOCH) // timedelta(microseconds=1)
    return f"{micros}_{movement.pk}"


def _seek(rows: QuerySet[Movement], after: str) -> QuerySet[Movement]:
    """Movements after the cursor, latest scheduled first (all of them for a bad cursor)."""
    micros, _sep, pk = after.partition("_")
    try:
        moment, key = EPOCH + timedelta(microseconds=int(micros)), UUID(pk)
    except (ValueError, OverflowError):
        return rows
    return rows.filter(scheduled_at__lte=moment).filter(Q(scheduled_at__lt=moment) | Q(pk__lt=key))


def _on_local_days(
    rows: QuerySet[Movement], first: date | None, last: date | None
) -> QuerySet[Movement]:
    """Movements scheduled between two days, each day read on its entry point's clock."""
    if first is None and last is None:
        return rows
    wanted = Q(pk__in=[])
    for name in EntryPoint.objects.values_list("time_zone", flat=True).distinct():
        zone = ZoneInfo(name)
        where = Q(entry_point__time_zone=name)
        if first is not None:
            where &= Q(scheduled_at__gte=datetime.combine(first, datetime.min.time(), zone))
        if last is not None:
            end = last + timedelta(days=1)
            where &= Q(scheduled_at__lt=datetime.combine(end, datetime.min.time(), zone))
        wanted |= where
    return rows.filter(wanted)


def _detail(movement: Movement) -> Movement:
    """The movement with its reconciliation, for `MovementDetailOut`."""
    found = importing.reconcile(movement)
    movement.reconciliation = {  # type: ignore[attr-defined]
        "listed": found.listed,
        "arrived": found.arrived,
        "absent": len(found.absent),
        "absent_row_ids": [row.pk for row in found.absent],
        "not_listed": found.not_listed,
        "matches": found.matches,
    }
    return movement


def _data_of(movement: Movement) -> services.MovementData:
    return services.MovementData(
        **{
            name: getattr(movement, name)
            for name in services.MOVEMENT_FIELDS
            if name != "entry_point_id"
        },
        entry_point=movement.entry_point,
    )


def _unusable(error: reading.UnusableFileError) -> ServiceError:
    return ServiceError(
        _("This file cannot be read as a list: nothing was imported."),
        code="unusable_file",
        details={
            "problems": [
                {"row": p.row, "column": p.column, "reason": str(p.message)} for p in error.problems
            ]
        },
    )


def _rejected_rows(manifest: Manifest) -> list[dict[str, Any]]:
    return [
        {
            "row_id": row.pk,
            "row": row.row_number,
            "column": problem.get("column", ""),
            "reason": problem.get("message", ""),
        }
        for row in manifest.rows.filter(status=RowStatus.REJECTED).order_by("row_number", "pk")
        for problem in row.problems
    ]


def _arrivals(user: Any) -> QuerySet[Arrival]:
    steps = ArrivalStep.objects.select_related("rule__responsible").order_by("rule__position", "pk")
    return Arrival.objects.visible_to(user).prefetch_related(
        Prefetch("steps", queryset=steps), "assistance"
    )


def _with_usable(tokens: list[ListToken]) -> list[ListToken]:
    """Mark whether each token's issuer can still receive the lists sent with it (one check
    per issuer, not per token)."""
    issuers: dict[Any, Any] = {}
    for token in tokens:
        issuer = issuers.setdefault(token.created_by_id, token.created_by)
        token.usable = _issuer_may_receive(issuer, token)  # type: ignore[attr-defined]
    return tokens


def _issuer_may_receive(issuer: Any, token: ListToken) -> bool:
    return issuer is not None and has_capability(
        issuer, "returns.receive_arrivals", token.organisation_id
    )


# --- Movements -----------------------------------------------------------------------------


@router.get("/movements", response=MovementPage, summary="Movements the caller may see")
@capability("returns.view_movements")
def list_movements(
    request: HttpRequest,
    entry_point: str = "",
    status: MovementStatus | None = None,
    origin: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    after: str = "",
    limit: int = PAGE_SIZE,
) -> dict[str, Any]:
    rows = _movements(request.user)
    if entry_point:
        rows = rows.filter(entry_point__code__iexact=entry_point.strip())
    if status:
        rows = rows.filter(status=status)
    if origin:
        rows = rows.filter(origin_country=origin.strip().upper())
    rows = _on_local_days(rows, date_from, date_to)
    size = max(1, min(limit, MAX_PAGE_SIZE))
    found = list(_seek(rows, after).order_by("-scheduled_at", "-pk")[: size + 1])
    more = len(found) > size
    found = found[:size]
    return {"items": found, "next_cursor": _encode(found[-1]) if more and found else ""}


@router.post("/movements", response={201: MovementDetailOut}, summary="Record a movement")
@capability("returns.receive_arrivals")
def create_movement(request: HttpRequest, payload: MovementIn) -> Status[Any]:
    organisation = _organisation_for(request.user, "returns.receive_arrivals", payload.organisation)
    point = _entry_point(payload.entry_point)
    scheduled = _moment(point, payload.scheduled_at, "scheduled_at")
    if scheduled is None:
        raise _invalid("scheduled_at", _("Give the scheduled arrival."))
    movement = services.record_movement(
        acting_user=request.user,
        organisation=organisation,
        data=services.MovementData(
            mode=str(payload.mode),
            origin_country=payload.origin_country,
            entry_point=point,
            scheduled_at=scheduled,
            reference=payload.reference.strip(),
            announced_headcount=payload.announced_headcount,
            notice_received_at=_moment(point, payload.notice_received_at, "notice_received_at"),
            list_received_at=_moment(point, payload.list_received_at, "list_received_at"),
            consular_access_refused=payload.consular_access_refused,
            notes=payload.notes,
        ),
    )
    return Status(201, _detail(movement))


@router.get(
    "/movements/{movement_id}",
    response=MovementDetailOut,
    summary="A movement, its lists, and who came compared with who was listed",
)
@capability("returns.view_movements")
def get_movement(request: HttpRequest, movement_id: UUID) -> Movement:
    return _detail(_movement(request, movement_id))


# Fields a PATCH may change but not empty (null): the others (headcounts, times) may be.
REQUIRED = (
    "mode",
    "origin_country",
    "entry_point",
    "scheduled_at",
    "status",
    "reference",
    "notes",
    "consular_access_refused",
)
TIMES = ("scheduled_at", "notice_received_at", "list_received_at", "arrived_at")


@router.patch(
    "/movements/{movement_id}",
    response=MovementDetailOut,
    summary="Change a movement (only the fields sent; 409 if someone changed it first)",
)
@capability("returns.receive_arrivals")
def update_movement(request: HttpRequest, movement_id: UUID, payload: MovementPatch) -> Movement:
    movement = _movement(request, movement_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    for name in REQUIRED:
        if name in changes and changes[name] is None:
            raise _invalid(name, _("This field cannot be emptied."))
    data = _data_of(movement)
    if "entry_point" in changes:
        data.entry_point = _entry_point(changes.pop("entry_point"))
    for name in TIMES:
        if name in changes:
            setattr(data, name, _moment(data.entry_point, changes.pop(name), name))
    for name, value in changes.items():
        if name in ("mode", "status"):
            value = str(value)
        elif isinstance(value, str) and name != "notes":
            value = value.strip()
        setattr(data, name, value)
    updated = services.update_movement(
        acting_user=request.user, movement=movement, data=data, expected_version=version
    )
    return _detail(_movement(request, updated.pk))


# --- Manifests and their rows ------------------------------------------------------------


@router.post(
    "/movements/{movement_id}/manifests",
    response={201: ImportOut},
    summary="Import a list (CSV or XLSX): every row checked, kept and pre-registered",
)
@capability("returns.receive_arrivals")
def upload_manifest(
    request: HttpRequest,
    movement_id: UUID,
    file: File[UploadedFile],
    source: Form[str] = "",
) -> Status[Any]:
    movement = _movement(request, movement_id)
    if file.size is not None and file.size > MAX_FILE_BYTES:
        raise _invalid("file", _("The file is too large: split the list."))
    try:
        result = importing.import_manifest(
            acting_user=request.user,
            movement=movement,
            name=file.name or "list.csv",
            data=file.read(),
            source=source[:120],
        )
    except reading.UnusableFileError as error:
        raise _unusable(error) from None
    return Status(
        201,
        {
            "manifest_id": result.manifest.pk,
            "accepted": result.accepted,
            "rejected": result.rejected,
            "already_listed": result.already_listed,
            "repeat_returns": result.repeat_returns,
            "rejected_rows": _rejected_rows(result.manifest),
        },
    )


@router.get(
    "/movements/{movement_id}/rows",
    response=RowPage,
    summary="The persons on a movement's lists, in the order read",
)
@capability("returns.view_movements")
def list_rows(
    request: HttpRequest,
    movement_id: UUID,
    status: RowStatus | None = None,
    after: str = "",
    limit: int = ROW_PAGE_SIZE,
) -> dict[str, Any]:
    movement = _movement(request, movement_id)
    rows = ManifestRow.objects.visible_to(request.user).filter(movement=movement)
    if status:
        rows = rows.filter(status=status)
    if after.isdecimal():
        rows = rows.filter(pk__gt=int(after))
    size = max(1, min(limit, MAX_ROW_PAGE_SIZE))
    found = list(rows.select_related("arrival").order_by("pk")[: size + 1])
    more = len(found) > size
    found = found[:size]
    return {"items": found, "next_cursor": str(found[-1].pk) if more and found else ""}


@router.patch(
    "/rows/{row_id}",
    response=RowOut,
    summary="Correct a rejected row's cells: checked again, pre-registered once accepted",
)
@capability("returns.receive_arrivals")
def fix_row(request: HttpRequest, row_id: int, payload: RowFixIn) -> ManifestRow:
    row = get_object_for_user(
        ManifestRow.objects.select_related("manifest", "movement__entry_point"),
        request.user,
        pk=row_id,
    )
    mapping = row.manifest.mapping or {}
    columns = set(row.cells) | set(mapping.values())
    cells: dict[str, str] = {}
    for key, text in payload.cells.items():
        title = key if key in columns else mapping.get(key)
        if title is None:
            raise ServiceError(
                _("“%(column)s” is not a column of this list.") % {"column": key},
                code="invalid",
                details={"field": "cells", "column": key},
            )
        cells[title] = text.strip()
    fixed = importing.fix_row(acting_user=request.user, row=row, cells=cells)
    return ManifestRow.objects.select_related("arrival").get(pk=fixed.pk)


# --- Arrivals, assistance, reception steps -----------------------------------------------


@router.get("/movements/{movement_id}/arrivals", response=list[ArrivalOut])
@capability("returns.view_movements")
def list_arrivals(request: HttpRequest, movement_id: UUID) -> list[Arrival]:
    movement = _movement(request, movement_id)
    return list(_arrivals(request.user).filter(movement=movement))


@router.post(
    "/movements/{movement_id}/arrivals",
    response={201: ArrivalOut},
    summary="Check an arrival in: registration, the reception checklist and its referrals",
)
@capability("returns.receive_arrivals")
def check_in(request: HttpRequest, movement_id: UUID, payload: ArrivalIn) -> Status[Any]:
    movement = _movement(request, movement_id)
    values = payload.dict()
    listed_id, adult_id = values.pop("listed"), values.pop("accompanied_by")
    listed = (
        get_object_for_user(ManifestRow, request.user, pk=listed_id)
        if listed_id is not None
        else None
    )
    adult = (
        get_object_for_user(Arrival.objects.select_related("person"), request.user, pk=adult_id)
        if adult_id is not None
        else None
    )
    for name in ("age_group", "accompaniment", "documents"):
        values[name] = str(values[name])
    try:
        arrival = checkin.check_in(
            acting_user=request.user,
            movement=movement,
            profile=checkin.Profile(accompanied_by=adult, **values),
            listed=listed,
        )
    except ModelValidationError as error:
        # The registration's own checks (a person needs a given name, …): a 400, not a crash.
        # The check-in transaction has been rolled back.
        fields = list(getattr(error, "error_dict", {}))
        raise ServiceError(
            " ".join(error.messages),
            code="invalid",
            details={"field": fields[0] if fields else ""},
        ) from None
    return Status(201, _arrivals(request.user).get(pk=arrival.pk))


@router.post(
    "/arrivals/{arrival_id}/assistance",
    response={201: AssistanceOut},
    summary="Record immediate assistance given",
)
@capability("returns.receive_arrivals")
def give_assistance(request: HttpRequest, arrival_id: UUID, payload: AssistanceIn) -> Status[Any]:
    arrival = get_object_for_user(Arrival, request.user, pk=arrival_id)
    given = checkin.give_assistance(
        acting_user=request.user,
        arrival=arrival,
        kind=str(payload.kind),
        quantity=payload.quantity,
        amount=payload.amount,
    )
    return Status(201, given)


@router.post("/steps/{step_id}/done", response=StepOut, summary="Mark a reception step done")
@capability("returns.receive_arrivals")
def step_done(request: HttpRequest, step_id: int, payload: StepDoneIn) -> ArrivalStep:
    step = get_object_for_user(
        ArrivalStep.objects.select_related("arrival", "rule__responsible"),
        request.user,
        pk=step_id,
    )
    sop.complete_step(acting_user=request.user, step=step, note=payload.note.strip())
    return ArrivalStep.objects.select_related("rule__responsible").get(pk=step.pk)


# --- Advance-list tokens (coordinators) ----------------------------------------------------


@router.get("/tokens", response=list[ListTokenOut], summary="Advance-list tokens")
@capability("returns.receive_arrivals")
def list_tokens(request: HttpRequest) -> list[ListToken]:
    tokens = ListToken.objects.visible_to(request.user).select_related("created_by")
    return _with_usable(list(tokens))


@router.post(
    "/tokens",
    response={201: NewListTokenOut},
    summary="Issue an advance-list token; shown only once",
)
@capability("returns.receive_arrivals")
def issue_token(request: HttpRequest, payload: ListTokenIn) -> Status[Any]:
    organisation = _organisation_for(request.user, "returns.receive_arrivals", payload.organisation)
    issued, raw = services.issue_token(
        acting_user=request.user,
        organisation=organisation,
        name=payload.name,
        origin_country=payload.origin_country,
    )
    _with_usable([issued])
    issued.token = raw  # type: ignore[attr-defined]
    return Status(201, issued)


@router.post("/tokens/{token_id}/revoke", response=ListTokenOut, summary="Revoke a token")
@capability("returns.receive_arrivals")
def revoke_token(request: HttpRequest, token_id: int) -> ListToken:
    token = get_object_for_user(
        ListToken.objects.select_related("created_by"), request.user, pk=token_id
    )
    services.revoke_token(acting_user=request.user, token=token)
    return _with_usable([token])[0]


# --- The advance-list endpoint -------------------------------------------------------------


class ListTokenAuth(HttpBearer):
    """`Authorization: Bearer ol_…`, an advance-list token: not a person's API token. Wrong,
    revoked and expired tokens get 401."""

    def authenticate(self, request: HttpRequest, token: str) -> ListToken | None:
        return services.token_for(token)


def _as_csv(persons: list[AdvanceListPersonIn]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CANONICAL_COLUMNS)
    for person in persons:
        writer.writerow([(getattr(person, name) or "").strip() for name in CANONICAL_COLUMNS])
    return out.getvalue().encode("utf-8")


@router.post(
    "/advance-lists",
    response={201: AdvanceListOut},
    auth=ListTokenAuth(),
    summary="Send an advance list as data (with an advance-list token)",
    description=(
        "For the authorities of a deporting state or a partner. The movement is the one on "
        "record for the token's organisation, origin country, entry point and time, else a "
        "new one; the persons are checked and pre-registered like a file, and each rejected "
        "person is reported with the reason."
    ),
)
def receive_advance_list(request: HttpRequest, payload: AdvanceListIn) -> Status[Any]:
    token: ListToken = request.auth  # type: ignore[attr-defined]
    issuer = token.created_by
    if not _issuer_may_receive(issuer, token):
        raise HttpError(
            403,
            _(
                "The person who issued this token can no longer receive arrivals for the "
                "organisation: ask the organisation to issue a new token."
            ),
        )
    point = _entry_point(payload.entry_point)
    scheduled = services.local_moment(point, payload.scheduled_arrival)
    try:
        with transaction.atomic():
            # One list at a time per token: two sends of the same list make one movement.
            list(ListToken.objects.select_for_update().filter(pk=token.pk).values_list("pk"))
            now = timezone.now()
            movement = services.find_movement(
                token.organisation, token.origin_country, point, scheduled
            )
            created = movement is None
            if movement is None:
                movement = services.record_movement(
                    acting_user=issuer,
                    organisation=token.organisation,
                    data=services.MovementData(
                        mode=str(payload.mode),
                        origin_country=token.origin_country,
                        entry_point=point,
                        scheduled_at=scheduled,
                        reference=payload.reference.strip(),
                        announced_headcount=payload.headcount,
                        notice_received_at=now,
                        list_received_at=now,
                    ),
                )
            result = importing.import_manifest(
                acting_user=issuer,
                movement=movement,
                name="advance-list.csv",
                data=_as_csv(payload.persons),
                source=token.name,
                mapping={name: name for name in CANONICAL_COLUMNS},
            )
            # The audit masks keys that look like secrets ("token"): the sender is named so.
            record(
                "returns.advance_list.received",
                actor=None,
                organisation=token.organisation,
                target=movement,
                changes={
                    "sender": token.name,
                    "sender_id": token.pk,
                    "origin_country": token.origin_country,
                    "reference": payload.reference,
                    "created": created,
                    "manifest_id": result.manifest.pk,
                    "persons": len(payload.persons),
                    "accepted": result.accepted,
                    "rejected": result.rejected,
                    "already_listed": result.already_listed,
                },
            )
    except reading.UnusableFileError as error:
        raise _unusable(error) from None
    return Status(
        201,
        {
            "movement_id": movement.pk,
            "created": created,
            "accepted": result.accepted,
            "rejected": result.rejected,
            "already_listed": result.already_listed,
            "rejected_rows": _rejected_rows(result.manifest),
        },
    )
