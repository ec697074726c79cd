"""Reference data of returns: deporting countries, entry points, consulates, public holidays.
Loaded from `packs/returns/<country>.json`, editable by coordinators."""

from __future__ import annotations

import zoneinfo

from django.db import models
from django.utils.translation import gettext_lazy as _

from orienta.returns.choices import EntryPointKind


class DeportingCountry(models.Model):
    receiving_country = models.CharField(_("receiving country"), max_length=2)
    code = models.CharField(_("country"), max_length=2)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    usual_modes = models.JSONField(_("usual modes of return"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["receiving_country", "name_fr"]
        constraints = [
            models.UniqueConstraint(fields=["receiving_country", "code"], name="deporting_once")
        ]
        verbose_name = _("deporting country")
        verbose_name_plural = _("deporting countries")

    def __str__(self) -> str:
        return self.name_fr


class EntryPoint(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    country = models.CharField(_("country"), max_length=2)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, choices=EntryPointKind.choices)
    admin1_name = models.CharField(_("department or region"), max_length=120, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    time_zone = models.CharField(_("time zone (IANA)"), max_length=60)
    opens = models.TimeField(_("opens at"), null=True, blank=True)
    closes = models.TimeField(_("closes at"), null=True, blank=True)
    official = models.BooleanField(_("official entry point"), default=True)
    partners = models.ManyToManyField(
        "directory.Organisation",
        blank=True,
        related_name="entry_points",
        verbose_name=_("reception partners"),
    )
    notes = models.TextField(_("notes"), blank=True)
    verification = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["country", "code"]
        verbose_name = _("entry point")
        verbose_name_plural = _("entry points")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Consulate(models.Model):
    receiving_country = models.CharField(_("country represented"), max_length=2)
    host_country = models.CharField(_("host country"), max_length=2)
    city = models.CharField(_("city"), max_length=120)
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    email = models.CharField(_("e-mail"), max_length=200, blank=True)
    capacity_notes = models.TextField(_("capacity notes"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)
    verification = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["receiving_country", "host_country", "city"]
        constraints = [
            models.UniqueConstraint(
                fields=["receiving_country", "host_country", "city"], name="consulate_once"
            )
        ]
        verbose_name = _("consulate")
        verbose_name_plural = _("consulates")

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"


class Holiday(models.Model):
    country = models.CharField(_("country"), max_length=2)
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["country", "date"]
        constraints = [models.UniqueConstraint(fields=["country", "date"], name="holiday_once")]
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
