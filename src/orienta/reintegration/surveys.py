"""Recording survey rounds and scoring them.

A round keeps the answers as given. It is scored at once with the configuration in force; when
none is, it is kept unscored and `rescore` scores it later, recording which weight set it used.
A scored round keeps its scores when another configuration comes into force: a score always
says which weight set made it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orienta.audit.services import record
from orienta.cases.models import Case
from orienta.core.errors import ServiceError
from orienta.reintegration import configuration as config
from orienta.reintegration.access import require_plan_work
from orienta.reintegration.choices import AnswerType
from orienta.reintegration.models import RssConfiguration, SurveyRound
from orienta.reintegration.scoring import InvalidAnswerError, is_blank, normalise, score


def invalid(field_name: str, message: Any) -> ServiceError:
    return ServiceError(message, code="invalid", details={"field": field_name})


def _checked_answers(configuration: RssConfiguration, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers kept as given (blanks dropped), each checked against its question."""
    questions, _indicators = config.specs(configuration)
    by_code = {q.code: q for q in questions}
    unknown = sorted(set(answers) - set(by_code))
    if unknown:
        raise invalid("answers", _("Unknown question: %(codes)s.") % {"codes": ", ".join(unknown)})
    kept: dict[str, Any] = {}
    for code, answer in answers.items():
        if is_blank(answer):
            continue
        question = by_code[code]
        try:
            normalise(question, answer)
        except InvalidAnswerError:
            if question.answer_type == AnswerType.NUMBER:
                message = _("Give a number between %(low)s and %(high)s.") % {
                    "low": f"{question.minimum:g}",
                    "high": f"{question.maximum:g}",
                }
            else:
                message = _("Choose one of the answers offered.")
            raise invalid(f"q_{code}", message) from None
        kept[code] = float(answer) if question.answer_type == AnswerType.NUMBER else str(answer)
    return kept


def _score_into(survey: SurveyRound, configuration: RssConfiguration) -> None:
    questions, indicators = config.specs(configuration)
    # Answers given to a question this configuration does not ask are left out, not refused:
    # they were valid for the questionnaire they were asked with.
    asked = {q.code for q in questions}
    try:
        scores = score(
            questions,
            indicators,
            {code: value for code, value in survey.answers.items() if code in asked},
        )
    except InvalidAnswerError:
        # The same code with other options in another version: the answer cannot be read
        # under this configuration; its indicator counts as missing.
        scores = score(questions, indicators, {})
    survey.indicator_values = scores.indicator_values
    survey.economic = scores.economic
    survey.social = scores.social
    survey.psychosocial = scores.psychosocial
    survey.composite = scores.composite
    survey.scored_with = configuration
    survey.scored_at = timezone.now()


@dataclass
class RoundData:
    months: int
    interviewed_on: date
    interviewer: str
    answers: dict[str, Any]


@transaction.atomic
def record_round(*, acting_user: Any, case: Case, data: RoundData) -> SurveyRound:
    """Record one survey round of the case with the questionnaire in use, scored now if a
    configuration is in force."""
    require_plan_work(acting_user, case)
    asked_with = config.questionnaire()
    if asked_with is None:
        raise ServiceError(
            _("No sustainability survey is configured yet. Ask a coordinator to load it."),
            code="not_configured",
        )
    if data.months not in asked_with.rounds:
        raise invalid("months", _("Choose one of the survey rounds."))
    if data.interviewed_on > timezone.localdate():
        raise invalid("interviewed_on", _("The interview cannot be in the future."))
    if not data.interviewer.strip():
        raise invalid("interviewer", _("Say who interviewed the person."))
    if SurveyRound.objects.filter(case=case, months=data.months).exists():
        raise invalid("months", _("This round has already been recorded for this case."))
    survey = SurveyRound(
        case=case,
        asked_with=asked_with,
        months=data.months,
        interviewed_on=data.interviewed_on,
        interviewer=data.interviewer.strip(),
        answers=_checked_answers(asked_with, data.answers),
        recorded_by=acting_user,
    )
    scoring = config.in_force()
    if scoring is not None:
        _score_into(survey, scoring)
    try:
        with transaction.atomic():
            survey.save()
    except IntegrityError:
        # Recorded by someone else between the check and the save.
        raise invalid("months", _("This round has already been recorded for this case.")) from None
    record(
        "reintegration.survey_round.recorded",
        actor=acting_user,
        organisation=case.organisation,
        target=survey,
        # The answers are about the person's distress, debts and safety: counted, not copied.
        changes={
            "case_id": case.pk,
            "months": survey.months,
            "asked_with": asked_with.number,
            "answers": len(survey.answers),
            "scored_with": scoring.number if scoring else None,
        },
    )
    return survey


@transaction.atomic
def rescore(*, acting_user: Any = None) -> int:
    """Score every round that has no scores yet with the configuration in force; return how
    many. Rounds already scored keep the weight set they were scored with."""
    scoring = config.in_force()
    if scoring is None:
        raise ServiceError(
            _("No configuration is in force: there is no weight set to score with."),
            code="not_in_force",
        )
    count = 0
    pending = SurveyRound.objects.filter(scored_with__isnull=True).select_related(
        "case__organisation"
    )
    for survey in pending.select_for_update(of=("self",)).order_by("pk"):
        _score_into(survey, scoring)
        survey.save(
            update_fields=[
                "indicator_values",
                "economic",
                "social",
                "psychosocial",
                "composite",
                "scored_with",
                "scored_at",
            ]
        )
        record(
            "reintegration.survey_round.scored",
            actor=acting_user,
            organisation=survey.case.organisation,
            target=survey,
            changes={"case_id": survey.case_id, "scored_with": scoring.number},
        )
        count += 1
    return count
