"""Loading the survey's structure from packs/reintegration/<name>.json as a draft configuration.

The pack holds indicators, questions and answer options with their normalisation, and no
weights: those are entered from the IOM Reintegration Handbook (Annex 4) by a coordinator.
Loading is idempotent: a configuration already made from the same pack content is found by its
digest and left alone; a changed pack makes a new draft version."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from orienta.audit.services import record
from orienta.core.packs import load_pack
from orienta.reintegration.choices import AnswerType, Dimension, Direction
from orienta.reintegration.configuration import next_number
from orienta.reintegration.models import RssConfiguration, RssIndicator, RssQuestion


@dataclass
class Loaded:
    configuration: RssConfiguration
    created: bool
    indicators: int
    questions: int


def _digest(pack: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(pack, sort_keys=True).encode()).hexdigest()


def _check(pack: dict[str, Any]) -> None:
    """Refuse a pack that carries weights or names unknown kinds: a pack gives structure only."""
    for indicator in pack["indicators"]:
        if "dimension_weight" in indicator or "composite_weight" in indicator:
            raise ValueError(f"{indicator['code']}: a pack carries no weights")
        if indicator["dimension"] not in Dimension.values:
            raise ValueError(f"{indicator['code']}: unknown dimension")
        for question in indicator["questions"]:
            if question["answer_type"] not in AnswerType.values:
                raise ValueError(f"{question['code']}: unknown answer type")
            if question.get("direction", "") not in ("", *Direction.values):
                raise ValueError(f"{question['code']}: unknown direction")


@transaction.atomic
def load_rss(name: str = "rss", *, acting_user: Any = None) -> Loaded:
    pack = load_pack("reintegration", name)
    _check(pack)
    digest = _digest(pack)
    existing = RssConfiguration.objects.filter(pack=name, pack_digest=digest).first()
    if existing is not None:
        return Loaded(existing, False, existing.indicators.count(), existing.questions.count())
    configuration = RssConfiguration.objects.create(
        number=next_number(),
        title=pack.get("title", ""),
        rounds=pack.get("rounds", [0, 3, 6, 12]),
        pack=name,
        pack_digest=digest,
        created_by=acting_user,
    )
    questions = 0
    for order, entry in enumerate(pack["indicators"]):
        indicator = RssIndicator.objects.create(
            configuration=configuration,
            code=entry["code"],
            dimension=entry["dimension"],
            label_fr=entry["label_fr"],
            label_en=entry.get("label_en", ""),
            order=order,
        )
        for q_order, question in enumerate(entry["questions"]):
            RssQuestion.objects.create(
                configuration=configuration,
                indicator=indicator,
                code=question["code"],
                text_fr=question["text_fr"],
                text_en=question.get("text_en", ""),
                order=order * 100 + q_order,
                answer_type=question["answer_type"],
                options=question.get("options", []),
                minimum=question.get("minimum"),
                maximum=question.get("maximum"),
                direction=question.get("direction", ""),
            )
            questions += 1
    record(
        "reintegration.rss_configuration.loaded",
        actor=acting_user,
        target=configuration,
        changes={"number": configuration.number, "pack": name, "digest": digest},
    )
    return Loaded(configuration, True, len(pack["indicators"]), questions)
