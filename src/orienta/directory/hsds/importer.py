"""Importing HSDS: validate every row against the HSDS JSON Schemas and the tables' types and
references, report every problem with file, row and field, and then write everything or nothing.
Re-importing updates rows by id; columns HSDS does not define are kept in `extra`."""

from __future__ import annotations

import functools
import json
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

import fastjsonschema
from django.db import transaction
from jsonschema import Draft202012Validator, FormatChecker

from orienta.audit.services import record
from orienta.directory.hsds.reader import Input, Problem, Row
from orienta.directory.hsds.spec import ORDER, Column, Table, fields_by_column, json_schema, tables
from orienta.directory.models import directory_changed

_FORMATS = FormatChecker()


class ImportRejectedError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # Optional references to rows that are neither in the input nor in the directory: kept.
    warnings: list[Problem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


@functools.cache
def _validator(table: str) -> Draft202012Validator:
    return Draft202012Validator(json_schema(table), format_checker=_FORMATS)


@functools.cache
def _conforms(table: str) -> Callable[[dict[str, Any]], bool]:
    """A compiled check of the same schema, many times faster than `_validator`: most rows of a
    large import are valid, and only those that fail it go through `_validator` for the full
    list of problems. The formats are jsonschema's own checks, so both agree on every row (the
    flat schemas use only type, format, enum and required, which mean the same in both
    drafts)."""
    formats = {
        name: functools.partial(_FORMATS.conforms, format=name) for name in _FORMATS.checkers
    }
    compiled = fastjsonschema.compile(json_schema(table), formats=formats, use_default=False)

    def conforms(row: dict[str, Any]) -> bool:
        try:
            compiled(row)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return conforms


def _typed_for_schema(column: Column, value: Any) -> Any:
    """CSV cells are text: give numbers and booleans their JSON type before schema checks."""
    if not isinstance(value, str):
        return value
    if column.type == "number":
        try:
            return float(value)
        except ValueError:
            return value  # the schema reports it
    return value


def _to_python(column: Column, value: Any) -> Any:
    if column.type == "number":
        if isinstance(value, bool):
            raise ValueError("is not a number")
        return float(value)
    if column.type == "boolean":
        if isinstance(value, bool):
            return value
        lowered = str(value).strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise ValueError("is not true or false")
    if column.type == "array":
        if isinstance(value, list):
            return value
        parsed = json.loads(value) if str(value).startswith("[") else str(value).split(";")
        return [str(v).strip() for v in parsed if str(v).strip()]
    if column.type == "date":
        return date.fromisoformat(str(value))
    if column.type == "datetime":
        moment = datetime.fromisoformat(str(value))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if column.type == "time":
        return time.fromisoformat(str(value))
    if column.format == "uuid":
        return uuid.UUID(str(value))
    if not isinstance(value, str):
        raise ValueError("should be text")
    return value


def _check_row(table: Table, row: Row, problems: list[Problem]) -> dict[str, Any] | None:
    for name, value in list(row.values.items()):
        column = table.column(name)
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if column and column.type == "string" and is_number:
            # JSON publishers write identifiers as numbers (the official examples do).
            row.values[name] = str(value)
    schema_row = {}
    reported: set[str] = set()
    for name, value in row.values.items():
        column = table.column(name)
        schema_row[name] = _typed_for_schema(column, value) if column else value
    bad = False
    errors = (
        () if _conforms(table.name)(schema_row) else _validator(table.name).iter_errors(schema_row)
    )
    for error in errors:
        where = error.path[0] if error.path else ""
        if error.validator == "required":
            where = error.message.split("'")[1]
            message = "is required"
        elif error.validator == "format":
            message = f"is not a valid {error.validator_value}"
        elif error.validator == "enum":
            allowed = ", ".join(str(v) for v in error.validator_value)
            message = f"must be one of: {allowed}"
        else:
            message = error.message
        problems.append(Problem(row.source, row.where, str(where), message))
        reported.add(str(where))
        bad = True
    converted: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for name, value in row.values.items():
        column = table.column(name)
        if column is None:
            extra[name] = value
            continue
        if name in reported or (column.required is False and value in ("", None)):
            continue
        if column.enum and str(value) not in column.enum:
            if column.profile:
                problems.append(
                    Problem(
                        row.source, row.where, name, f"must be one of: {', '.join(column.enum)}"
                    )
                )
                bad = True
            continue
        try:
            converted[name] = _to_python(column, value)
        except (ValueError, TypeError) as error:
            message = (
                str(error) if str(error).startswith("is ") else f"is not a valid {column.type}"
            )
            if column.format == "uuid":
                message = "is not a valid uuid"
            problems.append(Problem(row.source, row.where, name, message))
            bad = True
    for column in table.columns:
        if (
            column.required
            and column.name not in row.values
            and not any(p.where == row.where and p.field == column.name for p in problems)
        ):
            problems.append(Problem(row.source, row.where, column.name, "is required"))
            bad = True
    if "id" not in converted:
        return None
    converted["extra"] = extra
    return None if bad else converted


def _merge_rows(rows: list[Row]) -> dict[str, list[Row]]:
    """Group by table; the same object nested in several places (an organisation under each of
    its services) becomes one row."""
    grouped: dict[str, dict[Any, Row]] = defaultdict(dict)
    loose: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        key = row.values.get("id")
        if key is None:
            loose[row.table].append(row)
            continue
        seen = grouped[row.table].get(key)
        if seen is None:
            grouped[row.table][key] = row
        elif seen.source == row.source and seen.where.startswith("row"):
            loose[row.table].append(row)  # two CSV rows with one id: reported below
        else:
            for name, value in row.values.items():
                seen.values.setdefault(name, value)
    return {t: list(grouped[t].values()) + loose[t] for t in set(grouped) | set(loose)}


Checked = list[tuple[dict[str, Any] | None, list[Problem]]]


def _check_rows(table_name: str, rows: list[Row]) -> Checked:
    table = tables()[table_name]
    checked: Checked = []
    for row in rows:
        found: list[Problem] = []
        if "id" not in row.values:
            found.append(Problem(row.source, row.where, "id", "is required"))
            checked.append((None, found))
            continue
        checked.append((_check_row(table, row, found), found))
    return checked


def validate(data: Input, warnings: list[Problem] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Every row checked; returns the converted rows per table, or raises ImportRejectedError with
    every problem found. Dangling optional references are added to `warnings`."""
    problems = list(data.problems)
    if not data.rows and not problems:
        problems.append(Problem("", "", "", "no HSDS table was found in the input"))
    grouped = _merge_rows(data.rows)
    clean: dict[str, list[dict[str, Any]]] = {}
    positions: dict[tuple[str, Any], Row] = {}
    checked = {name: _check_rows(name, grouped.get(name, [])) for name in ORDER}
    for table_name in ORDER:
        clean[table_name] = []
        for row, (converted, found) in zip(
            grouped.get(table_name, []), checked[table_name], strict=True
        ):
            problems.extend(found)
            if converted is None:
                continue
            key = (table_name, converted["id"])
            if key in positions:
                problems.append(
                    Problem(row.source, row.where, "id", f"repeats {positions[key].where}")
                )
                continue
            positions[key] = row
            clean[table_name].append(converted)
    _check_references(clean, positions, problems, warnings if warnings is not None else [])
    if problems:
        raise ImportRejectedError(problems)
    return clean


def _check_references(
    clean: dict[str, list[dict[str, Any]]],
    positions: dict[tuple[str, Any], Row],
    problems: list[Problem],
    warnings: list[Problem],
) -> None:
    """A required reference must resolve (in the input or the directory); an optional one that
    does not is kept as it is, with a warning: HSDS data often points at rows published
    elsewhere."""
    incoming = {name: {row["id"] for row in rows} for name, rows in clean.items()}
    wanted: dict[str, set[Any]] = defaultdict(set)
    specs = tables()
    for name, rows in clean.items():
        for column, target in specs[name].foreign_keys.items():
            wanted[target] |= {row[column] for row in rows if row.get(column) is not None}
    stored = {
        target: set(
            specs[target]
            .model._default_manager.filter(pk__in=ids - incoming[target])
            .values_list("pk", flat=True)
        )
        for target, ids in wanted.items()
    }
    for name, rows in clean.items():
        for column, target in specs[name].foreign_keys.items():
            for row in rows:
                value = row.get(column)
                if value is None or value in incoming[target] or value in stored[target]:
                    continue
                where = positions[(name, row["id"])]
                required = specs[name].column(column)
                bucket = problems if required is not None and required.required else warnings
                bucket.append(
                    Problem(
                        where.source,
                        where.where,
                        column,
                        f"refers to {target} {value}, which is neither in the input "
                        "nor in the directory",
                    )
                )


@transaction.atomic
def write(
    clean: dict[str, list[dict[str, Any]]], *, actor: Any = None, source: str = ""
) -> ImportReport:
    report = ImportReport()
    specs = tables()
    for name in ORDER:
        rows = clean.get(name) or []
        if not rows:
            continue
        model = specs[name].model
        by_column = fields_by_column(model)
        creates: list[Any] = []
        updates: list[Any] = []
        touched: set[str] = {"extra"}
        instances = []
        for row in rows:
            instance = model(pk=row["id"])
            for column_name, value in row.items():
                if column_name in ("id", "extra"):
                    continue
                model_field = by_column[column_name]
                setattr(instance, model_field.attname, value)
                touched.add(model_field.attname)
            instance.extra = row["extra"]  # type: ignore[attr-defined]
            instances.append(instance)
        stored = {
            values.pop("id"): values
            for values in model._default_manager.filter(pk__in=[r["id"] for r in rows]).values(
                "id", *touched
            )
        }
        for instance in instances:
            before = stored.get(instance.pk)
            if before is None:
                creates.append(instance)
            elif any(getattr(instance, name) != before[name] for name in before):
                updates.append(instance)
        # Columns left out of the input keep their defaults on create; on update, every column
        # the input names is replaced. Rows that would not change are not written at all.
        model._default_manager.bulk_create(creates, batch_size=1000)
        if updates:
            model._default_manager.bulk_update(updates, sorted(touched), batch_size=1000)
        report.created[name] += len(creates)
        report.updated[name] += len(updates)
    if not report.total:
        return report  # nothing changed: nothing to record
    directory_changed()
    record(
        "directory.hsds.imported",
        actor=actor,
        object_type="directory.hsds",
        object_id=source[:64],
        changes={"created": dict(report.created), "updated": dict(report.updated)},
    )
    return report


def import_input(data: Input, *, actor: Any = None, source: str = "") -> ImportReport:
    """Validate, then write all or nothing. Raises ImportRejectedError listing every problem."""
    warnings: list[Problem] = []
    report = write(validate(data, warnings), actor=actor, source=source)
    report.warnings = warnings
    return report
