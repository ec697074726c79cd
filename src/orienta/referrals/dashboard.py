"""The referral dashboard: how referrals move through the mechanism, in aggregate only.

Who sees what:

- holders of `referrals.view_mechanism_statistics` (coordinators, analysts, the administrator)
  see the whole mechanism, with small cells hidden;
- holders of `referrals.view_statistics` only (case supervisors) see the referrals their
  organisations sent or received, with exact numbers where they also hold
  `cases.view_caseload` (they already see those cases one by one).

Small cells (rule 9, "statistics never expose people"; the rule and why are in
orienta/indicators/suppression.py): for everyone else, a count from 1 to
`ORIENTA_SMALL_CELL - 1` is hidden (zero stays 0), and complementary suppression hides other
counts so that no hidden one can be worked out again. The whole dashboard is one publication:

- each count (referrals, under override, overdue, acknowledged, started, answered, accepted,
  completed, completed or not) by receiving organisation, and by category, adds up to the same
  count in the key figures, which is the same cell in both tables and in the status table;
- referrals by status add up to their total, for each side (all, sent, received);
- the "of which" counts are protected by difference: in every row, referrals not under
  override, not overdue, not acknowledged, not started, not answered; answered but not accepted
  (behind the acceptance rate), closed but not completed (behind the completion rate); and for
  the mechanism, sent referrals not overdue. These are unpublished counts a reader could
  compute, protected like the others;
- for the mechanism, the completion rate's counts are the status table's: completed is the
  status "completed", closed is "completed" plus "not completed".

A rate is hidden when its numerator or denominator is; a median when the number of durations it
is taken over is. Every hidden cell looks the same ("hidden"): small, or hidden to protect a
small one. The API gives the same cells (null, `"suppressed": true`). Not linked: a sent and a
received status table (for an organisation that sees its numbers suppressed, which the roles as
configured do not give) are protected each on its own, not against the key figures; and only
relations that hold by definition are declared (not, say, started within accepted, which the
lifecycle makes true but the counts do not guarantee).

Nothing here is about a person: every figure is a count, a rate or a median over a group of
referrals, grouped by status, receiving organisation or top-level category. No reference, name
or case ever leaves this module.

Queries: a handful of GROUP BY queries, whatever the number of referrals. Medians are computed
by the database on PostgreSQL (`percentile_cont(0.5) WITHIN GROUP`, over intervals); SQLite has
no such aggregate, so there (development and tests only) one extra query reads the durations of
the filtered referrals that have one and takes the median of each group in Python.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import StrIndex, Substr
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from orienta.accounts.access import scope_for
from orienta.directory.models import Organisation, TaxonomyTerm
from orienta.directory.search import term_label
from orienta.indicators.snapshot import consistent_reads
from orienta.indicators.suppression import (
    Cell,
    Protected,
    Publication,
    any_hidden,
    percent,
    suppress,
)
from orienta.referrals.choices import ReferralStatus
from orienta.referrals.models import Referral

OWN_STATISTICS = "referrals.view_statistics"
MECHANISM_STATISTICS = "referrals.view_mechanism_statistics"
EXACT_NUMBERS = "cases.view_caseload"

#: The statuses of a sent referral, in lifecycle order; drafts were never sent and never count.
STATUSES = [status for status in ReferralStatus if status != ReferralStatus.DRAFT]


# --- Rates and medians over protected cells ---------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """numerator / denominator, as a percentage; `percent` is None when there is no
    denominator or the rate is hidden."""

    numerator: Cell
    denominator: Cell
    percent: float | None
    suppressed: bool

    def __str__(self) -> str:
        if self.suppressed:
            return _("hidden")
        if self.percent is None:
            return "—"
        return _("%(percent)s%% (%(numerator)s/%(denominator)s)") % {
            "percent": number_format(self.percent, 0),
            "numerator": self.numerator,
            "denominator": self.denominator,
        }


def rate_of(numerator: Cell, denominator: Cell) -> Rate:
    """The rate of two protected cells: hidden when either is (it would give it back)."""
    hidden = any_hidden(numerator, denominator)
    return Rate(numerator, denominator, percent(numerator, denominator), hidden)


def rate(numerator: int, denominator: int, threshold: int) -> Rate:
    """A rate published on its own with its numerator and denominator: hidden when either is
    small, or when their difference is (shown both, they would give it away)."""
    publication = Publication(threshold)
    top, bottom = publication.count(numerator), publication.count(denominator)
    publication.of_which(bottom, top)
    cells = publication.protect()
    return rate_of(cells[top], cells[bottom])


@dataclass(frozen=True)
class Median:
    """The median of `count` durations; None when there are none or it is hidden."""

    duration: timedelta | None
    count: Cell
    suppressed: bool

    @property
    def hours(self) -> float | None:
        if self.duration is None:
            return None
        return round(self.duration.total_seconds() / 3600, 2)

    def __str__(self) -> str:
        if self.suppressed:
            return _("hidden")
        hours = self.hours
        if hours is None:
            return "—"
        if hours < 48:
            return _("%(hours)s h") % {"hours": number_format(hours, 1)}
        return _("%(days)s d") % {"days": number_format(hours / 24, 1)}


def median_of(duration: timedelta | None, count: Cell) -> Median:
    """The median of `count` durations: hidden when that number is."""
    if any_hidden(count):
        return Median(None, count, True)
    return Median(duration if count.value else None, count, False)


def median(duration: timedelta | None, count: int, threshold: int) -> Median:
    """A median published on its own with its number of durations."""
    return median_of(duration, suppress(count, threshold))


# --- What the dashboard shows ----------------------------------------------------------------


@dataclass(frozen=True)
class GroupRow:
    """The figures of a group of referrals: one receiving organisation, one category, or all."""

    key: str
    label: str
    referrals: Cell
    overridden: Cell  # sent under emergency override
    overdue: Cell  # still waiting for an acknowledgement past its deadline
    time_to_acknowledge: Median
    time_to_service: Median
    acceptance: Rate  # accepted (then whatever happened) / answered
    completion: Rate  # completed / (completed + not completed)


@dataclass(frozen=True)
class StatusRow:
    status: str
    label: str
    referrals: Cell
    overridden: Cell


@dataclass(frozen=True)
class StatusTable:
    """Referrals by status: `all` for the mechanism, `sent` and `received` for organisations."""

    key: str
    caption: str
    rows: list[StatusRow]
    referrals: Cell
    overridden: Cell


@dataclass(frozen=True)
class Audience:
    """What a user's dashboard covers: the whole mechanism, or these organisations; and the
    small-cell threshold that applies to them (0: exact numbers)."""

    mechanism: bool
    organisation_ids: frozenset[uuid.UUID]
    threshold: int


@dataclass(frozen=True)
class Dashboard:
    mechanism: bool
    threshold: int  # 0 when the user sees exact numbers
    since: date | None
    until: date | None
    organisation_id: uuid.UUID | None  # the receiving organisation filtered on
    organisations: list[tuple[uuid.UUID, str]]  # those the filter may choose
    totals: GroupRow
    status_tables: list[StatusTable]
    by_organisation: list[GroupRow] = field(default_factory=list)
    by_category: list[GroupRow] = field(default_factory=list)

    @property
    def suppressing(self) -> bool:
        return self.threshold > 1


def audience_of(user: Any) -> Audience:
    """Raise PermissionDenied for a user who may see no dashboard."""
    small = settings.ORIENTA_SMALL_CELL
    caseload = scope_for(user, EXACT_NUMBERS)
    mechanism = scope_for(user, MECHANISM_STATISTICS)
    own = scope_for(user, OWN_STATISTICS)
    if not mechanism.is_empty or own.everywhere:
        # Exact mechanism-wide numbers would need the whole caseload of every organisation.
        return Audience(True, frozenset(), 0 if caseload.everywhere else small)
    if own.is_empty:
        raise PermissionDenied(OWN_STATISTICS)
    exact = caseload.everywhere or own.organisation_ids <= caseload.organisation_ids
    return Audience(False, own.organisation_ids, 0 if exact else small)


# --- Computing -------------------------------------------------------------------------------


class _Median(Aggregate):
    """PostgreSQL's continuous median; over intervals it gives an interval."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _top_category() -> Case:
    """The top-level taxonomy code: what comes before the first "-" ("SHEL-TEMP" → "SHEL")."""
    return Case(
        When(
            category__contains="-",
            then=Substr("category", 1, StrIndex("category", Value("-")) - 1),
        ),
        default=F("category"),
        output_field=CharField(),
    )


def _waited(moment: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(moment) - F("sent_at"), output_field=DurationField())


def _in_database_medians() -> bool:
    return connection.vendor == "postgresql"


def _measures(now: datetime) -> dict[str, Any]:
    measures: dict[str, Any] = {
        "n": Count("pk"),
        "overridden": Count("pk", filter=Q(emergency_override=True)),
        "overdue": Count("pk", filter=Q(status=ReferralStatus.SENT, acknowledge_by__lt=now)),
        "acknowledged": Count("acknowledged_at"),
        "started": Count("started_at"),
        "answered": Count("answered_at"),
        "accepted": Count(
            "pk", filter=Q(answered_at__isnull=False) & ~Q(status=ReferralStatus.DECLINED)
        ),
        "completed": Count("pk", filter=Q(status=ReferralStatus.COMPLETED)),
        "not_completed": Count("pk", filter=Q(status=ReferralStatus.NOT_COMPLETED)),
    }
    if _in_database_medians():
        measures["ack_median"] = _Median(_waited("acknowledged_at"))
        measures["service_median"] = _Median(_waited("started_at"))
    return measures


Medians = dict[str, tuple[timedelta | None, timedelta | None]]


def _medians_in_python(referrals: QuerySet[Referral]) -> tuple[Medians, Medians, Medians]:
    """SQLite only: the medians by organisation, by category and overall, from one query."""
    waits: dict[tuple[str, str], dict[str, list[timedelta]]] = defaultdict(
        lambda: defaultdict(list)
    )
    rows = (
        referrals.filter(Q(acknowledged_at__isnull=False) | Q(started_at__isnull=False))
        .annotate(top=_top_category(), ack=_waited("acknowledged_at"), svc=_waited("started_at"))
        .order_by()
        .values_list("recipient_organisation_id", "top", "ack", "svc")
    )
    for organisation_id, top, ack, svc in rows:
        for group in (("organisation", str(organisation_id)), ("category", top), ("all", "")):
            if ack is not None:
                waits[group]["ack"].append(ack)
            if svc is not None:
                waits[group]["svc"].append(svc)

    def of(values: list[timedelta]) -> timedelta | None:
        # As percentile_cont(0.5): the middle one, or halfway between the two middle ones.
        if not values:
            return None
        ordered, middle = sorted(values), len(values) // 2
        if len(ordered) % 2:
            return ordered[middle]
        return (ordered[middle - 1] + ordered[middle]) / 2

    found: dict[str, Medians] = {"organisation": {}, "category": {}, "all": {}}
    for (kind, key), lists in waits.items():
        found[kind][key] = (of(lists["ack"]), of(lists["svc"]))
    return found["organisation"], found["category"], found["all"]


#: The counts of a group of referrals that the dashboard publishes (directly, or as the number
#: a rate or a median rests on); "closed" is completed + not completed.
MEASURES = (
    "n",
    "overridden",
    "overdue",
    "acknowledged",
    "started",
    "answered",
    "accepted",
    "completed",
    "closed",
)
Handles = dict[str, int]


def _group(publication: Publication, name: str, values: Mapping[str, Any]) -> Handles:
    """The counts of one group in the publication, with its "of which" differences."""
    counted = dict(values)
    counted["closed"] = (values["completed"] or 0) + (values["not_completed"] or 0)
    handles = {m: publication.count(counted[m] or 0, name=f"{name}:{m}") for m in MEASURES}
    # What each count is "of which", by its very definition (never by what the data should be:
    # a relation that did not hold would raise).
    for whole, part in (
        ("n", "overridden"),
        ("n", "overdue"),
        ("n", "acknowledged"),
        ("n", "started"),
        ("n", "answered"),
        ("answered", "accepted"),
        ("closed", "completed"),
    ):
        publication.of_which(handles[whole], handles[part], f"{name}:{whole} but not {part}")
    return handles


def _row(
    key: str,
    label: str,
    values: Mapping[str, Any],
    cells: Protected,
    handles: Handles,
    medians: tuple[timedelta | None, timedelta | None] | None,
) -> GroupRow:
    if medians is None:
        medians = (values.get("ack_median"), values.get("service_median"))

    def cell(measure: str) -> Cell:
        return cells[handles[measure]]

    return GroupRow(
        key=key,
        label=label,
        referrals=cell("n"),
        overridden=cell("overridden"),
        overdue=cell("overdue"),
        time_to_acknowledge=median_of(medians[0], cell("acknowledged")),
        time_to_service=median_of(medians[1], cell("started")),
        acceptance=rate_of(cell("accepted"), cell("answered")),
        completion=rate_of(cell("completed"), cell("closed")),
    )


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


StatusCounts = list[tuple[str, str, dict[str, tuple[int, int]]]]


def _status_counts(referrals: QuerySet[Referral], audience: Audience) -> StatusCounts:
    """One GROUP BY status; for organisations, what they sent and what they received. For each
    side: its key, its caption, and (referrals, of which under override) by status."""
    override = Q(emergency_override=True)
    if audience.mechanism:
        sides = {"all": (_("Referrals by status"), Q())}
    else:
        ids = audience.organisation_ids
        sides = {
            "sent": (
                _("Referrals sent by your organisation, by status"),
                Q(sender_organisation_id__in=ids),
            ),
            "received": (
                _("Referrals received by your organisation, by status"),
                Q(recipient_organisation_id__in=ids),
            ),
        }
    counts: dict[str, Any] = {}
    for key, (_caption, side) in sides.items():
        counts[f"{key}_n"] = Count("pk", filter=side) if side else Count("pk")
        counts[f"{key}_overridden"] = Count("pk", filter=side & override)
    found = {row["status"]: row for row in referrals.order_by().values("status").annotate(**counts)}
    return [
        (
            key,
            caption,
            {
                status: (row.get(f"{key}_n", 0), row.get(f"{key}_overridden", 0))
                for status, row in found.items()
            },
        )
        for key, (caption, _side) in sides.items()
    ]


def _status_tables(
    publication: Publication, sides: StatusCounts, totals: Handles | None
) -> list[tuple[str, str, list[tuple[str, Handles]], Handles]]:
    """The status tables in the publication: by status, referrals and of which under override,
    adding up to their totals; the mechanism's totals are the key figures' own cells
    (`totals`), an organisation's sent and received have totals of their own."""
    tables = []
    for key, caption, by_status in sides:
        rows = []
        for status in STATUSES:
            n, overridden = by_status.get(status.value, (0, 0))
            handles = {
                "n": publication.count(n, name=f"{key}:{status.value}:n"),
                "overridden": publication.count(overridden, name=f"{key}:{status.value}:over"),
            }
            publication.of_which(
                handles["n"], handles["overridden"], f"{key}:{status.value}:not over"
            )
            rows.append((status.value, handles))
        if totals is not None and key == "all":
            total = {"n": totals["n"], "overridden": totals["overridden"]}
        else:
            total = {
                "n": publication.count(sum(n for n, _o in by_status.values()), name=f"{key}:n"),
                "overridden": publication.count(
                    sum(o for _n, o in by_status.values()), name=f"{key}:over"
                ),
            }
            publication.of_which(total["n"], total["overridden"], f"{key}:not over")
        for measure in ("n", "overridden"):
            # A status not listed (none is, drafts are never sent) would be an unpublished rest.
            publication.partition(total[measure], [handles[measure] for _s, handles in rows])
        tables.append((key, caption, rows, total))
    return tables


def compute(
    user: Any,
    *,
    since: date | None = None,
    until: date | None = None,
    organisation_id: uuid.UUID | None = None,
) -> Dashboard:
    """The dashboard of `user` for the referrals sent from `since` to `until` (local dates,
    both included) to `organisation_id` (ignored unless it is one of the receiving
    organisations the user may choose). PermissionDenied for those who may see none."""
    with consistent_reads():  # the figures must add up for suppression to hold
        return _compute(user, since=since, until=until, organisation_id=organisation_id)


def _compute(
    user: Any,
    *,
    since: date | None,
    until: date | None,
    organisation_id: uuid.UUID | None,
) -> Dashboard:
    audience = audience_of(user)
    threshold = audience.threshold
    now = timezone.now()

    # Aggregates only, never a row: this is the one place that reads referrals for statistics,
    # so it scopes them itself rather than through `visible_to` (which is about opening them).
    referrals: QuerySet[Referral] = Referral.objects.filter(sent_at__isnull=False)
    if not audience.mechanism:
        ids = audience.organisation_ids
        referrals = referrals.filter(
            Q(sender_organisation_id__in=ids) | Q(recipient_organisation_id__in=ids)
        )
    organisations = [
        (pk, name)
        for pk, name in Organisation.objects.filter(
            pk__in=referrals.order_by().values("recipient_organisation_id")
        )
        .order_by("name")
        .values_list("pk", "name")
    ]
    if organisation_id not in {pk for pk, _name in organisations}:
        organisation_id = None
    if organisation_id is not None:
        referrals = referrals.filter(recipient_organisation_id=organisation_id)
    if since is not None:
        referrals = referrals.filter(sent_at__gte=_start_of(since))
    if until is not None:
        referrals = referrals.filter(sent_at__lt=_start_of(until + timedelta(days=1)))

    measures = _measures(now)
    totals = referrals.aggregate(**measures)
    by_organisation = list(
        referrals.order_by()
        .values("recipient_organisation_id", "recipient_organisation__name")
        .annotate(**measures)
    )
    by_category = list(
        referrals.annotate(top=_top_category()).order_by().values("top").annotate(**measures)
    )
    if _in_database_medians():
        organisation_medians: Medians | None = None
        category_medians: Medians | None = None
        overall: Medians | None = None
    else:
        organisation_medians, category_medians, overall = _medians_in_python(referrals)

    codes = [row["top"] for row in by_category if row["top"]]
    names = {
        term.code: term_label(term)
        for term in TaxonomyTerm.objects.filter(parent__isnull=True, code__in=codes).only(
            "code", "name", "name_en"
        )
    }

    def medians_of(found: Medians | None, key: str) -> tuple[Any, Any] | None:
        return None if found is None else found.get(key, (None, None))

    # One publication for the whole dashboard: a count shown in two places (the key figures,
    # the footers of the tables) is one cell, hidden in both or in neither.
    publication = Publication(threshold)
    total_handles = _group(publication, "all", totals)
    organisation_handles = [
        _group(publication, f"organisation:{row['recipient_organisation_id']}", row)
        for row in by_organisation
    ]
    category_handles = [_group(publication, f"category:{row['top']}", row) for row in by_category]
    for measure in MEASURES:
        for groups in (organisation_handles, category_handles):
            publication.line(total_handles[measure], [handles[measure] for handles in groups])
    status_tables = _status_tables(
        publication,
        _status_counts(referrals, audience),
        total_handles if audience.mechanism else None,
    )
    if audience.mechanism:
        # The overdue are sent referrals still waiting: "of which" the status "sent".
        by_status = {s: h for _k, _c, rows, _t in status_tables for s, h in rows}
        publication.of_which(
            by_status["sent"]["n"], total_handles["overdue"], "sent but not overdue"
        )
        # The completion rate's counts are the status table's, by definition: completed is the
        # status "completed", closed the statuses "completed" and "not completed". One line
        # each, or a count hidden in one place could be read in the other.
        completed, not_completed = by_status["completed"]["n"], by_status["not_completed"]["n"]
        publication.line(total_handles["completed"], [completed])
        publication.line(total_handles["closed"], [completed, not_completed])
    cells = publication.protect()

    organisation_rows = [
        _row(
            str(row["recipient_organisation_id"]),
            row["recipient_organisation__name"],
            row,
            cells,
            handles,
            medians_of(organisation_medians, str(row["recipient_organisation_id"])),
        )
        for row, handles in zip(by_organisation, organisation_handles, strict=True)
    ]
    category_rows = [
        _row(
            row["top"],
            names.get(row["top"], row["top"]) if row["top"] else _("No category"),
            row,
            cells,
            handles,
            medians_of(category_medians, row["top"]),
        )
        for row, handles in zip(by_category, category_handles, strict=True)
    ]
    labels = dict(ReferralStatus.choices)
    return Dashboard(
        mechanism=audience.mechanism,
        threshold=threshold,
        since=since,
        until=until,
        organisation_id=organisation_id,
        organisations=organisations,
        totals=_row(
            "all", _("All referrals"), totals, cells, total_handles, medians_of(overall, "")
        ),
        status_tables=[
            StatusTable(
                key=key,
                caption=caption,
                rows=[
                    StatusRow(
                        status=status,
                        label=str(labels[status]),
                        referrals=cells[handles["n"]],
                        overridden=cells[handles["overridden"]],
                    )
                    for status, handles in rows
                ],
                referrals=cells[total["n"]],
                overridden=cells[total["overridden"]],
            )
            for key, caption, rows, total in status_tables
        ],
        by_organisation=sorted(organisation_rows, key=lambda r: r.label.casefold()),
        by_category=sorted(category_rows, key=lambda r: (not r.key, r.key)),
    )
