"""Every page fits a phone and a laptop, in Dutch and English (issue 12).

For each page of the README's page table (plus the lever pages and the dataset page), at
390x844 and 1440x900, in both languages: the document is no wider than the viewport. On a
small screen the navigation folds behind a disclosure button. The SPARQL editor still fits
after it has shown a result table. axe-core (vendored in tests/data/vendor/axe/, injected by the
test, never served) finds no violation on any of these pages, vendored assets included.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/spoor/3",
    "/id/spoor-3",
    "/id/traject-werken-aan-de-toekomst",
    "/id/traject-kamerbrief-arbeidsmarktkrapte",  # a long URL in a quoted citation
    "/impact?entity=kg:traject-werken-aan-de-toekomst",
    "/def/Track",
    "/knoppen",
    "/scenario",
    "/signalen",
    "/ministerie/szw",
    "/spoor/3/briefing",
    "/gezinsmigratie",
    "/matrix",
    "/pad",
    "/tijdlijn",
    "/cijfers",
    "/queries",
    "/queries/sporen-per-traject",
    "/sparql-editor",
    "/graph",
    "/validatie",
    "/ontologie",
    "/dataset",
    "/zoeken?q=spoor",
    "/inloggen",
    "/wijzigingen",
    "/verschil?van=2023-01-01&tot=2023-12-31",
    "/conflicten",
]
SIZES = {"phone": (390, 844), "laptop": (1440, 900)}
LANGS = ["nl", "en"]
AXE = Path(__file__).parents[1] / "data" / "vendor" / "axe" / "axe.min.js"


def with_lang(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


@pytest.fixture(scope="module", params=list(SIZES))
def sized(request: pytest.FixtureRequest, browser: Browser, live_server: str) -> Iterator[Page]:
    """One page per viewport size, shared by the tests of this module (loading is the cost)."""
    width, height = SIZES[request.param]
    # bypass_csp: the page's CSP rightly refuses the inline axe script the test injects
    ctx: BrowserContext = browser.new_context(
        viewport={"width": width, "height": height}, bypass_csp=True
    )

    def block_foreign(route: Route) -> None:
        if route.request.url.startswith(live_server + "/"):
            route.continue_()
        else:
            route.abort()

    ctx.route("**/*", block_foreign)
    page = ctx.new_page()
    yield page
    ctx.close()


def overflow(page: Page) -> dict[str, object]:
    """The document's width against the viewport's, and what sticks out (for the message)."""
    return page.evaluate(
        """() => {
          const W = innerWidth, out = [];
          for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            let a = el.parentElement, clipped = false;
            while (a && a !== document.body) {
              if (getComputedStyle(a).overflowX !== 'visible') { clipped = true; break; }
              a = a.parentElement;
            }
            if (!clipped && r.width > 0 && r.right > W + 0.5)
              out.push(el.tagName.toLowerCase() + '.' + el.getAttribute('class') + ' ' + r.right);
          }
          return {scroll: document.documentElement.scrollWidth, inner: W, out: out.slice(0, 5)};
        }"""
    )


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", PAGES)
def test_page_fits_the_viewport_and_passes_axe(
    sized: Page, live_server: str, path: str, lang: str
) -> None:
    response = sized.goto(live_server + with_lang(path, lang))
    assert response is not None
    assert response.ok
    sized.wait_for_load_state("load")
    got = overflow(sized)
    assert got["scroll"] <= got["inner"], (path, lang, got)
    sized.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    violations = sized.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
             .map(v => v.id + ' (' + v.impact + '): '
                  + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"""
    )
    assert violations == [], (path, lang, violations)


def test_navigation_folds_behind_a_button_on_a_phone(sized: Page, live_server: str) -> None:
    sized.goto(live_server + "/matrix")
    toggle = sized.locator(".nav-toggle")
    links = sized.locator("#site-nav-list a")
    if sized.viewport_size and sized.viewport_size["width"] >= 1000:
        expect(toggle).to_be_hidden()
        expect(links.first).to_be_visible()
        return
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_contain_text("Matrix")  # says where you are
    expect(links.first).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(links.first).to_be_visible()
    sized.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    expect(links.first).to_be_hidden()


def test_sparql_editor_fits_after_a_result(sized: Page, live_server: str) -> None:
    sized.goto(live_server + "/sparql-editor")
    sized.locator("#run-query").click()
    expect(sized.locator("#results-wrap table")).to_be_visible(timeout=60_000)
    got = overflow(sized)
    assert got["scroll"] <= got["inner"], got
