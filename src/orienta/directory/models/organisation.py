"""The organisation: every module refers to it, and it is HSDS's `organization` too."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import ScopedQuerySet
from orienta.directory.models.areas import AdministrativeArea


class OrganisationKind(models.TextChoices):
    STATE_INSTITUTION = "state_institution", _("State institution")
    NGO = "ngo", _("NGO")
    INTERNATIONAL_NGO = "international_ngo", _("International NGO")
    UN_AGENCY = "un_agency", _("UN agency")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    COMMUNITY_BASED = "community_based", _("Community-based organisation")
    CONSULATE = "consulate", _("Consulate")
    REGIONAL_BODY = "regional_body", _("Regional body")


class OrganisationLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Regional")
    LOCAL = "local", _("Local")


class OrganisationQuerySet(ScopedQuerySet):
    # Organisation-owned data (members, later cases) is scoped by these rows themselves.
    scope_capability = "accounts.view_members"
    scope_field = "pk"


class Organisation(AdministrativeArea, models.Model):
    """An actor of the mechanism; HSDS `organization` plus the NRM profile (kind, country,
    mandate, level, administrative area)."""

    hsds_table = "organization"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=500)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(
        _("kind"), max_length=30, choices=OrganisationKind.choices, blank=True, default=""
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        default="",
        help_text=_("ISO 3166-1 alpha-2 code of the country where it works, e.g. HT."),
    )
    # HSDS organization columns.
    alternate_name = models.TextField(_("alternate name"), blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    email = models.TextField(_("e-mail"), blank=True, default="")
    website = models.TextField(_("website"), blank=True, default="")
    tax_status = models.TextField(_("tax status"), blank=True, default="")
    tax_id = models.TextField(_("tax id"), blank=True, default="")
    year_incorporated = models.FloatField(_("year incorporated"), null=True, blank=True)
    legal_status = models.TextField(_("legal status"), blank=True, default="")
    logo = models.TextField(_("logo"), blank=True, default="")
    uri = models.TextField(_("uri"), blank=True, default="")
    parent_organization = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="children",
        verbose_name=_("parent organization"),
    )
    # NRM profile.
    mandate_fr = models.TextField(_("mandate (French)"), blank=True, default="")
    mandate_en = models.TextField(_("mandate (English)"), blank=True, default="")
    level = models.CharField(
        _("level"), max_length=10, choices=OrganisationLevel.choices, blank=True, default=""
    )
    extra = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.country = self.country.upper()
        super().save(*args, **kwargs)
