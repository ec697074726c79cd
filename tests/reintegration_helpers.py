"""A small survey configuration for the worked example: two indicators per dimension, the
first economic indicator with two questions; and its weights, chosen so that sums are exact."""

from __future__ import annotations

from typing import Any

from orienta.reintegration import configuration as config
from orienta.reintegration.models import RssConfiguration, RssIndicator, RssQuestion


def options(*pairs: tuple[str, float]) -> list[dict[str, Any]]:
    return [
        {"value": value, "label_fr": value.upper(), "label_en": value.title(), "score": score}
        for value, score in pairs
    ]


YES_GOOD = options(("yes", 1.0), ("no", 0.0))
YES_BAD = options(("yes", 0.0), ("no", 1.0))

# indicator code, dimension, questions (code, answer type, options or bounds)
STRUCTURE: list[tuple[str, str, list[dict[str, Any]]]] = [
    (
        "E1",
        "economic",
        [
            {
                "code": "E1a",
                "answer_type": "single_choice",
                "options": options(("low", 0.0), ("mid", 0.5), ("high", 1.0)),
            },
            {
                "code": "E1b",
                "answer_type": "number",
                "minimum": 0,
                "maximum": 10,
                "direction": "lower_is_better",
            },
        ],
    ),
    ("E2", "economic", [{"code": "E2", "answer_type": "yes_no", "options": YES_GOOD}]),
    (
        "S1",
        "social",
        [
            {
                "code": "S1",
                "answer_type": "single_choice",
                "options": options(("none", 0.0), ("poor", 1 / 3), ("fair", 2 / 3), ("good", 1.0)),
            }
        ],
    ),
    (
        "S2",
        "social",
        [
            {
                "code": "S2",
                "answer_type": "number",
                "minimum": 0,
                "maximum": 100,
                "direction": "higher_is_better",
            }
        ],
    ),
    ("P1", "psychosocial", [{"code": "P1", "answer_type": "yes_no", "options": YES_BAD}]),
    (
        "P2",
        "psychosocial",
        [
            {
                "code": "P2",
                "answer_type": "single_choice",
                "options": options(
                    ("never", 0.0),
                    ("rarely", 0.25),
                    ("sometimes", 0.5),
                    ("often", 0.75),
                    ("always", 1.0),
                ),
            }
        ],
    ),
]

# (dimension weight, composite weight): each dimension's first column sums to 1, the second
# column to 1 over all six.
WEIGHTS: dict[str, tuple[str, str]] = {
    "E1": ("0.6", "0.2"),
    "E2": ("0.4", "0.1"),
    "S1": ("0.3", "0.15"),
    "S2": ("0.7", "0.15"),
    "P1": ("0.5", "0.25"),
    "P2": ("0.5", "0.15"),
}

SOURCE = "Worked example for the tests (not Annex 4)"

# The answers of the worked example.
ANSWERS: dict[str, Any] = {
    "E1a": "mid",
    "E1b": 4,
    "E2": "yes",
    "S1": "poor",
    "S2": 25,
    "P1": "yes",
    "P2": "often",
}


def make_configuration(number: int | None = None) -> RssConfiguration:
    """The structure as a draft, without weights."""
    configuration = RssConfiguration.objects.create(
        number=number or config.next_number(), title="Example"
    )
    for order, (code, dimension, questions) in enumerate(STRUCTURE):
        indicator = RssIndicator.objects.create(
            configuration=configuration,
            code=code,
            dimension=dimension,
            label_fr=f"Indicateur {code}",
            label_en=f"Indicator {code}",
            order=order,
        )
        for q_order, question in enumerate(questions):
            RssQuestion.objects.create(
                configuration=configuration,
                indicator=indicator,
                text_fr=f"Question {question['code']} ?",
                text_en=f"Question {question['code']}?",
                order=order * 10 + q_order,
                **question,
            )
    return configuration


def enter_weights(
    user: Any,
    configuration: RssConfiguration,
    weights: dict[str, tuple[str, str]] | None = None,
    source: str = SOURCE,
) -> RssConfiguration:
    return config.save_draft(
        acting_user=user,
        configuration=configuration,
        expected_revision=configuration.revision,
        weights_source=source,
        rounds=[0, 3, 6, 12],
        weights=dict(weights or WEIGHTS),
    )


def configuration_in_force(user: Any) -> RssConfiguration:
    configuration = enter_weights(user, make_configuration())
    return config.put_in_force(
        acting_user=user, configuration=configuration, expected_revision=configuration.revision
    )
