"""Regional entities and interregional dialogues, their member states and their facts."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from orienta.core.i18n import in_language, interface_language
from orienta.knowledge.choices import Confidence, EntityKind, FactField, MemberRole
from orienta.knowledge.models.sources import Sourced


class Entity(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.SlugField(_("key"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=EntityKind.choices)
    name_en = models.CharField(_("name (English)"), max_length=300)
    name_fr = models.CharField(_("name (French)"), max_length=300)
    name_ar = models.CharField(_("name (Arabic)"), max_length=300, blank=True)
    acronym_en = models.CharField(_("acronym (English)"), max_length=30, blank=True)
    acronym_fr = models.CharField(_("acronym (French)"), max_length=30, blank=True)
    acronym_ar = models.CharField(_("acronym (Arabic)"), max_length=30, blank=True)
    founded = models.CharField(_("founded"), max_length=300, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    founded_confidence = models.CharField(
        max_length=12, choices=Confidence.choices, default=Confidence.UNVERIFIED
    )
    founded_source = models.CharField(max_length=500, blank=True)
    headquarters = models.CharField(_("headquarters or secretariat"), max_length=300, blank=True)
    headquarters_confidence = models.CharField(
        max_length=12, choices=Confidence.choices, default=Confidence.UNVERIFIED
    )
    headquarters_source = models.CharField(max_length=500, blank=True)
    members_source = models.CharField(_("source of the member list"), max_length=500, blank=True)
    members_note = models.TextField(_("about the member list"), blank=True)
    themes = models.ManyToManyField(
        "knowledge.Theme", blank=True, related_name="entities", verbose_name=_("themes")
    )
    regions = models.ManyToManyField(
        "knowledge.Region", blank=True, related_name="entities", verbose_name=_("regions")
    )
    gcm_objectives = models.JSONField(_("GCM objectives"), default=list, blank=True)
    sdgs = models.JSONField(_("SDGs"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self, "name")

    @property
    def acronym(self) -> str:
        return in_language(self, "acronym") or self.acronym_en


class EntityFact(Sourced):
    """One section of what is known of an entity (its mandate, its history with IOM…), in
    English and French (Arabic where written), with its source and confidence."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="facts")
    field = models.CharField(_("section"), max_length=32, choices=FactField.choices)
    text_en = models.TextField(_("text (English)"), blank=True)
    text_fr = models.TextField(_("text (French)"), blank=True)
    text_ar = models.TextField(_("text (Arabic)"), blank=True)
    # Statements that go with the fact but are less sure (each {"en", "fr", "confidence"}),
    # kept apart so that the text says no more than its confidence allows.
    caveats = models.JSONField(_("caveats"), default=list, blank=True)

    class Meta:
        verbose_name = _("fact")
        verbose_name_plural = _("facts")
        ordering = ["entity", "field"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "field"], name="knowledge_one_fact_per_field")
        ]

    def __str__(self) -> str:
        return f"{self.entity.key}: {self.field}"

    @property
    def text(self) -> str:
        return in_language(self, "text")

    @property
    def caveats_shown(self) -> list[tuple[str, str]]:
        """The caveats in the interface language, with their confidence."""
        language = interface_language()
        return [
            (str(c.get(language) or c.get("fr") or c.get("en", "")), c.get("confidence", ""))
            for c in self.caveats
        ]


class EntityMember(models.Model):
    """A member state (ISO 3166 alpha-3) of an entity, with its dates and suspensions."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="members")
    country = models.CharField(_("country"), max_length=3)
    role = models.CharField(
        _("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    suspended_from = models.DateField(_("suspended from"), null=True, blank=True)
    suspended_to = models.DateField(_("suspended until"), null=True, blank=True)
    confidence = models.CharField(
        _("confidence"), max_length=12, choices=Confidence.choices, default=Confidence.UNVERIFIED
    )

    class Meta:
        verbose_name = _("member state")
        verbose_name_plural = _("member states")
        ordering = ["entity", "role", "country"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "country"], name="knowledge_one_membership")
        ]

    def __str__(self) -> str:
        return f"{self.entity.key}: {self.country}"
