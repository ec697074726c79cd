"""What the governance pages share: the scoped getters, the capability names, one form page."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.shortcuts import render

from orienta.accounts.access import get_object_for_user, has_capability
from orienta.core.http import AuthenticatedHttpRequest
from orienta.governance.models import Committee, Document, DocumentVersion, Event
from orienta.governance.models.scope import INDICATORS, MANAGE, VIEW

COMMENT = "governance.comment"
READ = (VIEW, MANAGE)

__all__ = ["COMMENT", "INDICATORS", "MANAGE", "READ", "VIEW"]


def committee_for(request: AuthenticatedHttpRequest, pk: Any) -> Committee:
    return get_object_for_user(Committee, request.user, pk=pk)


def event_for(request: AuthenticatedHttpRequest, pk: Any) -> Event:
    return get_object_for_user(Event.objects.select_related("committee"), request.user, pk=pk)


def document_for(request: AuthenticatedHttpRequest, pk: Any) -> Document:
    return get_object_for_user(Document.objects.select_related("committee"), request.user, pk=pk)


def version_for(request: AuthenticatedHttpRequest, pk: Any) -> DocumentVersion:
    return get_object_for_user(
        DocumentVersion.objects.select_related("document__committee"), request.user, pk=pk
    )


def form_errors(form: Any) -> str:
    """A form's errors as one message, for forms posted from a page that shows no form."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def can_manage(request: AuthenticatedHttpRequest) -> bool:
    return has_capability(request.user, MANAGE)


def initial_of(instance: models.Model | None, fields: list[str]) -> dict[str, Any]:
    """The form's starting values. Forms get values, never the instance itself: a ModelForm
    writes cleaned data onto its instance while validating, and the service must see the record
    as it was to audit what changed."""
    return model_to_dict(instance, fields=fields) if instance is not None else {}


def form_page(
    request: AuthenticatedHttpRequest,
    form: Any,
    *,
    title: str,
    back: str,
    back_label: str,
    version: int | None = None,
    multipart: bool = False,
    intro: str = "",
) -> HttpResponse:
    return render(
        request,
        "governance/form.html",
        {
            "form": form,
            "title": title,
            "back": back,
            "back_label": back_label,
            "version": version,
            "multipart": multipart,
            "intro": intro,
        },
    )
