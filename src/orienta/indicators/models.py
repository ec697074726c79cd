"""The indicator system's tables: definitions (loaded from a pack), the pre-aggregated cells the
dashboards read, and the bookkeeping that keeps those cells up to date one change at a time.

Why pre-aggregated: a dashboard tile over millions of arrivals must not GROUP BY the arrivals on
each page view (docs/indicators.md has the figures). Each counted record (an arrival, a sent
referral, a case, a scored survey round) is a *fact*; its contribution is added to one cell per
breakdown. A cell is keyed by the breakdown and its category, plus the four dimensions every
dashboard filters on (month, entry point, country returned from, organisation), so a tile is a
SUM over a few thousand cells, never over the records.

Incremental refresh: saving a counted record, or one it is described by (its case, person or
movement), queues its key in `PendingChange`; `refresh()` reads the queued records again,
compares with what their `Fact` says was counted, and adds the difference to the cells. A
record that disappeared, or stopped counting (a referral cancelled back to a draft cannot, but
an arrival can be deleted), takes its contribution away.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Indicator(models.Model):
    """One indicator, as the pack `packs/indicators/<name>.json` defines it."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    label_fr = models.CharField(_("label (French)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    subject = models.CharField(_("counted records"), max_length=20)
    #: {"sum": measure} | {"ratio": [numerator, denominator]} | {"mean": [total, count]}
    formula = models.JSONField(_("formula"))
    unit = models.CharField(_("unit"), max_length=10)  # count, percent, days, score
    disaggregations = models.JSONField(_("disaggregations"), default=list)
    dashboard = models.CharField(_("dashboard"), max_length=20)
    position = models.PositiveSmallIntegerField(default=0)
    hxl = models.CharField(_("HXL hashtag"), max_length=80)
    pack = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["dashboard", "position", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} {self.label_en}"

    @property
    def label(self) -> str:
        """In the reader's language (French for Kreyòl, the pack having no Kreyòl labels)."""
        return self.label_en if get_language() == "en" else self.label_fr

    @property
    def description(self) -> str:
        return self.description_en if get_language() == "en" else self.description_fr


class PendingChange(models.Model):
    """A record changed since the last refresh (model label and primary key).

    Not unique on purpose: a change queued while a refresh is reading the queue must stay
    queued after it, even for a record already in the queue (the refresh deletes the rows it
    read, by primary key). A refresh reads each record once, however often it is queued."""

    model = models.CharField(max_length=40)
    key = models.CharField(max_length=40)
    queued_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.model} {self.key}"


class Fact(models.Model):
    """What one record contributes to the cells now: its categories and its measures."""

    subject = models.CharField(max_length=20)
    key = models.CharField(max_length=40)
    categories = models.JSONField()
    measures = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject", "key"], name="fact_once")]

    def __str__(self) -> str:
        return f"{self.subject} {self.key}"


class AreaName(models.Model):
    """The name of an administrative area code, as last seen on a person, for the labels."""

    code = models.CharField(max_length=20, primary_key=True)
    name = models.CharField(max_length=120)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


#: What identifies a cell (the unique key of every cell table).
CELL_KEY = ["breakdown", "category", "month", "entry_point", "origin_country", "organisation"]


class Cell(models.Model):
    """The sum of the measures of the facts in one category of one breakdown, within one month,
    entry point, country and organisation ("" where a fact has none)."""

    breakdown = models.CharField(max_length=20)
    category = models.CharField(max_length=64)
    month = models.DateField()
    entry_point = models.CharField(max_length=30)
    origin_country = models.CharField(max_length=2)
    organisation = models.CharField(max_length=36)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.breakdown}={self.category} {self.month:%Y-%m}"


def _cell_meta(name: str) -> type:
    class Meta:
        constraints = [models.UniqueConstraint(fields=CELL_KEY, name=f"{name}_cell_once")]
        indexes = [
            models.Index(fields=["breakdown", "month"], name=f"{name}_cell_month"),
            models.Index(fields=["breakdown", "entry_point", "month"], name=f"{name}_cell_point"),
            models.Index(fields=["breakdown", "origin_country", "month"], name=f"{name}_cell_orig"),
            models.Index(fields=["breakdown", "organisation", "month"], name=f"{name}_cell_org"),
        ]

    return Meta


class ArrivalCell(Cell):
    returns = models.BigIntegerField(default=0)
    repeat_returns = models.BigIntegerField(default=0)
    unaccompanied_children = models.BigIntegerField(default=0)
    medical_urgency = models.BigIntegerField(default=0)
    pregnant = models.BigIntegerField(default=0)
    disability = models.BigIntegerField(default=0)
    abuse_reported = models.BigIntegerField(default=0)

    Meta = _cell_meta("arrival")  # type: ignore[assignment]


class MovementCell(Cell):
    movements = models.BigIntegerField(default=0)
    with_breaches = models.BigIntegerField(default=0)
    breaches = models.BigIntegerField(default=0)
    announced = models.BigIntegerField(default=0)

    Meta = _cell_meta("movement")  # type: ignore[assignment]


class ReferralCell(Cell):
    referrals = models.BigIntegerField(default=0)
    acknowledged = models.BigIntegerField(default=0)
    answered = models.BigIntegerField(default=0)
    accepted = models.BigIntegerField(default=0)
    closed = models.BigIntegerField(default=0)
    completed = models.BigIntegerField(default=0)
    overdue = models.BigIntegerField(default=0)
    served = models.BigIntegerField(default=0)
    days_to_service = models.FloatField(default=0)
    emergency_override = models.BigIntegerField(default=0)

    Meta = _cell_meta("referral")  # type: ignore[assignment]


class CaseCell(Cell):
    registrations = models.BigIntegerField(default=0)
    open_cases = models.BigIntegerField(default=0)

    Meta = _cell_meta("case")  # type: ignore[assignment]


class SurveyCell(Cell):
    rounds = models.BigIntegerField(default=0)
    economic = models.FloatField(default=0)
    social = models.FloatField(default=0)
    psychosocial = models.FloatField(default=0)
    composite = models.FloatField(default=0)

    Meta = _cell_meta("survey")  # type: ignore[assignment]
