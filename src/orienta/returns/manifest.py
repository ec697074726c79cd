"""Reading a manifest (the list of people on a flight, boat or convoy) as the deporting state
sent it: French, English or Spanish column titles, dates written several ways, sex and
nationality as codes or words. Every row is checked; a bad row is kept with each problem's
column and reason, never dropped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from orienta.core.tables import Problem, fold, read_table
from orienta.core.tables import Row as TableRow

MAX_ROWS = 20_000
MAX_AGE = 120


@dataclass(frozen=True)
class Field:
    name: str
    aliases: tuple[str, ...]
    required: bool = False


FIELDS = (
    Field(
        "family_name",
        (
            "family_name",
            "nom",
            "nom de famille",
            "noms",
            "surname",
            "family name",
            "last name",
            "lastname",
            "apellido",
            "apellidos",
            "primer apellido",
        ),
        required=True,
    ),
    Field(
        "given_name",
        (
            "given_name",
            "prenom",
            "prenoms",
            "given name",
            "given names",
            "first name",
            "firstname",
            "name",
            "nombre",
            "nombres",
        ),
    ),
    Field("sex", ("sex", "sexe", "genre", "gender", "sexo")),
    Field(
        "birth_date",
        (
            "birth_date",
            "date de naissance",
            "ne le",
            "nee le",
            "date of birth",
            "birth date",
            "dob",
            "fecha de nacimiento",
            "fecha nacimiento",
            "f. nacimiento",
            "nacimiento",
        ),
    ),
    Field("age", ("age", "edad")),
    Field("nationality", ("nationality", "nationalite", "nacionalidad", "pays", "country")),
    Field(
        "document_number",
        (
            "document_number",
            "cedula/pasaporte",
            "cedula / pasaporte",
            "cedula",
            "pasaporte",
            "passport",
            "passeport",
            "document",
            "numero de document",
            "n° document",
            "no. documento",
            "documento",
            "id",
        ),
    ),
)
FIELD_NAMES = [f.name for f in FIELDS]

SEXES = {
    fold(word): code
    for code, words in {
        "female": ("f", "femme", "female", "woman", "femenino", "mujer", "fi", "fanm"),
        "male": ("m", "h", "homme", "male", "man", "masculino", "hombre", "gason"),
        "other": ("autre", "other", "otro", "x"),
    }.items()
    for word in words
}

# Nationalities seen on lists to this mechanism, as codes (ISO alpha-2 and alpha-3) and words.
NATIONALITIES = {
    "HT": ("ht", "hti", "haiti", "haitien", "haitienne", "haitian", "haitiano", "haitiana"),
    "DO": ("do", "dom", "dominicain", "dominicaine", "dominican", "dominicano", "dominicana"),
    "CU": ("cu", "cub", "cubain", "cubaine", "cuban", "cubano", "cubana"),
    "VE": ("ve", "ven", "venezuelien", "venezuelienne", "venezuelan", "venezolano", "venezolana"),
    "JM": ("jm", "jam", "jamaicain", "jamaicaine", "jamaican", "jamaiquino", "jamaiquina"),
    "US": ("us", "usa", "americain", "americaine", "american", "estadounidense"),
    "BS": ("bs", "bhs", "bahamien", "bahamienne", "bahamian", "bahameno", "bahamena"),
    "TC": (
        "tc",
        "tca",
    ),
    "CO": ("co", "col", "colombien", "colombienne", "colombian", "colombiano", "colombiana"),
    "CM": ("cm", "cmr", "camerounais", "camerounaise", "cameroonian", "camerunes"),
    "BF": ("bf", "bfa", "burkinabe", "burkinais"),
    "ML": ("ml", "mli", "malien", "malienne", "malian"),
    "NE": ("ne", "ner", "nigerien", "nigerienne", "nigerien"),
    "NG": ("ng", "nga", "nigerian", "nigeriane", "nigeriano"),
}
_NATIONALITIES = {fold(w): code for code, words in NATIONALITIES.items() for w in words}

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%Y/%m/%d")


@dataclass
class Row:
    number: int  # as in the file: the header is row 1
    cells: dict[str, str]  # column title → text
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.problems


@dataclass
class Table:
    header: list[str]
    rows: list[TableRow]


class UnusableFileError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


def read(name: str, data: bytes) -> Table:
    header, rows, problems = read_table(name, data, max_rows=MAX_ROWS)
    if problems:
        raise UnusableFileError(problems)
    return Table(header, rows)


def guess_mapping(header: list[str], remembered: dict[str, str] | None = None) -> dict[str, str]:
    """Field → column title: the mapping remembered for the source where its titles are all in
    this file, else the titles people usually write."""
    titles = {fold(t): t for t in header if t}
    if remembered and all(fold(t) in titles for t in remembered.values()):
        return {f: titles[fold(t)] for f, t in remembered.items()}
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for item in FIELDS:
        for alias in item.aliases:
            title = titles.get(fold(alias))
            if title is not None and title not in taken:
                mapping[item.name] = title
                taken.add(title)
                break
    return mapping


def check_mapping(header: list[str], mapping: dict[str, str]) -> list[Problem]:
    problems = [
        Problem(1, m, _("This column is not in the file."))
        for m in mapping.values()
        if m not in header
    ]
    for item in FIELDS:
        if item.required and item.name not in mapping:
            problems.append(Problem(1, item.name, _("No column gives the family name: choose it.")))
    return problems


def parse_date(text: str) -> date:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    raise ValueError(text)


def duplicate_key(values: dict[str, Any]) -> tuple[Any, ...]:
    return (
        fold(values.get("family_name", "")),
        fold(values.get("given_name", "")),
        values.get("birth_date"),
        re.sub(r"[^0-9a-z]", "", fold(values.get("document_number", ""))),
    )


def check_row(number: int, cells: dict[str, str], mapping: dict[str, str], today: date) -> Row:
    """The row's values, or its problems, each with the column as written in the file."""
    row = Row(number, cells)

    def cell(name: str) -> str:
        title = mapping.get(name)
        return cells.get(title, "").strip() if title else ""

    def problem(name: str, message: str) -> None:
        row.problems.append(Problem(number, mapping.get(name, name), message))

    family, given = cell("family_name"), cell("given_name")
    if not family and not given:
        problem("family_name", _("The name is empty."))
    elif not family:
        problem("family_name", _("The family name is empty."))
    row.values["family_name"] = family
    row.values["given_name"] = given
    sex = cell("sex")
    if sex and fold(sex) not in SEXES:
        problem("sex", _("“%(value)s” is not a known sex code (F, M, …).") % {"value": sex})
    row.values["sex"] = SEXES.get(fold(sex), "unknown") if sex else "unknown"
    born = cell("birth_date")
    row.values["birth_date"] = None
    if born:
        try:
            day = parse_date(born)
        except ValueError:
            problem(
                "birth_date", _("“%(value)s” is not a date (write 31/12/1990).") % {"value": born}
            )
        else:
            if day > today:
                problem("birth_date", _("The date of birth is in the future."))
            elif today.year - day.year > MAX_AGE:
                problem("birth_date", _("The date of birth gives an age over 120 years."))
            else:
                row.values["birth_date"] = day
    age = cell("age")
    row.values["age"] = None
    if age:
        if not age.isdecimal() or int(age) > MAX_AGE:
            problem("age", _("“%(value)s” is not an age in years.") % {"value": age})
        else:
            row.values["age"] = int(age)
    nationality = cell("nationality")
    row.values["nationality"] = ""
    if nationality:
        code = _NATIONALITIES.get(fold(nationality))
        if code is None:
            problem(
                "nationality",
                _("“%(value)s” is not a known nationality (write the country code, e.g. HT).")
                % {"value": nationality},
            )
        else:
            row.values["nationality"] = code
    document = cell("document_number")
    if len(document) > 60:
        problem("document_number", _("The document number is too long."))
    row.values["document_number"] = document[:60]
    return row


def check_rows(table: Table, mapping: dict[str, str]) -> list[Row]:
    today = timezone.localdate()
    seen: dict[tuple[Any, ...], int] = {}
    checked = []
    for cells in table.rows:
        number = cells.number
        row = check_row(number, dict(zip(table.header, cells, strict=False)), mapping, today)
        if row.accepted:
            key = duplicate_key(row.values)
            if key in seen:
                row.problems.append(
                    Problem(number, "", _("This row repeats row %(row)s.") % {"row": seen[key]})
                )
            else:
                seen[key] = number
        checked.append(row)
    return checked
