"""The mapping matrix of the terms of reference ("matrice structurée"): each entity against each
theme, or each region, with filters; as a page (a heatmap with its table) and as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from orienta.core.tables import spreadsheet_text
from orienta.knowledge.models import Entity, Region, Theme

AXES = ("theme", "region")


@dataclass
class Matrix:
    axis: str
    columns: list[Any]
    rows: list[tuple[Entity, list[bool]]]

    @property
    def totals(self) -> list[int]:
        return [sum(marks[i] for _entity, marks in self.rows) for i in range(len(self.columns))]


def filtered(*, kind: str = "", theme: str = "", region: str = "") -> QuerySet[Entity]:
    """Entities of a kind, classified under a theme, covering a region (each filter optional),
    with their themes and regions."""
    entities = Entity.objects.prefetch_related("themes", "regions").order_by("kind", "key")
    if kind:
        entities = entities.filter(kind=kind)
    if theme:
        entities = entities.filter(themes__code=theme)
    if region:
        entities = entities.filter(regions__code=region)
    return entities.distinct()


def build(
    axis: str = "theme",
    *,
    kind: str = "",
    theme: str = "",
    region: str = "",
) -> Matrix:
    """Entities (filtered by kind, and to those classified under a theme or a region) against
    the themes or the regions."""
    if axis not in AXES:
        axis = "theme"
    entities = filtered(kind=kind, theme=theme, region=region)
    columns = list(Theme.objects.all() if axis == "theme" else Region.objects.all())
    rows = []
    for entity in entities:
        classified = entity.themes.all() if axis == "theme" else entity.regions.all()
        held = {item.pk for item in classified}
        rows.append((entity, [column.pk in held for column in columns]))
    return Matrix(axis, columns, rows)


def as_csv(matrix: Matrix) -> str:
    """The matrix as CSV; a name or code a spreadsheet would take for a formula is quoted."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["entity", "name_en", "kind", *(column.code for column in matrix.columns)]
    writer.writerow([spreadsheet_text(cell) for cell in header])
    for entity, marks in matrix.rows:
        cells = [entity.key, entity.name_en, entity.kind]
        writer.writerow(
            [*(spreadsheet_text(cell) for cell in cells), *("1" if m else "0" for m in marks)]
        )
    return out.getvalue()
