"""The web pages in a real browser: Playwright (PyPI) driving Debian's Chromium (``make setup``
installs it) against a live ``alliance-kg serve`` on the store built from data/.

Home → search 포항 → Pohang's page: Yongin among the partners, the network picture and the map
drawn; switch to English; the query page runs an example query and shows result rows.
Screenshots of each step go to var/screenshots/. Never skipped: without a browser it fails.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from alliance_kg import paths

SHOTS = paths.ROOT / "var" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    found = os.environ.get("ALLIANCE_KG_CHROMIUM") or shutil.which("chromium")
    if not found:
        pytest.fail("Chromium is not installed: `make setup` installs Debian's chromium package")
    return found


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is missing: pip install -e '.[test]'")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_FLAGS, timeout=30_000)
        yield b
        b.close()


def drawn(locator, least: float = 50) -> dict:
    """The element is on the page and at least ``least`` pixels wide and high."""
    locator.wait_for(state="visible")
    box = locator.bounding_box()
    assert box is not None and box["width"] >= least and box["height"] >= least, box
    return box


def test_search_pohang_partners_language_and_query(browser, store_server, tmp_path: Path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # Home: search 포항 and pick the suggestion.
    page.goto(store_server.url + "/")
    assert page.locator("html").get_attribute("data-lang") == "ko"
    assert page.locator('[data-figure="local-governments"] b').inner_text() == "243"
    page.locator("#search").press_sequentially("포항", delay=50)
    suggestion = page.locator('#suggestions a[data-slug="pohang"]')
    suggestion.wait_for(state="visible")
    page.screenshot(path=str(SHOTS / "1-home-search.png"))
    suggestion.click()

    # Pohang: Yongin among the partners, the network picture and the map drawn.
    page.wait_for_url("**/id/municipality/pohang")
    assert "포항시" in page.locator("h1").inner_text()
    yongin = page.locator('#partner-table tr[data-partner="yongin"]')
    assert yongin.count() >= 1
    assert "용인시" in yongin.first.inner_text()
    drawn(page.locator("svg#network"))
    drawn(page.locator('svg#network a.partner[data-id$="/municipality/yongin"] circle'), 5)
    assert page.locator("svg#network path.edge").count() >= 10
    drawn(page.locator("svg#map"))
    drawn(page.locator("svg#map path.land"))
    drawn(page.locator("svg#map circle.dot.centre"), 5)
    assert page.locator("svg#map path.edge").count() >= 5
    page.screenshot(path=str(SHOTS / "2-pohang-ko.png"), full_page=True)

    # Switch to English: English text shows, Korean hides; the choice is remembered.
    page.locator("#lang-switch").click()
    assert page.locator("html").get_attribute("data-lang") == "en"
    assert page.locator("#partners h2 .en").is_visible()
    assert not page.locator("#partners h2 .ko").is_visible()
    assert page.locator("#partners h2 .en").inner_text() == "Partners"
    assert "lang=en" in page.url
    page.locator("svg#network").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "3-pohang-en.png"), full_page=True)
    page.goto(store_server.url + "/network")
    assert page.locator("html").get_attribute("data-lang") == "en"
    drawn(page.locator("svg#network-map"))
    page.screenshot(path=str(SHOTS / "4-network-en.png"), full_page=True)

    # The query page: run an example query, see result rows.
    page.get_by_role("link", name="Query").click()
    page.wait_for_url("**/sparql")
    page.get_by_label("Example query").select_option(label="Local governments per level")
    page.locator(".yasqe_queryButton:visible").first.click()
    rows = page.locator(".yasr table tbody tr:visible")
    rows.first.wait_for(state="visible")
    assert rows.count() >= 5
    assert "county" in page.locator(".yasr table tbody:visible").first.inner_text()
    # the results start above the fold of a laptop screen
    assert rows.first.bounding_box()["y"] < page.viewport_size["height"]
    page.screenshot(path=str(SHOTS / "5-query-results.png"))
    # a bad query: its problem is shown readably, above the editor
    page.locator(".CodeMirror").first.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("SELECT * WHERE { ?s ?p }")
    page.locator(".yasqe_queryButton:visible").first.click()
    problem = page.locator("#problem")
    problem.wait_for(state="visible")
    assert "Malformed query" in problem.locator("h2").inner_text()
    assert problem.bounding_box()["y"] < page.viewport_size["height"]
    page.screenshot(path=str(SHOTS / "5b-query-error.png"))

    # The cookbook fits a laptop screen: long queries and tables scroll in their own box.
    page.goto(store_server.url + "/cookbook")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1282

    # A phone: the municipality page fits the screen and still draws.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    mobile = phone.new_page()
    mobile.goto(store_server.url + "/id/municipality/pohang?lang=ko")
    box = drawn(mobile.locator("svg#network"))
    assert box["width"] <= 390
    width = mobile.evaluate("document.documentElement.scrollWidth")
    assert width <= 392, f"the page scrolls sideways on a phone ({width}px)"
    mobile.screenshot(path=str(SHOTS / "6-pohang-phone.png"))
    mobile.locator("svg#network").scroll_into_view_if_needed()
    mobile.screenshot(path=str(SHOTS / "7-pohang-phone-partners.png"))
    phone.close()

    context.close()
    assert not errors, errors
