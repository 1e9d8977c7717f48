"""The lever pages in a real browser (Chromium via Playwright): they load cleanly at phone and
desktop width in both languages without being wider than the viewport; a citation shows on
keyboard focus; a scenario is switched on from the form, saved by name in localStorage and
compared with another; the briefing prints to PDF; the calculator computes from its form.

Uses the shared live server of ``conftest.py``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

PAGES = [
    "/knoppen",
    "/scenario?aan=kg:maatregel-vakkrachtenregeling&aan=kg:maatregel-hogere-eisen-randvoorwaarden",
    "/scenario?aan=kg:spoor-2&vergelijk=kg:spoor-3",
    "/signalen",
    "/ministerie/szw",
    "/spoor/4/briefing",
    "/gezinsmigratie",
]
VIEWPORTS = [(390, 844), (1440, 900)]


@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly_and_fits(
    watched: tuple[Page, Any], live_server: str, path: str, lang: str, size: tuple[int, int]
) -> None:
    page, watch = watched
    page.set_viewport_size({"width": size[0], "height": size[1]})
    joiner = "&" if "?" in path else "?"
    response = page.goto(f"{live_server}{path}{joiner}lang={lang}")
    assert response is not None
    assert response.ok
    expect(page.locator("h1")).to_have_count(1)
    assert page.evaluate("document.documentElement.lang") == lang
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= size[0], f"{path} is {width}px wide at {size[0]}px"
    page.wait_for_load_state("networkidle")
    watch.assert_clean()


def test_citation_shows_on_keyboard_focus(watched: tuple[Page, Any], live_server: str) -> None:
    page, watch = watched
    page.goto(live_server + "/knoppen")
    button = page.locator("table.levers .cite-button").first
    tip = page.locator("table.levers .cite-body").first
    expect(tip).to_be_hidden()
    button.focus()
    expect(tip).to_be_visible()
    assert tip.inner_text().strip().startswith("“")
    watch.assert_clean()


def test_scenario_switch_save_and_compare(watched: tuple[Page, Any], live_server: str) -> None:
    page, watch = watched
    page.goto(live_server + "/scenario")
    page.locator("input[value='kg:maatregel-vakkrachtenregeling']").check()
    page.locator("input[value='kg:maatregel-hogere-eisen-randvoorwaarden']").check()
    with page.expect_navigation():
        page.locator("#scenario-form button[type=submit]").click()
    assert "aan=kg%3Amaatregel-vakkrachtenregeling" in page.url
    conflict = page.locator("details.factor-conflict").filter(
        has=page.locator("summary strong", has_text=re.compile("^innovatie$"))
    )
    expect(conflict).to_have_count(1)
    expect(conflict.locator("li.path-up")).not_to_have_count(0)
    expect(conflict.locator("li.path-down")).not_to_have_count(0)
    expect(conflict.locator(".badge-inferred").first).to_be_visible()
    page.fill("#scenario-name", "Beide")
    page.locator("#save-form button[type=submit]").click()
    expect(page.locator("#save-status")).to_contain_text("Beide")
    expect(page.locator("#saved-list a.saved-open")).to_have_text(["Beide"])
    # switch one off: the conflict is gone; compare with the saved scenario
    page.locator("input[value='kg:maatregel-vakkrachtenregeling']").uncheck()
    with page.expect_navigation():
        page.locator("#scenario-form button[type=submit]").click()
    expect(page.locator("details.factor-conflict")).to_have_count(0)
    with page.expect_navigation():
        page.locator("#saved-list a.saved-compare").first.click()
    assert "vergelijk=kg%3Amaatregel-vakkrachtenregeling" in page.url
    expect(page.locator("#compare table.compare tbody tr").first).to_be_visible()
    expect(page.locator("#compare .side")).to_have_count(2)
    watch.assert_clean()


def test_briefing_prints_to_pdf(browser: Browser, live_server: str) -> None:
    page = browser.new_page()
    try:
        page.goto(live_server + "/spoor/4/briefing")
        page.emulate_media(media="print")
        expect(page.locator(".site-header")).to_be_hidden()
        expect(page.locator("h1")).to_be_visible()
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")
        assert len(pdf) > 20_000
    finally:
        page.close()


def test_calculator_computes_from_its_form(watched: tuple[Page, Any], live_server: str) -> None:
    page, watch = watched
    page.goto(live_server + "/gezinsmigratie")
    expect(page.locator("[data-testid=kennis]")).to_contain_text("31.095")
    page.fill("#f-kennis", "1000")
    page.fill("#f-overig", "10")
    with page.expect_navigation():
        page.locator(".family-form button[type=submit]").click()
    expect(page.locator("[data-testid=kennis-family]")).to_have_text("900 – 1.000")
    expect(page.locator("[data-testid=overig-family]")).to_have_text("6")
    expect(page.locator("[data-testid=total]")).to_have_text("906 – 1.006")
    expect(page.locator(".banner-warn")).to_contain_text("Bijna 1")
    watch.assert_clean()
