"""The categories of each breakdown: their order and their labels in the reader's language.

Closed lists (sex, age group, mode, status, kind of case, survey round) show every category,
zeros included; open ones (entry points, countries, organisations, categories, areas, months)
show those with records. "" is the category of records that have none."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _

from orienta.cases.models.choices import CaseKind, Sex
from orienta.directory.models import Organisation, TaxonomyTerm
from orienta.directory.search import term_label
from orienta.indicators.models import AreaName
from orienta.referrals.choices import ReferralStatus
from orienta.returns.choices import AgeGroup, Mode
from orienta.returns.labels import country_names
from orienta.returns.models import EntryPoint
from orienta.returns.statistics import point_label


def _closed(breakdown: str) -> list[tuple[str, str]]:
    if breakdown == "sex":
        return [(str(code), str(name)) for code, name in Sex.choices]
    if breakdown == "age_group":
        return [(str(code), str(name)) for code, name in AgeGroup.choices]
    if breakdown == "mode":
        return [(str(code), str(name)) for code, name in Mode.choices]
    if breakdown == "status":
        return [
            (str(code), str(name))
            for code, name in ReferralStatus.choices
            if code != ReferralStatus.DRAFT
        ]
    if breakdown == "kind":
        return [(str(code), str(name)) for code, name in CaseKind.choices]
    return []


def round_label(months: str) -> str:
    if months == "0":
        return _("Baseline")
    return _("%(months)s months") % {"months": months}


def month_label(key: str) -> str:
    return formats.date_format(date(int(key[:4]), int(key[5:7]), 1), "YEAR_MONTH_FORMAT")


def _open(breakdown: str, keys: set[str]) -> dict[str, str]:
    if breakdown == "entry_point":
        points = EntryPoint.objects.filter(code__in=keys).only("code", "name")
        return {point.code: point_label(point) for point in points}
    if breakdown == "origin_country":
        names = country_names()
        return {key: names.get(key, key) for key in keys}
    if breakdown == "organisation":
        wanted = [key for key in keys if key]
        return {
            str(pk): name
            for pk, name in Organisation.objects.filter(pk__in=wanted).values_list("pk", "name")
        }
    if breakdown == "service_category":
        return {term.code: term_label(term) for term in TaxonomyTerm.objects.filter(code__in=keys)}
    if breakdown == "admin_area":
        return dict(AreaName.objects.filter(code__in=keys).values_list("code", "name"))
    if breakdown == "month":
        return {key: month_label(key) for key in keys if key}
    if breakdown == "round":
        return {key: round_label(key) for key in keys if key}
    return {}


def categories(breakdown: str, found: Iterable[str]) -> list[tuple[str, str]]:
    """(category, label) in the order a reader expects."""
    present = set(found)
    closed = _closed(breakdown)
    if closed:
        known = {code for code, _label in closed}
        extra = sorted(present - known)
        return closed + [(code, code or _("Not recorded")) for code in extra]
    labels = _open(breakdown, present)
    rows = [(code, labels.get(code, code)) for code in present if code]
    if breakdown in ("month", "round"):
        rows.sort(key=lambda row: (len(row[0]), row[0]) if breakdown == "round" else row[0])
    else:
        rows.sort(key=lambda row: row[1].casefold())
    if "" in present:
        rows.append(("", _("Not recorded")))
    return rows
