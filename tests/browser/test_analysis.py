"""The analysis pages in a real browser (Chromium via Playwright): they load without console
errors and never leave the origin; a catalogue query runs from its form (with the type-ahead
entity picker) and shows linked results; the SPARQL editor runs a query and shows a sortable
table; the path finder shows a path; graph labels that look like HTML stay text.

Uses the shared live server of ``conftest.py`` (the real data plus labels that are HTML).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.helpers import XSS

pytestmark = pytest.mark.browser

PAGES = [
    "/matrix",
    "/matrix?lang=en",
    "/matrix?ministerie=szw&periode=planning-2023-03",
    "/pad",
    "/pad?from=kg:traject-werken-aan-de-toekomst&to=kg:spoor-2",
    "/tijdlijn",
    "/tijdlijn?lang=en",
    "/cijfers",
    "/cijfers?lang=en",
    "/queries",
    "/queries?audience=analyst",
    "/queries/trajecten-per-spoor",
    "/queries/tekortberoepen?lang=en",
    "/sparql-editor",
    "/sparql-editor?lang=en",
]
NAV_BLUE = "rgb(21, 66, 115)"


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly(watched: tuple[Page, Any], live_server: str, path: str) -> None:
    page, watch = watched
    response = page.goto(live_server + path)
    assert response is not None
    assert response.ok
    expect(page.locator("h1")).to_have_count(1)
    nav = page.locator(".site-nav")
    assert nav.evaluate("el => getComputedStyle(el).backgroundColor") == NAV_BLUE
    page.wait_for_load_state("networkidle")
    watch.assert_clean()


def test_matrix_cell_opens_its_explanation(watched: tuple[Page, Any], live_server: str) -> None:
    page, watch = watched
    page.goto(live_server + "/matrix")
    inferred = page.locator("td.cell-inferred").first
    expect(inferred).to_be_visible()
    # the hatching is real CSS (a gradient), so an inferred cell looks different
    assert "gradient" in inferred.evaluate("el => getComputedStyle(el).backgroundImage")
    with page.expect_navigation():
        page.locator("td.cell a.cell-link").first.click()
    assert "/pad?from=kg%3A" in page.url or "/pad?from=kg:" in page.url
    expect(page.locator("ol.paths > li").first).to_be_visible()
    watch.assert_clean()


def _pick(page: Page, selector: str, text: str) -> None:
    """Type into a picker, wait for the suggestions of the whole text and take the first by
    keyboard (the list first shows those of a shorter prefix while the typing goes on)."""
    box = page.locator(selector)
    box.fill("")
    with page.expect_response(lambda r: "/api/suggest" in r.url):
        box.press_sequentially(text, delay=20)
    option = page.locator(f"{selector}-listbox [role=option]").first
    expect(option).to_be_visible()
    expect(option).to_contain_text(text, ignore_case=True)
    box.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(box).to_have_attribute("aria-expanded", "false")


def test_catalogue_query_runs_from_its_form(watched: tuple[Page, Any], live_server: str) -> None:
    page, watch = watched
    page.goto(live_server + "/queries/trajecten-per-spoor")
    _pick(page, "#param-track", "Spoor 2")
    # the picker only offers tracks (the parameter's class)
    expect(page.locator("#param-track")).to_have_value(
        "Spoor 2: Meer mensen aan het werk "
        "helpen (statushouders, "
        "bijstandsgerechtigden, asielzoekers)"
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Stel de vraag").click()
    assert "track=https%3A%2F%2Fw3id.org%2Famkg%2Fid%2Fspoor-2" in page.url
    links = page.locator("table.results-table a[href^='/id/traject-']")
    expect(links.first).to_be_visible()
    expect(page.locator(".field-bound a[href='/id/spoor-2']")).to_be_visible()
    # sortable: a click on a header sorts and says so
    header = page.locator("table.results-table thead th").nth(1)
    header.locator("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    csv = page.locator("a", has_text="Download CSV")
    assert "/api/queries/trajecten-per-spoor.csv?track=" in (csv.get_attribute("href") or "")
    watch.assert_clean()


def test_catalogue_bad_parameter_shows_the_form(
    watched: tuple[Page, Any], live_server: str
) -> None:
    page, watch = watched
    response = page.goto(live_server + "/queries/trajecten-per-spoor?track=kg:spoor-9")
    assert response is not None
    assert response.status == 400
    expect(page.get_by_role("alert")).to_contain_text("track")
    expect(page.locator("#param-track")).to_have_attribute("aria-invalid", "true")
    watch.assert_clean(allow=r"status of 400")


def test_sparql_editor_runs_a_query(watched: tuple[Page, Any], live_server: str) -> None:
    page, watch = watched
    page.goto(live_server + "/sparql-editor")
    expect(page.locator(".CodeMirror")).to_be_visible()
    expect(page.locator(".CodeMirror .cm-keyword").first).to_be_visible()  # highlighted
    page.locator("#run-query").click()
    table = page.locator("#results-wrap table")
    expect(table).to_be_visible(timeout=60_000)
    expect(table.locator("tbody tr")).to_have_count(5)
    expect(table.locator("a[href='/id/spoor-1']")).to_be_visible()
    expect(page.locator("#dl-csv")).to_be_visible()
    assert "format=csv" in (page.locator("#dl-csv").get_attribute("href") or "")
    assert "/sparql-editor?query=" in page.url  # the query is in the URL
    # an example from the catalogue loads into the editor and runs
    page.locator("a[data-example='sporen-overzicht']").click()
    expect(page.locator(".CodeMirror")).to_contain_text("amkg:Track")
    page.locator(".CodeMirror").click()
    page.keyboard.press("Control+Enter")
    expect(page.locator("#editor-status")).to_contain_text("5", timeout=60_000)
    watch.assert_clean()


def test_sparql_editor_shows_errors(watched: tuple[Page, Any], live_server: str) -> None:
    page, watch = watched
    page.goto(live_server + "/sparql-editor?query=SELECT%20*%20WHERE%20%7B")
    page.locator("#run-query").click()
    error = page.locator("#editor-error")
    expect(error).to_be_visible(timeout=60_000)
    expect(error).to_contain_text("400")
    watch.assert_clean(allow=r"status of 400")


def test_path_finder_shows_a_path(watched: tuple[Page, Any], live_server: str) -> None:
    page, watch = watched
    page.goto(live_server + "/pad")
    _pick(page, "#p-from", "Werken aan de toekomst")
    _pick(page, "#p-to", "Spoor 2")
    with page.expect_navigation():
        page.get_by_role("button", name="Zoek verbanden").click()
    paths = page.locator("ol.paths > li")
    expect(paths.first).to_be_visible()
    expect(paths.first.locator("a[href='/id/spoor-2']")).to_be_visible()
    expect(page.locator("#p-from")).to_have_value("Ambtelijke verkenning Werken aan de toekomst")
    watch.assert_clean()


def test_html_labels_stay_text(watched: tuple[Page, Any], live_server: str) -> None:
    page, watch = watched
    page.goto(live_server + "/pad?from=kg:maatregel-xss-test&to=kg:spoor-3")
    expect(page.locator("ol.paths").get_by_text(XSS).first).to_be_visible()
    page.goto(live_server + "/queries/maatregelen-per-spoor?track=kg:spoor-3")
    expect(page.locator("table.results-table").get_by_text(XSS).first).to_be_visible()
    watch.assert_clean()
