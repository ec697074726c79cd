"""The person: who they are, their documents and the people they travel with."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from orienta.accounts.access import ScopedQuerySet
from orienta.cases.models.choices import (
    BirthDatePrecision,
    DocumentStatus,
    DocumentType,
    Relationship,
    Sex,
)


class PersonQuerySet(ScopedQuerySet):
    scope_capability = "cases.work_cases"

    def visible_to(self, user: Any, capability: str | None = None) -> PersonQuerySet:
        """Persons with at least one case the user may open: a person is seen through a case."""
        from orienta.cases.models.case import Case

        visible_cases = Case.objects.visible_to(user).filter(person=OuterRef("pk"))
        return self.filter(Exists(visible_cases))

    def registered_by_organisations(self, user: Any) -> PersonQuerySet:
        """Persons registered by an organisation where the user registers people: the pool
        searched for candidates before a new registration."""
        return super().visible_to(user, "cases.register")  # type: ignore[return-value]


class Person(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The organisation that registered the person owns the record (IOM principle 11).
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="persons",
        verbose_name=_("organisation"),
    )
    given_name = models.CharField(_("given names"), max_length=150)
    family_name = models.CharField(_("family name"), max_length=150)
    other_names = models.JSONField(_("other names and aliases"), default=list, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_date_precision = models.CharField(
        _("precision of the date of birth"),
        max_length=10,
        choices=BirthDatePrecision.choices,
        default=BirthDatePrecision.EXACT,
    )
    stated_age = models.PositiveSmallIntegerField(_("stated age"), null=True, blank=True)
    stated_age_on = models.DateField(_("age stated on"), null=True, blank=True)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True, default="")
    other_nationalities = models.JSONField(_("other nationalities"), default=list, blank=True)
    statelessness_risk = models.BooleanField(_("risk of statelessness"), default=False)
    origin_country = models.CharField(_("country of origin"), max_length=2, blank=True)
    origin_admin1_code = models.CharField(
        _("department or region (code)"), max_length=20, blank=True
    )
    origin_admin1_name = models.CharField(_("department or region"), max_length=120, blank=True)
    origin_admin2_code = models.CharField(
        _("commune or district (code)"), max_length=20, blank=True
    )
    origin_admin2_name = models.CharField(_("commune or district"), max_length=120, blank=True)
    origin_locality = models.CharField(_("locality"), max_length=150, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    photo = models.ImageField(_("photo"), upload_to="persons/", blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    # Set when a supervisor merged this record into another one (identity resolution): the
    # record keeps nothing of its own until the merge is undone.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merged into"),
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        if self.anonymised_at:
            return str(_("Anonymised person"))
        return f"{self.given_name} {self.family_name.upper()}".strip()

    def age_on(self, day: date) -> int | None:
        """Age in whole years on `day`, from the date of birth or the stated age."""
        if self.birth_date is not None:
            born = self.birth_date
            return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        if self.stated_age is not None and self.stated_age_on is not None:
            return self.stated_age + (day - self.stated_age_on).days // 365
        return None


class IdentityDocument(models.Model):
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="documents", verbose_name=_("person")
    )
    document_type = models.CharField(_("document"), max_length=30, choices=DocumentType.choices)
    number = models.CharField(_("number"), max_length=60, blank=True)
    # Upper-case letters and digits only: "ab-123 45" and "AB12345" are one document.
    number_key = models.CharField(max_length=60, blank=True, editable=False)
    issuing_country = models.CharField(_("issuing country"), max_length=2, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=DocumentStatus.choices)

    class Meta:
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        # A plain index too: the partial unique index cannot serve a look-up by a bound number.
        indexes = [models.Index(fields=["number_key"], name="cases_document_number")]
        constraints = [
            models.UniqueConstraint(
                fields=["document_type", "issuing_country", "number_key"],
                condition=~Q(number_key=""),
                name="cases_document_number_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_document_type_display()} {self.number}".strip()


class FamilyLink(models.Model):
    """`relative` is the person's <relationship> (the person's *parent*, *sibling*…).
    `accompanying` marks the adult a child travelled with on this return."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="family_links", verbose_name=_("person")
    )
    relative = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("relative")
    )
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    accompanying = models.BooleanField(_("travelling with the person"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("family or group link")
        verbose_name_plural = _("family and group links")
        constraints = [
            models.UniqueConstraint(fields=["person", "relative"], name="cases_link_unique"),
            models.CheckConstraint(
                condition=~Q(person=models.F("relative")), name="cases_link_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.relative} ({self.get_relationship_display()})"
