"""Return statistics: the arrivals checked in, counted by country of origin, mode, entry point,
sex, age group, vulnerability, repeat return and month. Aggregates only, never a person; used by
the statistics page and its CSV, and meant for the API as well.

Who sees exact numbers (the rule of the referral dashboard, `orienta.referrals.dashboard`):
every holder of `returns.view_statistics` sees the whole mechanism, and small cells are hidden
unless the user already sees, one by one, every arrival counted, i.e. holds
`returns.view_movements` everywhere, or the figures are restricted to one receiving organisation
in which the user holds it (a reception officer or case supervisor of that organisation).
Coordinators and analysts see no arrival one by one, so they always see small cells hidden.

Small cells (orienta/indicators/suppression.py has the rule and why): a count from 1 to
`ORIENTA_SMALL_CELL - 1` is hidden, zero stays 0, and complementary suppression hides other counts
so that none can be worked out again. The page is one publication: every breakdown by origin,
mode, entry point, sex, age group and month adds up to the total of returns (a category not
listed counts as an unpublished rest), and each vulnerability and the repeat returns are "of
which" counts of that total (the difference, e.g. first returns, is protected too), as are the
unaccompanied or separated children of the children. All hidden cells look the same ("hidden"),
and the CSV carries exactly the cells of the page. Not declared, so not seen: relations the data
usually but not by definition has (flights arrive at airports, pregnancies are women's).

Dates are local: an arrival's day and month are those on the clock of its entry point, as the
protocol rules read them. Queries: a handful of GROUP BY queries whatever the number of
arrivals, plus one per time zone of the entry points for the months (one in a country like
Haiti).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, DateField, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orienta.accounts.access import has_capability, scope_for
from orienta.cases.models.choices import Sex
from orienta.directory.models import Organisation
from orienta.indicators.snapshot import consistent_reads
from orienta.indicators.suppression import Cell, Publication
from orienta.returns.choices import Accompaniment, AgeGroup, Mode
from orienta.returns.labels import country_names
from orienta.returns.models import Arrival, EntryPoint, Movement

CAPABILITY = "returns.view_statistics"
#: Those who see the arrivals one by one see their numbers exactly.
EXACT_NUMBERS = "returns.view_movements"


# --- Local days and months, shared with the compliance pages ---------------------------------


def zones_of(points: Iterable[EntryPoint]) -> list[str]:
    return sorted({point.time_zone for point in points})


def local_period(
    moment: str, zone_field: str, zones: list[str], since: date | None, until: date | None
) -> Q:
    """`moment` (a datetime field path) within the local days `since`..`until` (inclusive) of
    the time zone found at `zone_field`, for each of `zones`."""
    if since is None and until is None:
        return Q()
    parts = []
    for zone in zones:
        tz = ZoneInfo(zone)
        part = Q() if len(zones) == 1 else Q(**{zone_field: zone})
        if since is not None:
            part &= Q(**{f"{moment}__gte": datetime.combine(since, time.min, tz)})
        if until is not None:
            part &= Q(
                **{f"{moment}__lt": datetime.combine(until + timedelta(days=1), time.min, tz)}
            )
        parts.append(part)
    if not parts:
        return Q(pk__in=[])
    return reduce(or_, parts)


def by_zone(
    queryset: QuerySet[Any], zone_field: str, zones: list[str]
) -> Iterator[tuple[ZoneInfo, QuerySet[Any]]]:
    """The part of `queryset` in each time zone (the whole of it when there is only one)."""
    if len(zones) == 1:
        yield ZoneInfo(zones[0]), queryset
        return
    for zone in zones:
        yield ZoneInfo(zone), queryset.filter(**{zone_field: zone})


def month_of(moment: str, tz: ZoneInfo) -> TruncMonth:
    """The first day of the local month of `moment`, as a date."""
    return TruncMonth(moment, tzinfo=tz, output_field=DateField())


def month_label(month: date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def point_label(point: EntryPoint) -> str:
    return f"{point.code} — {point.name}"


# --- Who sees what -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """Where the user sees arrivals one by one: everywhere, or in these organisations."""

    everywhere: bool
    organisation_ids: frozenset[uuid.UUID]

    def threshold(self, organisation_id: uuid.UUID | None) -> int:
        """0 (exact numbers) when every arrival counted is one the user sees already."""
        if self.everywhere or (
            organisation_id is not None and organisation_id in self.organisation_ids
        ):
            return 0
        return int(settings.ORIENTA_SMALL_CELL)


def audience_of(user: Any) -> Audience:
    """Raise PermissionDenied for a user who may see no return statistics."""
    if not has_capability(user, CAPABILITY):
        raise PermissionDenied(CAPABILITY)
    seen = scope_for(user, EXACT_NUMBERS)
    return Audience(seen.everywhere, seen.organisation_ids)


# --- What the statistics show --------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    since: date | None = None
    until: date | None = None
    origin: str = ""  # deporting country code
    entry_point: str = ""  # entry point code
    organisation_id: uuid.UUID | None = None  # receiving organisation


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    returns: Cell


@dataclass(frozen=True)
class Table:
    """One breakdown: `key` is its stable code (the CSV's breakdown column)."""

    key: str
    caption: str
    heading: str
    rows: list[Row]
    note: str = ""


@dataclass(frozen=True)
class Statistics:
    filters: Filters  # as applied: an unknown origin, entry point or organisation is dropped
    threshold: int  # 0 when the user sees exact numbers
    total: Cell
    tables: list[Table]
    origins: list[tuple[str, str]] = field(default_factory=list)  # (code, name) to filter on
    entry_points: list[tuple[str, str]] = field(default_factory=list)
    organisations: list[tuple[uuid.UUID, str]] = field(default_factory=list)
    #: The organisations where the user would see exact numbers (to say so on the page).
    exact_organisations: list[tuple[uuid.UUID, str]] = field(default_factory=list)

    @property
    def suppressing(self) -> bool:
        return self.threshold > 1

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


UNACCOMPANIED = (Accompaniment.UNACCOMPANIED, Accompaniment.SEPARATED)

#: How a breakdown's rows relate to the total of returns: categories that do not overlap (each
#: arrival in one), or each an "of which" of the total (an arrival in several, or none).
PARTITION, OF_WHICH = "partition", "of_which"


def _vulnerabilities() -> list[tuple[str, str, Q]]:
    return [
        (
            "unaccompanied_child",
            _("Unaccompanied or separated child"),
            Q(age_group=AgeGroup.CHILD, accompaniment__in=UNACCOMPANIED),
        ),
        ("medical_urgency", _("Medical urgency"), Q(medical_urgency=True)),
        ("pregnant", _("Pregnancy"), Q(pregnant=True)),
        ("disability", _("Disability"), Q(disability=True)),
        ("abuse_reported", _("Abuse reported"), Q(abuse_reported=True)),
    ]


def _counts(arrivals: QuerySet[Arrival], by: str) -> dict[Any, int]:
    return {row[by]: row["n"] for row in arrivals.order_by().values(by).annotate(n=Count("pk"))}


def compute(user: Any, filters: Filters | None = None) -> Statistics:
    """The statistics `user` may see, for these filters. PermissionDenied without the
    capability."""
    with consistent_reads():  # the figures must add up for suppression to hold
        return _compute(user, filters)


def _compute(user: Any, filters: Filters | None) -> Statistics:
    audience = audience_of(user)
    filters = filters or Filters()
    points = list(EntryPoint.objects.order_by("country", "code"))
    zones = zones_of(points)
    names = country_names()
    used_origins = set(Movement.objects.order_by().values_list("origin_country", flat=True))
    origins = sorted(
        ((code, names.get(code, code)) for code in set(names) | used_origins),
        key=lambda pair: pair[1].casefold(),
    )
    organisations = list(
        Organisation.objects.filter(pk__in=Arrival.objects.order_by().values("organisation_id"))
        .order_by("name")
        .values_list("pk", "name")
    )

    origin = filters.origin.upper()
    if origin not in {code for code, _name in origins}:
        origin = ""
    point = filters.entry_point if filters.entry_point in {p.code for p in points} else ""
    organisation_id = filters.organisation_id
    if organisation_id not in {pk for pk, _name in organisations}:
        organisation_id = None
    applied = Filters(filters.since, filters.until, origin, point, organisation_id)
    threshold = audience.threshold(organisation_id)

    arrivals = Arrival.objects.all()
    if organisation_id is not None:
        arrivals = arrivals.filter(organisation_id=organisation_id)
    if origin:
        arrivals = arrivals.filter(movement__origin_country=origin)
    if point:
        arrivals = arrivals.filter(movement__entry_point__code=point)
    arrivals = arrivals.filter(
        local_period(
            "checked_in_at", "movement__entry_point__time_zone", zones, filters.since, filters.until
        )
    )

    vulnerabilities = _vulnerabilities()
    totals = arrivals.aggregate(
        n=Count("pk"),
        repeat=Count("pk", filter=Q(repeat_return=True)),
        **{key: Count("pk", filter=condition) for key, _label, condition in vulnerabilities},
    )

    by_origin = _counts(arrivals, "movement__origin_country")
    by_mode = _counts(arrivals, "movement__mode")
    by_point = _counts(arrivals, "movement__entry_point__code")
    by_age = _counts(arrivals, "age_group")
    by_sex: dict[str, int] = defaultdict(int)
    for sex, n in _counts(arrivals, "sex").items():
        by_sex[sex or Sex.UNKNOWN] += n
    by_month: dict[date, int] = defaultdict(int)
    for tz, part in by_zone(arrivals, "movement__entry_point__time_zone", zones):
        for month, n in _counts(
            part.annotate(month=month_of("checked_in_at", tz)), "month"
        ).items():
            by_month[month] += n

    labels = {p.code: point_label(p) for p in points}
    sexes = dict(Sex.choices)
    # (key, caption, heading, rows as (key, label, count), note, how the rows relate to the total)
    specs: list[tuple[str, str, str, list[tuple[str, str, int]], str, str]] = [
        (
            "origin_country",
            _("Returns by country of origin"),
            _("Returned from"),
            sorted(
                ((code, names.get(code, code), n) for code, n in by_origin.items()),
                key=lambda row: row[1].casefold(),
            ),
            "",
            PARTITION,
        ),
        (
            "mode",
            _("Returns by mode"),
            _("Mode"),
            [(code, str(label), by_mode.get(code, 0)) for code, label in Mode.choices],
            "",
            PARTITION,
        ),
        (
            "entry_point",
            _("Returns by entry point"),
            _("Entry point"),
            [(code, labels.get(code, code), n) for code, n in sorted(by_point.items())],
            "",
            PARTITION,
        ),
        (
            "sex",
            _("Returns by sex"),
            _("Sex"),
            [(code, str(label), by_sex.get(code, 0)) for code, label in Sex.choices]
            + [(code, code, n) for code, n in sorted(by_sex.items()) if code not in sexes],
            "",
            PARTITION,
        ),
        (
            "age_group",
            _("Returns by age group"),
            _("Age group"),
            [(code, str(label), by_age.get(code, 0)) for code, label in AgeGroup.choices],
            "",
            PARTITION,
        ),
        (
            "vulnerability",
            _("Returns by vulnerability"),
            _("Vulnerability"),
            [(key, label, totals[key] or 0) for key, label, _condition in vulnerabilities],
            _("A person may be counted under several vulnerabilities, or none."),
            OF_WHICH,
        ),
        (
            "repeat_return",
            _("Repeat returns"),
            _("Return"),
            [("repeat", _("Repeat return (already returned before)"), totals["repeat"] or 0)],
            "",
            OF_WHICH,
        ),
        (
            "month",
            _("Returns by month (local time at the entry point)"),
            _("Month"),
            [
                (f"{month:%Y-%m}", month_label(month), n)
                for month, n in sorted(by_month.items())
                if month is not None
            ],
            "",
            PARTITION,
        ),
    ]

    # One publication for the page, so that the total, shared by every breakdown, is hidden
    # everywhere or nowhere, and complementary suppression sees every line it is part of.
    publication = Publication(threshold)
    total = publication.count(totals["n"] or 0, name="total")
    handles: dict[str, list[int]] = {}
    for key, _caption, _heading, rows, _note, relation in specs:
        handles[key] = [publication.count(n, name=f"{key}:{code}") for code, _label, n in rows]
        if relation == PARTITION:
            publication.partition(total, handles[key], rest_name=f"{key}:not listed")
        else:
            for handle in handles[key]:
                publication.of_which(total, handle, name=f"{key}:not {publication.label(handle)}")
    # An unaccompanied or separated child is a child: "of which" the age group.
    codes = {key: [code for code, _label, _n in rows] for key, _c, _h, rows, _n, _r in specs}
    child = handles["age_group"][codes["age_group"].index(AgeGroup.CHILD)]
    alone = handles["vulnerability"][codes["vulnerability"].index("unaccompanied_child")]
    publication.of_which(child, alone, name="children not unaccompanied or separated")
    cells = publication.protect()
    tables = [
        Table(
            key,
            caption,
            heading,
            [
                Row(code, label, cells[handle])
                for (code, label, _n), handle in zip(rows, handles[key], strict=True)
            ],
            note=note,
        )
        for key, caption, heading, rows, note, _relation in specs
    ]
    exact = [(pk, name) for pk, name in organisations if audience.threshold(pk) == 0]
    return Statistics(
        filters=applied,
        threshold=threshold,
        total=cells[total],
        tables=tables,
        origins=origins,
        entry_points=[(p.code, point_label(p)) for p in points],
        organisations=organisations,
        exact_organisations=[] if audience.everywhere else exact,
    )


# --- As an HXL-tagged CSV ----------------------------------------------------------------------

#: (column title, HXL 1.1 hashtag); the titles are translated, the hashtags never.
HXL_COLUMNS = [
    (gettext_lazy("Breakdown"), "#indicator+breakdown+code"),
    (gettext_lazy("Category code"), "#indicator+category+code"),
    (gettext_lazy("Category"), "#indicator+category+name"),
    (gettext_lazy("Returned from (country code)"), "#country+origin+code"),
    (gettext_lazy("Entry point (code)"), "#loc+entry+code"),
    (gettext_lazy("Month"), "#date+month"),
    (gettext_lazy("Period from"), "#date+start"),
    (gettext_lazy("Period until"), "#date+end"),
    (gettext_lazy("Receiving organisation"), "#org+receiving+name"),
    (gettext_lazy("Returns"), "#affected+returnees"),
    (gettext_lazy("Number hidden"), "#meta+suppressed"),
]


def as_csv(stats: Statistics) -> str:
    """A text header row, the HXL hashtag row, then one row per category of each breakdown
    (and a first row with the total), with the very cells of the page: hidden ones (small, or
    hidden so that a total cannot give a small one away) say "hidden" and are flagged in the
    `#meta+suppressed` column. A filter applied fills its column on every row."""
    filters = stats.filters
    organisation = next(
        (name for pk, name in stats.organisations if pk == filters.organisation_id), ""
    )
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([str(title) for title, _tag in HXL_COLUMNS])
    writer.writerow([tag for _title, tag in HXL_COLUMNS])

    def write(breakdown: str, key: str, label: str, value: Cell) -> None:
        writer.writerow(
            [
                breakdown,
                key,
                label,
                key if breakdown == "origin_country" else filters.origin,
                key if breakdown == "entry_point" else filters.entry_point,
                key if breakdown == "month" else "",
                filters.since.isoformat() if filters.since else "",
                filters.until.isoformat() if filters.until else "",
                organisation,
                str(value),
                "1" if value.suppressed else "0",
            ]
        )

    write("total", "all", _("All returns"), stats.total)
    for table in stats.tables:
        for row in table.rows:
            write(table.key, row.key, row.label, row.returns)
    return buffer.getvalue()
