"""The two taxonomies of the mapping matrix: themes and geographic regions, editable."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from orienta.core.i18n import in_language


class Labelled(models.Model):
    """A code with its label in English, French and Arabic."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label_en = models.CharField(_("label (English)"), max_length=200)
    label_fr = models.CharField(_("label (French)"), max_length=200)
    label_ar = models.CharField(_("label (Arabic)"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("order"), default=100)

    class Meta:
        abstract = True
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The label in the interface language."""
        return in_language(self, "label")


class Theme(Labelled):
    class Meta(Labelled.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")


class Region(Labelled):
    countries = models.JSONField(
        _("countries"), default=list, help_text=_("ISO 3166 alpha-3 codes of the region.")
    )

    class Meta(Labelled.Meta):
        verbose_name = _("region")
        verbose_name_plural = _("regions")
