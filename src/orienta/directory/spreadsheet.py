"""Importing actors and services from a spreadsheet (XLSX or CSV) that someone filled by hand:
columns are mapped to fields, every row is checked, every problem is reported with its row and
column, and nothing is imported until there are none. Rows become a directory pack, which then
goes through the same HSDS import as everything else."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from orienta.core import tables
from orienta.directory.models import OrganisationKind, TargetGroup, TaxonomyTerm

MAX_ROWS = 20_000


@dataclass(frozen=True)
class Field:
    name: str
    label: Any
    required: bool = False
    aliases: tuple[str, ...] = ()


FIELDS = [
    Field(
        "organisation",
        _("Organisation"),
        True,
        ("organisation", "organization", "acteur", "structure"),
    ),
    Field("acronym", _("Acronym"), False, ("sigle", "acronyme", "acronym")),
    Field("kind", _("Kind of organisation"), False, ("type d'acteur", "type", "kind")),
    Field("service", _("Service"), True, ("service", "nom du service", "prestation")),
    Field("description", _("Description"), False, ("description",)),
    Field(
        "categories", _("Category codes"), True, ("categories", "catégories", "codes", "category")
    ),
    Field("status", _("Status"), False, ("statut", "status", "état")),
    Field("cost", _("Cost"), False, ("coût", "cout", "cost", "gratuité")),
    Field("amount", _("Amount"), False, ("montant", "amount", "prix")),
    Field(
        "admin1", _("Admin-1 code"), False, ("code département", "code région", "admin1", "pcode")
    ),
    Field("admin1_name", _("Admin-1 name"), False, ("département", "région", "region")),
    Field("admin2_name", _("Admin-2 name"), False, ("commune", "admin2")),
    Field("place", _("Place"), False, ("lieu", "site", "place", "adresse")),
    Field("latitude", _("Latitude"), False, ("latitude", "lat")),
    Field("longitude", _("Longitude"), False, ("longitude", "lon", "long")),
    Field("languages", _("Languages"), False, ("langues", "languages", "lang")),
    Field("phone", _("Phone"), False, ("téléphone", "telephone", "phone", "tél")),
    Field("hours", _("Hours"), False, ("horaires", "heures", "hours")),
    Field(
        "target_groups", _("Target groups"), False, ("groupes cibles", "public", "target groups")
    ),
    Field("min_age", _("Minimum age"), False, ("âge minimum", "age min", "min age")),
    Field("max_age", _("Maximum age"), False, ("âge maximum", "age max", "max age")),
]


_fold = tables.fold


COSTS = {
    "free": "free",
    "gratuit": "free",
    "gratis": "free",
    "shared": "shared",
    "shared cost": "shared",
    "partagé": "shared",
    "participation": "shared",
    "participation aux frais": "shared",
    "pataje frè": "shared",
    "peye": "paid",
    "paid": "paid",
    "payant": "paid",
}
STATUSES = {
    "active": "active",
    "actif": "active",
    "inactive": "inactive",
    "inactif": "inactive",
    "temporarily closed": "temporarily closed",
    "fermé temporairement": "temporarily closed",
    "temporairement fermé": "temporarily closed",
    "defunct": "defunct",
    "disparu": "defunct",
    "aktif": "active",
    "inaktif": "inactive",
    "fèmen pou kounye a": "temporarily closed",
}
KINDS = set(OrganisationKind.values)


_COSTS = {_fold(word): value for word, value in COSTS.items()}
_STATUSES = {_fold(word): value for word, value in STATUSES.items()}


Problem = tables.Problem


def read_table(name: str, data: bytes) -> tuple[list[str], list[tables.Row], list[Problem]]:
    """Header and rows of the first sheet (XLSX) or of the CSV."""
    return tables.read_table(name, data, max_rows=MAX_ROWS)


def guess_mapping(header: list[str]) -> dict[str, int]:
    """Field → column index, from the column titles people usually write."""
    folded = [_fold(title) for title in header]
    mapping: dict[str, int] = {}
    for field in FIELDS:
        for alias in (field.name, *field.aliases):
            if _fold(alias) in folded:
                mapping[field.name] = folded.index(_fold(alias))
                break
    return mapping


def _number(value: str, low: float, high: float) -> float:
    number = float(value.replace(",", "."))
    if not low <= number <= high:
        raise ValueError
    return number


def to_pack(
    header: list[str],
    rows: list[tables.Row],
    mapping: dict[str, int],
    *,
    country: str,
    currency: str,
) -> tuple[dict[str, Any], list[Problem]]:
    problems: list[Problem] = []
    for field in FIELDS:
        if field.required and field.name not in mapping:
            problems.append(
                Problem(0, str(field.label), str(_("Choose the column for this field.")))
            )
    if problems:
        return {}, problems
    codes = set(TaxonomyTerm.objects.exclude(code="").values_list("code", flat=True))
    groups = set(TargetGroup.values)
    organisations: dict[str, dict[str, Any]] = {}
    services: list[dict[str, Any]] = []
    areas: dict[str, str] = {}
    for row in rows:
        number = row.number

        def cell(name: str, row: list[str] = row) -> str:
            index = mapping.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""

        def problem(name: str, message: Any, number: int = number) -> None:
            problems.append(Problem(number, header[mapping[name]], str(message)))

        for field in FIELDS:
            if field.required and not cell(field.name):
                problem(field.name, _("This field is required."))
        organisation = cell("organisation")
        kind = cell("kind") or "ngo"
        if kind not in KINDS:
            problem(
                "kind",
                _("Unknown kind of organisation: use one of %(kinds)s.")
                % {"kinds": ", ".join(sorted(KINDS))},
            )
        categories = [
            c.strip().upper() for c in re.split(r"[;,\s]+", cell("categories")) if c.strip()
        ]
        unknown = [c for c in categories if c not in codes]
        if unknown:
            problem(
                "categories",
                _("Unknown category codes: %(codes)s.") % {"codes": ", ".join(unknown)},
            )
        cost = _COSTS.get(_fold(cell("cost")) or "free") if "cost" in mapping else "free"
        if cost is None:
            problem("cost", _("Write free, shared or paid."))
        status = (
            STATUSES.get(_fold(cell("status")) or "active") if "status" in mapping else "active"
        )
        if status is None:
            problem("status", _("Write active, inactive, temporarily closed or defunct."))
        numbers: dict[str, float | None] = {}
        for name, low, high in (
            ("amount", 0, 1e12),
            ("latitude", -90, 90),
            ("longitude", -180, 180),
            ("min_age", 0, 130),
            ("max_age", 0, 130),
        ):
            raw = cell(name)
            try:
                numbers[name] = _number(raw, low, high) if raw else None
            except ValueError:
                problem(
                    name,
                    _("Enter a number between %(low)s and %(high)s.")
                    % {"low": low, "high": f"{high:g}"},
                )
        targets = [g.strip() for g in re.split(r"[;,]+", cell("target_groups")) if g.strip()]
        if any(g not in groups for g in targets):
            problem(
                "target_groups",
                _("Use the codes: %(codes)s.") % {"codes": ", ".join(sorted(groups))},
            )
        if not organisation or not cell("service"):
            continue
        key = _fold(organisation)
        organisations.setdefault(
            key,
            {
                "key": key,
                "name": organisation,
                "acronym": cell("acronym"),
                "kind": kind if kind in KINDS else "ngo",
                "level": "",
                "admin1": cell("admin1"),
            },
        )
        if cell("admin1"):
            areas[cell("admin1")] = cell("admin1_name") or areas.get(cell("admin1"), "")
        place = {
            "name": cell("place"),
            "latitude": numbers.get("latitude"),
            "longitude": numbers.get("longitude"),
        }
        services.append(
            {
                "key": f"{key}/{_fold(cell('service'))}",
                "organisation": key,
                "name": cell("service"),
                "description": cell("description"),
                "categories": categories,
                "status": status or "active",
                "cost": cost or "free",
                "amount": numbers.get("amount"),
                "target_groups": targets,
                "min_age": numbers.get("min_age"),
                "max_age": numbers.get("max_age"),
                "languages": [
                    x.strip().lower() for x in re.split(r"[;,\s]+", cell("languages")) if x.strip()
                ],
                "admin1": cell("admin1"),
                "admin2_name": cell("admin2_name"),
                "location": place,
                "hours": cell("hours"),
                "phone": cell("phone"),
            }
        )
    pack = {
        "country": country,
        "currency": currency,
        "admin1": [{"code": code, "name": name} for code, name in areas.items()],
        "organisations": list(organisations.values()),
        "services": services,
    }
    return pack, problems
