"""Scoring the Reintegration Sustainability Survey: pure functions over a configuration read
once into plain values, so that the rules can be checked by hand.

The rules (docs/reintegration.md):

1. each answer is normalised to [0, 1] by its question: a choice by its option's score, a
   number linearly between the question's bounds (reversed when lower is better);
2. an indicator's value is the mean of its questions' values; if any of its questions has no
   answer, the indicator is *missing*;
3. a dimension score is Σ dimension weight × indicator value over that dimension's indicators,
   the composite Σ composite weight × indicator value over all fifteen; a score any of whose
   indicators is missing is *not computed* — the weights were estimated on complete answers,
   and spreading them over the indicators that happen to be present would give a number on
   another scale that looks comparable and is not.

Values are kept at full precision; they are rounded only for display.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from orienta.reintegration.choices import AnswerType, Dimension, Direction

#: How far a sum of weights may be from 1.
TOLERANCE = 1e-9


class InvalidAnswerError(ValueError):
    """An answer that the question does not allow (unknown option, out of bounds, not a number)."""


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    indicator: str
    answer_type: str
    scores: Mapping[str, float] = field(default_factory=dict)  # option value → [0, 1]
    minimum: float | None = None
    maximum: float | None = None
    direction: str = ""


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    dimension: str
    dimension_weight: float | None
    composite_weight: float | None


@dataclass(frozen=True)
class Scores:
    indicator_values: dict[str, float | None]
    economic: float | None
    social: float | None
    psychosocial: float | None
    composite: float | None

    def by_dimension(self) -> dict[str, float | None]:
        return {
            Dimension.ECONOMIC: self.economic,
            Dimension.SOCIAL: self.social,
            Dimension.PSYCHOSOCIAL: self.psychosocial,
        }


def is_blank(answer: Any) -> bool:
    return answer is None or (isinstance(answer, str) and not answer.strip())


def normalise(question: QuestionSpec, answer: Any) -> float | None:
    """The answer's value in [0, 1]; None when there is no answer. Raises InvalidAnswerError."""
    if is_blank(answer):
        return None
    if question.answer_type == AnswerType.NUMBER:
        return _normalise_number(question, answer)
    key = str(answer)
    if key not in question.scores:
        raise InvalidAnswerError(f"{question.code}: {key!r} is not one of the options")
    return float(question.scores[key])


def _normalise_number(question: QuestionSpec, answer: Any) -> float:
    if isinstance(answer, bool):
        raise InvalidAnswerError(f"{question.code}: not a number")
    try:
        number = float(answer)
    except (TypeError, ValueError):
        raise InvalidAnswerError(f"{question.code}: not a number") from None
    low, high = question.minimum, question.maximum
    if low is None or high is None or not high > low:
        raise InvalidAnswerError(f"{question.code}: the question has no valid bounds")
    if not math.isfinite(number) or number < low or number > high:
        raise InvalidAnswerError(f"{question.code}: {number} is outside [{low}, {high}]")
    value = (number - low) / (high - low)
    return 1.0 - value if question.direction == Direction.LOWER_IS_BETTER else value


def indicator_values(
    questions: list[QuestionSpec], indicators: list[IndicatorSpec], answers: Mapping[str, Any]
) -> dict[str, float | None]:
    """{indicator code: mean of its questions' values, or None if one of them is unanswered}."""
    collected: dict[str, list[float | None]] = {i.code: [] for i in indicators}
    for question in questions:
        collected.setdefault(question.indicator, []).append(
            normalise(question, answers.get(question.code))
        )
    values: dict[str, float | None] = {}
    for code, found in collected.items():
        if not found or any(v is None for v in found):
            values[code] = None
        else:
            values[code] = math.fsum(v for v in found if v is not None) / len(found)
    return values


def _weighted(pairs: list[tuple[float | None, float | None]]) -> float | None:
    """Σ weight × value; None if any value (or weight) is missing, or there is nothing to sum."""
    if not pairs or any(value is None or weight is None for weight, value in pairs):
        return None
    return math.fsum(w * v for w, v in pairs if w is not None and v is not None)


def score(
    questions: list[QuestionSpec], indicators: list[IndicatorSpec], answers: Mapping[str, Any]
) -> Scores:
    """The four scores of one set of answers under one configuration."""
    values = indicator_values(questions, indicators, answers)
    by_dimension = {
        dimension: _weighted(
            [
                (i.dimension_weight, values.get(i.code))
                for i in indicators
                if i.dimension == dimension
            ]
        )
        for dimension in Dimension.values
    }
    return Scores(
        indicator_values=values,
        economic=by_dimension[Dimension.ECONOMIC],
        social=by_dimension[Dimension.SOCIAL],
        psychosocial=by_dimension[Dimension.PSYCHOSOCIAL],
        composite=_weighted([(i.composite_weight, values.get(i.code)) for i in indicators]),
    )


def weight_sums(indicators: list[IndicatorSpec]) -> dict[str, float]:
    """The sum of the dimension weights per dimension, and of the composite weights
    ("composite"); an empty weight counts as 0."""
    sums = {
        dimension: math.fsum(
            i.dimension_weight or 0.0 for i in indicators if i.dimension == dimension
        )
        for dimension in Dimension.values
    }
    sums["composite"] = math.fsum(i.composite_weight or 0.0 for i in indicators)
    return sums


def sums_to_one(total: float) -> bool:
    return abs(total - 1.0) <= TOLERANCE
