"""The pages in a real browser: they load without console errors, never leave the origin,
the search suggests and navigates by keyboard, the language switch works, graph labels that
look like HTML are shown as text and never run."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/?lang=en",
    "/spoor/1",
    "/spoor/2",
    "/spoor/3",
    "/spoor/4",
    "/spoor/5",
    "/id/spoor-3",
    "/id/traject-werken-aan-de-toekomst",
    "/id/szw",
    "/def/Track",
    "/validatie",
    "/ontologie",
    "/zoeken?q=spoor",
    "/spoor/3?lang=en",
]
NAV_BLUE = "rgb(21, 66, 115)"


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly_from_its_own_origin(
    watched: tuple[Page, Any], live_server: str, path: str
) -> None:
    page, watch = watched
    response = page.goto(live_server + path)
    assert response is not None
    assert response.ok
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).not_to_be_empty()
    # the stylesheet loaded under the CSP
    nav = page.locator(".site-nav")
    assert nav.evaluate("el => getComputedStyle(el).backgroundColor") == NAV_BLUE
    watch.assert_clean()
    assert len(watch.requests) >= 3  # the page, its stylesheet, its script


def test_unknown_entity_page_suggests(watched: tuple[Page, Any], live_server: str) -> None:
    page, watch = watched
    response = page.goto(live_server + "/id/spoor-33")
    assert response is not None
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Niet gevonden")
    expect(page.locator('main a[href="/id/spoor-3"]').first).to_be_visible()
    watch.assert_clean(allow=r"status of 404")


def test_search_suggests_and_enter_opens_the_choice(
    watched: tuple[Page, Any], live_server: str
) -> None:
    page, watch = watched
    page.goto(live_server + "/")
    box = page.locator("#q-home")
    with page.expect_response(lambda r: "q=SZW" in r.url):
        box.press_sequentially("SZW", delay=30)
    options = page.locator("#q-home-listbox [role=option]")
    expect(options.first).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    label = options.first.locator(".suggestion-label").inner_text()
    with page.expect_navigation():
        box.press("Enter")
    assert page.url == live_server + "/id/szw"
    expect(page.locator("h1")).to_have_text(label)
    watch.assert_clean()


def test_arrow_keys_move_through_suggestions(watched: tuple[Page, Any], live_server: str) -> None:
    page, watch = watched
    page.goto(live_server + "/spoor/2")
    box = page.locator("#q-header")
    with page.expect_response(lambda r: "q=spoor" in r.url):
        box.press_sequentially("spoor", delay=30)
    options = page.locator("#q-header-listbox [role=option]")
    expect(options.nth(1)).to_be_visible()
    box.press("ArrowDown")
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(options.first).to_have_attribute("aria-selected", "false")
    box.press("ArrowUp")
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("Escape")
    expect(page.locator("#q-header-listbox")).to_be_hidden()
    watch.assert_clean()


def test_language_switch_changes_the_page_and_sticks(
    watched: tuple[Page, Any], live_server: str
) -> None:
    page, watch = watched
    page.goto(live_server + "/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("h1")).to_have_text(
        "Aan welke knoppen kunnen we draaien en wat is daarvan het effect?"
    )
    page.locator("a.lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).not_to_have_text(
        "Aan welke knoppen kunnen we draaien en wat is daarvan het effect?"
    )
    expect(page.locator("#tracks-title")).to_have_text("The five tracks")
    page.goto(live_server + "/spoor/3")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".site-nav")).to_contain_text("Validation")
    page.locator("a.lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator(".site-nav")).to_contain_text("Validatie")
    watch.assert_clean()


def test_html_in_labels_is_shown_as_text(
    watched: tuple[Page, Any], live_server: str, html_labels: dict[str, str]
) -> None:
    page, watch = watched
    xss, xss_img = html_labels["measure"], html_labels["group"]
    page.goto(live_server + "/?lang=nl")
    page.goto(live_server + "/id/maatregel-xss-test")
    expect(page.locator("h1")).to_have_text(xss)
    expect(page.locator("main")).to_contain_text(xss_img)
    assert page.locator("main script").count() == 0
    assert page.locator("main img").count() == 0
    page.goto(live_server + "/spoor/3")
    expect(page.locator("#measures")).to_contain_text(xss)
    box = page.locator("#q-header")
    with page.expect_response(lambda r: "q=alert" in r.url):
        box.press_sequentially("alert", delay=30)
    option = page.locator("#q-header-listbox [role=option] .suggestion-label", has_text=xss)
    expect(option.first).to_be_visible()
    page.wait_for_timeout(300)
    watch.assert_clean()


def test_skip_link_and_visible_focus(watched: tuple[Page, Any], live_server: str) -> None:
    page, watch = watched
    page.goto(live_server + "/spoor/3")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    assert page.evaluate("document.activeElement.getBoundingClientRect().top") >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    tag = page.evaluate("document.activeElement.tagName")
    assert tag == "A"
    watch.assert_clean()
