"""Exporting HSDS: a tabular data package (CSV files and datapackage.json) or the tabular JSON
form. Every HSDS and profile column is written, then any extra columns kept at import."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from orienta.directory.hsds.spec import (
    HERE,
    Column,
    Table,
    fields_by_column,
    fill_required,
    tables,
)


def cell(column: Column | None, value: Any) -> Any:
    """A value as HSDS JSON wants it (numbers as numbers, dates as ISO text)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date | time):
        return value.isoformat()
    if column is not None and column.type == "array":
        return list(value)
    return str(value) if not isinstance(value, int | list | dict) else value


def rows(table: Table) -> Iterator[dict[str, Any]]:
    """The table's rows as {column: value}, extra columns last."""
    model = table.model
    by_column = fields_by_column(model)
    attnames = [(c, by_column[c.name].attname) for c in table.columns]
    queryset = model._default_manager.order_by("pk").values_list(
        *[a for _c, a in attnames], "extra"
    )
    for values in queryset.iterator(chunk_size=2000):
        row = {c.name: cell(c, v) for (c, _a), v in zip(attnames, values[:-1], strict=True)}
        row.update(values[-1] or {})
        yield fill_required(table.name, row)


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_package(folder: Path) -> dict[str, int]:
    """Write every table as CSV plus datapackage.json into `folder`; returns rows per table."""
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    resources = []
    package = json.loads((HERE / "datapackage.json").read_text(encoding="utf-8"))
    described = {r["name"]: r for r in package["resources"]}
    for table in tables().values():
        records = list(rows(table))
        header = table.column_names + sorted(
            {k for r in records for k in r} - set(table.column_names)
        )
        buffer = io.StringIO(newline="")
        writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\r\n")
        writer.writeheader()
        for record in records:
            writer.writerow({k: _csv_text(record.get(k)) for k in header})
        (folder / table.path).write_text(buffer.getvalue(), encoding="utf-8")
        counts[table.name] = len(records)
        resource = described.get(table.name) or {
            "name": table.name,
            "path": table.path,
            "profile": "tabular-data-resource",
            "schema": {"fields": [{"name": c.name, "type": c.type} for c in table.columns]},
        }
        resources.append(resource)
    package["resources"] = resources
    package["profile"] = package.get("profile", "tabular-data-package")
    (folder / "datapackage.json").write_text(
        json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return counts


def tabular_json() -> dict[str, list[dict[str, Any]]]:
    """All tables in HSDS's tabular JSON form: {"services.csv": [rows…], …}."""
    return {
        table.path: [{k: v for k, v in r.items() if v is not None} for r in rows(table)]
        for table in tables().values()
    }
