"""Browser journey: a demo user logs in and switches language (Playwright + Debian Chromium)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from orienta.core.demo import load_demo
from tests.conftest import chromium_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = chromium_path()
if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (CI installs it)", allow_module_level=True)


@contextmanager
def chromium_page(settings, viewport: dict[str, int] | None = None) -> Iterator[object]:
    """A headless Debian Chromium page for the live server (plain HTTP, so no Secure cookies)."""
    # Playwright's sync API runs an event loop in this thread; the ORM refuses that unless told.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.LANGUAGE_COOKIE_SECURE = False
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "CI must have Chromium at /usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(
            locale="en-US", viewport=viewport or {"width": 1024, "height": 900}
        )
        yield context.new_page()
        context.close()
        browser.close()


DEMO_PASSWORD = "demo-password"  # noqa: S105 - the demo accounts' password in the tests


def log_in(page, live_server, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in from the home page with a demo account, in French."""
    page.goto(live_server.url + "/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(live_server.url + "/")


@pytest.fixture
def demo_accounts(transactional_db: None) -> None:
    # Before Playwright starts: while its event loop runs, Django would open (and leave open) a
    # second database connection for this thread.
    load_demo("ht", "demo-password")


@pytest.fixture
def page(demo_accounts: None, live_server, settings) -> Iterator[object]:
    with chromium_page(settings) as opened:
        yield opened


def test_demo_user_logs_in_and_switches_language(page, live_server) -> None:
    failures: list[str] = []
    page.on(
        "response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.on("console", lambda m: failures.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/")
    # French first, whatever the browser's own language.
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_label("Adresse e-mail").fill("caseworker@example.org")
    page.get_by_label("Mot de passe").fill("demo-password")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Bienvenue")
    assert page.get_by_text("Organisation internationale pour les migrations").first.is_visible()

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
    page.get_by_role("link", name="Organisations", exact=True).click()
    assert page.get_by_role("heading", name="Organisations").is_visible()

    page.get_by_role("button", name="Français").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Organisations").is_visible()
    assert page.locator("html").get_attribute("lang") == "fr"
    # Styles and scripts load, and nothing is refused by the Content-Security-Policy.
    page.reload()
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != "Times New Roman"
    assert failures == []


def test_api_documentation_renders_under_the_content_security_policy(page, live_server) -> None:
    failures: list[str] = []
    page.on("console", lambda m: failures.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "Orienta API" in page.locator(".swagger-ui .info .title").inner_text()
    assert failures == []


@pytest.fixture
def directory_page(transactional_db: None, live_server, settings) -> Iterator[object]:
    from orienta.directory.packs import load_directory_pack
    from tests.fixtures.mini_pack import MINI_PACK

    load_directory_pack(MINI_PACK, source="mini")  # before Playwright starts (see demo_accounts)
    with chromium_page(settings) as opened:
        yield opened


def test_public_directory_without_login_in_french_and_english(directory_page, live_server) -> None:
    page = directory_page
    failures: list[str] = []
    page.on("console", lambda m: failures.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/directory/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_label("Catégorie").select_option("PROT")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**category=PROT**")
    page.get_by_role("link", name="Identification des enfants non accompagnés").click()
    assert page.get_by_role(
        "heading", name="Identification des enfants non accompagnés"
    ).is_visible()
    assert page.get_by_text("Belladère").first.is_visible()

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("Child protection").first.is_visible()

    pdf = page.request.get(live_server.url + "/directory/print.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:4] == b"%PDF"
    assert failures == []
