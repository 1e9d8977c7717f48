"""The analyst's editor (issue 12): completion of prefixes, classes, properties and elements
from the keyboard, announced as a list; a resizable editor; results that fit their box;
examples loaded with their parameters bound to their defaults."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

FIELD = ".CodeMirror [contenteditable=true]"


def _type_at_end(page: Page, text: str) -> None:
    page.locator(".CodeMirror").click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type(text, delay=30)


def _editor_text(page: Page) -> str:
    return page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")


def test_completion_of_classes_from_the_keyboard_is_announced(
    watched: tuple[Page, Any], live_server: str
) -> None:
    page, watch = watched
    page.goto(live_server + "/sparql-editor")
    _type_at_end(page, "amkg:Tra")
    box = page.locator("#editor-complete")
    expect(box).to_be_visible()
    expect(box).to_have_attribute("role", "listbox")
    options = box.locator("[role=option]")
    expect(options.first).to_contain_text("amkg:Tra")
    field = page.locator(FIELD)
    expect(field).to_have_attribute("aria-autocomplete", "list")
    expect(field).to_have_attribute("aria-controls", "editor-complete")
    expect(field).to_have_attribute("aria-activedescendant", "editor-complete-0")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(page.locator("#editor-complete-status")).to_contain_text("suggestie")
    names = options.locator(".complete-name").all_inner_texts()
    assert "amkg:Track" in names
    assert "amkg:Trajectory" in names
    for _ in range(names.index("amkg:Track")):
        page.keyboard.press("ArrowDown")
    expect(field).to_have_attribute(
        "aria-activedescendant", f"editor-complete-{names.index('amkg:Track')}"
    )
    page.keyboard.press("Enter")
    expect(box).to_be_hidden()
    assert _editor_text(page).rstrip().endswith("amkg:Track")
    expect(page.locator("#editor-complete-status")).to_contain_text("amkg:Track")
    # Escape closes without inserting; a prefix is offered for its first letters
    page.keyboard.type(" sk", delay=30)
    expect(box.locator(".complete-name").first).to_have_text("skos:")
    page.keyboard.press("Escape")
    expect(box).to_be_hidden()
    assert _editor_text(page).rstrip().endswith("amkg:Track sk")
    watch.assert_clean()


def test_completion_of_element_names_through_the_suggest_api(
    watched: tuple[Page, Any], live_server: str
) -> None:
    page, watch = watched
    page.goto(live_server + "/sparql-editor?lang=en")
    with page.expect_response(lambda r: "/api/suggest" in r.url):
        _type_at_end(page, "kg:vakkracht")
    box = page.locator("#editor-complete")
    option = box.locator("[role=option]", has_text="kg:maatregel-vakkrachtenregeling")
    expect(option).to_be_visible()
    expect(page.locator("#editor-complete-status")).to_contain_text("suggestion")
    expect(option).to_contain_text("element")
    option.click()
    assert _editor_text(page).rstrip().endswith("kg:maatregel-vakkrachtenregeling")
    watch.assert_clean()


def test_editor_is_resizable_and_grows_to_a_long_query(
    watched: tuple[Page, Any], live_server: str
) -> None:
    page, watch = watched
    page.set_viewport_size({"width": 1440, "height": 1300})
    page.goto(live_server + "/sparql-editor")
    editor = page.locator(".CodeMirror")
    box = editor.bounding_box()
    handle = page.locator("#editor-resize")
    expect(handle).to_have_attribute("role", "separator")
    grip = handle.bounding_box()
    assert box is not None
    assert grip is not None
    page.mouse.move(grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2)
    page.mouse.down()
    page.mouse.move(grip["x"] + grip["width"] / 2, grip["y"] + 150, steps=5)
    page.mouse.up()
    grown = editor.bounding_box()
    assert grown is not None
    assert grown["height"] > box["height"] + 100
    # and from the keyboard
    handle.focus()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    smaller = editor.bounding_box()
    assert smaller is not None
    assert smaller["height"] < grown["height"] - 50
    value = int(handle.get_attribute("aria-valuenow") or "0")
    assert value == round(100 * smaller["height"] / 1300)
    # a long example gets the room it needs (up to most of the screen): no line hidden below
    page.set_viewport_size({"width": 1440, "height": 1400})
    page.goto(live_server + "/sparql-editor")
    page.locator("a[data-example='maatregelen-per-spoor']").click()
    fits = page.evaluate(
        """() => { const s = document.querySelector('.CodeMirror-scroll');
                   return s.scrollHeight <= s.clientHeight + 2; }"""
    )
    assert fits
    watch.assert_clean()


def test_results_fit_their_box(watched: tuple[Page, Any], live_server: str) -> None:
    page, watch = watched
    page.set_viewport_size({"width": 1440, "height": 900})
    long_iri = "https://example.org/" + "a-very-long-path-segment/" * 8
    query = (
        "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
        f"SELECT ?s ?description ?other WHERE {{ ?s dcterms:description ?description "
        f"BIND(IRI(CONCAT('{long_iri}', STRUUID())) AS ?other) }} LIMIT 20"
    )
    page.goto(live_server + "/sparql-editor")
    page.evaluate("(q) => document.querySelector('.CodeMirror').CodeMirror.setValue(q)", query)
    page.locator("#run-query").click()
    table = page.locator("#results-wrap table")
    expect(table).to_be_visible(timeout=60_000)
    sizes = page.evaluate(
        """() => { const w = document.getElementById('results-wrap');
                   return [w.scrollWidth, w.clientWidth]; }"""
    )
    assert sizes[0] <= sizes[1] + 1, sizes
    # the full IRI stays available
    first = table.locator("tbody tr").first.locator("td").nth(2).locator("span, a").first
    assert (first.get_attribute("title") or "").startswith(long_iri)
    watch.assert_clean()


def test_examples_load_with_their_parameters_bound(
    watched: tuple[Page, Any], live_server: str
) -> None:
    page, watch = watched
    page.goto(live_server + "/sparql-editor")
    page.locator("a[data-example='trajecten-per-spoor']").click()
    text = _editor_text(page)
    assert "VALUES (?track) { (<https://w3id.org/amkg/id/spoor-3>) }" in text
    page.locator("#run-query").click()
    expect(page.locator("#results-wrap table")).to_be_visible(timeout=60_000)
    api = page.request.get(live_server + "/api/queries/trajecten-per-spoor?track=kg:spoor-3")
    assert api.ok
    rows = api.json()["rows"]
    assert 0 < len(rows) < 37  # one track's trajectories, not every track's
    expect(page.locator("#results-wrap tbody tr")).to_have_count(len(rows))
    watch.assert_clean()
