from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from orienta.accounts.access import scope_for
from orienta.api.auth import capability
from orienta.audit.forms import AuditFilterForm
from orienta.audit.models import AuditEvent
from orienta.core.errors import ServiceError
from orienta.directory.models import Organisation

router = Router(tags=["audit"])


class EventOut(Schema):
    seq: int
    occurred_at: datetime
    actor_id: int | None
    actor_label: str
    organisation_id: UUID | None
    action: str
    object_type: str
    object_id: str
    changes: dict[str, Any]
    request_id: str
    hash: str


class EventPage(Schema):
    items: list[EventOut]
    next_before: int | None


class EventFilters(Schema):
    actor: str | None = None
    organisation: UUID | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    before: int | None = None
    limit: int = 100


@router.get("/audit/events", response=EventPage, summary="The audit trail, newest first")
@capability("audit.view_events")
def list_events(request: HttpRequest, filters: Query[EventFilters]) -> dict[str, Any]:
    values = {k: v for k, v in filters.dict().items() if v is not None and k != "limit"}
    scope = scope_for(request.user, "audit.view_events")
    form = AuditFilterForm(values, organisations=scope.apply(Organisation.objects.all(), "pk"))
    if not form.is_valid():
        raise ServiceError(
            _("Some filters are not valid."),
            code="invalid",
            details={"fields": form.errors.get_json_data()},
        )
    limit = max(1, min(filters.limit, 500))
    page = list(form.filter(AuditEvent.objects.visible_to(request.user))[: limit + 1])
    next_before = page[limit - 1].seq if len(page) > limit else None
    return {"items": page[:limit], "next_before": next_before}
