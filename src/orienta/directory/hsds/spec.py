"""The HSDS tables as data: columns, types, required columns, enumerations, foreign keys.

Read from the HSDS 3.0 `datapackage.json` shipped beside this file, plus the NRM profile's
columns (docs/hsds-profile.md) and HSDS 3.1's `unit` and `service_capacity`. Import, export and
the HSDS API all walk these tables, so adding a column is adding it here and on the model.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models

from orienta.directory.models.hsds import ReferralChannel
from orienta.directory.models.organisation import OrganisationKind, OrganisationLevel

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string, number, boolean, date, datetime, time, array
    format: str = ""
    required: bool = False
    enum: tuple[str, ...] = ()
    profile: bool = False  # an NRM profile addition, not an HSDS column


@dataclass(frozen=True)
class Table:
    name: str
    path: str  # the CSV file name in a tabular package
    columns: tuple[Column, ...]
    foreign_keys: dict[str, str] = field(default_factory=dict)  # column → referenced table

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @functools.cached_property
    def _by_name(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}

    def column(self, name: str) -> Column | None:
        return self._by_name.get(name)

    @property
    def model(self) -> type[models.Model]:
        return model_for(self.name)


# NRM profile columns: see docs/hsds-profile.md.
_PROFILE: dict[str, list[Column]] = {
    "organization": [
        Column("acronym", "string", profile=True),
        Column("kind", "string", profile=True, enum=tuple(OrganisationKind.values)),
        Column("country", "string", profile=True),
        Column("mandate_fr", "string", profile=True),
        Column("mandate_en", "string", profile=True),
        Column("level", "string", profile=True, enum=tuple(OrganisationLevel.values)),
        Column("admin1_code", "string", profile=True),
        Column("admin1_name", "string", profile=True),
        Column("admin2_code", "string", profile=True),
        Column("admin2_name", "string", profile=True),
    ],
    "location": [
        Column("country", "string", profile=True),
        Column("admin1_code", "string", profile=True),
        Column("admin1_name", "string", profile=True),
        Column("admin2_code", "string", profile=True),
        Column("admin2_name", "string", profile=True),
    ],
    "service": [
        Column("target_groups", "array", profile=True),
        Column("accepts_referrals", "boolean", profile=True),
        Column("referral_channel", "string", profile=True, enum=tuple(ReferralChannel.values)),
        Column("referral_focal_point_id", "string", format="uuid", profile=True),
    ],
    "funding": [Column("end_date", "date", profile=True)],
    "taxonomy_term": [Column("name_en", "string", profile=True)],
    "contact": [Column("internal", "boolean", profile=True)],
}
_PROFILE_FOREIGN_KEYS = {"service": {"referral_focal_point_id": "contact"}}

# HSDS 3.1 tables used by matching (capacity).
_HSDS_31 = [
    Table(
        "unit",
        "units.csv",
        (
            Column("id", "string", "uuid", required=True),
            Column("name", "string", required=True),
            Column("scheme", "string"),
            Column("identifier", "string"),
            Column("uri", "string", "uri"),
        ),
    ),
    Table(
        "service_capacity",
        "service_capacities.csv",
        (
            Column("id", "string", "uuid", required=True),
            Column("service_id", "string", "uuid", required=True),
            Column("unit_id", "string", "uuid", required=True),
            Column("available", "number", required=True),
            Column("maximum", "number"),
            Column("description", "string"),
            Column("updated", "datetime", required=True),
        ),
        {"service_id": "service", "unit_id": "unit"},
    ),
]

#: Tables in an order where every table comes after the ones it refers to.
ORDER = (
    "organization",
    "organization_identifier",
    "program",
    "taxonomy",
    "taxonomy_term",
    "location",
    "service",
    "service_at_location",
    "contact",
    "phone",
    "address",
    "schedule",
    "service_area",
    "language",
    "cost_option",
    "funding",
    "required_document",
    "accessibility",
    "attribute",
    "metadata",
    "meta_table_description",
    "unit",
    "service_capacity",
)


@functools.cache
def tables() -> dict[str, Table]:
    package = json.loads((HERE / "datapackage.json").read_text(encoding="utf-8"))
    found: dict[str, Table] = {}
    for resource in package["resources"]:
        name = resource["name"]
        columns = [
            Column(
                f["name"],
                f["type"],
                f.get("format", ""),
                bool(f.get("constraints", {}).get("required")),
                tuple(f.get("constraints", {}).get("enum", ())),
            )
            for f in resource["schema"]["fields"]
        ]
        keys = {
            fk["fields"]: fk["reference"]["resource"]
            for fk in resource["schema"].get("foreignKeys") or []
        }
        if name == "taxonomy_term":
            keys["parent_id"] = "taxonomy_term"
        if name == "organization":
            keys["parent_organization_id"] = "organization"
        keys.update(_PROFILE_FOREIGN_KEYS.get(name, {}))
        columns += _PROFILE.get(name, [])
        found[name] = Table(name, resource["path"], tuple(columns), keys)
    for table in _HSDS_31:
        found[table.name] = table
    return {name: found[name] for name in ORDER}


@functools.cache
def json_schema(name: str) -> dict[str, Any]:
    """The table's HSDS JSON Schema, flat: nested objects and arrays are checked as rows of
    their own tables."""
    path = HERE / "schema" / f"{name}.json"
    if not path.exists():  # HSDS 3.1 tables: built from their columns
        columns = tables()[name].columns
        kinds = {"date": "string", "datetime": "string", "time": "string"}
        properties: dict[str, Any] = {
            c.name: {
                "type": kinds.get(c.type, c.type),
                **({"format": c.format} if c.format else {}),
            }
            for c in columns
        }
        required = [c.name for c in columns if c.required]
        return {"type": "object", "properties": properties, "required": required}
    schema = json.loads(path.read_text(encoding="utf-8"))
    flat = {
        key: value
        for key, value in schema["properties"].items()
        if value.get("type") not in ("array", "object")
        and "$ref" not in value
        and value.get("type") is not None
    }
    return {
        "type": "object",
        "properties": flat,
        "required": [r for r in schema.get("required", []) if r in flat],
    }


def model_for(table: str) -> type[models.Model]:
    from orienta.directory import models as directory

    for model in (directory.Organisation, *directory.HsdsRecord.__subclasses__()):
        if getattr(model, "hsds_table", None) == table:
            return model
    raise LookupError(table)


def fields_by_column(model: type[models.Model]) -> dict[str, models.Field[Any, Any]]:
    return {f.column: f for f in model._meta.concrete_fields}


# HSDS requires these columns; rows entered without them (an organisation added through the
# platform's form with no description) publish the named column in their place.
_STAND_INS = {("organization", "description"): "name"}


def fill_required(table: str, row: dict[str, Any]) -> dict[str, Any]:
    for (name, column), stand_in in _STAND_INS.items():
        if name == table and not row.get(column):
            row[column] = row.get(stand_in)
    return row
