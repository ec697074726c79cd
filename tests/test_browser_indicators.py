"""Browser journey, in French: the analyst opens the returns dashboard, filters it by entry point
(chosen in the list, applied), finds the hand-counted figures of that entry point with the charts
drawn, and downloads the figures as XLSX: the HXL row is there and every row says which entry
point it was filtered on.

The data: the reception office (ONM) checked ten people in at Malpasse from the Dominican
Republic (five men, five women) and three at Cap-Haïtien airport from the United States. The
analyst sees small numbers hidden (under 5): 13 in all, 3 at the airport hidden and so 10 at
Malpasse too (13 - 10 would give the 3 away); at Malpasse alone, 10 shown.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from orienta.accounts.models import User
from orienta.core.demo import load_demo
from orienta.directory.models import Organisation
from orienta.indicators.definitions import load_indicators
from orienta.indicators.refresh import rebuild
from orienta.returns import checkin
from orienta.returns.models import Arrival
from tests.returns_helpers import load_haiti, local, movement, profile
from tests.test_browser import CHROMIUM, chromium_page, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (CI installs it)", allow_module_level=True)

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-results"
MALPASSE, CAP = "HT-MALPASSE", "HT-CAP-AIR"
NAMES = ("Dorsainvil", "Célestin", "Pierre-Louis")


def _check_in(officer: Any, convoy: Any, people: list[tuple[str, str]], at: str) -> None:
    for number, (family_name, sex) in enumerate(people):
        checkin.check_in(
            acting_user=officer,
            movement=convoy,
            profile=profile(given_name=f"Personne{number}", family_name=family_name, sex=sex),
        )
    Arrival.objects.filter(movement=convoy).update(checked_in_at=local(at))


@pytest.fixture
def returns(transactional_db: None) -> None:
    # Before Playwright starts (see tests/test_browser.py, demo_accounts).
    load_demo("ht", "demo-password")
    load_haiti()
    load_indicators("nrm")
    officer = User.objects.get(email="reception@example.org")
    onm = Organisation.objects.get(acronym="ONM", country="HT")
    convoy = movement(officer, onm, scheduled_at=local("2026-03-10T10:00"))
    _check_in(
        officer,
        convoy,
        [("Dorsainvil", "male")] * 5 + [("Célestin", "female")] * 5,
        "2026-03-10T11:00",
    )
    flight = movement(
        officer,
        onm,
        origin_country="US",
        entry_point=CAP,
        mode="flight",
        scheduled_at=local("2026-04-02T09:00"),
    )
    _check_in(
        officer,
        flight,
        [("Pierre-Louis", "male")] + [("Pierre-Louis", "female")] * 2,
        "2026-04-02T10:00",
    )
    rebuild()


@pytest.fixture
def desktop(returns: None, live_server: Any, settings: Any) -> Iterator[Any]:
    with chromium_page(settings, {"width": 1280, "height": 1000}) as opened:
        yield opened


def wait_for_charts(page: Any, timeout: float = 15.0) -> dict[str, str]:
    """Every figure's chart state once all are settled ("1" drawn, "none" nothing to draw).
    Polled with page.evaluate: the Content-Security-Policy refuses wait_for_function's eval."""
    script = """() => {
        const figures = Array.from(document.querySelectorAll('figure[data-chart]'));
        return Object.fromEntries(figures.map(f => [f.id, f.dataset.chartReady || '']));
    }"""
    deadline = time.monotonic() + timeout
    states: dict[str, str] = {}
    while time.monotonic() < deadline:
        states = page.evaluate(script)
        if states and all(states.values()):
            return states
        page.wait_for_timeout(100)
    raise AssertionError(f"charts not drawn: {states}")


def key_figures(page: Any) -> dict[str, str]:
    rows = page.locator("#key-figures tbody tr")
    return {
        rows.nth(i).locator("th").inner_text().strip(): rows.nth(i)
        .locator("td")
        .inner_text()
        .strip()
        for i in range(rows.count())
    }


def tile_rows(page: Any, tile_id: str) -> dict[str, str]:
    rows = page.locator(f"#{tile_id} tbody tr")
    return {
        rows.nth(i).locator("th").inner_text().strip(): rows.nth(i)
        .locator("td")
        .inner_text()
        .strip()
        for i in range(rows.count())
    }


def test_the_analyst_filters_the_returns_dashboard_and_exports_it(
    desktop: Any, live_server: Any, tmp_path: Path
) -> None:
    page = desktop
    failures: list[str] = []
    page.on("console", lambda m: failures.append(m.text) if m.type == "error" else None)
    page.on(
        "response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    log_in(page, live_server, "analyst@example.org")
    page.goto(live_server.url + "/indicators/returns/")
    assert page.get_by_role("heading", level=1).inner_text() == "Retours"
    before = key_figures(page)
    assert before["Retours"] == "13"
    # By entry point, both hidden: 3 at the airport, and so the 10 at Malpasse.
    rows = tile_rows(page, "tile-ret-returns-entry_point")
    assert set(rows.values()) == {"masqué"} and len(rows) == 2
    wait_for_charts(page)

    page.get_by_label("Point d’entrée", exact=True).select_option(MALPASSE)
    page.get_by_role("button", name="Appliquer").click()
    page.wait_for_url(f"**entry_point={MALPASSE}**")
    after = key_figures(page)
    assert after["Retours"] == "10"
    assert after["Mouvements de retour"] == "masqué"  # 1 convoy
    rows = tile_rows(page, "tile-ret-returns-entry_point")
    assert list(rows.values()) == ["10"] and next(iter(rows)).startswith(MALPASSE)
    assert page.locator("#tile-ret-returns-entry_point tfoot td").inner_text() == "10"
    assert page.locator("#filter-entry-point").input_value() == MALPASSE
    states = wait_for_charts(page)
    assert states["tile-ret-returns-entry_point"] == "1"
    assert page.locator("#tile-ret-returns-entry_point canvas").count() == 1
    for name in NAMES:
        assert name not in page.content()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "indicators-returns-dashboard.png"), full_page=True)

    # The figures as XLSX, with the same filters.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger en XLSX (HXL)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("indicators-returns-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved).worksheets[0]
    rows_read = [list(row) for row in sheet.iter_rows(values_only=True)]
    tags = rows_read[1]
    assert tags[0] == "#indicator+code" and "#meta+suppressed" in tags
    assert "#loc+entry+code" in tags
    code, breakdown, value, hidden, point = (
        tags.index(tag)
        for tag in (
            "#indicator+code",
            "#meta+breakdown+code",
            "#indicator+value+num",
            "#meta+suppressed",
            "#loc+entry+code",
        )
    )
    figures = rows_read[2:]
    assert figures and all(row[point] == MALPASSE for row in figures)
    by_key = {(row[code], row[breakdown]): row for row in figures}
    assert by_key[("ret-returns", "total")][value] == 10
    assert by_key[("ret-movements", "total")][value] == "masqué"
    assert by_key[("ret-movements", "total")][hidden] == "1"
    assert failures == []
