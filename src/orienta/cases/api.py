"""Cases in the REST API: the same scoping, capabilities and services as the pages."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from orienta.api.auth import capability
from orienta.audit.services import record_view
from orienta.cases import services
from orienta.cases.access import get_case_for_user, get_person_for_user
from orienta.cases.caselist import CaseFilters, case_page
from orienta.cases.consent import has_consent
from orienta.cases.models import Case, Consent, Person
from orienta.cases.models.choices import (
    CaseKind,
    CaseStatus,
    ConsentGiver,
    ConsentMethod,
    ConsentPurpose,
    Presence,
    Priority,
    Urgency,
)

router = Router(tags=["cases"])


class DocumentOut(Schema):
    document_type: str
    number: str
    issuing_country: str
    status: str


class PersonOut(Schema):
    id: UUID
    given_name: str
    family_name: str
    other_names: list[str]
    sex: str
    birth_date: date | None
    birth_date_precision: str
    nationality: str
    other_nationalities: list[str]
    statelessness_risk: bool
    origin_country: str
    origin_admin1_name: str
    origin_admin2_name: str
    origin_locality: str
    languages: list[str]
    phone: str
    documents: list[DocumentOut]

    @staticmethod
    def resolve_documents(person: Person) -> list[Any]:
        return list(person.documents.all())


class CaseOut(Schema):
    id: UUID
    reference: str
    person_id: UUID
    person_name: str = Field(..., alias="person.full_name")
    organisation_id: UUID
    kind: CaseKind
    status: CaseStatus
    closure_reason: str
    priority: Priority
    profile: list[str]
    assigned_to_id: int | None
    opened_on: date
    closed_at: datetime | None
    is_child: bool
    version: int


class CasePage(Schema):
    items: list[CaseOut]
    next_cursor: str = Field(..., description="Pass as `after` for the next page; empty at end")
    truncated: bool = Field(
        False, description="A name search matched more persons than it reads: add words"
    )


@router.get("/cases", response=CasePage, summary="Cases the caller may open (keyset pages)")
@capability("cases.work_cases")
def list_cases(
    request: HttpRequest,
    scope: str = "mine",
    status: CaseStatus | None = None,
    priority: Priority | None = None,
    kind: CaseKind | None = None,
    q: str = "",
    after: str = "",
) -> dict[str, Any]:
    filters = CaseFilters(
        mine=scope != "organisation",
        status=status or "",
        priority=priority or "",
        kind=kind or "",
        q=q[:100],
    )
    page = case_page(request.user, filters, after)
    return {"items": page.cases, "next_cursor": page.next_cursor, "truncated": page.truncated}


@router.get("/cases/{case_id}", response=CaseOut)
@capability("cases.work_cases", "referrals.receive")
def get_case(request: HttpRequest, case_id: UUID) -> Case:
    return get_case_for_user(request.user, case_id, request=request)


@router.get("/persons/{person_id}", response=PersonOut, summary="A person seen through a case")
@capability("cases.work_cases")
def get_person(request: HttpRequest, person_id: UUID) -> Person:
    return get_person_for_user(request.user, person_id, request=request)


@router.get("/cases/{case_id}/person", response=PersonOut)
@capability("cases.work_cases")
def get_case_person(request: HttpRequest, case_id: UUID) -> Person:
    case = get_case_for_user(request.user, case_id)
    record_view(request, case.person, organisation=case.organisation, action="cases.person.viewed")
    return case.person


# --- Screenings ----------------------------------------------------------------------------


class AnswerIn(Schema):
    code: str
    present: Presence
    note: str = ""


class ScreeningIn(Schema):
    answers: list[AnswerIn] = []
    specific_needs: list[str] = []
    accompaniment: str = ""


class ScreeningOut(Schema):
    id: int
    screened_at: datetime
    specific_needs: list[str]
    profile: list[str]
    priority: Priority
    rules_version: str


@router.get("/cases/{case_id}/screenings", response=list[ScreeningOut])
@capability("cases.work_cases")
def list_screenings(request: HttpRequest, case_id: UUID) -> list[Any]:
    case = get_case_for_user(request.user, case_id, request=request)
    return list(case.screenings.all())


@router.post("/cases/{case_id}/screenings", response={201: ScreeningOut})
@capability("cases.work_cases")
def add_screening(request: HttpRequest, case_id: UUID, payload: ScreeningIn) -> Status[Any]:
    case = get_case_for_user(request.user, case_id)
    screening = services.record_screening(
        acting_user=request.user,
        case=case,
        answers=[services.AnswerData(a.code, a.present, a.note) for a in payload.answers],
        specific_needs=payload.specific_needs,
        accompaniment=payload.accompaniment,
    )
    return Status(201, screening)


# --- Needs ---------------------------------------------------------------------------------


class NeedIn(Schema):
    term: str = Field(..., description="Taxonomy term code (HEALTH-PRIM) or id")
    urgency: Urgency = Urgency.NORMAL
    note: str = ""


class NeedOut(Schema):
    id: int
    term_code: str = Field(..., alias="term.code")
    term_name: str = Field(..., alias="term.name")
    urgency: Urgency
    status: str
    note: str
    created_at: datetime


@router.get("/cases/{case_id}/needs", response=list[NeedOut])
@capability("cases.work_cases")
def list_needs(request: HttpRequest, case_id: UUID) -> list[Any]:
    case = get_case_for_user(request.user, case_id, request=request)
    return list(case.needs.select_related("term"))


@router.post("/cases/{case_id}/needs", response={201: NeedOut})
@capability("cases.work_cases")
def add_need(request: HttpRequest, case_id: UUID, payload: NeedIn) -> Status[Any]:
    case = get_case_for_user(request.user, case_id)
    need = services.add_need(
        acting_user=request.user,
        case=case,
        term=payload.term,
        urgency=payload.urgency,
        note=payload.note,
    )
    return Status(201, need)


# --- Consents ------------------------------------------------------------------------------


class ConsentIn(Schema):
    purpose: ConsentPurpose
    given_by: ConsentGiver
    method: ConsentMethod
    given_on: date
    expires_on: date | None = None
    giver_name: str = ""
    best_interests_reference: str = ""
    recipient_organisation_id: UUID | None = None
    recipient_category: str = ""
    script_language: str = ""


class ConsentOut(Schema):
    id: int
    purpose: ConsentPurpose
    given_by: ConsentGiver
    method: ConsentMethod
    given_on: date
    expires_on: date | None
    recipient_organisation_id: UUID | None
    recipient_category: str
    withdrawn_at: datetime | None


class ConsentCheckOut(Schema):
    purpose: ConsentPurpose
    recipient_organisation_id: UUID | None
    recipient_category: str
    has_consent: bool


@router.get("/cases/{case_id}/consents", response=list[ConsentOut])
@capability("cases.work_cases")
def list_consents(request: HttpRequest, case_id: UUID) -> list[Any]:
    case = get_case_for_user(request.user, case_id, request=request)
    return list(case.consents.all())


@router.post("/cases/{case_id}/consents", response={201: ConsentOut})
@capability("cases.work_cases")
def add_consent(request: HttpRequest, case_id: UUID, payload: ConsentIn) -> Status[Any]:
    from orienta.directory.models import Organisation

    case = get_case_for_user(request.user, case_id)
    values = payload.dict()
    organisation_id = values.pop("recipient_organisation_id")
    organisation = get_object_or_404(Organisation, pk=organisation_id) if organisation_id else None
    consent = services.record_consent(
        acting_user=request.user,
        case=case,
        data=services.ConsentData(recipient_organisation=organisation, **values),
    )
    return Status(201, consent)


@router.post("/cases/{case_id}/consents/{consent_id}/withdraw", response=ConsentOut)
@capability("cases.work_cases")
def withdraw(request: HttpRequest, case_id: UUID, consent_id: int) -> Consent:
    case = get_case_for_user(request.user, case_id)
    consent = get_object_or_404(Consent, pk=consent_id, case=case)
    return services.withdraw_consent(acting_user=request.user, consent=consent)


@router.get(
    "/cases/{case_id}/consent-check",
    response=ConsentCheckOut,
    summary="Whether a consent in force covers a purpose and a recipient",
)
@capability("cases.work_cases")
def consent_check(
    request: HttpRequest,
    case_id: UUID,
    purpose: ConsentPurpose,
    recipient_organisation_id: UUID | None = None,
    recipient_category: str = "",
) -> dict[str, Any]:
    from orienta.cases.consent import Recipient

    case = get_case_for_user(request.user, case_id)
    recipient = Recipient(
        organisation_id=recipient_organisation_id,
        categories=(recipient_category,) if recipient_category else (),
    )
    return {
        "purpose": purpose,
        "recipient_organisation_id": recipient_organisation_id,
        "recipient_category": recipient_category,
        "has_consent": has_consent(case, purpose, recipient),
    }


# --- Registration --------------------------------------------------------------------------


class DocumentIn(Schema):
    document_type: str
    status: str = "held"
    number: str = ""
    issuing_country: str = Field("", max_length=2)


class PersonIn(Schema):
    given_name: str = Field(..., min_length=1, max_length=150)
    family_name: str = Field(..., min_length=1, max_length=150)
    sex: str = "unknown"
    other_names: list[str] = []
    birth_date: date | None = None
    birth_date_precision: str = "exact"
    stated_age: int | None = Field(None, ge=0, le=200)
    nationality: str = Field("", max_length=2)
    other_nationalities: list[str] = []
    statelessness_risk: bool = False
    origin_admin1_code: str = ""
    origin_admin1_name: str = ""
    origin_admin2_name: str = ""
    origin_locality: str = ""
    languages: list[str] = []
    phone: str = ""
    documents: list[DocumentIn] = []


class RegistrationIn(Schema):
    organisation_id: UUID
    kind: CaseKind
    arrived_on: date
    returned_from: str = Field("", max_length=2)
    entry_point: str = ""
    person: PersonIn
    existing_person_id: UUID | None = Field(
        None, description="A candidate chosen as the same person: a new case for them"
    )
    accompaniment: str = ""
    accompanied_by_id: UUID | None = None
    answers: list[AnswerIn] = []
    specific_needs: list[str] = []
    needs: list[NeedIn] = []
    consents: list[ConsentIn] = Field(..., min_length=1)


@router.post(
    "/cases",
    response={201: CaseOut},
    summary="Register a person (or a repeat return) and open the case, all or nothing",
)
@capability("cases.register")
def register(request: HttpRequest, payload: RegistrationIn) -> Status[Any]:
    from orienta.accounts.access import scope_for
    from orienta.cases.intake import Intake, NeedData, register
    from orienta.cases.registration import DocumentData, EpisodeData, PersonData
    from orienta.directory.models import Organisation

    scope = scope_for(request.user, "cases.register")
    organisation = get_object_or_404(
        Organisation.objects.filter(pk__in=scope.organisation_ids), pk=payload.organisation_id
    )
    pool = Person.objects.filter(organisation=organisation, anonymised_at__isnull=True)
    existing = (
        get_object_or_404(pool, pk=payload.existing_person_id)
        if payload.existing_person_id
        else None
    )
    adult = (
        get_object_or_404(pool, pk=payload.accompanied_by_id) if payload.accompanied_by_id else None
    )
    person = payload.person.dict()
    documents = [DocumentData(**d) for d in person.pop("documents")]
    consents = []
    for consent in payload.consents:
        values = consent.dict()
        recipient_id = values.pop("recipient_organisation_id")
        values["recipient_organisation"] = (
            get_object_or_404(Organisation, pk=recipient_id) if recipient_id else None
        )
        consents.append(services.ConsentData(**values))
    case = register(
        acting_user=request.user,
        organisation=organisation,
        intake=Intake(
            person=PersonData(documents=documents, origin_country=person["nationality"], **person),
            episode=EpisodeData(payload.arrived_on, payload.returned_from, payload.entry_point),
            kind=payload.kind,
            consents=consents,
            existing_person=existing,
            accompaniment=payload.accompaniment,
            accompanied_by=adult,
            answers=[services.AnswerData(a.code, a.present, a.note) for a in payload.answers],
            specific_needs=payload.specific_needs,
            needs=[NeedData(n.term, n.urgency, n.note) for n in payload.needs],
        ),
    )
    return Status(201, case)
