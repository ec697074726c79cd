"""Identity resolution in the REST API: candidates for a person at the desk (or a convoy), the
review queue, merges and their undoing. Same scoping, capabilities and services as the pages."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema

from orienta.accounts.access import get_object_for_user
from orienta.api.auth import capability
from orienta.identity import services
from orienta.identity.candidates import CandidateQuery, find_candidates_for
from orienta.identity.models import DuplicatePair, PersonMerge

router = Router(tags=["identity"])


class QueryIn(Schema):
    given_name: str = Field(..., min_length=1, max_length=150)
    family_name: str = Field(..., min_length=1, max_length=150)
    birth_date: date | None = None
    sex: str = Field("", max_length=10)
    origin: str = Field("", max_length=120, description="Department or region, code or name")
    document_numbers: list[str] = Field([], max_length=5)


class CandidatesIn(Schema):
    persons: list[QueryIn] = Field(..., min_length=1, max_length=1000)
    k: int = Field(5, ge=1, le=20)


class Reason(Schema):
    field: str
    level: int = Field(..., description="Agreement level, 0 = disagree; -1 = missing")
    bits: float = Field(..., description="What the field added to the match weight")


class CandidateOut(Schema):
    person_id: UUID
    full_name: str
    birth_date: date | None
    probability: float
    explanation: list[Reason]


@router.post(
    "/identity/candidates",
    response=list[list[CandidateOut]],
    summary="Persons of the caller's registries who may be each of these persons",
)
@capability("cases.register")
def candidates(request: HttpRequest, payload: CandidatesIn) -> list[list[dict[str, Any]]]:
    queries = [
        CandidateQuery(
            given_name=q.given_name,
            family_name=q.family_name,
            birth_date=q.birth_date,
            sex=q.sex,
            origin=q.origin,
            document_numbers=q.document_numbers,
        )
        for q in payload.persons
    ]
    return [
        [
            {
                "person_id": c.person.pk,
                "full_name": c.person.full_name,
                "birth_date": c.person.birth_date,
                "probability": c.probability,
                "explanation": c.explanation,
            }
            for c in found
        ]
        for found in find_candidates_for(queries, user=request.user, k=payload.k)
    ]


class PairOut(Schema):
    id: int
    person_a_id: UUID
    person_b_id: UUID
    probability: float
    status: str
    explanation: list[Reason]
    found_at: datetime


class MergeOut(Schema):
    id: int
    survivor_id: UUID
    merged_id: UUID
    merged_at: datetime
    undone_at: datetime | None


@router.get("/identity/duplicates", response=list[PairOut], summary="Pairs to review")
@capability("cases.resolve_duplicates")
def duplicates(request: HttpRequest, limit: int = 50) -> Any:
    return list(services.pending_pairs(request.user)[: min(max(limit, 1), 500)])


@router.post("/identity/duplicates/{pair_id}/merge", response=MergeOut)
@capability("cases.resolve_duplicates")
def merge(request: HttpRequest, pair_id: int) -> PersonMerge:
    pair = get_object_for_user(DuplicatePair, request.user, pk=pair_id)
    return services.merge_pair(acting_user=request.user, pair=pair)


@router.post("/identity/duplicates/{pair_id}/reject", response=PairOut)
@capability("cases.resolve_duplicates")
def reject(request: HttpRequest, pair_id: int) -> DuplicatePair:
    pair = get_object_for_user(DuplicatePair, request.user, pk=pair_id)
    return services.reject_pair(acting_user=request.user, pair=pair)


@router.post("/identity/merges/{merge_id}/undo", response=MergeOut)
@capability("cases.resolve_duplicates")
def undo(request: HttpRequest, merge_id: int) -> PersonMerge:
    merge = get_object_for_user(PersonMerge, request.user, pk=merge_id)
    return services.undo_merge(acting_user=request.user, merge=merge)
