"""The one way to reach a case or a person: scoped, 404 for what one may not see, and every
opening recorded as an access event."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest

from orienta.audit.services import record_view
from orienta.cases.models import Case, Person


def get_case_for_user(user: Any, pk: Any, *, request: HttpRequest | None = None) -> Case:
    """The case if `user` may open it, else Http404. With `request`, the read is audited."""
    try:
        case = (
            Case.objects.visible_to(user)
            .select_related("person", "organisation", "assigned_to")
            .get(pk=pk)
        )
    except (Case.DoesNotExist, ValidationError, ValueError, TypeError):
        # A malformed id is "not found" too, never a 500.
        raise Http404("No such case.") from None
    if request is not None:
        record_view(request, case, organisation=case.organisation, action="cases.case.viewed")
    return case


def get_person_for_user(user: Any, pk: Any, *, request: HttpRequest | None = None) -> Person:
    try:
        person = Person.objects.visible_to(user).get(pk=pk)
    except (Person.DoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404("No such person.") from None
    if request is not None:
        record_view(request, person, organisation=person.organisation, action="cases.person.viewed")
    return person
