"""A dashboard's figures: indicators broken down, read from the pre-aggregated cells and
protected together.

A board is one publication (orienta/indicators/suppression.py): every count it shows is one
handle, whatever tile shows it, so a count hidden in one tile is hidden in all; each breakdown
adds up to its total (the categories cover every record: "" is "not recorded"), and a measure
that counts some of another's records (repeat returns of returns, accepted of answered…) is
declared "of which" it, category by category, so that the difference is protected too. Rates
and means are hidden whenever a count they are computed over is.

Queries: one per subject and breakdown on the page (a SUM over cells), whatever the number of
records counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from orienta.accounts.access import scope_for
from orienta.indicators.definitions import Formula, formula_of
from orienta.indicators.labels import categories as category_labels
from orienta.indicators.models import Indicator, SurveyCell
from orienta.indicators.snapshot import consistent_reads
from orienta.indicators.subjects import (
    ALL,
    BREAKDOWNS,
    BY_STATUS,
    COUNTS,
    PARTS,
    SUBJECTS,
    TOTAL,
    WITHIN_STATUS,
    Subject,
)
from orienta.indicators.suppression import Cell, Publication, any_hidden

#: Who sees exact numbers: only someone who sees every case one by one anyway.
EXACT_NUMBERS = "cases.view_caseload"


def threshold_for(user: Any) -> int:
    if scope_for(user, EXACT_NUMBERS).everywhere:
        return 0
    return int(settings.ORIENTA_SMALL_CELL)


@dataclass(frozen=True)
class Filters:
    since: date | None = None  # first day of the first month
    until: date | None = None  # first day of the last month
    entry_point: str = ""
    origin_country: str = ""
    organisation: str = ""

    def lookups(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.since:
            found["month__gte"] = self.since
        if self.until:
            found["month__lte"] = self.until
        places = {
            name: getattr(self, name) for name in ("entry_point", "origin_country", "organisation")
        }
        if any(places.values()):
            # The facts' own cells (a real value never equals ALL: the roll-ups are left out).
            found.update({name: value for name, value in places.items() if value})
        else:
            found.update(dict.fromkeys(places, ALL))  # the roll-up cells
        return found


@dataclass(frozen=True)
class Value:
    """An indicator's figure for one category: the counts it is computed over, and the
    figure itself (None when hidden, or when there is nothing to compute it over)."""

    unit: str
    counts: tuple[Cell, ...]
    number: float | None
    suppressed: bool

    def __str__(self) -> str:
        if self.suppressed:
            return _("hidden")
        if self.number is None:
            return "—"
        if self.unit == "count":
            return number_format(int(self.number), 0, force_grouping=True)
        if self.unit == "percent":
            return f"{number_format(self.number, 1)} %"
        return number_format(self.number, 2 if self.unit == "score" else 1)

    @property
    def data_value(self) -> str:
        """For the chart: the figure, or "" for a gap."""
        if self.suppressed or self.number is None:
            return ""
        return f"{self.number:.4g}" if self.unit != "count" else str(int(self.number))


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    value: Value


@dataclass(frozen=True)
class Tile:
    indicator: Indicator
    breakdown: str
    rows: list[Row]
    total: Value

    @property
    def caption(self) -> str:
        if self.breakdown == TOTAL:
            return self.indicator.label
        return _("%(indicator)s by %(breakdown)s") % {
            "indicator": self.indicator.label,
            "breakdown": str(BREAKDOWNS[self.breakdown]).lower(),
        }

    @property
    def heading(self) -> str:
        return str(BREAKDOWNS[self.breakdown])

    @property
    def chart(self) -> str:
        if self.breakdown == "month":
            return "line"
        return "hbar" if len(self.rows) > 6 else "bar"


@dataclass(frozen=True)
class Cohorts:
    rounds: list[str]
    #: (cohort "YYYY-MM", [(round, count as protected, mean as text or "")])
    table: list[tuple[str, list[tuple[str, Cell, str]]]]


@dataclass
class _Request:
    indicator: Indicator
    formula: Formula
    breakdown: str


class Board:
    """Collect tiles (`add`), then read and protect them all at once (`tiles`)."""

    def __init__(self, threshold: int, filters: Filters | None = None) -> None:
        self.threshold = threshold
        self.filters = filters or Filters()
        self._requests: list[_Request] = []
        self._with_cohorts = False
        #: After `tiles()`, with `add_cohorts()`: the rounds and the cohort table.
        self.cohorts: Cohorts = Cohorts([], [])

    def add_cohorts(self) -> None:
        """Add the mean composite score by cohort (month the case was opened) and round. Its
        counts (rounds per cohort and round) are not shown but protected with the rest of the
        board: they add up to the rounds by month and by round, which a page may show."""
        self._with_cohorts = True

    def add(self, indicator: Indicator, breakdown: str = TOTAL) -> None:
        subject = SUBJECTS[indicator.subject]
        if breakdown not in subject.breakdowns:
            raise ValueError(f"{indicator.code} cannot be broken down by {breakdown}")
        self._requests.append(_Request(indicator, formula_of(indicator.formula), breakdown))

    def tiles(self) -> list[Tile]:
        with consistent_reads():  # the figures must add up for suppression to hold
            return self._tiles()

    # -- reading --

    def _sums(
        self, subject: Subject, breakdown: str, measures: set[str]
    ) -> dict[str, dict[str, float]]:
        rows = (
            subject.cell._default_manager.filter(breakdown=breakdown, **self.filters.lookups())
            .order_by()
            .values("category")
            .annotate(**{f"s_{m}": Sum(m) for m in sorted(measures)})
        )
        # A category whose records all left (after a refresh) keeps cells at zero until the
        # next rebuild: it has no record, so it is not listed.
        primary = f"s_{subject.primary}"
        return {
            row["category"]: {m: float(row[f"s_{m}"] or 0) for m in measures}
            for row in rows
            if row[primary]
        }

    @staticmethod
    def _status_lines(
        publication: Publication,
        handles: dict[tuple[str, str, str], dict[str, int]],
        totals: dict[tuple[str, str], int],
    ) -> None:
        """Referrals by status and the measures defined by status are the same numbers."""
        rows = handles.get(("referrals", "status", "referrals"))
        if rows is None:
            return
        for measure, statuses in BY_STATUS.items():
            if ("referrals", measure) in totals:
                publication.line(totals[("referrals", measure)], [rows[s] for s in statuses])
        for measure, status in WITHIN_STATUS.items():
            if ("referrals", measure) in totals:
                publication.of_which(
                    rows[status], totals[("referrals", measure)], name=f"{status} not {measure}"
                )

    def _cohort_counts(
        self, publication: Publication, handles: dict[tuple[str, str, str], dict[str, int]]
    ) -> dict[tuple[str, str], tuple[int, float]]:
        """(cohort, round) → (handle of its count, sum of its composite scores)."""
        rows = (
            SurveyCell.objects.filter(breakdown="round", **self.filters.lookups())
            .order_by()
            .values("month", "category")
            .annotate(n=Sum("rounds"), total=Sum("composite"))
        )
        found: dict[tuple[str, str], tuple[int, float]] = {}
        for row in rows:
            if row["n"]:
                key = (f"{row['month']:%Y-%m}", row["category"])
                handle = publication.count(int(row["n"]), name=f"surveys:cohort:{key}")
                found[key] = (handle, float(row["total"] or 0))
        by_month, by_round = (
            handles[("surveys", "month", "rounds")],
            handles[("surveys", "round", "rounds")],
        )
        for month, whole in by_month.items():
            parts = [h for (m, _r), (h, _t) in found.items() if m == month]
            publication.partition(whole, parts, rest_name=f"surveys:cohort:{month}:rest")
        for months, whole in by_round.items():
            parts = [h for (_m, r), (h, _t) in found.items() if r == months]
            publication.partition(whole, parts, rest_name=f"surveys:round:{months}:rest")
        return found

    @staticmethod
    def _cohort_table(found: dict[tuple[str, str], tuple[int, float]], cells: Any) -> Cohorts:
        rounds = sorted({r for _m, r in found}, key=int)
        table = []
        for cohort in sorted({m for m, _r in found}):
            line = []
            for months in rounds:
                handle, total = found.get((cohort, months), (None, 0.0))
                if handle is None:
                    line.append((months, Cell(0, False), ""))
                    continue
                count = cells[handle]
                mean = "" if count.suppressed or not count.value else f"{total / count.value:.2f}"
                line.append((months, count, mean))
            table.append((cohort, line))
        return Cohorts(rounds, table)

    def _tiles(self) -> list[Tile]:
        wanted: dict[tuple[str, str], set[str]] = defaultdict(set)
        for request in self._requests:
            subject = SUBJECTS[request.indicator.subject]
            for breakdown in {TOTAL, request.breakdown}:
                wanted[(subject.code, breakdown)].update(request.formula.measures)
                wanted[(subject.code, breakdown)].add(subject.primary)
        if self._with_cohorts:
            for margin in (TOTAL, "month", "round"):
                wanted[("surveys", margin)].add("rounds")
        for (subject_code, _breakdown), measures in list(wanted.items()):
            # A part is protected with its whole: read the whole too.
            for measure in list(measures):
                whole = PARTS.get(measure)
                while whole is not None and whole in SUBJECTS[subject_code].measures:
                    measures.add(whole)
                    whole = PARTS.get(whole)
        for (code, _breakdown), measures in list(wanted.items()):
            wanted[(code, TOTAL)] |= measures
        sums = {
            (code, breakdown): self._sums(SUBJECTS[code], breakdown, measures)
            for (code, breakdown), measures in wanted.items()
        }

        publication = Publication(self.threshold)
        handles: dict[tuple[str, str, str], dict[str, int]] = {}
        orders: dict[tuple[str, str], list[tuple[str, str]]] = {}
        totals: dict[tuple[str, str], int] = {}
        for (code, breakdown), measures in sorted(wanted.items()):
            data = sums.get((code, breakdown), {})
            whole_data = sums.get((code, TOTAL), {}).get("", {})
            order = [("", "")] if breakdown == TOTAL else category_labels(breakdown, data.keys())
            orders[(code, breakdown)] = order
            for measure in sorted(measures):
                if measure not in COUNTS:
                    continue
                if (code, measure) not in totals:
                    overall = int(whole_data.get(measure, 0))
                    totals[(code, measure)] = publication.count(overall, name=f"{code}:{measure}")
                if breakdown == TOTAL:
                    handles[(code, breakdown, measure)] = {"": totals[(code, measure)]}
                    continue
                row_handles = {
                    key: publication.count(
                        int(data.get(key, {}).get(measure, 0)),
                        name=f"{code}:{breakdown}:{key}:{measure}",
                    )
                    for key, _label in order
                }
                handles[(code, breakdown, measure)] = row_handles
                publication.partition(
                    totals[(code, measure)],
                    list(row_handles.values()),
                    rest_name=f"{code}:{breakdown}:rest:{measure}",
                )
        # "Of which": each part within its whole, category by category (and in total).
        for (code, breakdown, measure), parts in handles.items():
            whole = PARTS.get(measure)
            wholes = handles.get((code, breakdown, whole or ""))
            if whole is None or wholes is None:
                continue
            for key, handle in parts.items():
                publication.of_which(
                    wholes[key], handle, name=f"{code}:{breakdown}:{key}:{whole} not {measure}"
                )
        self._status_lines(publication, handles, totals)
        cohort_handles = self._cohort_counts(publication, handles) if self._with_cohorts else {}
        cells = publication.protect()
        if self._with_cohorts:
            self.cohorts = self._cohort_table(cohort_handles, cells)

        def value(request: _Request, breakdown: str, key: str) -> Value:
            code = request.indicator.subject
            formula = request.formula
            counts = tuple(cells[handles[(code, breakdown, m)][key]] for m in formula.counts)
            hidden = any_hidden(*counts)
            number: float | None = None
            if not hidden:
                if formula.kind == "sum":
                    number = float(counts[0].value or 0)
                elif formula.kind == "ratio":
                    whole = counts[1].value or 0
                    number = 100 * (counts[0].value or 0) / whole if whole else None
                else:
                    count = counts[0].value or 0
                    total = sums[(code, breakdown)].get(key, {}).get(formula.measures[0], 0.0)
                    number = total / count if count else None
            return Value(request.indicator.unit, counts, number, hidden)

        tiles = []
        for request in self._requests:
            code = request.indicator.subject
            rows = [
                Row(key, category, value(request, request.breakdown, key))
                for key, category in orders[(code, request.breakdown)]
            ]
            tiles.append(
                Tile(request.indicator, request.breakdown, rows, value(request, TOTAL, ""))
            )
        return tiles
