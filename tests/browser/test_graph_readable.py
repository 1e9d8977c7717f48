"""A graph people can read (issue 12): on /graph's default view and on a focus view, at the
zoom the page opens with, no two label boxes overlap, every visible node has a label that is
drawn, and the canvas starts in the first viewport of a laptop (1440x900).

The label boxes are vis-network's own: after a node is drawn, ``labelModule.size`` holds the
left, top, width and height of its label in canvas units, measured with the canvas's text
metrics at the drawn font. A label is drawn when its font, at the current scale, is at least
vis-network's ``drawThreshold``; the test asks for a readable size (7 px) instead."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

MIN_FONT_PX = 7.0

BOXES = """() => {
  const net = window.amkgNetwork, scale = net.getScale(), out = [];
  const visible = new Set(window.amkgExplorer.visibleNodeIds());
  for (const id of visible) {
    const node = net.body.nodes[id], label = node.labelModule, s = label.size;
    out.push({id: id, text: label.elementOptions.label || "",
              font: label.fontOptions.size * scale,
              threshold: label.elementOptions.scaling.label.drawThreshold,
              left: s.left, top: s.top, width: s.width, height: s.height});
  }
  return {scale: scale, boxes: out};
}"""


def _overlaps(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            dx = min(a["left"] + a["width"], b["left"] + b["width"]) - max(a["left"], b["left"])
            dy = min(a["top"] + a["height"], b["top"] + b["height"]) - max(a["top"], b["top"])
            if dx > 0.5 and dy > 0.5:
                out.append((a["id"], b["id"]))
    return out


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("query", ["", "?focus=kg:spoor-3"])
def test_labels_do_not_overlap_and_every_node_is_labelled(
    browser: Any, live_server: str, query: str, lang: str
) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page: Page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sep = "&" if query else "?"
    page.goto(f"{live_server}/graph{query}{sep}lang={lang}")
    page.wait_for_selector("html[data-graph-ready]", state="attached", timeout=15_000)
    page.wait_for_timeout(300)  # one more frame: the label boxes are set while drawing
    drawn = page.evaluate(BOXES)
    boxes = drawn["boxes"]
    assert len(boxes) > 20
    unlabelled = [b["id"] for b in boxes if not b["text"].strip()]
    assert unlabelled == []
    too_small = [b["id"] for b in boxes if b["font"] < max(MIN_FONT_PX, b["threshold"])]
    assert too_small == [], drawn["scale"]
    assert all(b["width"] > 0 and b["height"] > 0 for b in boxes)
    assert _overlaps(boxes) == []
    top = page.evaluate("document.getElementById('amkg-graph').getBoundingClientRect().top")
    assert 0 <= top < 900
    assert errors == []
    context.close()


def test_the_overlap_check_sees_an_overlap(browser: Any, live_server: str) -> None:
    """The check above can fail: two nodes moved onto each other overlap."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(live_server + "/graph")
    page.wait_for_selector("html[data-graph-ready]", state="attached", timeout=15_000)
    page.evaluate("""() => {
      const net = window.amkgNetwork, ids = window.amkgExplorer.visibleNodeIds();
      const p = net.getPositions([ids[0]])[ids[0]];
      net.moveNode(ids[1], p.x + 5, p.y + 3);
      net.redraw();
    }""")
    page.wait_for_timeout(300)
    assert _overlaps(page.evaluate(BOXES)["boxes"])
    context.close()


def test_unconnected_elements_are_counted_not_scattered(
    watched: tuple[Page, Any], live_server: str
) -> None:
    page, watch = watched
    page.goto(live_server + "/graph?hide=amkg:Measure,amkg:PolicyDomain,qb:Observation")
    page.wait_for_selector("html[data-graph-ready]", state="attached", timeout=15_000)
    data = page.request.get(
        live_server + "/api/graph?hide=amkg:Measure,amkg:PolicyDomain,qb:Observation"
    ).json()
    loose = data["meta"]["loose"]
    assert loose > 0
    note = page.locator("#amkg-loose")
    assert str(loose) in note.inner_text()
    drawn = page.evaluate("window.amkgNetwork.body.data.nodes.length")
    note.locator("a").click()
    page.wait_for_selector("html[data-graph-ready]", state="attached", timeout=15_000)
    assert "loose=1" in page.url
    assert page.evaluate("window.amkgNetwork.body.data.nodes.length") == drawn + loose
    watch.assert_clean()


def test_on_a_phone_the_graph_opens_at_a_readable_zoom(browser: Any, live_server: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server + "/graph")
    page.wait_for_selector("html[data-graph-ready]", state="attached", timeout=15_000)
    drawn = page.evaluate(BOXES)
    assert drawn["scale"] >= 0.6
    assert _overlaps(drawn["boxes"]) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # the filters are folded away; the canvas comes first
    assert page.evaluate("document.getElementById('amkg-more').open") is False
    context.close()


def test_the_panel_leads_with_the_source_and_does_not_hide_its_node(
    browser: Any, live_server: str
) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(live_server + "/graph")
    page.wait_for_selector("html[data-graph-ready]", state="attached", timeout=15_000)
    node = page.evaluate(
        "() => { const p = amkgNetwork.getPositions();"
        " return Object.keys(p).sort((a, b) => p[b].x - p[a].x)[0]; }"
    )
    where = """(id) => { const p = amkgNetwork.canvasToDOM(amkgNetwork.getPositions([id])[id]);
      const r = document.getElementById('amkg-graph').getBoundingClientRect();
      return {x: r.left + p.x, y: r.top + p.y}; }"""
    point = page.evaluate(where, node)
    page.mouse.click(point["x"], point["y"])
    panel = page.locator("#amkg-panel")
    panel.locator(".citation").first.wait_for()
    assert page.evaluate(where, node)["x"] < panel.bounding_box()["x"]  # type: ignore[index]
    # what it is and where it comes from come before its links, which are grouped and folded
    order = page.evaluate(
        """() => Array.from(document.querySelectorAll('#amkg-panel-body > *'))
             .map(e => e.className || e.tagName)"""
    )
    sections = [c for c in order if "panel-section" in c]
    assert sections
    first_section = page.locator("#amkg-panel-body > .panel-section").first
    assert first_section.locator(".citation").count() > 0
    assert page.locator("#amkg-panel details.panel-group").count() > 0
    assert page.evaluate(
        "amkgNetwork.getConnectedEdges(amkgNetwork.getSelectedNodes()[0])"
        ".some(e => !!amkgNetwork.body.data.edges.get(e).label)"
    )
    context.close()
