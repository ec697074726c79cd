"""What the case page says about each survey round's scores: the value, or why there is none;
and the person's trend across rounds as small inline charts (the table is the accessible
version; the charts are decoration with a text alternative)."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from orienta.reintegration.choices import Dimension
from orienta.reintegration.models import RssIndicator, SurveyRound

SCORES = ("economic", "social", "psychosocial", "composite")


@dataclass
class ShownScore:
    name: str
    value: float | None
    reason: str  # why the score is not computed; empty when it is


@dataclass
class ShownRound:
    survey: SurveyRound
    scores: list[ShownScore]


def months_after(start: date, months: int) -> date:
    """The same day `months` calendar months later (the month's last day when it is shorter)."""
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    month += 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def score_labels() -> dict[str, str]:
    return {
        "economic": str(Dimension.ECONOMIC.label),
        "social": str(Dimension.SOCIAL.label),
        "psychosocial": str(Dimension.PSYCHOSOCIAL.label),
        "composite": _("Composite"),
    }


def explain(rounds: Iterable[SurveyRound]) -> list[ShownRound]:
    """Each round's four scores with, for a missing one, the reason in words."""
    rounds = list(rounds)
    used = {r.scored_with_id for r in rounds if r.scored_with_id}
    dimension_of: dict[tuple[int, str], str] = {
        (i.configuration_id, i.code): i.dimension
        for i in RssIndicator.objects.filter(configuration_id__in=used)
    }
    shown = []
    for survey in rounds:
        scores = []
        for name in SCORES:
            value = getattr(survey, name)
            reason = ""
            if survey.scored_with_id is None:
                reason = _("not computed: no weight set in force")
            elif value is None:
                missing = [
                    code
                    for code, indicator_value in sorted(survey.indicator_values.items())
                    if indicator_value is None
                    and (
                        name == "composite"
                        or dimension_of.get((survey.scored_with_id, code)) == name
                    )
                ]
                reason = _("not computed: answers missing for %(indicators)s") % {
                    "indicators": ", ".join(missing) or "—"
                }
            scores.append(ShownScore(name, value, reason))
        shown.append(ShownRound(survey, scores))
    return shown


def sparklines(
    rounds: list[ShownRound], width: int = 120, height: int = 32
) -> list[dict[str, Any]]:
    """For each score: the SVG polyline points of its computed values in round order, and a
    text alternative. Scores are on 0–1, so the vertical scale is fixed."""
    labels = score_labels()
    lines = []
    count = max(len(rounds) - 1, 1)
    for index, name in enumerate(SCORES):
        points = []
        spoken = []
        for position, shown in enumerate(rounds):
            value = shown.scores[index].value
            if value is None:
                continue
            x = 4 + (width - 8) * position / count
            y = 4 + (height - 8) * (1 - value)
            points.append(f"{x:.1f},{y:.1f}")
            spoken.append(f"{value:.2f}")
        lines.append(
            {
                "name": name,
                "label": labels[name],
                "points": " ".join(points),
                "single": len(points) == 1,
                "first": points[0].split(",") if points else None,
                "alt": _("%(score)s score by round: %(values)s")
                % {"score": labels[name], "values": ", ".join(spoken) or "—"},
            }
        )
    return lines
