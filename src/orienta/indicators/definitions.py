"""Indicator definitions as data: `packs/indicators/<name>.json` → `Indicator` rows.

A formula combines measures of one subject (subjects.py has what each measure counts):
`{"sum": m}` a count; `{"ratio": [part, whole]}` a percentage, where `part` counts some of the
records `whole` counts (so both are protected as counts, the part "of which" the whole);
`{"mean": [total, count]}` an average of a value over the records `count` counts (days,
scores). Every problem in a pack is reported at once, with the indicator's code and the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from orienta.audit.services import record
from orienta.core.packs import load_pack
from orienta.indicators.models import Indicator
from orienta.indicators.subjects import COUNTS, SUBJECTS, TOTAL

UNITS = ("count", "percent", "days", "score")
DASHBOARDS = ("operations", "returns", "reintegration")


class PackError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Formula:
    kind: str  # sum, ratio, mean
    measures: tuple[str, ...]

    @property
    def counts(self) -> tuple[str, ...]:
        """The measures that are counts of records (what suppression protects)."""
        return self.measures if self.kind != "mean" else self.measures[1:]


def formula_of(data: Any) -> Formula:
    if not isinstance(data, dict) or len(data) != 1:
        raise ValueError("a formula is one of {sum: m}, {ratio: [m, m]}, {mean: [m, m]}")
    ((kind, value),) = data.items()
    if kind == "sum" and isinstance(value, str):
        return Formula(kind, (value,))
    if kind in ("ratio", "mean") and isinstance(value, list) and len(value) == 2:
        return Formula(kind, (str(value[0]), str(value[1])))
    raise ValueError(f"unknown formula {kind!r}")


def problems_of(item: dict[str, Any]) -> list[str]:
    code = item.get("code") or "?"
    found: list[str] = []
    for name in ("code", "subject", "formula", "unit", "dashboard", "hxl"):
        if not item.get(name):
            found.append(f"{code}: {name} is missing")
    for language in ("fr", "en"):
        if not (item.get("label") or {}).get(language):
            found.append(f"{code}: label.{language} is missing")
    subject = SUBJECTS.get(item.get("subject", ""))
    if item.get("subject") and subject is None:
        found.append(f"{code}: subject {item['subject']!r} is unknown ({', '.join(SUBJECTS)})")
    if item.get("unit") and item["unit"] not in UNITS:
        found.append(f"{code}: unit {item['unit']!r} is not one of {', '.join(UNITS)}")
    if item.get("dashboard") and item["dashboard"] not in DASHBOARDS:
        found.append(f"{code}: dashboard {item['dashboard']!r} is unknown")
    if item.get("hxl") and not str(item["hxl"]).startswith("#"):
        found.append(f"{code}: hxl must be a hashtag (#…)")
    if subject is not None and item.get("formula"):
        try:
            formula = formula_of(item["formula"])
        except ValueError as error:
            found.append(f"{code}: formula: {error}")
        else:
            for measure in formula.measures:
                if measure not in subject.measures:
                    found.append(f"{code}: formula: {subject.code} have no measure {measure!r}")
            for measure in formula.counts:
                if measure in subject.measures and measure not in COUNTS:
                    found.append(f"{code}: formula: {measure!r} is not a count")
            if formula.kind == "mean" and formula.measures[0] in COUNTS:
                # A count over a count is a ratio, protected as one; as a "mean" its numerator
                # would be published unprotected (times the denominator, it is the count).
                found.append(
                    f"{code}: formula: {formula.measures[0]!r} is a count: use a ratio, not a mean"
                )
    for name in item.get("disaggregations", []):
        if subject is not None and (name == TOTAL or name not in subject.breakdowns):
            found.append(f"{code}: disaggregation {name!r} is not one of {subject.code}'s")
    return found


@transaction.atomic
def load_indicators(name: str = "nrm", *, acting_user: Any = None) -> tuple[int, int]:
    """Create or update the pack's indicators; returns (created, updated: those whose
    definition changed). Raises PackError
    listing every problem, and then changes nothing."""
    pack = load_pack("indicators", name)
    items = pack.get("indicators", [])
    problems = [problem for item in items for problem in problems_of(item)]
    codes = [item.get("code") for item in items]
    problems += [
        f"{code}: defined twice" for code in sorted({c for c in codes if codes.count(c) > 1})
    ]
    if problems:
        raise PackError(problems)
    created = updated = 0
    for position, item in enumerate(items):
        values = {
            "label_fr": item["label"]["fr"],
            "label_en": item["label"]["en"],
            "description_fr": (item.get("description") or {}).get("fr", ""),
            "description_en": (item.get("description") or {}).get("en", ""),
            "subject": item["subject"],
            "formula": item["formula"],
            "unit": item["unit"],
            "disaggregations": list(item.get("disaggregations", [])),
            "dashboard": item["dashboard"],
            "position": position,
            "hxl": item["hxl"],
            "pack": name,
        }
        existing = Indicator.objects.filter(code=item["code"]).first()
        if existing is None:
            Indicator.objects.create(code=item["code"], **values)
            created += 1
        elif any(getattr(existing, field) != value for field, value in values.items()):
            Indicator.objects.filter(pk=existing.pk).update(**values)
            updated += 1
    if created or updated:  # loading the same pack again changes nothing, and says nothing
        record(
            "indicators.definitions.loaded",
            actor=acting_user,
            changes={"pack": name, "created": created, "updated": updated},
        )
    return created, updated
