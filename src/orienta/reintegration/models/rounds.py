"""A survey round: one interview of the person at one of the configured times, its raw
answers, and the four scores with the weight set they were computed with."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SurveyRound(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="survey_rounds")
    # The configuration whose questions were asked (not necessarily the one that scored).
    asked_with = models.ForeignKey(
        "reintegration.RssConfiguration",
        on_delete=models.PROTECT,
        related_name="asked_rounds",
        verbose_name=_("questionnaire version"),
    )
    months = models.PositiveIntegerField(_("round (months after arrival)"))
    interviewed_on = models.DateField(_("date of the interview"))
    interviewer = models.CharField(_("interviewer"), max_length=200)
    # As given: {question code: answer}; never rewritten by scoring.
    answers = models.JSONField(_("answers"), default=dict)
    # Filled by scoring: {indicator code: value in [0, 1] or null when an answer is missing}.
    indicator_values = models.JSONField(default=dict, blank=True)
    economic = models.FloatField(_("economic score"), null=True, blank=True)
    social = models.FloatField(_("social score"), null=True, blank=True)
    psychosocial = models.FloatField(_("psychosocial score"), null=True, blank=True)
    composite = models.FloatField(_("composite score"), null=True, blank=True)
    # The weight set the scores come from; empty while no configuration was in force.
    scored_with = models.ForeignKey(
        "reintegration.RssConfiguration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scored_rounds",
        verbose_name=_("weight set used"),
    )
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        ordering = ["case", "months", "interviewed_on"]
        constraints = [
            models.UniqueConstraint(fields=["case", "months"], name="rss_one_round_per_time")
        ]
        indexes = [models.Index(fields=["scored_with"], name="rss_round_scored_with")]

    def __str__(self) -> str:
        return f"{self.case} +{self.months}"
