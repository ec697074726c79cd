"""Reading HSDS input into rows per table: a tabular data package (folder or zip of CSV files),
HSDS JSON (one object, a list, an API `Page`, or the tabular JSON form)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orienta.directory.hsds.spec import tables


@dataclass
class Row:
    table: str
    values: dict[str, Any]
    source: str  # file name
    where: str  # "row 3" in a CSV, a JSON path otherwise


@dataclass
class Problem:
    source: str
    where: str
    field: str
    message: str

    def __str__(self) -> str:
        parts = [self.source, self.where, self.field]
        return ": ".join(p for p in parts if p) + f": {self.message}"


@dataclass
class Input:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _decode(data: bytes, source: str, result: Input) -> str | None:
    if not data.strip():
        result.problems.append(Problem(source, "", "", "the file is empty"))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        result.problems.append(
            Problem(source, f"line {line}", "", "is not UTF-8 text (save the file as UTF-8)")
        )
        return None


def _read_csv(text: str, table: str, source: str, result: Input) -> None:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        result.problems.append(Problem(source, "", "", "the file has no header row"))
        return
    try:
        for number, record in enumerate(reader, start=2):  # row 1 is the header
            if None in record:
                result.problems.append(
                    Problem(source, f"row {number}", "", "has more cells than the header")
                )
                continue
            values = {k: v for k, v in record.items() if v not in ("", None)}
            result.rows.append(Row(table, values, source, f"row {number}"))
    except csv.Error as error:
        result.problems.append(Problem(source, f"row {reader.line_num}", "", str(error)))


_BY_PATH = {t.path: t.name for t in tables().values()}


def read_tabular(files: dict[str, bytes]) -> Input:
    """`files`: CSV file name → bytes. Unknown file names are ignored."""
    result = Input()
    for name, data in files.items():
        table = _BY_PATH.get(Path(name).name)
        if table is None:
            continue
        text = _decode(data, Path(name).name, result)
        if text is not None:
            _read_csv(text, table, Path(name).name, result)
    return result


# Nested arrays in HSDS JSON: property → (child table, the child's column that points back).
_CHILDREN: dict[str, dict[str, tuple[str, str]]] = {
    "organization": {
        "funding": ("funding", "organization_id"),
        "contacts": ("contact", "organization_id"),
        "phones": ("phone", "organization_id"),
        "locations": ("location", "organization_id"),
        "programs": ("program", "organization_id"),
        "organization_identifiers": ("organization_identifier", "organization_id"),
        "services": ("service", "organization_id"),
    },
    "service": {
        "phones": ("phone", "service_id"),
        "schedules": ("schedule", "service_id"),
        "service_areas": ("service_area", "service_id"),
        "service_at_locations": ("service_at_location", "service_id"),
        "languages": ("language", "service_id"),
        "funding": ("funding", "service_id"),
        "cost_options": ("cost_option", "service_id"),
        "required_documents": ("required_document", "service_id"),
        "contacts": ("contact", "service_id"),
        "capacities": ("service_capacity", "service_id"),
    },
    "location": {
        "languages": ("language", "location_id"),
        "addresses": ("address", "location_id"),
        "contacts": ("contact", "location_id"),
        "accessibility": ("accessibility", "location_id"),
        "phones": ("phone", "location_id"),
        "schedules": ("schedule", "location_id"),
    },
    "service_at_location": {
        "contacts": ("contact", "service_at_location_id"),
        "phones": ("phone", "service_at_location_id"),
        "schedules": ("schedule", "service_at_location_id"),
    },
    "contact": {"phones": ("phone", "contact_id")},
    "phone": {"languages": ("language", "phone_id")},
    "program": {"services": ("service", "program_id")},
}
# Nested single objects: property → (its table, the parent's column that points to it).
_PARENTS: dict[str, dict[str, tuple[str, str]]] = {
    "service": {
        "organization": ("organization", "organization_id"),
        "program": ("program", "program_id"),
    },
    "service_at_location": {
        "location": ("location", "location_id"),
        "service": ("service", "service_id"),
    },
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", "taxonomy_id")},
    "attribute": {"taxonomy_term": ("taxonomy_term", "taxonomy_term_id")},
    "program": {"organization": ("organization", "organization_id")},
    "location": {"organization": ("organization", "organization_id")},
    "service_capacity": {"unit": ("unit", "unit_id")},
}


def _flatten(
    table: str,
    obj: Any,
    source: str,
    path: str,
    result: Input,
    parent: tuple[str, Any] | None = None,
) -> None:
    if not isinstance(obj, dict):
        result.problems.append(Problem(source, path, "", f"should be a {table} object"))
        return
    values: dict[str, Any] = {}
    children = _CHILDREN.get(table, {})
    parents = _PARENTS.get(table, {})
    for key, value in obj.items():
        if key in ("attributes", "metadata") and isinstance(value, list):
            child = "attribute" if key == "attributes" else "metadata"
            link, kind = (
                ("link_id", "link_entity")
                if key == "attributes"
                else ("resource_id", "resource_type")
            )
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    item = {link: obj.get("id"), kind: table, **item}
                _flatten(child, item, source, f"{path}.{key}[{i}]", result)
        elif key in children and isinstance(value, list):
            child, back = children[key]
            for i, item in enumerate(value):
                if isinstance(item, dict) and obj.get("id") is not None:
                    item = {back: obj["id"], **item}
                _flatten(child, item, source, f"{path}.{key}[{i}]", result)
        elif key in parents and isinstance(value, dict):
            other, column = parents[key]
            owner = obj.get("organization_id") or (obj.get("organization") or {}).get("id")
            if other == "program" and "organization_id" not in value and owner:
                # A service's program belongs to the service's organisation.
                value = {"organization_id": owner, **value}
            _flatten(other, value, source, f"{path}.{key}", result)
            if value.get("id") is not None:
                values.setdefault(column, value["id"])
        elif value is None:
            continue
        else:
            values[key] = value
    result.rows.append(Row(table, values, source, path))


def _guess_table(obj: dict[str, Any], hint: str) -> str:
    for name in (
        "service_at_location",
        "taxonomy_term",
        "organization",
        "location",
        "service",
        "taxonomy",
    ):
        if hint.startswith(name):
            return name
    if "location_type" in obj:
        return "location"
    if "status" in obj:
        return "service"
    if "taxonomy_detail" in obj or "parent_id" in obj or "term_uri" in obj:
        return "taxonomy_term"
    if "location" in obj or "service" in obj:
        return "service_at_location"
    return "organization"


def read_json(data: bytes, source: str) -> Input:
    result = Input()
    text = _decode(data, source, result)
    if text is None:
        return result
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        result.problems.append(
            Problem(source, f"line {error.lineno}", "", f"is not valid JSON: {error.msg}")
        )
        return result
    if isinstance(document, dict) and set(document) & set(_BY_PATH):
        # The tabular JSON form: {"services.csv": [rows…], …}
        for path, rows in document.items():
            table = _BY_PATH.get(path)
            if table is None or not isinstance(rows, list):
                continue
            for i, row in enumerate(rows):
                values = {k: v for k, v in (row or {}).items() if v not in ("", None)}
                result.rows.append(Row(table, values, source, f"{path}[{i}]"))
        return result
    if isinstance(document, dict) and "contents" in document:
        document = document["contents"]
    items: Iterable[Any] = document if isinstance(document, list) else [document]
    hint = Path(source).stem
    for i, item in enumerate(items):
        path = f"[{i}]" if isinstance(document, list) else "$"
        table = _guess_table(item, hint) if isinstance(item, dict) else "organization"
        _flatten(table, item, source, path, result)
    return result


def read_path(path: Path) -> Input:
    """Read a folder, a zip, a JSON file or a single CSV file."""
    if path.is_dir():
        files = {p.name: p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}
        json_files = [n for n in files if n.endswith(".json") and n != "datapackage.json"]
        merged = read_tabular(files)
        for name in json_files:
            part = read_json(files[name], name)
            merged.rows += part.rows
            merged.problems += part.problems
        return merged
    data = path.read_bytes()
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                files = {
                    info.filename: archive.read(info)
                    for info in archive.infolist()
                    if not info.is_dir()
                }
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as error:
            result = Input()
            result.problems.append(
                Problem(path.name, "", "", f"is not a readable zip file ({error})")
            )
            return result
        return read_tabular(files)
    if path.suffix.lower() == ".json":
        return read_json(data, path.name)
    if path.suffix.lower() == ".csv":
        return read_tabular({path.name: data})
    result = Input()
    result.problems.append(
        Problem(path.name, "", "", "is neither a folder, a zip, a JSON nor a CSV file")
    )
    return result
