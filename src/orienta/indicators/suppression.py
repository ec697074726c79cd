"""Small-cell suppression of aggregate tables: the one place that decides which counts a reader
who sees no person one by one may not see.

Why
---
Rule 9 of the architecture: statistics never expose people. Three returnees from one country in
one month, or two referrals declined by one provider, point at people a local reader may well
recognise. So a count from 1 to `threshold - 1` is a *secret* (`settings.ORIENTA_SMALL_CELL`, 5
by default: 1 to 4) and is not published to those who do not already see the cases.

The convention
--------------
This is the threshold rule with secondary (complementary) suppression, as national statistical
offices apply it to frequency tables (the rule described, with its p% and dominance variants for
business data, in the European Statistical System's handbook "Statistical Disclosure Control",
Hundepool and others, and implemented by software such as tau-ARGUS):

- **Primary suppression.** A secret cell is hidden.
- **Zeros are never secrets and stay shown.** That nothing of a kind happened says nothing about
  a person, and statistical offices publish their zeros (hiding them would blank out most of a
  sparse table). A consequence taken into account below: a reader knows that every hidden cell
  is at least 1.
- **Complementary (secondary) suppression.** A table publishes totals, and a total minus the
  cells shown in its line gives back a cell hidden alone in that line. So, in every *line* (a
  row or a column with its total, including the margin row and column of a two-way table) that
  has exactly one hidden cell, a second cell is hidden: the smallest non-zero cell still shown
  in that line (the least information lost), preferring one that mends another line at the same
  time (which closes the classic "rectangle" of four hidden cells in a two-way table). This is
  repeated until no line gives a hidden cell away. Totals are kept as far as possible, as
  statistical offices keep their margins: a cell is preferred to a total, a row or column
  total to the grand total (before size, and before mending another line). So the total of a
  one-way table is never chosen: it stays shown unless it is itself small, and then all its
  non-zero cells are small and hidden too.
- Two more ways of working a hidden cell out exactly are checked and mended the same way: its
  range shrinking to one value, because a reader knows that a hidden cell is at least 1 (zeros
  are shown), so two hidden cells adding up to 2 are both 1 (found by propagating lower and
  upper bounds through the lines); and a hidden cell fixed by combining several lines, as a
  reader solving the published totals with a spreadsheet would (found by exact Gaussian
  elimination).
- **Every hidden cell looks the same** ("hidden"), small or hidden to protect a small one, as
  statistical offices print one symbol for "confidential": telling them apart would tell the
  reader which hidden cells are below the threshold and which above, which can pin a small one
  down again. `Cell.reason` keeps the difference for tests and for the platform, never for a
  page, an API answer or an export.

The loop always ends: at worst every non-zero count is hidden, and the lines then only say
0 = 0. Each complement re-checks the whole publication: a few milliseconds for tables of tens of
rows, about a second for a 200 × 20 table with hundreds of small cells.

What it does not do: it prevents *exact* disclosure (a hidden value given back exactly); it does
not enforce a minimum width of the range a hidden value can be narrowed to (the p% rule's
protection interval); it only knows the relations it is told (the lines of a `Publication`: a
hierarchy such as entry points within modes, not declared, is not seen); and it cannot see two
different queries (one period, then the same period plus a day): pages that let a reader choose
periods or filters leave that differencing open.

Use
---
- a count published on its own, adding up with nothing else shown: `suppress(value, threshold)`;
- one table with its total: `suppress_one_way(values, threshold, total=None)`;
- a two-way table with row, column and grand totals: `suppress_two_way(rows, threshold)`;
- several tables linked by shared totals, or by "of which" columns (a dashboard): describe them
  in one `Publication` (its counts, and the lines that add up), then `protect()` it, so that a
  count shown in two places is hidden in both or in neither;
- a rate or a median computed over counts: hidden when `any_hidden(...)` of them; `percent`;
- checking: `one_way_disclosures`, `two_way_disclosures`, `Publication.disclosures` list every
  way a reader could work a hidden or unpublished secret out; a table is safe when that list is
  empty.

A threshold of 0 or 1 hides nothing: that is how those who may see exact numbers (they see the
cases one by one anyway) go through the same code. Pure Python, no database: the callers count,
this module decides what is shown.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from django.utils.translation import gettext

#: Interval propagation (`Publication._bounds`) stops after this many passes over the lines.
BOUND_PASSES = 50


class Reason(StrEnum):
    """Why a cell is hidden. For tests and the platform only: never shown (see the module)."""

    PRIMARY = "primary"  # a secret: from 1 to threshold - 1
    COMPLEMENTARY = "complementary"  # hidden so that a total cannot give a secret away
    UNPUBLISHED = "unpublished"  # never published (a difference a reader could compute)


@dataclass(frozen=True)
class Cell:
    """A count as published: `value` is None when the cell is hidden (`suppressed`).

    `threshold` is the one that applied (0 for exact numbers). `reason` says why a hidden cell is
    hidden; it does not take part in comparisons, since two hidden cells look the same."""

    value: int | None
    suppressed: bool = False
    threshold: int = 0
    reason: Reason | None = field(default=None, compare=False)

    @property
    def shown(self) -> bool:
        return not self.suppressed

    def __str__(self) -> str:
        return gettext("hidden") if self.suppressed else str(self.value)


def is_secret(value: int, threshold: int) -> bool:
    """A count from 1 to `threshold - 1`. Zero never is; with a threshold of 0 or 1 none is."""
    return 0 < value < threshold


def suppress(value: int, threshold: int) -> Cell:
    """One count published on its own: hidden when it is a secret.

    Only for a count that adds up with nothing else published (no total, no "of which"): inside
    a table use `suppress_one_way`, `suppress_two_way` or a `Publication`."""
    if is_secret(value, threshold):
        return Cell(None, True, threshold, Reason.PRIMARY)
    return Cell(value, False, threshold)


def any_hidden(*cells: Cell) -> bool:
    """Whether a figure computed over these counts (a rate, a median, a mean) must be hidden:
    it must whenever one of them is, or it would give the hidden count back (a percentage
    times its denominator is its numerator)."""
    return any(cell.suppressed for cell in cells)


def percent(numerator: Cell, denominator: Cell, digits: int = 1) -> float | None:
    """100 × numerator / denominator, rounded; None when either is hidden or there is no
    denominator."""
    if any_hidden(numerator, denominator) or not denominator.value:
        return None
    return round(100 * (numerator.value or 0) / denominator.value, digits)


# --- The general case: counts and the lines they add up in ------------------------------------


@dataclass(frozen=True)
class Disclosure:
    """One way a reader could work out a value that is not shown, or a secret that is shown.

    `kind`: "shown" (a secret published as it is), "single" (alone unknown in a line whose
    other cells are known), "bounds" (its range shrinks to one value, hidden counts being at
    least 1: two hidden cells adding up to 2), "linear" (fixed by combining several lines).
    `cell` is the count's handle in its `Publication`, `label` where it is, `line` the line at
    fault for "single" (None otherwise)."""

    kind: str
    cell: int
    label: str
    line: int | None = None


@dataclass(frozen=True)
class Protected:
    """The cells of a protected `Publication`, by the handles `Publication.count` gave."""

    cells: tuple[Cell, ...]

    def __getitem__(self, handle: int) -> Cell:
        return self.cells[handle]

    def __len__(self) -> int:
        return len(self.cells)


class Publication:
    """Counts published together and the additive relations between them.

    Each count gets a handle (`count`); each *line* says that a total is the sum of parts
    (`line`), e.g. a table's total and its cells, the same total shared by two breakdowns, or a
    count and its "of which" (`of_which`, whose rest is an unpublished count). An unpublished
    count is never shown but is protected like a published one when it is a secret, since a
    reader can compute it. A line that does not add up raises ValueError: the relations must be
    true, or the protection would be wrong.

    `protect()` applies the rule described in the module docstring to all of it at once, so a
    count published in two tables is hidden in both or in neither."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self._values: list[int] = []
        self._published: list[bool] = []
        self._names: list[str] = []
        self._lines: list[tuple[int, tuple[int, ...]]] = []
        self._lines_cache: list[list[int]] | None = None

    def count(self, value: int, *, published: bool = True, name: str = "") -> int:
        value = int(value)
        if value < 0:
            raise ValueError(f"A count cannot be negative ({name or value}).")
        self._values.append(value)
        self._published.append(published)
        self._names.append(name)
        self._lines_cache = None
        return len(self._values) - 1

    def line(self, total: int, parts: Iterable[int]) -> int:
        """`total` is the sum of `parts`; returns the line's number."""
        members = tuple(parts)
        if total in members or len(set(members)) != len(members):
            raise ValueError("A line lists each count once, its total apart.")
        for handle in (total, *members):
            if not 0 <= handle < len(self._values):
                raise ValueError(f"Unknown count {handle}.")
        if self._values[total] != sum(self._values[part] for part in members):
            raise ValueError(
                f"{self.label(total)} = {self._values[total]} is not the sum of its parts "
                f"({sum(self._values[part] for part in members)})."
            )
        self._lines.append((total, members))
        self._lines_cache = None
        return len(self._lines) - 1

    def partition(self, total: int, parts: Iterable[int], rest_name: str = "") -> int:
        """`parts` are categories of `total` that do not overlap, but may not be all of them
        (a category not listed, say "not recorded"): the rest, total minus the parts, is a
        count a reader can compute; when it is not zero it is added unpublished. Returns the
        line's number."""
        members = list(parts)
        rest = self._values[total] - sum(self._values[part] for part in members)
        if rest > 0:
            members.append(self.count(rest, published=False, name=rest_name or "not listed"))
        return self.line(total, members)  # raises when the parts exceed the total

    def of_which(self, whole: int, part: int, name: str = "") -> int:
        """`part` is counted within `whole` ("of which"): the rest, whole - part, is a count a
        reader can compute; it is added unpublished, with the line whole = part + rest."""
        rest = self.count(self._values[whole] - self._values[part], published=False, name=name)
        self.line(whole, [part, rest])
        return rest

    def label(self, handle: int) -> str:
        return self._names[handle] or f"count {handle}"

    # -- protecting and checking --

    def primary(self) -> set[int]:
        """The published secrets: what primary suppression hides."""
        return {
            handle
            for handle, value in enumerate(self._values)
            if self._published[handle] and is_secret(value, self.threshold)
        }

    def protect(self) -> Protected:
        """Primary, then complementary suppression until no disclosure is left."""
        hidden = self.primary()
        if self.threshold > 1:  # unpublished secrets need protecting even with no primary
            self._complete(hidden)
        return Protected(tuple(self._cell(handle, hidden) for handle in range(len(self._values))))

    def disclosures(self, hidden: Iterable[int]) -> list[Disclosure]:
        """Every way a reader could work out a hidden count, or an unpublished secret, when the
        published counts in `hidden` are hidden and the others shown (and every shown secret).
        Empty: the publication is safe (exactly: see the module docstring for what this does
        not cover). Assumes zeros are shown, as `protect` does."""
        hidden_set = set(hidden)
        found = [
            Disclosure("shown", handle, self.label(handle))
            for handle in sorted(self.primary() - hidden_set)
        ]
        unknown, singles = self._peel(hidden_set)
        return found + singles + self._bounds(unknown) + self._linear(unknown)

    def _cell(self, handle: int, hidden: set[int]) -> Cell:
        value = self._values[handle]
        if not self._published[handle]:
            return Cell(None, True, self.threshold, Reason.UNPUBLISHED)
        if handle not in hidden:
            return Cell(value, False, self.threshold)
        reason = Reason.PRIMARY if is_secret(value, self.threshold) else Reason.COMPLEMENTARY
        return Cell(None, True, self.threshold, reason)

    def _protected(self, handle: int) -> bool:
        """Whether working this count out is a disclosure: a hidden published count (whatever
        its reason), or an unpublished secret."""
        return self._published[handle] or is_secret(self._values[handle], self.threshold)

    def _lines_of(self) -> list[list[int]]:
        """The lines each count is in (kept until a count or a line is added)."""
        if self._lines_cache is None:
            self._lines_cache = [[] for _value in self._values]
            for number, (total, parts) in enumerate(self._lines):
                for handle in (total, *parts):
                    self._lines_cache[handle].append(number)
        return self._lines_cache

    def _unknown(self, hidden: set[int]) -> set[int]:
        """What a reader does not see: the hidden counts and the unpublished ones, except
        unpublished zeros, taken as known (which only makes the checks stricter)."""
        return set(hidden) | {
            handle
            for handle, value in enumerate(self._values)
            if not self._published[handle] and value != 0
        }

    def _peel(self, hidden: set[int]) -> tuple[set[int], list[Disclosure]]:
        """Solve the lines one at a time, as a reader would: a line with one unknown gives it.
        Returns what is still unknown, and the disclosures met on the way."""
        unknown = self._unknown(hidden)
        lines_of = self._lines_of()
        left = [
            sum(1 for handle in (total, *parts) if handle in unknown)
            for total, parts in self._lines
        ]
        queue = deque(number for number, n in enumerate(left) if n == 1)
        found: list[Disclosure] = []
        while queue:
            number = queue.popleft()
            if left[number] != 1:
                continue
            total, parts = self._lines[number]
            handle = next(h for h in (total, *parts) if h in unknown)
            if self._protected(handle):
                found.append(Disclosure("single", handle, self.label(handle), number))
            unknown.discard(handle)
            for other in lines_of[handle]:
                left[other] -= 1
                if left[other] == 1:
                    queue.append(other)
        return unknown, found  # in the order found: direct ones first, then by deduction

    def _bounds(self, unknown: set[int]) -> list[Disclosure]:
        """Unknowns whose range shrinks to one value, from the lines and the reader's knowledge
        that a hidden count is at least 1 (zeros are shown): two hidden cells adding up to 2
        are both 1; so is a cell in a column whose hidden total must be at least 2 while the
        line of totals leaves it 2. Interval propagation over the lines, until nothing
        changes (at most `BOUND_PASSES` passes)."""
        low = [value if h not in unknown else 1 for h, value in enumerate(self._values)]
        high: list[float] = [
            value if h not in unknown else math.inf for h, value in enumerate(self._values)
        ]
        lines = [
            (total, parts)
            for total, parts in self._lines
            if total in unknown or any(part in unknown for part in parts)
        ]
        for _pass in range(BOUND_PASSES):
            changed = False
            for total, parts in lines:
                low_sum = sum(low[part] for part in parts)
                finite = [high[part] for part in parts if high[part] != math.inf]
                open_ended, finite_sum = len(parts) - len(finite), sum(finite)
                high_sum = finite_sum if not open_ended else math.inf
                if low_sum > low[total]:
                    low[total], changed = low_sum, True
                if high_sum < high[total]:
                    high[total], changed = high_sum, True
                for part in parts:
                    others_low = low_sum - low[part]
                    others_open = open_ended - (high[part] == math.inf)
                    others_high = (
                        math.inf
                        if others_open
                        else finite_sum - (high[part] if high[part] != math.inf else 0)
                    )
                    if high[total] - others_low < high[part]:
                        high[part], changed = high[total] - others_low, True
                    if low[total] - others_high > low[part]:
                        low[part], changed = int(low[total] - others_high), True
            if not changed:
                break
        return [
            Disclosure("bounds", handle, self.label(handle))
            for handle in sorted(unknown)
            if low[handle] == high[handle] and self._protected(handle)
        ]

    def _linear(self, unknown: set[int]) -> list[Disclosure]:
        """Unknowns fixed by the lines taken together (reduced row echelon form, exact)."""
        equations = []
        for total, parts in self._lines:
            equation = {part: 1 for part in parts if part in unknown}
            if total in unknown:
                equation[total] = -1
            if equation:
                equations.append(equation)
        return [
            Disclosure("linear", handle, self.label(handle))
            for handle in _determined(equations)
            if self._protected(handle)
        ]

    def _complete(self, hidden: set[int]) -> None:
        """Complementary suppression: add to `hidden` until no disclosure is left."""
        lines_of = self._lines_of()
        # How much of a total a count is: the number of lines it is the total of (0 for a cell,
        # 1 for a row or column total, 2 for the grand total of a two-way table).
        levels = [0] * len(self._values)
        for total, _parts in self._lines:
            levels[total] += 1
        while True:
            unknown, problems = self._peel(hidden)
            at_fault = list(dict.fromkeys(problem.line for problem in problems))
            if at_fault:
                # The first line at fault, in the order a reader would find them (a line whose
                # unknown is given by another line's is mended by mending that one), with a
                # count left to hide; among its candidates, the lowest level of total, then
                # the one that also mends the most other lines at fault, then the smallest.
                number, candidates = next(
                    (
                        (n, found)
                        for n in at_fault
                        if n is not None and (found := self._shown_in([n], hidden))
                    ),
                    (None, self._nearest(problems[0].cell, hidden, unknown)),
                )
                mends = {
                    handle: sum(1 for o in lines_of[handle] if o in at_fault and o != number)
                    for handle in candidates
                }
                hidden.add(min(mends, key=lambda h: (levels[h], -mends[h], self._values[h], h)))
                continue
            rest = self._bounds(unknown) or self._linear(unknown)
            if not rest:
                return
            candidates = self._nearest(rest[0].cell, hidden, unknown)
            hidden.add(min(candidates, key=lambda h: (levels[h], self._values[h], h)))

    def _shown_in(self, lines: Iterable[int], hidden: set[int]) -> list[int]:
        """The non-zero published counts still shown in these lines."""
        return sorted(
            {
                handle
                for number in lines
                for handle in (self._lines[number][0], *self._lines[number][1])
                if self._shown_non_zero(handle, hidden)
            }
        )

    def _nearest(self, handle: int, hidden: set[int], unknown: set[int]) -> list[int]:
        """The non-zero published counts still shown nearest to `handle`: in its lines; failing
        that, in the lines of the unknowns of those lines; and so on. There always is one while
        a disclosure is left: with every non-zero count unknown, the lines only say 0 = 0."""
        lines_of = self._lines_of()
        seen: set[int] = set()
        frontier = set(lines_of[handle])
        while frontier:
            found = self._shown_in(frontier, hidden)
            if found:
                return found
            seen |= frontier
            frontier = {
                other
                for number in frontier
                for cell in (self._lines[number][0], *self._lines[number][1])
                if cell in unknown
                for other in lines_of[cell]
            } - seen
        found = [h for h in range(len(self._values)) if self._shown_non_zero(h, hidden)]
        if not found:  # pragma: no cover - impossible, see the docstring
            raise RuntimeError("No count left to hide.")
        return found

    def _shown_non_zero(self, handle: int, hidden: set[int]) -> bool:
        return self._published[handle] and handle not in hidden and self._values[handle] != 0


def _determined(equations: list[dict[int, int]]) -> list[int]:
    """The variables whose value the equations fix, whatever the right-hand sides: those whose
    unit vector is in the equations' row space, i.e. the rows of the reduced row echelon form
    with a single non-zero entry. Exact (fractions); sparse rows."""
    pivots: dict[int, dict[int, Fraction]] = {}
    for equation in equations:
        row = {var: Fraction(coefficient) for var, coefficient in equation.items() if coefficient}
        # Pivot rows are fully reduced (zero in every other pivot column), so one pass over the
        # pivots present in the row eliminates them all.
        for var in [var for var in row if var in pivots]:
            factor = row.get(var)
            if not factor:
                continue
            for other, coefficient in pivots[var].items():
                value = row.get(other, Fraction(0)) - factor * coefficient
                if value:
                    row[other] = value
                else:
                    row.pop(other, None)
        if not row:
            continue
        pivot = min(row)
        scale = row[pivot]
        row = {var: coefficient / scale for var, coefficient in row.items()}
        for other_row in pivots.values():
            factor = other_row.get(pivot)
            if not factor:
                continue
            for var, coefficient in row.items():
                value = other_row.get(var, Fraction(0)) - factor * coefficient
                if value:
                    other_row[var] = value
                else:
                    other_row.pop(var, None)
        pivots[pivot] = row
    return sorted(pivot for pivot, row in pivots.items() if len(row) == 1)


# --- One-way and two-way tables -----------------------------------------------------------------


@dataclass(frozen=True)
class OneWay:
    """A one-way table as published: its cells, in the order given, and its total."""

    cells: list[Cell]
    total: Cell


@dataclass(frozen=True)
class TwoWay:
    """A two-way table as published: `cells[i][j]`, the total of each row and each column, and
    the grand total."""

    cells: list[list[Cell]]
    row_totals: list[Cell]
    column_totals: list[Cell]
    total: Cell


def _one_way(
    values: Sequence[int], threshold: int, total: int | None
) -> tuple[Publication, list[int], int]:
    publication = Publication(threshold)
    handles = [publication.count(v, name=f"cell {i}") for i, v in enumerate(values)]
    whole = sum(values) if total is None else total
    total_handle = publication.count(whole, name="total")
    # Categories not listed (not recorded, say): their number is the total minus the cells, a
    # count a reader can compute, protected like any other.
    publication.partition(total_handle, handles)
    return publication, handles, total_handle


def suppress_one_way(values: Sequence[int], threshold: int, total: int | None = None) -> OneWay:
    """A one-way table (one count per category) and its total, which is shown.

    `total` defaults to the sum of `values`; a larger one means categories not listed, whose
    number (the difference) is protected too; a smaller one raises ValueError (such categories
    overlap and have no total: publish each count with `suppress`). If one cell is hidden, the
    next-smallest non-zero cell is hidden too; if the total is small, it is hidden, and so is
    every non-zero cell (all small)."""
    publication, handles, total_handle = _one_way(values, threshold, total)
    protected = publication.protect()
    return OneWay([protected[h] for h in handles], protected[total_handle])


def one_way_disclosures(
    values: Sequence[int], table: OneWay, threshold: int, total: int | None = None
) -> list[Disclosure]:
    """How a reader could work a value out of `table` as published (see `Disclosure`); empty
    when it is safe."""
    publication, handles, total_handle = _one_way(values, threshold, total)
    cells = [*table.cells, table.total]
    return publication.disclosures(
        handle
        for handle, cell in zip([*handles, total_handle], cells, strict=True)
        if cell.suppressed
    )


def _two_way(
    rows: Sequence[Sequence[int]], threshold: int
) -> tuple[Publication, list[list[int]], list[int], list[int], int]:
    width = len(rows[0]) if rows else 0
    if any(len(row) != width for row in rows):
        raise ValueError("Every row of a two-way table has the same number of cells.")
    publication = Publication(threshold)
    cells = [
        [publication.count(v, name=f"cell ({i}, {j})") for j, v in enumerate(row)]
        for i, row in enumerate(rows)
    ]
    row_totals = [publication.count(sum(row), name=f"row total {i}") for i, row in enumerate(rows)]
    column_totals = [
        publication.count(sum(row[j] for row in rows), name=f"column total {j}")
        for j in range(width)
    ]
    total = publication.count(sum(sum(row) for row in rows), name="grand total")
    # Rows, the margin row, columns, the margin column: the order complements are sought in.
    for i, row_handles in enumerate(cells):
        publication.line(row_totals[i], row_handles)
    if column_totals:
        publication.line(total, column_totals)
    for j, column_total in enumerate(column_totals):
        publication.line(column_total, [row_handles[j] for row_handles in cells])
    if row_totals:
        publication.line(total, row_totals)
    return publication, cells, row_totals, column_totals, total


def suppress_two_way(rows: Sequence[Sequence[int]], threshold: int) -> TwoWay:
    """A two-way table (`rows[i][j]`), published with its row totals, column totals and grand
    total, all computed here.

    Every row and column, the margin row (column totals and grand total) and the margin column
    (row totals and grand total) included, is a line: the classic iterative rule runs until
    none gives a hidden cell away (see the module docstring)."""
    publication, cells, row_totals, column_totals, total = _two_way(rows, threshold)
    protected = publication.protect()
    return TwoWay(
        [[protected[h] for h in row] for row in cells],
        [protected[h] for h in row_totals],
        [protected[h] for h in column_totals],
        protected[total],
    )


def two_way_disclosures(
    rows: Sequence[Sequence[int]], table: TwoWay, threshold: int
) -> list[Disclosure]:
    """How a reader could work a value out of `table` as published (see `Disclosure`); empty
    when it is safe."""
    publication, cells, row_totals, column_totals, total = _two_way(rows, threshold)
    pairs = [
        *(
            (handle, cell)
            for handles, published in zip(cells, table.cells, strict=True)
            for handle, cell in zip(handles, published, strict=True)
        ),
        *zip(row_totals, table.row_totals, strict=True),
        *zip(column_totals, table.column_totals, strict=True),
        (total, table.total),
    ]
    return publication.disclosures(handle for handle, cell in pairs if cell.suppressed)
