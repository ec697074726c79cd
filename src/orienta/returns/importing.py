"""Importing a manifest into a movement: every row checked and kept, the accepted ones
pre-registered through identity resolution (repeat returnees flagged), rejected ones fixable
one by one, and the list reconciled with who actually arrived."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orienta.accounts.access import require_capability
from orienta.audit.services import record
from orienta.core.errors import ServiceError
from orienta.core.tables import Problem
from orienta.identity.candidates import CandidateQuery, find_candidates_for
from orienta.returns import manifest as reading
from orienta.returns.choices import RowStatus
from orienta.returns.models import ColumnMapping, Manifest, ManifestRow, Movement

# A listed person more likely than not to be someone already registered is flagged a repeat
# returnee (the threshold of the batch resolution); the desk confirms it before linking.
REPEAT_FROM = 0.5
ROW_FIELDS = ("given_name", "family_name", "sex", "birth_date", "nationality", "document_number")


@dataclass
class ImportResult:
    manifest: Manifest
    accepted: int = 0
    rejected: int = 0
    already_listed: int = 0
    repeat_returns: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0


def source_key(movement: Movement, source: str) -> str:
    return (source.strip() or f"{movement.origin_country}:{movement.entry_point.code}")[:120]


def remembered_mapping(movement: Movement, source: str) -> dict[str, str]:
    found = ColumnMapping.objects.filter(source=source_key(movement, source)).first()
    return dict(found.mapping) if found else {}


def _query(values: dict[str, Any]) -> CandidateQuery:
    return CandidateQuery(
        given_name=values["given_name"],
        family_name=values["family_name"],
        birth_date=values["birth_date"],
        sex=values["sex"] if values["sex"] != "unknown" else "",
        document_numbers=(values["document_number"],) if values["document_number"] else (),
    )


def pre_register(rows: list[ManifestRow], acting_user: Any) -> int:
    """Look each listed person up in the registry in one pass; keep the best candidate."""
    if not rows:
        return 0
    queries = [_query({name: getattr(row, name) for name in ROW_FIELDS}) for row in rows]
    found = find_candidates_for(queries, user=acting_user, k=1)
    repeats = 0
    for row, candidates in zip(rows, found, strict=True):
        if candidates:
            best = candidates[0]
            row.candidate = best.person
            row.candidate_probability = best.probability
            row.repeat_return = best.probability >= REPEAT_FROM
            repeats += row.repeat_return
    return repeats


@transaction.atomic
def import_manifest(
    *,
    acting_user: Any,
    movement: Movement,
    name: str,
    data: bytes,
    source: str = "",
    mapping: dict[str, str] | None = None,
) -> ImportResult:
    """Raises UnusableFileError (nothing written) when the file cannot be read as a list."""
    require_capability(acting_user, "returns.receive_arrivals", movement.organisation_id)
    table = reading.read(name, data)
    mapping = mapping or reading.guess_mapping(table.header, remembered_mapping(movement, source))
    unusable = reading.check_mapping(table.header, mapping)
    if unusable:
        raise reading.UnusableFileError(unusable)
    checked = reading.check_rows(table, mapping)
    manifest = Manifest.objects.create(
        movement=movement,
        source=source[:120],
        file_name=name[:255],
        mapping=mapping,
        uploaded_by=acting_user,
    )
    result = ImportResult(manifest)
    # A new list replaces what could not be read in the earlier ones: the old rejected rows
    # are kept, marked withdrawn, and the people already accepted are not listed twice.
    movement.listed.filter(status=RowStatus.REJECTED).update(status=RowStatus.WITHDRAWN)
    on_list = {
        reading.duplicate_key({n: getattr(r, n) for n in ROW_FIELDS})
        for r in movement.listed.filter(status=RowStatus.ACCEPTED).only(*ROW_FIELDS)
    }
    rows: list[ManifestRow] = []
    for row in checked:
        values = {n: row.values.get(n) or ("" if n != "birth_date" else None) for n in ROW_FIELDS}
        if row.accepted and reading.duplicate_key(values) in on_list:
            result.already_listed += 1
            continue
        status = RowStatus.ACCEPTED if row.accepted else RowStatus.REJECTED
        rows.append(
            ManifestRow(
                manifest=manifest,
                movement=movement,
                row_number=row.number,
                cells=row.cells,
                status=status,
                problems=[{"column": p.column, "message": p.message} for p in row.problems],
                **values,
            )
        )
        result.problems.extend(row.problems)
    accepted = [r for r in rows if r.status == RowStatus.ACCEPTED]
    result.repeat_returns = pre_register(accepted, acting_user)
    ManifestRow.objects.bulk_create(rows, batch_size=1_000)
    result.accepted = len(accepted)
    result.rejected = len(rows) - len(accepted)
    manifest.rows_total = len(checked)
    manifest.rows_rejected = result.rejected
    manifest.save(update_fields=["rows_total", "rows_rejected"])
    ColumnMapping.objects.update_or_create(
        source=source_key(movement, source), defaults={"mapping": mapping}
    )
    first_list = {}
    if movement.list_received_at is None:
        movement.list_received_at = timezone.now()
        movement.save(update_fields=["list_received_at"])
        first_list = {"list_received_at": movement.list_received_at.isoformat()}
    record(
        "returns.manifest.imported",
        actor=acting_user,
        organisation=movement.organisation,
        target=manifest,
        changes={
            "movement_id": movement.pk,
            "file": name,
            "accepted": result.accepted,
            "rejected": result.rejected,
            "already_listed": result.already_listed,
            "repeat_returns": result.repeat_returns,
            **first_list,
        },
    )
    return result


@transaction.atomic
def fix_row(*, acting_user: Any, row: ManifestRow, cells: dict[str, str]) -> ManifestRow:
    """Correct a rejected row's cells; it is checked again, and pre-registered once accepted."""
    movement = row.movement
    require_capability(acting_user, "returns.receive_arrivals", movement.organisation_id)
    if row.status == RowStatus.ACCEPTED:
        raise ServiceError(_("This row was already accepted."), code="conflict")
    mapping = row.manifest.mapping
    checked = reading.check_row(
        row.row_number, {**row.cells, **cells}, mapping, timezone.localdate()
    )
    values = {n: checked.values.get(n) or ("" if n != "birth_date" else None) for n in ROW_FIELDS}
    if checked.accepted:
        twin = (
            movement.listed.filter(status=RowStatus.ACCEPTED)
            .only(*ROW_FIELDS, "row_number")
            .iterator()
        )
        key = reading.duplicate_key(values)
        for other in twin:
            if reading.duplicate_key({n: getattr(other, n) for n in ROW_FIELDS}) == key:
                checked.problems.append(
                    Problem(
                        row.row_number,
                        "",
                        _("This person is already on the list (row %(row)s).")
                        % {"row": other.row_number},
                    )
                )
                break
    row.cells = checked.cells
    row.problems = [{"column": p.column, "message": p.message} for p in checked.problems]
    if checked.accepted:
        row.status = RowStatus.ACCEPTED
        for name, value in values.items():
            setattr(row, name, value)
        pre_register([row], acting_user)
    else:
        row.status = RowStatus.REJECTED
    row.save()
    manifest = row.manifest
    manifest.rows_rejected = manifest.rows.filter(status=RowStatus.REJECTED).count()
    manifest.save(update_fields=["rows_rejected"])
    record(
        "returns.manifest_row.corrected",
        actor=acting_user,
        organisation=movement.organisation,
        target=row,
        changes={"status": row.status, "columns": sorted(cells)},
    )
    return row


@dataclass
class Reconciliation:
    listed: int
    arrived: int
    absent: list[ManifestRow]
    not_listed: int

    @property
    def matches(self) -> bool:
        return not self.absent and not self.not_listed


def reconcile(movement: Movement) -> Reconciliation:
    """Who was on the list but did not come, and how many came without being on it."""
    accepted = movement.listed.filter(status=RowStatus.ACCEPTED)
    absent = list(accepted.filter(arrival__isnull=True).order_by("family_name", "given_name"))
    arrivals = movement.arrivals.all()
    return Reconciliation(
        listed=accepted.count(),
        arrived=arrivals.count(),
        absent=absent,
        not_listed=arrivals.filter(listed__isnull=True).count(),
    )
