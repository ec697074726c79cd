"""Protocol compliance: rates, breaches and the report for the bilateral commission.

A mechanism-level report (not scoped by organisation) that never shows a person: a breach is
shown with its movement (mode, reference, origin, entry point, local time), its kind, clause,
severity, evidence, status and notes; a breach about one arrival shows only the arrival's age
group and sex. Notes show the annotating organisation, never the author's name. The movement's
own free-text notes are never shown.

Filters: the period (local days at the entry point of the movement's actual, else scheduled,
arrival), the country of origin and the entry point apply to everything; severity and status
apply to the breaches listed and counted on the page (rates count every breach still standing:
open, confirmed or contested). The report ignores severity and status: it lists every breach
still standing, contested ones marked, those no longer detected left out.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orienta.accounts.access import capability_required, has_capability, require_capability
from orienta.cases.models.choices import Sex
from orienta.core.errors import ServiceError
from orienta.core.http import AuthenticatedHttpRequest, pdf_response, show_on_form
from orienta.core.i18n import requested_language
from orienta.returns import compliance, services
from orienta.returns.choices import (
    AgeGroup,
    Mode,
    NoteKind,
    RuleKind,
    Severity,
    ViolationStatus,
)
from orienta.returns.labels import LANGUAGES, country_names, in_language
from orienta.returns.models import EntryPoint, Movement, Protocol, Violation, ViolationNote
from orienta.returns.rules import BREACHES
from orienta.returns.statistics import (
    by_zone,
    local_period,
    month_label,
    month_of,
    point_label,
    zones_of,
)

PAGE = 50
MANAGE = "returns.manage_reception"
ANNOTATE = "returns.annotate_violations"

#: What each kind of breach (rules.BREACHES) is called.
BREACH_LABELS: dict[str, Promise] = {
    "outside_hours": gettext_lazy("Outside the allowed hours"),
    "restricted_day": gettext_lazy("Outside the hours allowed on a Sunday or holiday"),
    "unofficial_entry_point": gettext_lazy("Through an entry point that is not allowed"),
    "no_notice": gettext_lazy("No advance notice"),
    "late_notice": gettext_lazy("Advance notice too late"),
    "no_list": gettext_lazy("No advance list"),
    "late_list": gettext_lazy("Advance list too late"),
    "headcount_mismatch": gettext_lazy("Not the number of people announced"),
    "family_separated": gettext_lazy("Family separated"),
    "unaccompanied_child_without_handover": gettext_lazy(
        "Unaccompanied child not handed over by child-protection services"
    ),
    "vulnerable_not_announced": gettext_lazy("Vulnerable person not announced"),
    "group_too_large": gettext_lazy("Group larger than allowed"),
    "detention_over_limit": gettext_lazy("Detained longer than allowed"),
    "no_removal_order": gettext_lazy("No copy of the removal order"),
    "belongings_not_returned": gettext_lazy("Belongings or documents not returned"),
    "consular_access_refused": gettext_lazy("Consular access refused"),
    "abuse_reported": gettext_lazy("Abuse reported"),
}

LIVE_STATUSES = ""  # the default status filter: open, confirmed or contested
ALL_STATUSES = "all"


def breach_label(kind: str) -> str:
    if kind in BREACH_LABELS:
        return str(BREACH_LABELS[kind])
    rule = BREACHES.get(kind)
    return str(RuleKind(rule).label) if rule in RuleKind.values else kind


def rule_kind_label(kind: str) -> str:
    rule = BREACHES.get(kind, "")
    return str(RuleKind(rule).label) if rule in RuleKind.values else ""


# --- Filters -------------------------------------------------------------------------------------


class PeriodFilters(forms.Form):
    """A period of local days; the end date not before the start date."""

    since = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=gettext_lazy("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", gettext_lazy("The end date must not be before the start date."))
        return data


class ComplianceFilters(PeriodFilters):
    # Parsed only: an origin or entry point that matches nothing simply finds nothing.
    origin = forms.CharField(label=gettext_lazy("Returned from"), required=False, max_length=2)
    entry_point = forms.CharField(label=gettext_lazy("Entry point"), required=False, max_length=30)
    severity = forms.ChoiceField(
        label=gettext_lazy("Severity"),
        required=False,
        choices=[("", gettext_lazy("All")), *Severity.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            (LIVE_STATUSES, gettext_lazy("Open, confirmed or contested")),
            *ViolationStatus.choices,
            (ALL_STATUSES, gettext_lazy("All, including those no longer detected")),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
    )


SCOPE_FIELDS = ("since", "until", "origin", "entry_point")


@dataclass
class Scope:
    """The filters as applied (a filter that did not parse is left out)."""

    since: date | None = None
    until: date | None = None
    origin: str = ""
    entry_point: str = ""
    severity: str = ""
    status: str = ""

    @classmethod
    def of(cls, form: ComplianceFilters) -> Scope:
        if not form.is_bound:
            return cls()
        form.is_valid()
        data = form.cleaned_data
        return cls(
            since=data.get("since"),
            until=data.get("until"),
            origin=(data.get("origin") or "").upper(),
            entry_point=data.get("entry_point") or "",
            severity=data.get("severity") or "",
            status=data.get("status") or "",
        )

    def query(self, *names: str) -> str:
        """These filters (all of them by default) as a query string."""
        values = {}
        for name in names or ("since", "until", "origin", "entry_point", "severity", "status"):
            value = getattr(self, name)
            if value:
                values[name] = value.isoformat() if isinstance(value, date) else value
        return urlencode(values)


def movements_in(scope: Scope, zones: list[str]) -> QuerySet[Movement]:
    """The movements of the period and corridor, `moment` their actual or scheduled arrival."""
    movements = Movement.objects.annotate(moment=Coalesce("arrived_at", "scheduled_at"))
    if scope.origin:
        movements = movements.filter(origin_country=scope.origin)
    if scope.entry_point:
        movements = movements.filter(entry_point__code=scope.entry_point)
    return movements.filter(
        local_period("moment", "entry_point__time_zone", zones, scope.since, scope.until)
    )


# --- Figures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateRow:
    key: str
    label: str
    total: int
    compliant: int
    rate: float | None

    @property
    def breaching(self) -> int:
        return self.total - self.compliant


@dataclass(frozen=True)
class RateTable:
    key: str
    caption: str
    heading: str
    rows: list[RateRow]


def _rate(total: int, compliant: int) -> float | None:
    return round(100 * compliant / total, 1) if total else None


def rate_tables(
    movements: QuerySet[Movement],
    zones: list[str],
    points: list[EntryPoint],
    names: dict[str, str],
) -> list[RateTable]:
    labels = {p.code: point_label(p) for p in points}
    months: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for tz, part in by_zone(movements, "entry_point__time_zone", zones):
        for row in compliance.compliance_rows(part.annotate(month=month_of("moment", tz)), "month"):
            months[row["key"]][0] += row["total"]
            months[row["key"]][1] += row["compliant"]

    def rows(found: list[dict[str, Any]], label: dict[str, str]) -> list[RateRow]:
        return [
            RateRow(r["key"], label.get(r["key"], r["key"]), r["total"], r["compliant"], r["rate"])
            for r in found
        ]

    return [
        RateTable(
            "origin_country",
            _("Compliance by deporting country"),
            _("Returned from"),
            rows(compliance.compliance_rows(movements, "origin_country"), names),
        ),
        RateTable(
            "entry_point",
            _("Compliance by entry point"),
            _("Entry point"),
            rows(compliance.compliance_rows(movements, "entry_point__code"), labels),
        ),
        RateTable(
            "month",
            _("Compliance by month (local time at the entry point)"),
            _("Month"),
            [
                RateRow(f"{month:%Y-%m}", month_label(month), total, ok, _rate(total, ok))
                for month, (total, ok) in sorted(months.items())
                if month is not None
            ],
        ),
    ]


def breaches_of(movements: QuerySet[Movement], scope: Scope | None = None) -> QuerySet[Violation]:
    breaches = Violation.objects.filter(movement__in=movements)
    status = scope.status if scope else LIVE_STATUSES
    if status == LIVE_STATUSES:
        breaches = breaches.filter(status__in=compliance.LIVE)
    elif status != ALL_STATUSES:
        breaches = breaches.filter(status=status)
    if scope and scope.severity:
        breaches = breaches.filter(severity=scope.severity)
    return breaches


@dataclass(frozen=True)
class KindRow:
    key: str
    label: str
    rule: str
    breaches: int
    contested: int


def _contested() -> Count:
    return Count("pk", filter=Q(status=ViolationStatus.CONTESTED))


def by_kind(breaches: QuerySet[Violation]) -> list[KindRow]:
    rows = breaches.order_by().values("kind").annotate(n=Count("pk"), contested=_contested())
    found = [
        KindRow(
            r["kind"], breach_label(r["kind"]), rule_kind_label(r["kind"]), r["n"], r["contested"]
        )
        for r in rows
    ]
    return sorted(found, key=lambda row: (-row.breaches, row.label.casefold()))


def by_severity(breaches: QuerySet[Violation]) -> list[KindRow]:
    found = {
        r["severity"]: r
        for r in breaches.order_by()
        .values("severity")
        .annotate(n=Count("pk"), contested=_contested())
    }
    return [
        KindRow(code, str(label), "", found[code]["n"], found[code]["contested"])
        for code, label in reversed(Severity.choices)
        if code in found
    ]


# --- Breaches as shown ---------------------------------------------------------------------------


def evidence_text(evidence: Any, *, indent: int | None = None) -> str:
    if not evidence:
        return ""
    return json.dumps(evidence, ensure_ascii=False, sort_keys=True, indent=indent)


@dataclass(frozen=True)
class BreachRow:
    """A breach as the pages and the report show it: nothing about a person."""

    pk: int
    local_time: str
    zone: str
    mode: str
    reference: str
    origin: str
    origin_code: str
    entry_point: str
    entry_point_code: str
    kind: str
    label: str
    rule_kind: str
    clause: str
    severity: str
    severity_code: str
    status: str
    status_code: str
    evidence: str
    arrival: str  # "Age group, sex" of the arrival it is about, or ""
    notes: int = 0

    @property
    def contested(self) -> bool:
        return self.status_code == ViolationStatus.CONTESTED


def arrival_profile(breach: Violation) -> str:
    arrival = breach.arrival
    if arrival is None:
        return ""
    sexes = dict(Sex.choices)
    age = dict(AgeGroup.choices).get(arrival.age_group, arrival.age_group)
    sex = sexes.get(arrival.sex or Sex.UNKNOWN, arrival.sex)
    return f"{age}, {sex}"


def breach_row(breach: Violation, names: dict[str, str], notes: int = 0) -> BreachRow:
    movement = breach.movement
    point = movement.entry_point
    moment = movement.local(movement.arrived_at or movement.scheduled_at)
    return BreachRow(
        pk=breach.pk,
        local_time=moment.strftime("%Y-%m-%d %H:%M"),
        zone=point.time_zone,
        mode=str(dict(Mode.choices).get(movement.mode, movement.mode)),
        reference=movement.reference,
        origin=names.get(movement.origin_country, movement.origin_country),
        origin_code=movement.origin_country,
        entry_point=point_label(point),
        entry_point_code=point.code,
        kind=breach.kind,
        label=breach_label(breach.kind),
        rule_kind=rule_kind_label(breach.kind),
        clause=breach.rule.clause,
        severity=breach.get_severity_display(),
        severity_code=breach.severity,
        status=breach.get_status_display(),
        status_code=breach.status,
        evidence=evidence_text(breach.evidence),
        arrival=arrival_profile(breach),
        notes=notes,
    )


def _listed(breaches: QuerySet[Violation], newest_first: bool = True) -> QuerySet[Violation]:
    moment = Coalesce("movement__arrived_at", "movement__scheduled_at")
    order: list[Any] = (
        [moment.desc(), "-detected_at", "-pk"] if newest_first else [moment.asc(), "pk"]
    )
    return breaches.select_related("movement__entry_point", "rule", "arrival").order_by(*order)


# --- The page ------------------------------------------------------------------------------------


def _origins(names: dict[str, str]) -> list[tuple[str, str]]:
    used = set(Movement.objects.order_by().values_list("origin_country", flat=True))
    return sorted(
        ((code, names.get(code, code)) for code in set(names) | used),
        key=lambda pair: pair[1].casefold(),
    )


def _evaluate(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Check the movements of the filtered period and corridor again, and say what changed."""
    require_capability(request.user, MANAGE)
    form = ComplianceFilters(request.POST)
    scope = Scope.of(form)
    target = reverse("returns:compliance")
    if form.errors:
        messages.error(request, _("Correct the filters, then check the movements again."))
    else:
        zones = zones_of(EntryPoint.objects.all())
        result = compliance.evaluate(movements_in(scope, zones), actor=request.user)
        values = vars(result)
        if result.added or result.cleared or result.reopened:
            messages.success(
                request,
                _(
                    "Movements checked: %(movements)s (without a protocol in force: "
                    "%(without_protocol)s). New breaches: %(added)s; no longer detected: "
                    "%(cleared)s; found again: %(reopened)s."
                )
                % values,
            )
        else:
            messages.info(
                request,
                _(
                    "Movements checked: %(movements)s (without a protocol in force: "
                    "%(without_protocol)s). Nothing changed."
                )
                % values,
            )
    query = scope.query()
    return redirect(f"{target}?{query}" if query else target)


@capability_required("returns.view_compliance")
def compliance_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _evaluate(request)
    form = ComplianceFilters(request.GET or None)
    scope = Scope.of(form)
    points = list(EntryPoint.objects.order_by("country", "code"))
    zones = zones_of(points)
    names = country_names()
    movements = movements_in(scope, zones)
    breaches = breaches_of(movements, scope)
    page = Paginator(_listed(breaches), PAGE).get_page(request.GET.get("page"))
    notes = dict(
        ViolationNote.objects.filter(violation_id__in=[b.pk for b in page.object_list])
        .order_by()
        .values_list("violation_id")
        .annotate(n=Count("pk"))
        .values_list("violation_id", "n")
    )
    rows = [breach_row(b, names, notes.get(b.pk, 0)) for b in page.object_list]
    kinds = by_kind(breaches)
    context = {
        "form": form,
        "scope": scope,
        "origins": _origins(names),
        "entry_points": [(p.code, point_label(p)) for p in points],
        "rate_tables": rate_tables(movements, zones, points, names),
        "kinds": kinds,
        "breach_total": sum(row.breaches for row in kinds),
        "page": page,
        "rows": rows,
        "query": scope.query(),
        "report_query": scope.query(*SCOPE_FIELDS),
        "can_evaluate": has_capability(request.user, MANAGE),
    }
    return render(request, "returns/compliance/compliance.html", context)


class NoteForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of note"),
        choices=NoteKind.choices,
        initial=NoteKind.NOTE,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    # Not required here: the service says what is missing, in its words.
    text = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


@capability_required("returns.view_compliance")
def violation_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    breach = get_object_or_404(
        Violation.objects.select_related(
            "movement__entry_point", "movement__protocol", "rule", "arrival"
        ),
        pk=pk,
    )
    form = NoteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        require_capability(request.user, ANNOTATE)
        if form.is_valid():
            try:
                services.annotate(
                    acting_user=request.user,
                    violation=breach,
                    kind=form.cleaned_data["kind"],
                    text=form.cleaned_data["text"],
                )
            except ServiceError as error:
                show_on_form(form, error)
            else:
                messages.success(request, _("Note added."))
                return redirect("returns:violation", pk=breach.pk)
        status = 400
    names = country_names()
    rule = breach.rule
    protocol: Protocol | None = breach.movement.protocol
    context = {
        "breach": breach,
        "row": breach_row(breach, names),
        "rule_text": in_language(rule, "text"),
        "protocol_title": in_language(protocol, "title") if protocol else "",
        "protocol": protocol,
        "evidence": evidence_text(breach.evidence, indent=2),
        "notes": breach.notes.select_related("organisation").order_by("created_at", "pk"),
        "form": form,
        "can_annotate": has_capability(request.user, ANNOTATE),
    }
    return render(request, "returns/compliance/violation.html", context, status=status)


# --- The report for the bilateral commission ----------------------------------------------


def _language(request: HttpRequest) -> str:
    """`?lang=fr|en`, else the interface language (French unless it is English); 404 else."""
    language = requested_language(request)
    if language not in LANGUAGES:
        raise Http404("Unknown language.")
    return language


@dataclass
class Report:
    language: str
    title: str
    facts: list[tuple[str, str]]
    protocols: list[str]
    rate_tables: list[RateTable]
    kinds: list[KindRow]
    severities: list[KindRow]
    breaches: list[BreachRow] = field(default_factory=list)
    generated: str = ""

    @property
    def contested(self) -> int:
        return sum(1 for row in self.breaches if row.contested)


def report(scope: Scope, language: str) -> Report:
    """The report in `language`: call within `translation.override(language)`."""
    points = list(EntryPoint.objects.order_by("country", "code"))
    zones = zones_of(points)
    names = country_names()
    movements = movements_in(scope, zones)
    breaches = breaches_of(movements)  # open, confirmed or contested: never the cleared ones
    protocols = [
        f"{in_language(p, 'title', language)} (v{p.version})"
        for p in Protocol.objects.filter(pk__in=movements.order_by().values("protocol_id"))
    ]
    point = next((p for p in points if p.code == scope.entry_point), None)
    judged = movements.filter(evaluated_at__isnull=False, protocol__isnull=False).count()
    facts = [
        (_("Period"), _period(scope)),
        (
            _("Returned from"),
            names.get(scope.origin, scope.origin) if scope.origin else _("Every country"),
        ),
        (
            _("Entry point"),
            point_label(point) if point else (scope.entry_point or _("Every entry point")),
        ),
        (_("Movements judged under a protocol in force"), str(judged)),
    ]
    return Report(
        language=language,
        title=_("Compliance with the bilateral return protocols"),
        facts=facts,
        protocols=protocols,
        rate_tables=rate_tables(movements, zones, points, names),
        kinds=by_kind(breaches),
        severities=by_severity(breaches),
        breaches=[breach_row(b, names) for b in _listed(breaches, newest_first=False)],
        generated=_("Generated on %(when)s") % {"when": _now_in(zones)},
    )


def _now_in(zones: list[str]) -> str:
    """Now, on the clock of the entry points when they share one (else the server's)."""
    now = timezone.localtime(timezone.now(), ZoneInfo(zones[0]) if len(zones) == 1 else None)
    return now.strftime("%Y-%m-%d %H:%M %Z")


def _period(scope: Scope) -> str:
    if scope.since and scope.until:
        return _("From %(since)s to %(until)s") % {
            "since": scope.since.isoformat(),
            "until": scope.until.isoformat(),
        }
    if scope.since:
        return _("From %(since)s") % {"since": scope.since.isoformat()}
    if scope.until:
        return _("Until %(until)s") % {"until": scope.until.isoformat()}
    return _("Every date")


def _report_scope(request: HttpRequest) -> Scope:
    scope = Scope.of(ComplianceFilters(request.GET or None))
    scope.severity = scope.status = ""
    return scope


def _filename(scope: Scope, language: str, extension: str) -> str:
    parts = ["compliance-report"]
    parts += [value for value in (scope.origin.lower(), scope.entry_point.lower()) if value]
    parts += [d.isoformat() for d in (scope.since, scope.until) if d]
    return "-".join([*parts, language]) + f".{extension}"


@capability_required("returns.view_compliance")
def report_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    from weasyprint import HTML

    scope = _report_scope(request)
    language = _language(request)
    with translation.override(language):
        context = {"report": report(scope, language), "language": language}
        html = render_to_string("returns/compliance/report_print.html", context)
    # Everything is in the HTML (embedded CSS, no image, no web font): no base URL needed.
    return pdf_response(bytes(HTML(string=html).write_pdf()), _filename(scope, language, "pdf"))


@capability_required("returns.view_compliance")
def report_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = _report_scope(request)
    language = _language(request)
    with translation.override(language):
        text = report_csv_text(report(scope, language))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(scope, language, "csv")}"'
    response["Cache-Control"] = "no-store"
    return response


def report_csv_text(found: Report) -> str:
    """One header row, then one row per figure: `section` says which table it belongs to
    (rates by country, entry point or month; breaches by kind or severity; a breach)."""
    columns = [
        _("Section"),
        _("Key"),
        _("Label"),
        _("Movements judged"),
        _("Compliant movements"),
        _("Compliance rate (%)"),
        _("Breaches"),
        _("Of which contested"),
        _("Local time"),
        _("Mode"),
        _("Flight, boat or convoy"),
        _("Returned from"),
        _("Entry point"),
        _("Breach"),
        _("Clause"),
        _("Severity"),
        _("Status"),
        _("Evidence"),
        _("Arrival (age group, sex)"),
    ]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    blank = [""] * 11
    for table in found.rate_tables:
        for rate in table.rows:
            writer.writerow(
                [
                    f"rate_by_{table.key}",
                    rate.key,
                    rate.label,
                    rate.total,
                    rate.compliant,
                    "" if rate.rate is None else rate.rate,
                    "",
                    "",
                    *blank,
                ]
            )
    for section, rows in (
        ("breaches_by_kind", found.kinds),
        ("breaches_by_severity", found.severities),
    ):
        for kind in rows:
            writer.writerow(
                [section, kind.key, kind.label, "", "", "", kind.breaches, kind.contested, *blank]
            )
    for row in found.breaches:
        writer.writerow(
            [
                "breach",
                row.pk,
                row.label,
                "",
                "",
                "",
                "",
                "",
                f"{row.local_time} ({row.zone})",
                row.mode,
                row.reference,
                row.origin_code,
                row.entry_point_code,
                row.kind,
                row.clause,
                row.severity,
                row.status,
                row.evidence,
                row.arrival,
            ]
        )
    return buffer.getvalue()


urlpatterns: list[URLPattern] = [
    path("returns/compliance/", compliance_page, name="compliance"),
    path("returns/compliance/violations/<int:pk>/", violation_page, name="violation"),
    path("returns/compliance/report.pdf", report_pdf, name="compliance_report_pdf"),
    path("returns/compliance/report.csv", report_csv, name="compliance_report_csv"),
]
