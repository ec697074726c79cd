from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from orienta.api.auth import capability
from orienta.core.errors import ServiceError
from orienta.directory import services
from orienta.directory.models import Organisation, OrganisationKind

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
