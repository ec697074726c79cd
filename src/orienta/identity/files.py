"""Records from a CSV file, and pairs to one, for `orienta find_duplicates --input`.

The file has the header `record_id,given_name,family_name,sex,birth_date,origin,
document_number` (other columns are allowed and ignored; empty cells too). Every problem is
reported with its line and column, and a file with any problem is refused whole.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from orienta.identity.records import RawRecord

COLUMNS = (
    "record_id",
    "given_name",
    "family_name",
    "sex",
    "birth_date",
    "origin",
    "document_number",
)
OUTPUT = ("record_id_a", "record_id_b", "probability")
MAX_PROBLEMS = 200  # listed in full up to this many; the count is always given


@dataclass(frozen=True)
class Problem:
    line: int  # 1 is the header
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class RejectedFileError(Exception):
    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems = problems
        self.total = total if total is not None else len(problems)
        super().__init__(f"{self.total} problem(s)")


def read_records(path: Path) -> list[RawRecord]:
    """The file's records, or RejectedFileError listing what is wrong with it."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return _parse(handle)
    except UnicodeDecodeError as error:
        raise RejectedFileError(
            [Problem(0, "", f"the file is not UTF-8 text (byte {error.start})")]
        ) from error
    except OSError as error:
        raise RejectedFileError([Problem(0, "", f"the file cannot be read: {error}")]) from error


def _parse(lines: Iterable[str]) -> list[RawRecord]:
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        raise RejectedFileError([Problem(1, "", "the file is empty")])
    names = [name.strip() for name in header]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        raise RejectedFileError(
            [Problem(1, column, "this column is missing from the header") for column in missing]
        )
    at = [names.index(column) for column in COLUMNS]
    width = len(names)
    problems: list[Problem] = []
    total = 0
    seen: dict[str, int] = {}
    records: list[RawRecord] = []

    def problem(line: int, column: str, message: str) -> None:
        nonlocal total
        total += 1
        if len(problems) < MAX_PROBLEMS:
            problems.append(Problem(line, column, message))

    for line, row in enumerate(reader, start=2):
        if not row:
            continue  # a blank line
        if len(row) != width:
            problem(line, "", f"{len(row)} cells where the header has {width}")
            continue
        record_id, given, family, sex, born, origin, document = (row[i].strip() for i in at)
        if not record_id:
            problem(line, "record_id", "is empty")
        elif record_id in seen:
            problem(line, "record_id", f"repeats line {seen[record_id]}")
        else:
            seen[record_id] = line
        birth_date = None
        if born:
            try:
                birth_date = date.fromisoformat(born)
            except ValueError:
                problem(line, "birth_date", f"{born!r} is not a date written YYYY-MM-DD")
        records.append(RawRecord(record_id, given, family, sex, birth_date, origin, document))
    if total:
        raise RejectedFileError(problems, total)
    return records


def write_pairs(path: Path, rows: Iterable[tuple[str, str, float]]) -> int:
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(OUTPUT)
        for a, b, chance in rows:
            writer.writerow((a, b, f"{chance:.4f}"))
            written += 1
    return written
