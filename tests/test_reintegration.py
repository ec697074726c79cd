"""Reintegration: the survey's scoring (the worked example), its versioned configuration, the
pack, rescoring, and the plan's services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone, translation

from orienta.audit.models import AuditEvent
from orienta.core.errors import ConflictError, ServiceError
from orienta.referrals.models import Referral
from orienta.reintegration import configuration as config
from orienta.reintegration import services, surveys
from orienta.reintegration.models import (
    AssistanceItem,
    CommunityProject,
    RssConfiguration,
    RssQuestion,
    SurveyRound,
)
from orienta.reintegration.packs import load_rss
from orienta.reintegration.scoring import (
    InvalidAnswerError,
    QuestionSpec,
    normalise,
    score,
)
from tests.cases_helpers import register_case
from tests.reintegration_helpers import (
    ANSWERS,
    configuration_in_force,
    enter_weights,
    make_configuration,
)

pytestmark = pytest.mark.usefixtures("nrm")


@pytest.fixture(autouse=True)
def _english() -> Any:
    """The services' messages are read in English here (the platform's default is French)."""
    with translation.override("en"):
        yield


EPS = 1e-9


def _round(user: Any, case: Any, months: int = 0, answers: dict[str, Any] | None = None) -> Any:
    return surveys.record_round(
        acting_user=user,
        case=case,
        data=surveys.RoundData(
            months=months,
            interviewed_on=timezone.localdate(),
            interviewer="Enquêtrice",
            answers=dict(ANSWERS if answers is None else answers),
        ),
    )


# --- The worked example --------------------------------------------------------------------
#
# Questions and normalisation (tests/reintegration_helpers.py):
#   E1a  choice low/mid/high = 0 / 0.5 / 1        answer "mid"   → 0.5
#   E1b  number 0–10, lower is better             answer 4       → 1 − (4 − 0)/10 = 0.6
#   E2   yes = 1, no = 0                          answer "yes"   → 1
#   S1   none/poor/fair/good = 0, 1/3, 2/3, 1     answer "poor"  → 1/3
#   S2   number 0–100, higher is better           answer 25      → 25/100 = 0.25
#   P1   yes = 0, no = 1 (a bad sign)             answer "yes"   → 0
#   P2   never … always = 0, .25, .5, .75, 1      answer "often" → 0.75
# Indicators: E1 = mean(0.5, 0.6) = 0.55; E2 = 1; S1 = 1/3; S2 = 0.25; P1 = 0; P2 = 0.75.
# Dimension weights: E1 .6, E2 .4 | S1 .3, S2 .7 | P1 .5, P2 .5
#   economic     = .6 × .55 + .4 × 1        = .33 + .4     = 0.73
#   social       = .3 × 1/3 + .7 × .25      = .1 + .175    = 0.275
#   psychosocial = .5 × 0 + .5 × .75                       = 0.375
# Composite weights: E1 .2, E2 .1, S1 .15, S2 .15, P1 .25, P2 .15
#   composite = .2 × .55 + .1 × 1 + .15 × 1/3 + .15 × .25 + .25 × 0 + .15 × .75
#             = .11 + .1 + .05 + .0375 + 0 + .1125 = 0.41

WORKED = {"economic": 0.73, "social": 0.275, "psychosocial": 0.375, "composite": 0.41}


def test_the_worked_example_pure_scoring(coordinator) -> None:
    configuration = enter_weights(coordinator, make_configuration())
    questions, indicators = config.specs(configuration)
    scores = score(questions, indicators, ANSWERS)
    assert scores.indicator_values["E1"] == pytest.approx(0.55, abs=EPS)
    assert scores.indicator_values["S1"] == pytest.approx(1 / 3, abs=EPS)
    for name, expected in WORKED.items():
        assert abs(getattr(scores, name) - expected) < EPS, name


def test_the_worked_example_recorded_on_a_case(coordinator, colleague, organisation) -> None:
    in_force = configuration_in_force(coordinator)
    case = register_case(colleague, organisation)
    survey = _round(colleague, case)
    survey.refresh_from_db()
    assert survey.answers == {**ANSWERS, "E1b": 4.0, "S2": 25.0}  # kept as given
    for name, expected in WORKED.items():
        assert abs(getattr(survey, name) - expected) < EPS, name
    assert survey.scored_with == in_force and survey.asked_with == in_force
    event = AuditEvent.objects.get(action="reintegration.survey_round.recorded")
    assert event.changes["scored_with"] == in_force.number
    assert "mid" not in str(event.changes)  # answers are counted, never copied


# --- Normalisation -------------------------------------------------------------------------


def test_choices_and_numbers_are_normalised() -> None:
    choice = QuestionSpec("Q", "I", "single_choice", {"a": 1.0, "b": 0.5, "c": 0.0})
    assert normalise(choice, "b") == 0.5
    assert normalise(choice, "") is None and normalise(choice, None) is None
    with pytest.raises(InvalidAnswerError):
        normalise(choice, "d")
    up = QuestionSpec("N", "I", "number", minimum=10, maximum=30, direction="higher_is_better")
    down = QuestionSpec("N", "I", "number", minimum=10, maximum=30, direction="lower_is_better")
    assert normalise(up, 10) == 0 and normalise(up, 30) == 1 and normalise(up, "15") == 0.25
    assert normalise(down, 10) == 1 and normalise(down, 30) == 0 and normalise(down, 15) == 0.75
    for bad in (9.99, 31, "x", True, float("nan")):
        with pytest.raises(InvalidAnswerError):
            normalise(up, bad)


def test_a_missing_answer_makes_its_indicator_and_the_scores_using_it_missing(
    coordinator,
) -> None:
    configuration = enter_weights(coordinator, make_configuration())
    questions, indicators = config.specs(configuration)
    # E1b unanswered: E1 is missing although E1a is answered (no partial mean).
    scores = score(questions, indicators, {**ANSWERS, "E1b": None})
    assert scores.indicator_values["E1"] is None
    assert scores.economic is None and scores.composite is None
    assert abs(scores.social - 0.275) < EPS and abs(scores.psychosocial - 0.375) < EPS


def test_a_bad_answer_is_a_message_on_its_question(coordinator, colleague, organisation) -> None:
    configuration_in_force(coordinator)
    case = register_case(colleague, organisation)
    with pytest.raises(ServiceError) as refused:
        _round(colleague, case, answers={**ANSWERS, "E1b": 11})
    assert refused.value.details["field"] == "q_E1b"
    with pytest.raises(ServiceError):
        _round(colleague, case, answers={**ANSWERS, "NOPE": "x"})
    with pytest.raises(ServiceError):
        _round(colleague, case, months=5)
    _round(colleague, case)
    with pytest.raises(ServiceError, match="already"):
        _round(colleague, case)
    assert SurveyRound.objects.count() == 1


# --- Versioned configuration ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("weights", "source", "expected"),
    [
        ({"E2": ("0.5", "0.1")}, "Annex 4", "economic"),  # economic sums to 1.1
        ({"S1": ("0.3", "0.2")}, "Annex 4", "composite"),  # composite sums to 1.05
        ({"P2": ("", "0.15")}, "Annex 4", "P2: enter both weights"),
        ({}, "", "source"),
    ],
)
def test_putting_in_force_is_refused_until_complete(coordinator, weights, source, expected) -> None:
    from tests.reintegration_helpers import WEIGHTS

    configuration = enter_weights(
        coordinator, make_configuration(), {**WEIGHTS, **weights}, source=source
    )
    with pytest.raises(ServiceError) as refused:
        config.put_in_force(
            acting_user=coordinator,
            configuration=configuration,
            expected_revision=configuration.revision,
        )
    assert refused.value.code == "incomplete"
    assert expected.lower() in " ".join(refused.value.details["problems"]).lower()
    configuration.refresh_from_db()
    assert configuration.status == "draft"


def test_an_incomplete_normalisation_is_refused(coordinator) -> None:
    configuration = enter_weights(coordinator, make_configuration())
    question = RssQuestion.objects.get(configuration=configuration, code="S1")
    question.options[1]["score"] = None
    question.save()
    assert any("S1" in p for p in config.problems(configuration))


def test_in_force_retires_the_previous_and_freezes(coordinator) -> None:
    first = configuration_in_force(coordinator)
    second = config.new_version(acting_user=coordinator, source=first)
    assert second.is_draft and second.copied_from == first
    assert second.indicators.count() == 6 and second.questions.count() == 7
    assert second.weights_source == first.weights_source
    config.put_in_force(
        acting_user=coordinator, configuration=second, expected_revision=second.revision
    )
    first.refresh_from_db()
    assert first.status == "retired" and first.retired_at is not None
    assert config.in_force() == second
    for frozen in (first, second):
        with pytest.raises(ServiceError) as refused:
            enter_weights(coordinator, frozen)
        assert refused.value.code == "frozen"
    assert AuditEvent.objects.filter(action="reintegration.rss_configuration.retired").exists()


def test_a_stale_draft_is_a_conflict(coordinator) -> None:
    configuration = make_configuration()
    stale = RssConfiguration.objects.get(pk=configuration.pk)
    enter_weights(coordinator, configuration)
    with pytest.raises(ConflictError):
        enter_weights(coordinator, stale)


def test_weights_are_checked_and_only_a_coordinator_enters_them(coordinator, owner) -> None:
    configuration = make_configuration()
    with pytest.raises(ServiceError):
        enter_weights(coordinator, configuration, {"E1": ("1.5", "0.2")})
    configuration.refresh_from_db()
    with pytest.raises(PermissionDenied):
        enter_weights(owner, configuration)
    saved = enter_weights(coordinator, configuration)
    assert saved.weights_entered_by == coordinator
    assert saved.indicators.get(code="S1").dimension_weight == Decimal("0.3")


# --- Rescoring -----------------------------------------------------------------------------


def test_rounds_wait_for_a_weight_set_and_are_rescored(
    coordinator, colleague, organisation
) -> None:
    draft = make_configuration()
    case = register_case(colleague, organisation)
    waiting = _round(colleague, case)
    assert waiting.asked_with == draft and waiting.scored_with is None
    assert waiting.composite is None
    with pytest.raises(ServiceError):
        surveys.rescore(acting_user=coordinator)
    enter_weights(coordinator, draft)
    draft.refresh_from_db()
    config.put_in_force(
        acting_user=coordinator, configuration=draft, expected_revision=draft.revision
    )
    assert surveys.rescore(acting_user=coordinator) == 1
    waiting.refresh_from_db()
    assert waiting.scored_with == draft and abs(waiting.composite - 0.41) < EPS
    assert surveys.rescore(acting_user=coordinator) == 0
    # A new weight set in force does not touch what the previous one scored.
    second = config.new_version(acting_user=coordinator, source=draft)
    config.save_draft(
        acting_user=coordinator,
        configuration=second,
        expected_revision=second.revision,
        weights_source="Annex 4, other page",
        rounds=[0, 6],
        weights={"E1": ("0.5", "0.2"), "E2": ("0.5", "0.1")},
    )
    second.refresh_from_db()
    config.put_in_force(
        acting_user=coordinator, configuration=second, expected_revision=second.revision
    )
    waiting.refresh_from_db()
    assert waiting.scored_with == draft
    later = _round(colleague, case, months=6)
    assert later.scored_with == second and abs(later.economic - (0.5 * 0.55 + 0.5)) < EPS
    assert AuditEvent.objects.filter(action="reintegration.survey_round.scored").count() == 1


def test_the_rescore_command(coordinator, colleague, organisation) -> None:
    draft = make_configuration()
    _round(colleague, register_case(colleague, organisation))
    enter_weights(coordinator, draft)
    draft.refresh_from_db()
    config.put_in_force(
        acting_user=coordinator, configuration=draft, expected_revision=draft.revision
    )
    call_command("rescore")
    assert SurveyRound.objects.get().scored_with == draft


# --- The pack ------------------------------------------------------------------------------


def test_the_pack_loads_as_a_draft_without_weights_once(capsys) -> None:
    call_command("load_rss")
    assert "already" not in capsys.readouterr().out
    again = load_rss()
    call_command("load_rss")
    assert "already loaded" in capsys.readouterr().out
    assert not again.created and RssConfiguration.objects.count() == 1
    configuration = RssConfiguration.objects.get()
    assert configuration.status == "draft" and configuration.rounds == [0, 3, 6, 12]
    indicators = list(configuration.indicators.all())
    assert len(indicators) == 15
    assert {
        d: sum(i.dimension == d for i in indicators) for d in ("economic", "social", "psychosocial")
    } == {
        "economic": 5,
        "social": 5,
        "psychosocial": 5,
    }
    assert all(i.dimension_weight is None and i.composite_weight is None for i in indicators)
    problems = config.problems(configuration)
    # Only the weights and their source are missing: the structure and normalisation are whole.
    assert all("weights" in p or "source" in p.lower() for p in problems), problems
    for question in configuration.questions.all():
        assert config.normalisation_problems(question) == []
        scores = sorted(o["score"] for o in question.options)
        assert scores[0] == 0 and scores[-1] == 1


# --- The plan ------------------------------------------------------------------------------


def _item(**extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "dimension": "economic",
        "assistance_type": "cash_grant",
        "provider": None,
        "referral": None,
        "amount": Decimal("15000"),
        "currency": "htg",
        "in_kind": False,
        "in_kind_description": "",
        "planned_start": date(2025, 1, 1),
        "planned_end": date(2025, 3, 1),
        "status": "planned",
        "notes": "",
    }
    values.update(extra)
    return values


def test_plan_components_items_and_projects(
    colleague, organisation, other_organisation, provider
) -> None:
    case = register_case(colleague, organisation)
    plan = services.start_plan(acting_user=colleague, case=case)
    assert services.start_plan(acting_user=colleague, case=case) == plan  # one per case
    plan = services.update_components(
        acting_user=colleague,
        plan=plan,
        expected_version=1,
        values={
            "economic_objectives": "Ouvrir un petit commerce",
            "economic_status": "in_progress",
        },
    )
    assert plan.version == 2 and plan.economic_status == "in_progress"
    with pytest.raises(ConflictError):
        services.update_components(
            acting_user=colleague,
            plan=plan,
            expected_version=1,
            values={"social_status": "achieved"},
        )
    cash = services.save_item(acting_user=colleague, plan=plan, values=_item())
    assert cash.currency == "HTG" and cash.amount == Decimal("15000")
    kind = services.save_item(
        acting_user=colleague,
        plan=plan,
        values=_item(
            assistance_type="vocational_training",
            amount=None,
            currency="",
            in_kind=True,
            in_kind_description="Formation en menuiserie, 3 mois",
            provider=provider,
        ),
    )
    assert kind.in_kind and kind.amount is None
    for bad, field in [
        (_item(in_kind=True, in_kind_description="Outils"), "amount"),
        (_item(in_kind=True, amount=None), "in_kind_description"),
        (_item(amount=None), "amount"),
        (_item(currency="gourdes"), "currency"),
        (_item(assistance_type="teleport"), "assistance_type"),
        (_item(planned_end=date(2024, 1, 1)), "planned_end"),
    ]:
        with pytest.raises(ServiceError) as refused:
            services.save_item(acting_user=colleague, plan=plan, values=bad)
        assert refused.value.details["field"] == field
    # The referral must be one of this case's.
    other_case = register_case(colleague, organisation, person={"given_name": "Autre"})
    theirs = Referral.objects.create(
        case=other_case, sender_organisation=organisation, recipient_organisation=provider
    )
    ours = Referral.objects.create(
        case=case, sender_organisation=organisation, recipient_organisation=provider
    )
    with pytest.raises(ServiceError) as refused:
        services.save_item(acting_user=colleague, plan=plan, values=_item(referral=theirs))
    assert refused.value.details["field"] == "referral"
    changed = services.save_item(
        acting_user=colleague,
        plan=plan,
        item=cash,
        expected_version=cash.version,
        values=_item(referral=ours, status="delivered", actual_start=date(2025, 1, 5)),
    )
    assert changed.referral == ours and changed.version == 2
    with pytest.raises(ConflictError):
        services.save_item(
            acting_user=colleague, plan=plan, item=changed, expected_version=1, values=_item()
        )
    assert AssistanceItem.objects.count() == 2
    project = services.save_project(
        acting_user=colleague,
        values={
            "name": "Coopérative de pêche",
            "place": "Fort-Liberté",
            "organisation": other_organisation,
        },
    )
    plan = services.link_project(
        acting_user=colleague, plan=plan, project=project, expected_version=plan.version
    )
    assert list(plan.community_projects.all()) == [project]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "reintegration.plan.created",
        "reintegration.plan.updated",
        "reintegration.assistance.created",
        "reintegration.assistance.updated",
        "reintegration.project.created",
        "reintegration.plan.project_linked",
    } <= actions
    updated = AuditEvent.objects.get(action="reintegration.plan.updated")
    assert "commerce" not in str(updated.changes)  # objectives are masked
    assert CommunityProject.objects.get().created_by == colleague


def test_only_those_who_work_the_case_change_its_plan(
    colleague, outsider, coordinator, organisation
) -> None:
    case = register_case(colleague, organisation)
    for user in (outsider, coordinator):
        with pytest.raises(PermissionDenied):
            services.start_plan(acting_user=user, case=case)
    plan = services.start_plan(acting_user=colleague, case=case)
    with pytest.raises(PermissionDenied):
        services.update_components(
            acting_user=outsider,
            plan=plan,
            expected_version=1,
            values={"social_status": "achieved"},
        )


def test_a_round_in_the_future_is_refused(coordinator, colleague, organisation) -> None:
    make_configuration()
    case = register_case(colleague, organisation)
    with pytest.raises(ServiceError) as refused:
        surveys.record_round(
            acting_user=colleague,
            case=case,
            data=surveys.RoundData(
                months=0,
                interviewed_on=timezone.localdate() + timedelta(days=2),
                interviewer="X",
                answers={},
            ),
        )
    assert refused.value.details["field"] == "interviewed_on"


def test_rounds_fall_due_in_calendar_months() -> None:
    from orienta.reintegration.trends import months_after

    assert months_after(date(2025, 1, 31), 0) == date(2025, 1, 31)
    assert months_after(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert months_after(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert months_after(date(2025, 3, 15), 12) == date(2026, 3, 15)


def test_retention_removes_what_was_written_about_the_person_and_keeps_the_scores(
    coordinator, colleague, organisation, settings
) -> None:
    from datetime import timedelta

    from django.core.management import call_command

    from orienta.cases import services as case_services
    from orienta.cases.models import Case

    configuration_in_force(coordinator)
    case = register_case(colleague, organisation)
    plan = services.start_plan(acting_user=colleague, case=case)
    services.update_components(
        acting_user=colleague,
        plan=plan,
        expected_version=plan.version,
        values={"economic_objectives": "Ouvrir une boutique à Ouanaminthe"},
    )
    services.save_item(
        acting_user=colleague, plan=plan, values=_item(notes="Dette envers un cousin")
    )
    survey = _round(colleague, case)
    case.refresh_from_db()
    case_services.change_status(
        acting_user=colleague,
        case=case,
        status="closed",
        closure_reason="needs_met",
        expected_version=case.version,
    )
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=4000))
    call_command("apply_retention", stdout=None)
    plan.refresh_from_db()
    survey.refresh_from_db()
    item = AssistanceItem.objects.get(plan=plan)
    assert plan.economic_objectives == "" and item.notes == ""
    assert survey.answers == {} and survey.interviewer == ""
    assert survey.composite is not None and item.amount == Decimal("15000")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_drafts_put_in_force_at_once_leave_one_in_force(coordinator) -> None:
    import time
    from unittest import mock

    from tests.test_knowledge_concurrency import at_once

    first = enter_weights(coordinator, make_configuration())
    second = enter_weights(coordinator, make_configuration())

    def in_force(configuration: RssConfiguration) -> Any:
        return lambda: config.put_in_force(
            acting_user=coordinator,
            configuration=configuration,
            expected_revision=configuration.revision,
        )

    real_now = timezone.now

    def slow_now() -> Any:
        time.sleep(0.3)  # both would read "nothing in force" before either writes, unlocked
        return real_now()

    with mock.patch("orienta.reintegration.configuration.timezone.now", slow_now):
        outcomes = at_once({"first": in_force(first), "second": in_force(second)})
    assert outcomes == {"first": "won", "second": "won"}, outcomes
    statuses = sorted(RssConfiguration.objects.values_list("status", flat=True))
    assert statuses == ["in_force", "retired"]
