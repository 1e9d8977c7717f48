"""The graph explorer's text view (issue 12): the same nodes and links as the canvas draws, as
lists grouped by class, reachable by one control and by keyboard."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("query", ["", "?focus=kg:spoor-3&hops=1"])
def test_text_view_lists_what_the_canvas_draws(
    watched: tuple[Page, Any], live_server: str, query: str
) -> None:
    page, watch = watched
    page.goto(live_server + "/graph" + query)
    page.wait_for_function("window.amkgNetwork !== undefined")
    drawn = page.evaluate(
        """() => {
          const body = window.amkgNetwork.body.data;
          return {nodes: body.nodes.length, edges: body.edges.length};
        }"""
    )
    assert drawn["nodes"] > 0
    text = page.locator("#amkg-text")
    assert text.locator("li[data-node]").count() == drawn["nodes"]
    assert text.locator("li[data-edge=out]").count() == drawn["edges"]
    expect(page.locator("#amkg-text-count")).to_contain_text(str(drawn["nodes"]))
    # one control leads there, by keyboard too
    link = page.locator("#amkg-text-link")
    link.focus()
    page.keyboard.press("Enter")
    assert page.url.endswith("#amkg-text")
    first = text.locator("details").first
    first.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(first.locator("li[data-node]").first).to_be_visible()
    watch.assert_clean()


def test_keyboard_walk_selects_a_node_and_reads_its_source(
    watched: tuple[Page, Any], live_server: str
) -> None:
    page, watch = watched
    page.goto(live_server + "/graph?focus=kg:spoor-3&hops=1")
    page.wait_for_function("window.amkgNetwork !== undefined")
    canvas = page.locator("#amkg-graph")
    canvas.focus()
    expect(canvas).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    selected = page.evaluate("window.amkgNetwork.getSelectedNodes()")
    assert len(selected) == 1
    expect(page.locator("#amkg-status")).to_contain_text("Gekozen:")
    page.keyboard.press("Home")
    first = page.evaluate("window.amkgNetwork.getSelectedNodes()")
    page.keyboard.press("End")
    assert page.evaluate("window.amkgNetwork.getSelectedNodes()") != first
    # walk to the track itself and open its panel: it leads with its source
    for _ in range(60):
        if page.evaluate("window.amkgNetwork.getSelectedNodes()[0]") == "kg:spoor-3":
            break
        page.keyboard.press("ArrowRight")
    assert page.evaluate("window.amkgNetwork.getSelectedNodes()[0]") == "kg:spoor-3"
    page.keyboard.press("Enter")
    panel = page.locator("#amkg-panel")
    expect(panel).to_be_visible()
    expect(page.locator("#amkg-panel-title")).to_contain_text("Spoor 3")
    expect(panel).to_contain_text("dia 5: Spoor 3")  # its source: slide and quote
    watch.assert_clean()
