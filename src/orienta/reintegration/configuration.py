"""The survey's configuration as versions: read into scoring specs, checked for completeness,
edited while a draft, put in force (retiring the previous one), copied into a new draft.

Weights are never invented here: a configuration without them stays a draft, and the survey
pages then record answers and say that the scores are not computed."""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from orienta.accounts.access import require_capability
from orienta.audit.services import record
from orienta.core.errors import ConflictError, ServiceError
from orienta.reintegration.access import CONFIGURE
from orienta.reintegration.choices import AnswerType, ConfigurationStatus, Dimension, Direction
from orienta.reintegration.models import RssConfiguration, RssQuestion
from orienta.reintegration.scoring import (
    IndicatorSpec,
    QuestionSpec,
    sums_to_one,
    weight_sums,
)

#: The longest follow-up a round may be set at, in months.
MAX_ROUND_MONTHS = 120


def invalid(field_name: str, message: Any) -> ServiceError:
    return ServiceError(message, code="invalid", details={"field": field_name})


def in_force() -> RssConfiguration | None:
    return RssConfiguration.objects.filter(status=ConfigurationStatus.IN_FORCE).first()


def questionnaire() -> RssConfiguration | None:
    """The configuration whose questions are asked: the one in force, else the latest draft."""
    return (
        in_force()
        or RssConfiguration.objects.filter(status=ConfigurationStatus.DRAFT)
        .order_by("-number")
        .first()
    )


def _weight(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def specs(configuration: RssConfiguration) -> tuple[list[QuestionSpec], list[IndicatorSpec]]:
    """The configuration read into plain values for `scoring` (two queries)."""
    indicators = list(configuration.indicators.all())
    codes = {i.pk: i.code for i in indicators}
    questions = [
        QuestionSpec(
            code=q.code,
            indicator=codes[q.indicator_id],
            answer_type=q.answer_type,
            scores={str(o["value"]): o["score"] for o in q.options if _is_score(o.get("score"))},
            minimum=q.minimum,
            maximum=q.maximum,
            direction=q.direction,
        )
        for q in configuration.questions.all()
    ]
    return questions, [
        IndicatorSpec(
            code=i.code,
            dimension=i.dimension,
            dimension_weight=_weight(i.dimension_weight),
            composite_weight=_weight(i.composite_weight),
        )
        for i in indicators
    ]


def _is_score(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 <= value <= 1
    )


def normalisation_problems(question: RssQuestion) -> list[str]:
    """What keeps the question's normalisation from being complete (empty when it is)."""
    problems: list[str] = []
    if question.answer_type == AnswerType.NUMBER:
        low, high = question.minimum, question.maximum
        if low is None or high is None or not high > low:
            problems.append(
                _("%(code)s: give a minimum below the maximum.") % {"code": question.code}
            )
        if question.direction not in Direction.values:
            problems.append(
                _("%(code)s: say whether a higher number is better or worse.")
                % {"code": question.code}
            )
        return problems
    values = [str(o.get("value", "")) for o in question.options]
    if len(values) < 2 or len(set(values)) != len(values) or "" in values:
        problems.append(
            _("%(code)s: give at least two answer options, each with its own value.")
            % {"code": question.code}
        )
    if question.answer_type == AnswerType.YES_NO and sorted(values) != ["no", "yes"]:
        problems.append(
            _("%(code)s: a yes/no question has the options yes and no.") % {"code": question.code}
        )
    if any(not _is_score(o.get("score")) for o in question.options):
        problems.append(
            _("%(code)s: every answer option needs a value between 0 and 1.")
            % {"code": question.code}
        )
    return problems


def problems(configuration: RssConfiguration) -> list[str]:
    """Why the configuration cannot be put in force (empty when it can)."""
    found: list[str] = []
    if not configuration.weights_source.strip():
        found.append(_("Say where the weights come from (the source note)."))
    if not configuration.rounds:
        found.append(_("Give at least one survey round."))
    indicators = list(configuration.indicators.all())
    with_questions = set(configuration.questions.values_list("indicator_id", flat=True))
    for indicator in indicators:
        if indicator.pk not in with_questions:
            found.append(_("%(code)s: the indicator has no question.") % {"code": indicator.code})
        if indicator.dimension_weight is None or indicator.composite_weight is None:
            found.append(_("%(code)s: enter both weights.") % {"code": indicator.code})
    _questions, indicator_specs = specs(configuration)
    sums = weight_sums(indicator_specs)
    for dimension in Dimension:
        if not any(i.dimension == dimension for i in indicators):
            found.append(
                _("The %(dimension)s dimension has no indicator.") % {"dimension": dimension.label}
            )
        elif not sums_to_one(sums[dimension]):
            found.append(
                _("The %(dimension)s weights add up to %(sum)s, not 1.")
                % {"dimension": dimension.label, "sum": f"{sums[dimension]:.10g}"}
            )
    if not sums_to_one(sums["composite"]):
        found.append(
            _("The composite weights add up to %(sum)s, not 1.")
            % {"sum": f"{sums['composite']:.10g}"}
        )
    for question in configuration.questions.all():
        found += normalisation_problems(question)
    return found


def _require_draft(configuration: RssConfiguration, expected_revision: int) -> None:
    """Refuse a change to a frozen configuration, or to a draft changed since it was read."""
    if not configuration.is_draft:
        raise ServiceError(
            _("This configuration is %(status)s and cannot change: make a new version of it.")
            % {"status": configuration.get_status_display().lower()},
            code="frozen",
        )
    rows = RssConfiguration.objects.filter(
        pk=configuration.pk, revision=expected_revision, status=ConfigurationStatus.DRAFT
    )
    if rows.update(revision=F("revision") + 1) == 0:
        raise ConflictError(
            _(
                "Someone else changed this configuration while you were working on it. Reload "
                "the page."
            ),
            code="conflict",
        )
    configuration.revision = expected_revision + 1


def parse_rounds(text: str) -> list[int]:
    """ "0, 3, 6, 12" → [0, 3, 6, 12]; a ServiceError on anything else."""
    months: set[int] = set()
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        try:
            value = int(part.strip())
        except ValueError:
            raise invalid(
                "rounds", _("Give the rounds as months after arrival, e.g. 0, 3, 6, 12.")
            ) from None
        if not 0 <= value <= MAX_ROUND_MONTHS:
            raise invalid(
                "rounds",
                _("A round is between 0 and %(max)s months after arrival.")
                % {"max": MAX_ROUND_MONTHS},
            )
        months.add(value)
    if not months:
        raise invalid("rounds", _("Give at least one survey round."))
    return sorted(months)


def _parse_weight(field_name: str, value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        weight = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise invalid(field_name, _("A weight is a number between 0 and 1.")) from None
    if not weight.is_finite() or not 0 <= weight <= 1:
        raise invalid(field_name, _("A weight is a number between 0 and 1."))
    # Twelve decimal places are stored; more would be rounded silently.
    if weight.as_tuple().exponent < -12:  # type: ignore[operator]
        raise invalid(field_name, _("Give a weight with at most 12 decimal places."))
    return weight


@transaction.atomic
def save_draft(
    *,
    acting_user: Any,
    configuration: RssConfiguration,
    expected_revision: int,
    weights_source: str,
    rounds: list[int],
    weights: dict[str, tuple[Any, Any]],
) -> RssConfiguration:
    """Enter the source note, the rounds and the weights ({indicator code: (dimension weight,
    composite weight)}) of a draft. Sums are not required here — only to put it in force — so
    that a coordinator can enter Annex 4 in several sittings."""
    require_capability(acting_user, CONFIGURE)
    _require_draft(configuration, expected_revision)
    indicators = {i.code: i for i in configuration.indicators.all()}
    changed_weights: dict[str, list[Any]] = {}
    for code, (dimension_weight, composite_weight) in weights.items():
        indicator = indicators.get(code)
        if indicator is None:
            raise invalid("weights", _("Unknown indicator: %(code)s.") % {"code": code})
        new = (
            _parse_weight(f"dim_{code}", dimension_weight),
            _parse_weight(f"comp_{code}", composite_weight),
        )
        old = (indicator.dimension_weight, indicator.composite_weight)
        if new != old:
            indicator.dimension_weight, indicator.composite_weight = new
            indicator.save(update_fields=["dimension_weight", "composite_weight"])
            changed_weights[code] = [
                [str(v) if v is not None else None for v in old],
                [str(v) if v is not None else None for v in new],
            ]
    changes: dict[str, Any] = {"weights": changed_weights}
    if weights_source.strip() != configuration.weights_source:
        changes["weights_source"] = [configuration.weights_source, weights_source.strip()]
        configuration.weights_source = weights_source.strip()
    if rounds != configuration.rounds:
        changes["rounds"] = [configuration.rounds, rounds]
        configuration.rounds = rounds
    if changed_weights or "weights_source" in changes:
        # Who entered the weights is part of their provenance, shown beside every score.
        configuration.weights_entered_by = acting_user
        configuration.weights_entered_at = timezone.now()
    configuration.save()
    record(
        "reintegration.rss_configuration.updated",
        actor=acting_user,
        target=configuration,
        changes={"number": configuration.number, **changes},
    )
    return configuration


@transaction.atomic
def put_in_force(
    *, acting_user: Any, configuration: RssConfiguration, expected_revision: int
) -> RssConfiguration:
    """Make the draft the weight set that scores, once it is complete; retire the one before."""
    require_capability(acting_user, CONFIGURE)
    found = problems(configuration)
    if found:
        raise ServiceError(
            _("This configuration cannot be put in force yet: %(problems)s")
            % {"problems": " ".join(found)},
            code="incomplete",
            details={"problems": found},
        )
    # Every version's row locked, in one order, before anything is written: two coordinators
    # putting two drafts in force at once go one after the other, the second retiring the
    # first, never both in force.
    list(RssConfiguration.objects.select_for_update().order_by("pk").values_list("pk"))
    _require_draft(configuration, expected_revision)
    now = timezone.now()
    previous = (
        RssConfiguration.objects.select_for_update()
        .filter(status=ConfigurationStatus.IN_FORCE)
        .first()
    )
    if previous is not None:
        previous.status = ConfigurationStatus.RETIRED
        previous.retired_at = now
        previous.save(update_fields=["status", "retired_at"])
        record(
            "reintegration.rss_configuration.retired",
            actor=acting_user,
            target=previous,
            changes={"number": previous.number, "replaced_by": configuration.number},
        )
    configuration.status = ConfigurationStatus.IN_FORCE
    configuration.in_force_at = now
    configuration.save(update_fields=["status", "in_force_at"])
    record(
        "reintegration.rss_configuration.in_force",
        actor=acting_user,
        target=configuration,
        changes={
            "number": configuration.number,
            "weights_source": configuration.weights_source,
            "replaces": previous.number if previous else None,
        },
    )
    return configuration


def next_number() -> int:
    return (RssConfiguration.objects.aggregate(top=Max("number"))["top"] or 0) + 1


@transaction.atomic
def new_version(*, acting_user: Any, source: RssConfiguration) -> RssConfiguration:
    """A new draft copied from `source` (questions, normalisation, weights, their source and
    rounds): how a frozen configuration is changed."""
    require_capability(acting_user, CONFIGURE)
    copy = RssConfiguration.objects.create(
        number=next_number(),
        title=source.title,
        rounds=list(source.rounds),
        weights_source=source.weights_source,
        weights_entered_by=source.weights_entered_by,
        weights_entered_at=source.weights_entered_at,
        copied_from=source,
        created_by=acting_user,
    )
    indicators = {}
    for indicator in source.indicators.all():
        old_pk = indicator.pk
        indicator.pk = None
        indicator.configuration = copy
        indicator.save()
        indicators[old_pk] = indicator
    RssQuestion.objects.bulk_create(
        RssQuestion(
            configuration=copy,
            indicator=indicators[q.indicator_id],
            code=q.code,
            text_fr=q.text_fr,
            text_en=q.text_en,
            order=q.order,
            answer_type=q.answer_type,
            options=q.options,
            minimum=q.minimum,
            maximum=q.maximum,
            direction=q.direction,
        )
        for q in source.questions.all()
    )
    record(
        "reintegration.rss_configuration.created",
        actor=acting_user,
        target=copy,
        changes={"number": copy.number, "copied_from": source.number},
    )
    return copy
