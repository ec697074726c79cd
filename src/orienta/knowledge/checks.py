"""The value checks that every change to the knowledge base goes through, whether typed in a page
or read from an imported file: keys, choices, ISO 3166 alpha-3 country codes, GCM objectives and
Sustainable Development Goals, web addresses, dates and the promise of a source.

The checks say what a value is (or None, or which items are wrong); they do not say no. How to
refuse belongs to the caller: a page's form names the field, an import names the row and the
column, each in its own words. The refusals that the editing services share (`invalid`,
`check_version`, `check_lengths`, `save_unique`) are here too, so that each is written once, and
what text must be to go into a file (`printable`, `spreadsheet_text`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, models, transaction
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from orienta.core.errors import ConflictError, ServiceError
from orienta.core.tables import fold
from orienta.knowledge.choices import Confidence

# The capability every change to the knowledge base requires (the policy officer's).
EDIT = "knowledge.edit"
GCM_OBJECTIVES = 23
SDGS = 17

# As Django's `validate_slug`: what a key or a code may hold to stand in an address.
_KEY = re.compile(r"[-a-zA-Z0-9_]+")
_COUNTRY = re.compile(r"[A-Za-z]{3}")
_ADDRESS = URLValidator(schemes=["http", "https"])
# How dates are written in a cell: ISO first, then the day-first form of the region.
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
# Control characters that XML (Word, XLSX) and PostgreSQL's text refuse: every C0 control but
# tab, line feed and carriage return, and the two non-characters XML excludes.
# A spreadsheet reads a cell starting with these as a formula.


# --- What a value is ---------------------------------------------------------------------------


def stripped(value: Any) -> str:
    """A value as stored text: stripped, and empty for None."""
    return "" if value is None else str(value).strip()


def is_key(value: str) -> bool:
    """Whether `value` is a key or a code: letters, digits, hyphens and underscores only."""
    return _KEY.fullmatch(value) is not None


def is_choice(value: Any, choices: Iterable[str]) -> bool:
    """Whether `value` is exactly one of `choices` (a form's or a caller's value)."""
    return value in set(choices)


def _choice_code(value: str) -> str:
    return re.sub(r"[\s\-/]+", "_", fold(value))


def matched_choice(value: str, choices: type[TextChoices]) -> str | None:
    """The value of `choices` that `value` names, as people write it in a spreadsheet: by its
    value or its label, in any case, with or without accents, spaces, hyphens or slashes
    ("NDC / NAP" is ndc_nap). None when it names none of them."""
    known = {_choice_code(choice): choice for choice in choices.values}
    known.update({_choice_code(str(label)): choice for choice, label in choices.choices})
    return known.get(_choice_code(value))


def country_code(value: str) -> str | None:
    """The ISO 3166 alpha-3 code `value` writes, in capitals ("tun" is TUN); None when it is
    not three Latin letters. Whether the country exists is not checked: codes change."""
    return value.upper() if _COUNTRY.fullmatch(value) else None


def _whole_number(value: Any) -> int | None:
    # True is an int to Python, and 2.0 or "2.5" are not whole numbers a person typed.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value)
    return None


def whole_numbers(values: Iterable[Any], highest: int) -> tuple[list[int], list[str]]:
    """The distinct whole numbers from 1 to `highest` among `values` (numbers, or their text),
    in the order given, and the values that are not such a number, as text. For the GCM
    objectives (1 to GCM_OBJECTIVES) and the SDGs (1 to SDGS)."""
    numbers: list[int] = []
    wrong: list[str] = []
    for value in values:
        number = _whole_number(value)
        if number is None or not 1 <= number <= highest:
            wrong.append(str(value))
        elif number not in numbers:
            numbers.append(number)
    return numbers, wrong


def is_web_address(value: str) -> bool:
    """Whether `value` is an http or https address (of a text, of a source)."""
    try:
        _ADDRESS(value)
    except ValidationError:
        return False
    return True


def is_date(value: Any) -> bool:
    """Whether `value` is a date, or None for no date."""
    return value is None or isinstance(value, date)


def read_date(value: str) -> date | None:
    """The date a cell writes (2024-12-31, or 31/12/2024); None when it is not one."""
    for pattern in _DATE_FORMATS:
        try:
            # A calendar day, no time of day: no time zone to attach.
            return datetime.strptime(value, pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def unsourced(confidence: str, source: str) -> bool:
    """The knowledge base's promise: what is marked verified names where it was verified. True
    when a statement breaks it."""
    return confidence == Confidence.VERIFIED and not source


# --- How the editing services refuse -------------------------------------------------------------


def invalid(field_name: str | None, message: Any, **details: Any) -> ServiceError:
    """A refusal naming the form field it is about (shown there by `show_on_form`), with any
    further details for the API or the page (the brief's missing sections)."""
    return ServiceError(
        message,
        code="invalid",
        details={**({"field": field_name} if field_name else {}), **details},
    )


def refuse_unless(valid: bool, field_name: str | None, message: Any) -> None:
    """Refuse, on the field named, when a check failed: `refuse_unless(is_date(day), ...)`."""
    if not valid:
        raise invalid(field_name, message)


def check_version(record: Any, expected_version: int | None, message: Any = None) -> None:
    """Optimistic locking: refuse a change made from a page older than the record (an entity,
    a policy, a brief version: anything with a `version`)."""
    if expected_version is not None and record.version != expected_version:
        raise ConflictError(
            message
            or _("Someone changed this record in the meantime. Reload the page and try again."),
            code="conflict",
        )


def check_lengths(model: type[models.Model], values: Mapping[str, Any]) -> None:
    """Refuse a text longer than its field holds, before the database does (with a 500)."""
    for name, value in values.items():
        limit = getattr(model._meta.get_field(name), "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit:
            raise invalid(
                name,
                ngettext(
                    "Write at most %(count)d character.",
                    "Write at most %(count)d characters.",
                    limit,
                )
                % {"count": limit},
            )


def save_unique(instance: models.Model, field_name: str, message: Any) -> None:
    """Save; a unique value taken meanwhile by a concurrent writer is refused, not a 500."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise invalid(field_name, message) from None
