"""The case list: keyset pagination (newest first) and name search through the key index.

Offset paging 100,000 rows deep costs a third of a second here; a keyset page costs the same at
any depth. The cursor is the last row's (created_at, id).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet

from orienta.accounts.access import scope_for
from orienta.cases.models import Case
from orienta.core.keyset import encode_cursor, seek
from orienta.identity.blocking import search_keys
from orienta.identity.models import PersonKey

PAGE_SIZE = 50


@dataclass(frozen=True)
class CaseFilters:
    mine: bool = True
    status: str = ""
    priority: str = ""
    kind: str = ""
    q: str = ""


# A name search reads at most this many persons from the key index; beyond, the page says so
# and asks for more of the name. A family name alone can hold tens of thousands of persons.
SEARCH_LIMIT = 500


def matching_persons(user: Any, q: str) -> tuple[list[Any], bool]:
    """The persons whose name sounds like `q` ("Jozef" finds "Joseph"), through the key index:
    one look-up for the first two words together, the rest checked on those. Returns the ids
    (at most SEARCH_LIMIT) and whether there were more."""
    wanted = search_keys(q)
    if not wanted:
        return [], False
    scope = scope_for(user, "cases.work_cases")
    persons = scope.apply(PersonKey.objects.filter(key=wanted[0]), "organisation_id")
    for key in wanted[1:]:
        # The other keys probed on the whole of the key index (key, organisation, person),
        # one entry per person, stopping at the limit. As `person_id IN (…)`, PostgreSQL
        # went through the person index instead and read every key of each person.
        persons = persons.filter(
            Exists(
                PersonKey.objects.filter(
                    key=key,
                    organisation_id=OuterRef("organisation_id"),
                    person_id=OuterRef("person_id"),
                )
            )
        )
    persons = persons.values_list("person_id", flat=True)
    found = list(persons[: SEARCH_LIMIT + 1])
    return found[:SEARCH_LIMIT], len(found) > SEARCH_LIMIT


@dataclass
class CasePage:
    cases: list[Case]
    next_cursor: str
    truncated: bool = False  # a name search matched more persons than it reads


def case_page(user: Any, filters: CaseFilters, after: str = "") -> CasePage:
    rows: QuerySet[Case] = Case.objects.visible_to(user)
    if filters.mine:
        rows = rows.filter(assigned_to=user)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.priority:
        rows = rows.filter(priority=filters.priority)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    truncated = False
    if filters.q:
        reference = filters.q.strip().upper()
        if len(reference) == 14 and reference.count("-") == 2:
            rows = rows.filter(reference=reference)
        else:
            persons, truncated = matching_persons(user, filters.q)
            rows = rows.filter(person_id__in=persons)
    rows = seek(rows, after)
    if filters.q and connection.vendor == "postgresql":
        page = _newest_of_few(rows)
    else:
        page = list(
            rows.select_related("person", "assigned_to").order_by("-created_at", "-pk")[
                : PAGE_SIZE + 1
            ]
        )
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    return CasePage(page, encode_cursor(page[-1]) if more and page else "", truncated)


def _newest_of_few(rows: QuerySet[Case]) -> list[Case]:
    """The first PAGE_SIZE + 1 of `rows`, newest first, when `rows` are the cases of a few
    persons (a name search, a reference). PostgreSQL would walk the organisation's cases by
    date and test each against the persons, tens of thousands of rows for a page; reading the
    few persons' cases by the person index and sorting them here costs a few milliseconds.
    SQLite already reads them by the person index, and sorts faster than this."""
    newest = sorted(rows.values_list("created_at", "pk"), reverse=True)[: PAGE_SIZE + 1]
    # Read through `rows` itself, so the page stays within the user's scope by construction.
    found = rows.select_related("person", "assigned_to").in_bulk([pk for _at, pk in newest])
    return [found[pk] for _at, pk in newest if pk in found]
