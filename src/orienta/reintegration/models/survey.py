"""The Reintegration Sustainability Survey as versioned configuration: which questions feed
which indicator of which dimension, how answers are normalised to 0–1, and the two weight
sets (dimension scores, composite). The weights are entered from the IOM Reintegration
Handbook (Annex 4) by a coordinator, with their source; Orienta ships none."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orienta.core.i18n import in_language
from orienta.reintegration.choices import (
    DEFAULT_ROUNDS,
    AnswerType,
    ConfigurationStatus,
    Dimension,
    Direction,
)


def default_rounds() -> list[int]:
    return list(DEFAULT_ROUNDS)


class RssConfiguration(models.Model):
    """One version of the survey's scoring. Drafts are edited; putting one in force retires the
    previous one; in force and retired versions are frozen (a change is a new version)."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ConfigurationStatus.choices,
        default=ConfigurationStatus.DRAFT,
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    # Months after arrival at which the survey is taken (0 is the baseline).
    rounds = models.JSONField(_("rounds (months after arrival)"), default=default_rounds)
    weights_source = models.TextField(
        _("source of the weights"),
        blank=True,
        help_text=_('For example "IOM Reintegration Handbook, Annex 4, p. …".'),
    )
    weights_entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("weights entered by"),
    )
    weights_entered_at = models.DateTimeField(_("weights entered at"), null=True, blank=True)
    # The pack this structure was loaded from and its digest: loading the same pack again
    # finds it instead of making a duplicate.
    pack = models.CharField(max_length=60, blank=True)
    pack_digest = models.CharField(max_length=64, blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    in_force_at = models.DateTimeField(_("in force since"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    # Optimistic locking of a draft being edited (distinct from `number`, the public version).
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("sustainability survey configuration")
        verbose_name_plural = _("sustainability survey configurations")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status=ConfigurationStatus.IN_FORCE),
                name="rss_one_configuration_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"RSS v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == ConfigurationStatus.DRAFT


class RssIndicator(models.Model):
    """An indicator of one dimension, with its two weights (empty until entered)."""

    configuration = models.ForeignKey(
        RssConfiguration, on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField(_("code"), max_length=40)
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    label_fr = models.CharField(_("label (French)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    order = models.PositiveIntegerField(default=0)
    dimension_weight = models.DecimalField(
        _("dimension weight"), max_digits=13, decimal_places=12, null=True, blank=True
    )
    composite_weight = models.DecimalField(
        _("composite weight"), max_digits=13, decimal_places=12, null=True, blank=True
    )

    class Meta:
        verbose_name = _("survey indicator")
        verbose_name_plural = _("survey indicators")
        ordering = ["configuration", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["configuration", "code"], name="rss_indicator_code_per_configuration"
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        return in_language(self, "label")

    @property
    def dimension_weight_text(self) -> str:
        return _plain(self.dimension_weight)

    @property
    def composite_weight_text(self) -> str:
        return _plain(self.composite_weight)


def _plain(weight: Decimal | None) -> str:
    """A weight as entered (0.6, not 0.600000000000); "—" when there is none yet."""
    return "—" if weight is None else f"{weight.normalize():f}"


class RssQuestion(models.Model):
    """A question and how its answer becomes a value in [0, 1].

    - single choice and yes/no: `options` is a list of {"value", "label_fr", "label_en",
      "score"}, the score being the normalised value of that answer;
    - number: answers must lie within [`minimum`, `maximum`]; the value is
      (answer − minimum) / (maximum − minimum), or one minus that when lower is better.
    """

    configuration = models.ForeignKey(
        RssConfiguration, on_delete=models.CASCADE, related_name="questions"
    )
    indicator = models.ForeignKey(RssIndicator, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(_("code"), max_length=40)
    text_fr = models.TextField(_("question (French)"))
    text_en = models.TextField(_("question (English)"), blank=True)
    order = models.PositiveIntegerField(default=0)
    answer_type = models.CharField(_("type of answer"), max_length=20, choices=AnswerType.choices)
    options = models.JSONField(_("answer options"), default=list, blank=True)
    minimum = models.FloatField(_("minimum"), null=True, blank=True)
    maximum = models.FloatField(_("maximum"), null=True, blank=True)
    direction = models.CharField(
        _("direction"), max_length=20, choices=Direction.choices, blank=True
    )

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["configuration", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["configuration", "code"], name="rss_question_code_per_configuration"
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def text(self) -> str:
        return in_language(self, "text")

    def choices(self) -> list[tuple[str, str]]:
        """(value, label in the interface language) for the answer options."""
        return [(str(o["value"]), in_language(_Option(o), "label")) for o in self.options]


class _Option:
    """An answer option read like a model, so that `in_language` picks its label."""

    def __init__(self, option: dict[str, object]) -> None:
        self.label_fr = option.get("label_fr", "")
        self.label_en = option.get("label_en", "")
