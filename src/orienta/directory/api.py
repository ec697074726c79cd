from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from orienta.api.auth import capability
from orienta.core.errors import ServiceError
from orienta.directory import services
from orienta.directory.matching import Place, Profile, Reason, match
from orienta.directory.models import Organisation, OrganisationKind, TargetGroup

router = Router(tags=["directory"])


class OrganisationOut(Schema):
    id: UUID
    name: str
    acronym: str
    kind: OrganisationKind
    country: str


class OrganisationIn(Schema):
    name: str
    acronym: str = ""
    kind: OrganisationKind
    country: str


@router.get(
    "/organisations", response=list[OrganisationOut], summary="Organisations in the mechanism"
)
@capability("directory.view_organisations")
def list_organisations(request: HttpRequest) -> list[Organisation]:
    return list(Organisation.objects.all())


@router.get("/organisations/{organisation_id}", response=OrganisationOut)
@capability("directory.view_organisations")
def get_organisation(request: HttpRequest, organisation_id: UUID) -> Organisation:
    return get_object_or_404(Organisation, pk=organisation_id)


@router.post("/organisations", response={201: OrganisationOut})
@capability("directory.manage_organisations")
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> Status[Organisation]:
    try:
        organisation = services.create_organisation(acting_user=request.user, **payload.dict())
    except DjangoValidationError as exc:
        raise ServiceError(
            "; ".join(exc.messages), code="invalid", details={"fields": exc.message_dict}
        ) from None
    return Status(201, organisation)


class PlaceIn(Schema):
    admin1_code: str = ""
    admin2_code: str = ""
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)


class ProfileIn(Schema):
    age: float | None = Field(None, ge=0, le=130)
    target_groups: list[TargetGroup] = []
    language: str = ""


class MatchIn(Schema):
    needs: list[str] = Field(..., min_length=1, description="Taxonomy term codes or ids")
    place: PlaceIn | None = None
    profile: ProfileIn | None = None
    limit: int = Field(10, ge=1, le=100)
    explain_exclusions: bool = False


class ReasonOut(Schema):
    code: str
    label: str
    detail: str


class MatchOut(Schema):
    service_at_location_id: UUID
    service_id: UUID
    service_name: str
    organization_name: str
    location_name: str
    score: float
    distance_km: float | None
    reasons: list[ReasonOut]


class ExclusionOut(Schema):
    service_at_location_id: UUID
    service_id: UUID
    reasons: list[ReasonOut]


class MatchResultOut(Schema):
    matches: list[MatchOut]
    excluded: list[ExclusionOut]
    unknown_needs: list[str]


def _reasons_out(reasons: list[Reason]) -> list[ReasonOut]:
    return [ReasonOut(code=r.code, label=r.label, detail=r.detail) for r in reasons]


@router.post(
    "/directory/match",
    response=MatchResultOut,
    summary="Rank the services that fit needs, a place and a profile, with reasons",
)
@capability("directory.match_services")
def match_services(request: HttpRequest, payload: MatchIn) -> MatchResultOut:
    place = payload.place.dict() if payload.place else {}
    profile = payload.profile
    result = match(
        payload.needs,
        Place(**place),
        Profile(
            age=profile.age,
            target_groups=tuple(str(g) for g in profile.target_groups),
            language=profile.language,
        )
        if profile
        else Profile(),
        limit=payload.limit,
        explain_exclusions=payload.explain_exclusions,
    )
    matches = []
    for item in result.matches:
        sal = item.service_at_location
        if sal is None:  # removed since the index was built
            continue
        matches.append(
            MatchOut(
                service_at_location_id=item.service_at_location_id,
                service_id=item.service_id,
                service_name=sal.service.name,
                organization_name=sal.service.organization.name,
                location_name=sal.location.name,
                score=item.score,
                distance_km=item.distance_km,
                reasons=_reasons_out(item.reasons),
            )
        )
    return MatchResultOut(
        matches=matches,
        excluded=[
            ExclusionOut(
                service_at_location_id=e.service_at_location_id,
                service_id=e.service_id,
                reasons=_reasons_out(e.reasons),
            )
            for e in result.excluded
        ],
        unknown_needs=result.unknown_needs,
    )
