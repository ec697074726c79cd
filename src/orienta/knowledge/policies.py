"""Keeping the policy instruments: the one place that writes them — a page's form, a CSV or XLSX
import — and their export in the same columns, so that an export imports back unchanged.

Every value, whether typed in the form or read from a spreadsheet cell, goes through
`check_policy`, which turns raw text into the record's values or into problems, each with the
column it is about: the form shows them on its fields, the import on its rows. An import is all
or nothing: one problem anywhere and nothing is written. Each write is audited in its
transaction and the search index rebuilt so that search finds what was just written."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import ProtectedError, QuerySet, TextChoices
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orienta.accounts.access import require_capability
from orienta.audit.services import diff, record, snapshot
from orienta.core.errors import ServiceError
from orienta.core.tables import Problem, fold, read_table
from orienta.knowledge import search
from orienta.knowledge.choices import (
    Confidence,
    Hazard,
    Mobility,
    PolicyLevel,
    PolicyStatus,
    PolicyType,
)
from orienta.knowledge.models import Entity, PolicyInstrument, Theme

EDIT = "knowledge.edit"
MAX_ROWS = 5_000
KEY_LENGTH = 80
TEXT_LENGTH = 500
FIRST_YEAR = 1900
GCM_OBJECTIVES = range(1, 24)
# Keys that would shadow the pages knowledge/policies/new/ and knowledge/policies/import/.
RESERVED_KEYS = frozenset({"new", "import"})

# The columns of the import and of the export, in their order, with what each holds.
COLUMNS: dict[str, Any] = {
    "key": gettext_lazy(
        "Identifier in the address (letters, digits, hyphens). An existing key updates that "
        "policy; empty, a new policy gets a key made from its English title."
    ),
    "title_en": gettext_lazy("Title in English (required)."),
    "title_fr": gettext_lazy("Title in French."),
    "title_ar": gettext_lazy("Title in Arabic."),
    "issuer": gettext_lazy(
        "Key of the issuing entity (such as LAS) or ISO 3166 alpha-3 code of the issuing "
        "country (such as MAR)."
    ),
    "level": gettext_lazy("national, regional or interregional (required)."),
    "type": gettext_lazy(
        "declaration, strategy, law, action_plan, mou, ndc_nap or drr_strategy (required)."
    ),
    "year": gettext_lazy("Year of adoption."),
    "themes": gettext_lazy("Theme codes, separated by semicolons."),
    "mobility": gettext_lazy("migration; displacement; planned_relocation."),
    "hazard": gettext_lazy("sudden_onset; slow_onset; environmental_degradation."),
    "gcm_objectives": gettext_lazy("Numbers of the GCM objectives (1 to 23), separated by ;."),
    "status": gettext_lazy("adopted, in_force, draft or expired (adopted when empty)."),
    "languages": gettext_lazy("Language codes of the texts (such as ar; en; fr)."),
    "url": gettext_lazy("Web address of the text."),
    "summary_en": gettext_lazy("Summary in English."),
    "summary_fr": gettext_lazy("Summary in French."),
    "confidence": gettext_lazy("verified, secondary or unverified (unverified when empty)."),
    "source_reference": gettext_lazy("Source of the information."),
    "source_url": gettext_lazy("Web address of the source."),
    "source_accessed": gettext_lazy("Date the source was consulted (2024-12-31)."),
}
# The record's own fields that a save sets (the themes are set apart, many-to-many).
FIELDS = [
    "key",
    "title_en",
    "title_fr",
    "title_ar",
    "issuer",
    "issuer_country",
    "level",
    "type",
    "year",
    "mobility",
    "hazard",
    "gcm_objectives",
    "status",
    "languages",
    "url",
    "summary_en",
    "summary_fr",
    "confidence",
    "source_reference",
    "source_url",
    "source_accessed",
]

_KEY = re.compile(r"^[-a-zA-Z0-9_]+$")
_COUNTRY = re.compile(r"^[A-Za-z]{3}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_SEPARATOR = re.compile(r"[;,]")
# A spreadsheet reads a cell starting with these as a formula: the CSV export quotes them.
_FORMULA = ("=", "+", "-", "@")
_ADDRESS = URLValidator(schemes=["http", "https"])


# --- Checking values ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Lookups:
    """What values are checked against, read once per save or per import."""

    entities: dict[str, Entity]  # by folded key
    themes: dict[str, Theme]  # by folded code
    last_year: int

    @classmethod
    def load(cls) -> Lookups:
        return cls(
            entities={fold(e.key): e for e in Entity.objects.all()},
            themes={fold(t.code): t for t in Theme.objects.all()},
            last_year=timezone.localdate().year + 1,
        )


@dataclass
class Checked:
    """A policy's values ready to write, or the problems found, as (column, reason)."""

    values: dict[str, Any] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)


class _InvalidValueError(Exception):
    """One column's value refused; the message says why."""


Check = Callable[[str, Lookups], dict[str, Any]]


def check_policy(raw: Mapping[str, Any], lookups: Lookups) -> Checked:
    """Check every column of `raw` (column → text, or the lists, numbers and dates a form gives)
    and turn it into the record's values. The form's save and the import both go through here."""
    checked = Checked()
    for column, check in CHECKS.items():
        try:
            checked.values.update(check(as_text(raw.get(column)), lookups))
        except _InvalidValueError as refused:
            checked.problems.append((column, str(refused)))
    return checked


def as_text(value: Any) -> str:
    """A value as a cell would hold it: lists joined by "; ", dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return "; ".join(as_text(item) for item in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _items(text: str) -> list[str]:
    """The items of a list cell, once each, in their order."""
    return list(dict.fromkeys(item.strip() for item in _SEPARATOR.split(text) if item.strip()))


def _bounded(text: str, limit: int) -> str:
    if len(text) > limit:
        raise _InvalidValueError(_("Longer than %(limit)s characters.") % {"limit": limit})
    return text


def _code(text: str) -> str:
    """How a choice is matched: its value or its label, any case, accents, spaces or hyphens."""
    return re.sub(r"[\s\-/]+", "_", fold(text))


def _choice(text: str, choices: type[TextChoices]) -> str:
    known = {_code(value): value for value in choices.values}
    known.update({_code(str(label)): value for value, label in choices.choices})
    if _code(text) not in known:
        raise _InvalidValueError(
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": text, "choices": ", ".join(choices.values)}
        )
    return known[_code(text)]


def text_column(column: str, limit: int | None = TEXT_LENGTH) -> Check:
    def check(text: str, _lookups: Lookups) -> dict[str, Any]:
        return {column: _bounded(text, limit) if limit else text}

    return check


def choice_column(column: str, choices: type[TextChoices], default: str = "") -> Check:
    """One value of `choices`; required unless there is a `default`."""

    def check(text: str, _lookups: Lookups) -> dict[str, Any]:
        if not text and not default:
            raise _InvalidValueError(
                _("Required: one of %(choices)s.") % {"choices": ", ".join(choices.values)}
            )
        return {column: _choice(text, choices) if text else default}

    return check


def choices_column(column: str, choices: type[TextChoices]) -> Check:
    def check(text: str, _lookups: Lookups) -> dict[str, Any]:
        return {column: list(dict.fromkeys(_choice(item, choices) for item in _items(text)))}

    return check


def address_column(column: str) -> Check:
    def check(text: str, _lookups: Lookups) -> dict[str, Any]:
        try:
            _ADDRESS(text) if text else None
        except ValidationError:
            raise _InvalidValueError(
                _("“%(value)s” is not a web address (https://…).") % {"value": text}
            ) from None
        return {column: _bounded(text, TEXT_LENGTH)}

    return check


def _key(text: str, _lookups: Lookups) -> dict[str, Any]:
    if text and not _KEY.match(text):
        raise _InvalidValueError(
            _("“%(value)s” is not a key: use letters, digits, hyphens and underscores.")
            % {"value": text}
        )
    if text in RESERVED_KEYS:
        raise _InvalidValueError(
            _("“%(value)s” names a page: choose another key.") % {"value": text}
        )
    return {"key": _bounded(text, KEY_LENGTH)}


def _title_en(text: str, _lookups: Lookups) -> dict[str, Any]:
    if not text:
        raise _InvalidValueError(_("Give the title in English."))
    return {"title_en": _bounded(text, TEXT_LENGTH)}


def _issuer(text: str, lookups: Lookups) -> dict[str, Any]:
    """An entity of the knowledge base, by its key, or a country, by its alpha-3 code."""
    entity = lookups.entities.get(fold(text)) if text else None
    if entity is not None or not text:
        return {"issuer": entity, "issuer_country": ""}
    if not _COUNTRY.match(text):
        raise _InvalidValueError(
            _(
                "“%(value)s” is neither the key of an entity nor an ISO 3166 alpha-3 country "
                "code (such as MAR)."
            )
            % {"value": text}
        )
    return {"issuer": None, "issuer_country": text.upper()}


def _year(text: str, lookups: Lookups) -> dict[str, Any]:
    if text and not (text.isdigit() and FIRST_YEAR <= int(text) <= lookups.last_year):
        raise _InvalidValueError(
            _("“%(value)s” is not a year from %(first)s to %(last)s.")
            % {"value": text, "first": FIRST_YEAR, "last": lookups.last_year}
        )
    return {"year": int(text) if text else None}


def _themes(text: str, lookups: Lookups) -> dict[str, Any]:
    codes = _items(text)
    unknown = [code for code in codes if fold(code) not in lookups.themes]
    if unknown:
        raise _InvalidValueError(
            _("Unknown theme code: %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    return {"themes": list(dict.fromkeys(lookups.themes[fold(code)] for code in codes))}


def _gcm_objectives(text: str, _lookups: Lookups) -> dict[str, Any]:
    items = _items(text)
    wrong = [item for item in items if not item.isdigit() or int(item) not in GCM_OBJECTIVES]
    if wrong:
        raise _InvalidValueError(
            _("GCM objectives are numbers from 1 to 23, not %(values)s.")
            % {"values": ", ".join(wrong)}
        )
    return {"gcm_objectives": list(dict.fromkeys(int(item) for item in items))}


def _languages(text: str, _lookups: Lookups) -> dict[str, Any]:
    codes = [item.lower() for item in _items(text)]
    wrong = [code for code in codes if not _LANGUAGE.match(code)]
    if wrong:
        raise _InvalidValueError(
            _("Not a language code (such as ar, en, fr): %(values)s.")
            % {"values": ", ".join(wrong)}
        )
    return {"languages": list(dict.fromkeys(codes))}


def _source_accessed(text: str, _lookups: Lookups) -> dict[str, Any]:
    if not text:
        return {"source_accessed": None}
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return {"source_accessed": datetime.strptime(text, pattern).date()}  # noqa: DTZ007
        except ValueError:
            continue
    raise _InvalidValueError(_("“%(value)s” is not a date (write 2024-12-31).") % {"value": text})


CHECKS: dict[str, Check] = {
    "key": _key,
    "title_en": _title_en,
    "title_fr": text_column("title_fr"),
    "title_ar": text_column("title_ar"),
    "issuer": _issuer,
    "level": choice_column("level", PolicyLevel),
    "type": choice_column("type", PolicyType),
    "year": _year,
    "themes": _themes,
    "mobility": choices_column("mobility", Mobility),
    "hazard": choices_column("hazard", Hazard),
    "gcm_objectives": _gcm_objectives,
    "status": choice_column("status", PolicyStatus, default=PolicyStatus.ADOPTED),
    "languages": _languages,
    "url": address_column("url"),
    "summary_en": text_column("summary_en", limit=None),
    "summary_fr": text_column("summary_fr", limit=None),
    "confidence": choice_column("confidence", Confidence, default=Confidence.UNVERIFIED),
    "source_reference": text_column("source_reference"),
    "source_url": address_column("source_url"),
    "source_accessed": _source_accessed,
}


# --- Reading a policy back as its columns ------------------------------------------------------


def policy_values(policy: PolicyInstrument) -> dict[str, Any]:
    """The policy as the import's columns (lists as lists): the form's starting values and,
    as text, an export row. Reading `themes` uses the prefetched themes when there are."""
    return {
        "key": policy.key,
        "title_en": policy.title_en,
        "title_fr": policy.title_fr,
        "title_ar": policy.title_ar,
        "issuer": policy.issuer.key if policy.issuer else policy.issuer_country,
        "level": policy.level,
        "type": policy.type,
        "year": policy.year if policy.year is not None else "",
        "themes": [theme.code for theme in policy.themes.all()],
        "mobility": list(policy.mobility),
        "hazard": list(policy.hazard),
        "gcm_objectives": list(policy.gcm_objectives),
        "status": policy.status,
        "languages": list(policy.languages),
        "url": policy.url,
        "summary_en": policy.summary_en,
        "summary_fr": policy.summary_fr,
        "confidence": policy.confidence,
        "source_reference": policy.source_reference,
        "source_url": policy.source_url,
        "source_accessed": policy.source_accessed,
    }


def policy_row(policy: PolicyInstrument) -> dict[str, str]:
    return {column: as_text(value) for column, value in policy_values(policy).items()}


# --- Writing -----------------------------------------------------------------------------------


def unique_key(title: str, taken: Collection[str]) -> str:
    """A key made from the title, with -2, -3… when it is already used."""
    base = slugify(title)[: KEY_LENGTH - 6].strip("-") or "policy"
    key, number = base, 2
    while key in taken or key in RESERVED_KEYS:
        key, number = f"{base}-{number}", number + 1
    return key


def _write(policy: PolicyInstrument, values: dict[str, Any]) -> dict[str, Any]:
    """Set the values, save what changed; return the changes for the audit trail."""
    creating = policy._state.adding
    before = {} if creating else snapshot(policy, FIELDS)
    themes_before = [] if creating else sorted(theme.code for theme in policy.themes.all())
    for name in FIELDS:
        setattr(policy, name, values[name])
    changes: dict[str, Any] = diff(before, snapshot(policy, FIELDS))
    if creating or changes:
        policy.save()
    themes_after = sorted(theme.code for theme in values["themes"])
    if themes_after != themes_before:
        policy.themes.set(values["themes"])
        changes["themes"] = [themes_before, themes_after]
    if "key" in changes:  # the trail masks any field named like a key; the slug is no secret
        changes["slug"] = changes.pop("key")
    return changes


def _refusal(problems: list[tuple[str, str]]) -> ServiceError:
    """The first problem as the message and the field; all of them in the details."""
    column, message = problems[0]
    return ServiceError(
        message,
        code="invalid",
        details={
            "field": column,
            "problems": [{"field": c, "message": m} for c, m in problems],
        },
    )


@transaction.atomic
def save_policy(
    *, acting_user: Any, data: Mapping[str, Any], policy: PolicyInstrument | None = None
) -> PolicyInstrument:
    """Create a policy, or change `policy`, from `data` (the import's columns). An empty key
    keeps the policy's own, or is made from the English title for a new one."""
    require_capability(acting_user, EDIT)
    checked = check_policy(data, Lookups.load())
    key = checked.values.get("key", "")
    others = PolicyInstrument.objects.exclude(pk=policy.pk) if policy else PolicyInstrument.objects
    if key and others.filter(key=key).exists():
        checked.problems.insert(0, ("key", _("Another policy already has this key.")))
    if checked.problems:
        raise _refusal(checked.problems)
    values = checked.values
    if not key:
        values["key"] = (
            policy.key
            if policy
            else unique_key(values["title_en"], set(others.values_list("key", flat=True)))
        )
    target = policy or PolicyInstrument()
    creating = target._state.adding
    changes = _write(target, values)
    if creating or changes:
        record(
            f"knowledge.policy.{'created' if creating else 'changed'}",
            actor=acting_user,
            target=target,
            changes=changes,
        )
        search.reindex()
    return target


@transaction.atomic
def delete_policy(*, acting_user: Any, policy: PolicyInstrument) -> None:
    require_capability(acting_user, EDIT)
    record(
        "knowledge.policy.deleted",
        actor=acting_user,
        target=policy,
        changes={"slug": policy.key, "title_en": policy.title_en},
    )
    try:
        policy.delete()
    except ProtectedError:
        raise ServiceError(
            _("Other records refer to this policy: it cannot be deleted."), code="protected"
        ) from None
    search.reindex()


# --- Import ------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def imported(self) -> bool:
        return not self.problems


@dataclass
class _Row:
    number: int  # as in the spreadsheet: the header is row 1
    cells: dict[str, str]  # column → text, for the columns the file has
    existing: PolicyInstrument | None


def _header_code(title: str) -> str:
    return re.sub(r"[\s\-]+", "_", fold(title))


def _columns(header: list[str]) -> tuple[list[str | None], list[Problem]]:
    """The column each title of the header names (None for an unknown or empty one)."""
    known = {_header_code(column): column for column in COLUMNS}
    columns: list[str | None] = []
    problems = []
    for title in header:
        column = known.get(_header_code(title))
        if title and column is None:
            problems.append(
                Problem(
                    1,
                    title,
                    _("Unknown column; the columns are: %(columns)s.")
                    % {"columns": ", ".join(COLUMNS)},
                )
            )
        elif column is not None and column in columns:
            problems.append(Problem(1, title, _("This column is in the file twice.")))
            column = None
        columns.append(column)
    return columns, problems


def _unquote(cell: str) -> str:
    """A cell as written before the CSV export quoted it against formulas."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in _FORMULA else cell


def _rows(columns: list[str | None], table: list[list[str]]) -> list[_Row]:
    rows = [
        _Row(
            number,
            {c: _unquote(cell) for c, cell in zip(columns, cells, strict=False) if c is not None},
            None,
        )
        for number, cells in enumerate(table, start=2)
    ]
    keys = {row.cells.get("key", "") for row in rows} - {""}
    existing = {
        p.key: p
        for p in PolicyInstrument.objects.filter(key__in=keys)
        .select_related("issuer")
        .prefetch_related("themes")
    }
    for row in rows:
        row.existing = existing.get(row.cells.get("key", ""))
    return rows


def _check_rows(
    rows: list[_Row], titles: dict[str, str], lookups: Lookups
) -> tuple[list[Checked], list[Problem]]:
    """Each row checked as the form's data is; a column the file lacks keeps, for a policy
    already there, its value. A key twice in the file is refused on its second row."""
    checked_rows, problems = [], []
    first_row: dict[str, int] = {}
    for row in rows:
        base = policy_row(row.existing) if row.existing else {}
        checked = check_policy({**base, **row.cells}, lookups)
        key = checked.values.get("key", "")
        if key in first_row:
            checked.problems.insert(
                0,
                ("key", _("This key is already on row %(row)s.") % {"row": first_row[key]}),
            )
        elif key:
            first_row[key] = row.number
        problems += [Problem(row.number, titles.get(c, c), m) for c, m in checked.problems]
        checked_rows.append(checked)
    return checked_rows, problems


@transaction.atomic
def import_policies(*, acting_user: Any, name: str, data: bytes) -> ImportResult:
    """Create or update (by key) the policies of a CSV or XLSX file, all of them or, at the
    first problem, none: the result lists every problem with its row and column."""
    require_capability(acting_user, EDIT)
    header, table, unreadable = read_table(name, data, max_rows=MAX_ROWS)
    if unreadable:
        return ImportResult(problems=unreadable)
    if not table:
        return ImportResult(problems=[Problem(0, "", _("The file has no policy rows."))])
    columns, problems = _columns(header)
    titles = {c: title for c, title in zip(columns, header, strict=True) if c is not None}
    rows = _rows(columns, table)
    checked_rows, row_problems = _check_rows(rows, titles, Lookups.load())
    if problems or row_problems:
        return ImportResult(problems=problems + row_problems)
    result = ImportResult()
    taken = set(PolicyInstrument.objects.values_list("key", flat=True))
    taken |= {checked.values["key"] for checked in checked_rows}
    for row, checked in zip(rows, checked_rows, strict=True):
        values = checked.values
        if not values["key"]:
            values["key"] = unique_key(values["title_en"], taken)
            taken.add(values["key"])
        changes = _write(row.existing or PolicyInstrument(), values)
        if row.existing is None:
            result.created += 1
        elif changes:
            result.updated += 1
        else:
            result.unchanged += 1
    record(
        "knowledge.policy.imported",
        actor=acting_user,
        object_type="knowledge.policy",
        object_id=name[:64],
        changes={
            "file": name,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        },
    )
    search.reindex()
    return result


# --- Filtering and export ----------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the list of policies is narrowed to; each empty filter lets everything through."""

    theme: str = ""
    type: str = ""
    level: str = ""
    mobility: str = ""
    hazard: str = ""
    issuer: str = ""
    year_from: int | None = None
    year_to: int | None = None
    text: str = ""


def filtered(filters: Filters) -> QuerySet[PolicyInstrument]:
    """The policies that pass every filter, with their issuer and themes; the text is searched
    in the knowledge base's index (titles and summaries in every language)."""
    policies = PolicyInstrument.objects.select_related("issuer").prefetch_related("themes")
    if filters.theme:
        policies = policies.filter(themes__code=filters.theme)
    exact = {"type": filters.type, "level": filters.level, "issuer__key": filters.issuer}
    policies = policies.filter(**{name: value for name, value in exact.items() if value})
    # The lists hold values of a closed list, none inside another: the quoted value is the item.
    if filters.mobility:
        policies = policies.filter(mobility__icontains=f'"{filters.mobility}"')
    if filters.hazard:
        policies = policies.filter(hazard__icontains=f'"{filters.hazard}"')
    if filters.year_from is not None:
        policies = policies.filter(year__gte=filters.year_from)
    if filters.year_to is not None:
        policies = policies.filter(year__lte=filters.year_to)
    if filters.text:
        found = [hit.key for hit in search.search(filters.text) if hit.kind == "policy"]
        policies = policies.filter(key__in=found)
    return policies


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_policies(policies: QuerySet[PolicyInstrument], fmt: str) -> bytes:
    """The policies in the import's columns, as CSV (UTF-8 with a BOM, for spreadsheets) or
    XLSX: edited and imported back, they update the same policies."""
    rows = [
        policy_row(policy)
        for policy in policies.select_related("issuer").prefetch_related("themes")
    ]
    table = [list(COLUMNS)] + [[row[column] for column in COLUMNS] for row in rows]
    if fmt == "csv":
        return _csv(table)
    if fmt == "xlsx":
        return _xlsx(table)
    raise ValueError(fmt)


def _csv(table: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for cells in table:
        writer.writerow(["'" + cell if cell.startswith(_FORMULA) else cell for cell in cells])
    return out.getvalue().encode("utf-8-sig")


def _xlsx(table: list[list[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = "policies"
    for number, cells in enumerate(table, start=1):
        for position, text in enumerate(cells, start=1):
            cell = sheet.cell(number, position)
            cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
            cell.data_type = "s"  # text, never a formula
            if number == 1:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
