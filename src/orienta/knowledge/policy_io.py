"""Policy instruments in and out of spreadsheets: the import of a CSV or XLSX file and the
export of a list of policies, in the same columns (`COLUMNS`), so that an export edited and
imported back updates the same policies.

An import is all or nothing: every row is checked as the form's data is
(`policy_columns.check_policy`), and one problem anywhere writes nothing; the result lists
every problem with its row and column. The policies it creates or changes are written as the
form writes them (`policies.write_policy`: a change makes a new version), under a lock on the
rows it updates, with one audit event for the file and one update of the search index."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orienta.accounts.access import require_capability
from orienta.audit.services import record
from orienta.core.errors import ConflictError
from orienta.core.tables import FORMULA_STARTS, Problem, Row, fold, read_table, spreadsheet_text
from orienta.knowledge import search
from orienta.knowledge.checks import EDIT
from orienta.knowledge.models import PolicyInstrument
from orienta.knowledge.policies import unique_key, write_policy
from orienta.knowledge.policy_columns import Checked, Lookups, as_text, check_policy, policy_values

MAX_ROWS = 5_000
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


# --- Import ------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did (counts by outcome), or, when it wrote nothing, every problem."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def imported(self) -> bool:
        return not self.problems


@dataclass
class _Row:
    number: int  # as in the file, blank rows counted: the header is row 1
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
    return cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA_STARTS else cell


def _rows(columns: list[str | None], table: list[Row]) -> list[_Row]:
    rows = [
        _Row(
            cells.number,
            {c: _unquote(cell) for c, cell in zip(columns, cells, strict=False) if c is not None},
            None,
        )
        for cells in table
    ]
    keys = {row.cells.get("key", "") for row in rows} - {""}
    # Locked until the import ends, as the form locks the policy it edits: an edit committed
    # meanwhile is not overwritten from what was read before it.
    existing = {
        p.key: p
        for p in PolicyInstrument.objects.filter(key__in=keys)
        .select_for_update(of=("self",))
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


def _write_rows(
    rows: list[_Row], checked_rows: list[Checked], result: ImportResult
) -> list[PolicyInstrument]:
    """Write the checked rows, each counted in `result`; return the policies written."""
    taken = set(PolicyInstrument.objects.values_list("key", flat=True))
    taken |= {checked.values["key"] for checked in checked_rows}
    written = []
    for row, checked in zip(rows, checked_rows, strict=True):
        values = checked.values
        if not values["key"]:
            values["key"] = unique_key(values["title_en"], taken)
            taken.add(values["key"])
        policy = row.existing or PolicyInstrument()
        changes = write_policy(policy, values)
        if row.existing is None:
            result.created += 1
        elif changes:
            result.updated += 1
        else:
            result.unchanged += 1
        if row.existing is None or changes:
            written.append(policy)
    return written


@transaction.atomic
def import_policies(*, acting_user: Any, name: str, data: bytes) -> ImportResult:
    """Create or update (by key) the policies of a CSV or XLSX file, all of them or, at the
    first problem, none: the result lists every problem with its row and column. Refused
    (ConflictError) when a concurrent import or form took one of its new keys first."""
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
    try:
        # The keys were free when checked; one taken since (two imports of one file at the
        # same moment) fails its insert, which rolls the whole file back to this savepoint.
        with transaction.atomic():
            written = _write_rows(rows, checked_rows, result)
    except IntegrityError:
        raise ConflictError(
            _(
                "Someone else imported or created one of these policies at the same time. "
                "Import the file again."
            ),
            code="conflict",
        ) from None
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
    search.index(policies=written)
    return result


# --- Export ------------------------------------------------------------------------------------


def policy_row(policy: PolicyInstrument) -> dict[str, str]:
    """The policy as a row of text in the columns: an export row, and what an import row starts
    from (a column the file leaves out keeps the policy's value)."""
    return {column: as_text(value) for column, value in policy_values(policy).items()}


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
        writer.writerow([spreadsheet_text(cell) for cell in cells])
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
