"""The indicator dashboards in the REST API: the page's figures, hidden cells null, the same
capability, machine-readable errors."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from orienta.accounts.roles import Role
from orienta.indicators.board import Filters
from orienta.indicators.dashboards import DASHBOARDS, compute
from orienta.indicators.definitions import load_indicators
from orienta.indicators.refresh import rebuild
from tests.indicators_helpers import MAL, build_world
from tests.test_api import assert_error, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(request: pytest.FixtureRequest) -> dict[str, Any]:
    built = build_world(request)
    load_indicators("nrm")
    rebuild()
    return built


def get(user: Any, path: str, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {token_for(user)}"} if user else {}
    return Client().get(f"/api/v1/indicators/{path}", params, headers=headers)


def test_the_api_gives_the_pages_figures(world: dict[str, Any], analyst: Any) -> None:
    response = get(analyst, "returns", entry_point=MAL, by="sex", since="2026-03")
    assert response.status_code == 200, response.content
    body = response.json()
    filters = Filters(entry_point=MAL, since=date(2026, 3, 1))
    page = compute(analyst, DASHBOARDS["returns"], filters, "sex")
    assert body["small_cell_threshold"] == 5 and body["by"] == "sex"
    assert [t["indicator"] for t in body["key_figures"]] == [
        t.indicator.code for t in page.key_figures
    ]
    returns = next(t for t in body["tiles"] if t["indicator"] == "ret-returns")
    tile = next(t for t in page.tiles if t.indicator.code == "ret-returns")
    assert returns["hxl"] == "#affected+returnees+num"
    for row, expected in zip(returns["rows"], tile.rows, strict=True):
        assert row["key"] == expected.key
        assert row["figure"]["suppressed"] == expected.value.suppressed
        if expected.value.suppressed:
            # Hidden: null, and so is every count it is computed over that is hidden.
            assert row["figure"]["value"] is None
            assert any(c["suppressed"] and c["value"] is None for c in row["figure"]["counts"])
        else:
            assert row["figure"]["value"] == expected.value.number


def test_the_reintegration_dashboard_carries_the_cohorts(
    world: dict[str, Any], analyst: Any
) -> None:
    body = get(analyst, "reintegration").json()
    assert {(c["cohort"], c["round"]) for c in body["cohorts"]} == {
        (cohort, months) for cohort in ("2026-03", "2026-04") for months in ("0", "3", "6")
    }
    # Every mean is over fewer than 5 rounds: none is given.
    assert all(c["mean"] is None for c in body["cohorts"])


def test_errors_are_machine_readable(world: dict[str, Any], analyst: Any) -> None:
    assert_error(get(analyst, "nope"), 404, "not_found")
    body = assert_error(get(analyst, "returns", since="2026-13"), 422, "invalid")
    assert "since" in body["message"]
    assert_error(get(analyst, "returns", since="2026-05", until="2026-04"), 422, "invalid")
    assert_error(get(analyst, "returns", organisation="not-a-uuid"), 422, "invalid")


def test_only_holders_of_the_capability(
    world: dict[str, Any], make_user: Any, organisation: Any
) -> None:
    assert get(None, "returns").status_code == 401
    for role in (Role.CASEWORKER, Role.RECEPTION_OFFICER, Role.POLICY_OFFICER):
        user = make_user(f"{role}@api.example", organisation, role)
        assert_error(get(user, "returns"), 403, "permission_denied")
