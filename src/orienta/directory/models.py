"""The directory of actors. For now only the organisation, which every other module refers to;
the directory issue extends it into the HSDS 3.0 model."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import ScopedQuerySet


class OrganisationKind(models.TextChoices):
    STATE_INSTITUTION = "state_institution", _("State institution")
    NGO = "ngo", _("NGO")
    INTERNATIONAL_NGO = "international_ngo", _("International NGO")
    UN_AGENCY = "un_agency", _("UN agency")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    COMMUNITY_BASED = "community_based", _("Community-based organisation")
    CONSULATE = "consulate", _("Consulate")
    REGIONAL_BODY = "regional_body", _("Regional body")


class OrganisationQuerySet(ScopedQuerySet):
    # Organisation-owned data (members, later cases) is scoped by these rows themselves.
    scope_capability = "accounts.view_members"
    scope_field = "pk"


class Organisation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    country = models.CharField(
        _("country"),
        max_length=2,
        help_text=_("ISO 3166-1 alpha-2 code of the country where it works, e.g. HT."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(fields=["name", "country"], name="organisation_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.country = self.country.upper()
        super().save(*args, **kwargs)
