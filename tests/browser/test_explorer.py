"""The graph explorer (/graph) in a real browser.

Uses the shared live server of ``conftest.py`` (the real data plus labels that are HTML) and,
for the node cap and the ``href`` label, a second server over a synthetic graph handed to the
app through ``GRAPH_EXPLORER_GRAPH``. Every test checks that the page made no request outside
its origin and logged no error (a CSP violation is logged as one).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import networkx as nx
import pytest
from playwright.sync_api import Browser, Page, expect

from amkg.graph.load import KG
from amkg.webui.app import create_app
from amkg.webui.explorer.synthetic import synthetic_graph
from tests.helpers import serve

pytestmark = pytest.mark.browser

READY = "html[data-graph-ready]"
HREF_LABEL = "<img src=x onerror=alert(1)> href"
SYNTHETIC_NODES = 1200
SYNTHETIC_CAP = 150

VISIBLE = "() => window.amkgExplorer.visibleNodeIds().length"
FULL_LABEL = "(id) => { const n = amkgNetwork.body.data.nodes.get(id); return n.full || n.label; }"
NODE_AT = """(id) => {
  const net = window.amkgNetwork;
  net.moveTo({position: net.getPositions([id])[id], scale: 1.4});
  const p = net.canvasToDOM(net.getPositions([id])[id]);
  const r = document.getElementById('amkg-graph').getBoundingClientRect();
  return {x: r.left + p.x, y: r.top + p.y};
}"""


def _open(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.ok, response.status
    page.wait_for_selector(READY, state="attached", timeout=15_000)


def _api(page: Page, base: str, query: str = "") -> dict[str, Any]:
    response = page.request.get(f"{base}/api/graph{query}")
    assert response.ok
    return response.json()  # type: ignore[no-any-return]


def _click_node(page: Page, node: str, double: bool = False) -> None:
    point = page.evaluate(NODE_AT, node)
    page.wait_for_timeout(50)
    if double:
        page.mouse.dblclick(point["x"], point["y"])
    else:
        page.mouse.click(point["x"], point["y"])


def test_whole_graph_is_drawn_coloured_by_class(
    watched: tuple[Page, Any], live_server: str
) -> None:
    page, watch = watched
    _open(page, live_server + "/graph?hide=qb:Observation")  # the whole graph
    expected = _api(page, live_server, "?hide=qb:Observation")
    assert page.evaluate(VISIBLE) == expected["meta"]["shown"] > 50
    colours = page.evaluate(
        "() => new Set(Object.values(amkgNetwork.body.nodes).map(n => "
        "n.options.color.background)).size"
    )
    assert colours >= 8  # the classes' colours reached the drawn nodes
    shapes = page.evaluate(
        "() => new Set(Object.values(amkgNetwork.body.nodes).map(n => n.options.shape)).size"
    )
    assert shapes >= 5
    legend = page.locator("#amkg-legend .legend-item")
    assert legend.count() == len(expected["legend"])
    observation = page.locator('#amkg-legend .legend-item[data-cls="qb:Observation"]')
    expect(observation).to_have_attribute("aria-pressed", "false")
    # the vis-network assets come from this app, nothing from a CDN
    assert any(u.endswith("/static/vendor/vis-network/vis-network.min.js") for u in watch.requests)
    watch.assert_clean()


def test_legend_and_url_hide_a_class(watched: tuple[Page, Any], live_server: str) -> None:
    page, watch = watched
    _open(page, live_server + "/graph")
    before = page.evaluate(VISIBLE)
    count = page.evaluate(
        "() => amkgNetwork.body.data.nodes.get({filter: n => "
        "n.group === 'amkg:Measure' && !n.hidden}).length"
    )
    assert count > 0
    page.locator('#amkg-legend .legend-item[data-cls="amkg:Measure"]').click()
    assert page.evaluate(VISIBLE) == before - count
    assert "amkg%3AMeasure" in page.url or "amkg:Measure" in page.url
    expect(page.locator('#amkg-legend .legend-item[data-cls="amkg:Measure"]')).to_have_attribute(
        "aria-pressed", "false"
    )
    # the URL reproduces it
    _open(page, page.url)
    assert page.evaluate(VISIBLE) == before - count
    page.locator('#amkg-legend .legend-item[data-cls="amkg:Measure"]').click()
    page.wait_for_selector(READY, state="attached")
    assert page.evaluate(VISIBLE) == before
    watch.assert_clean()


def test_node_click_opens_the_panel(watched: tuple[Page, Any], live_server: str) -> None:
    page, watch = watched
    _open(page, live_server + "/graph?focus=kg:spoor-3&hops=1")
    node = "kg:spoor-3"
    label = page.evaluate(FULL_LABEL, node)
    _click_node(page, node)
    panel = page.locator("#amkg-panel")
    expect(panel).to_be_visible()
    expect(page.locator("#amkg-panel-title")).to_have_text(label)
    expect(panel.locator('a[href="/id/spoor-3"]')).to_be_visible()
    expect(panel.locator(".citation blockquote").first).not_to_be_empty()
    expect(page.locator("#amkg-panel-type")).not_to_be_empty()
    page.locator("#amkg-panel-close").click()
    expect(panel).to_be_hidden()
    watch.assert_clean()


def test_focus_on_a_track_shows_its_neighbourhood(
    watched: tuple[Page, Any], live_server: str
) -> None:
    page, watch = watched
    for focus in ("kg:spoor-3", f"{KG}spoor-3", f"<{KG}spoor-3>"):
        _open(
            page,
            f"{live_server}/graph?focus={focus.replace('<', '%3C').replace('>', '%3E')}&hops=1",
        )
        ids = set(page.evaluate("() => amkgExplorer.visibleNodeIds()"))
        assert "kg:spoor-3" in ids
        data = _api(page, live_server, "?focus=kg:spoor-3&hops=1")
        assert ids == {n["id"] for n in data["nodes"] if n["group"] != "qb:Observation"}
        expect(page.locator("#amkg-status")).to_contain_text("Spoor 3")
    watch.assert_clean()


def test_unknown_focus_is_a_404_that_says_so(watched: tuple[Page, Any], live_server: str) -> None:
    page, watch = watched
    response = page.goto(live_server + "/graph?focus=kg:bestaat-niet")
    assert response is not None
    assert response.status == 404
    expect(page.locator(".explorer-error")).to_contain_text("kg:bestaat-niet")
    watch.assert_clean(allow="status of 404")


def test_filters_layout_and_url_state(watched: tuple[Page, Any], live_server: str) -> None:
    page, watch = watched
    _open(page, live_server + "/graph")
    page.select_option("#amkg-track", "kg:spoor-3")
    page.wait_for_url("**track=kg%3Aspoor-3**")
    page.wait_for_selector(READY, state="attached")
    expected = _api(page, live_server, "?track=kg:spoor-3")
    assert page.evaluate(VISIBLE) == expected["meta"]["shown"]
    page.select_option("#amkg-ministry", "kg:szw")
    page.wait_for_url("**ministry=kg%3Aszw**")
    page.wait_for_selector(READY, state="attached")
    both = _api(page, live_server, "?track=kg:spoor-3&ministry=kg:szw")["meta"]["shown"]
    assert page.evaluate(VISIBLE) == both <= expected["meta"]["shown"]
    page.select_option("#amkg-layout", "layered")
    page.wait_for_url("**layout=layered**")
    page.wait_for_selector(READY, state="attached")
    positions = page.evaluate("() => amkgNetwork.getPositions()")
    url = page.url
    _open(page, url)  # a link reproduces the view
    assert page.evaluate("() => amkgNetwork.getPositions()") == positions
    expect(page.locator("#amkg-layout")).to_have_value("layered")
    expect(page.locator("#amkg-track")).to_have_value("kg:spoor-3")
    expect(page.locator("#amkg-ministry")).to_have_value("kg:szw")
    page.go_back()
    page.wait_for_selector(READY, state="attached")
    assert "layout" not in page.url
    watch.assert_clean()


def test_layered_layout_reads_left_to_right(watched: tuple[Page, Any], live_server: str) -> None:
    page, watch = watched
    _open(page, live_server + "/graph?layout=layered")
    xs = page.evaluate("""() => {
      const pos = amkgNetwork.getPositions(), out = {};
      amkgNetwork.body.data.nodes.forEach(n => {
        (out[n.group] = out[n.group] || []).push(pos[n.id].x);
      });
      return out;
    }""")
    order = [
        "amkg:Ministry",
        "amkg:Trajectory",
        "amkg:PolicyDomain",
        "amkg:Track",
        "amkg:Measure",
        "amkg:TargetGroup",
    ]
    columns = [xs[cls] for cls in order if cls in xs]
    assert len(columns) >= 5
    for left, right in itertools.pairwise(columns):
        assert max(left) < min(right)
    watch.assert_clean()


def test_search_finds_and_centres_a_node(watched: tuple[Page, Any], live_server: str) -> None:
    page, watch = watched
    _open(page, live_server + "/graph")
    target = "kg:szw"
    label = page.evaluate(FULL_LABEL, target)
    page.fill("#amkg-search-input", label)
    page.press("#amkg-search-input", "Enter")
    assert page.evaluate("() => amkgNetwork.getSelectedNodes()") == [target]
    # centred once the animation (frame-counted, so slow in a software-rendered browser) ends
    page.wait_for_function(
        """(id) => { const p = amkgNetwork.canvasToDOM(
        amkgNetwork.getPositions([id])[id]); const c = document.getElementById('amkg-graph');
        return Math.abs(p.x / c.clientWidth - 0.5) < 0.05
            && Math.abs(p.y / c.clientHeight - 0.5) < 0.05; }""",
        arg=target,
        timeout=10_000,
    )
    expect(page.locator("#amkg-panel-title")).to_have_text(label)
    page.fill("#amkg-search-input", "geen-zo-element-xyz")
    page.press("#amkg-search-input", "Enter")
    expect(page.locator("#amkg-status")).to_contain_text("geen-zo-element-xyz")
    watch.assert_clean()


def test_search_for_an_element_outside_the_view_refocuses_on_it(
    watched: tuple[Page, Any], live_server: str
) -> None:
    page, watch = watched
    _open(page, live_server + "/graph?focus=kg:szw&hops=1")
    assert "kg:acvz" not in page.evaluate("() => amkgExplorer.visibleNodeIds()")
    page.fill("#amkg-search-input", "adviesraad migratie")
    page.press("#amkg-search-input", "Enter")
    expect(page.locator("#amkg-status")).to_contain_text("stond niet in deze weergave")
    assert "focus=kg%3Aacvz" in page.url or "focus=kg:acvz" in page.url
    assert "kg:acvz" in page.evaluate("() => amkgExplorer.visibleNodeIds()")
    expect(page.locator("#amkg-panel-title")).to_have_text("Adviesraad Migratie")
    watch.assert_clean()


def test_double_click_expands_in_place(watched: tuple[Page, Any], live_server: str) -> None:
    page, watch = watched
    _open(page, live_server + "/graph?focus=kg:szw&hops=1")
    before = page.evaluate("() => amkgExplorer.visibleNodeIds()")
    node = page.evaluate(
        "() => amkgNetwork.body.data.nodes.get({filter: n => n.more > 0}).map(n => n.id).sort()[0]"
    )
    assert node
    with page.expect_response(lambda r: "/api/graph/expand" in r.url):
        _click_node(page, node, double=True)
    page.wait_for_function(f"() => amkgExplorer.visibleNodeIds().length > {len(before)}")
    after = page.evaluate("() => amkgExplorer.visibleNodeIds()")
    assert set(before) < set(after)
    watch.assert_clean()


def test_physics_settles_within_the_cap(watched: tuple[Page, Any], live_server: str) -> None:
    page, watch = watched
    _open(page, live_server + "/graph?focus=kg:spoor-2&physics=1")
    timings = page.evaluate("() => amkgTimings")
    assert timings["stabilized"] >= timings["firstDraw"]
    expect(page.locator("#amkg-physics")).to_be_checked()
    watch.assert_clean()


def test_png_download(watched: tuple[Page, Any], live_server: str) -> None:
    page, watch = watched
    _open(page, live_server + "/graph?focus=kg:spoor-1")
    with page.expect_download() as info:
        page.click("#amkg-png")
    path = info.value.path()
    assert path is not None
    with open(path, "rb") as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"
    watch.assert_clean()


def test_html_labels_stay_text(
    watched: tuple[Page, Any], live_server: str, html_labels: dict[str, str]
) -> None:
    page, watch = watched
    _open(page, live_server + "/graph?focus=kg:maatregel-xss-test&hops=1")
    measure = "kg:maatregel-xss-test"
    _click_node(page, measure)
    expect(page.locator("#amkg-panel-title")).to_have_text(html_labels["measure"])
    expect(page.locator("#amkg-panel-body")).to_contain_text(html_labels["group"])
    assert page.locator("#amkg-panel script, #amkg-panel img").count() == 0
    assert page.locator("img[src=x]").count() == 0
    watch.assert_clean()


# ---- a synthetic graph larger than the cap ------------------------------------------------


def _synthetic() -> nx.MultiDiGraph:
    graph = synthetic_graph(SYNTHETIC_NODES, seed=3)
    first = f"{KG}syn-0"
    graph.nodes[first].update(label=HREF_LABEL, label_nl=HREF_LABEL, label_en=HREF_LABEL)
    return graph


@pytest.fixture(scope="module")
def synthetic_server() -> Iterator[str]:
    app = create_app(
        {"TESTING": True, "GRAPH_EXPLORER_GRAPH": _synthetic, "GRAPH_NODE_CAP": SYNTHETIC_CAP}
    )
    with serve(app, name="waitress-synthetic") as url:
        yield url


@pytest.fixture
def synthetic_page(
    browser: Browser, synthetic_server: str
) -> Iterator[tuple[Page, list[str], list[str]]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append("dialog " + d.message), d.dismiss()))
    yield page, requests, problems
    context.close()
    assert not [u for u in requests if not u.startswith(synthetic_server + "/")]


def test_node_cap_holds_and_the_page_says_how_many_are_hidden(
    synthetic_page: tuple[Page, list[str], list[str]], synthetic_server: str
) -> None:
    page, _requests, problems = synthetic_page
    _open(page, synthetic_server + "/graph?hide=")
    assert page.evaluate("() => amkgNetwork.body.data.nodes.length") == SYNTHETIC_CAP
    hidden = SYNTHETIC_NODES - SYNTHETIC_CAP
    expect(page.locator(".explorer-hidden")).to_contain_text(str(hidden))
    # expanding never goes past the cap
    node = page.evaluate("() => amkgNetwork.body.data.nodes.get({filter: n => n.more > 0})[0].id")
    page.evaluate("(id) => amkgExplorer.expand(id)", node)
    page.wait_for_timeout(500)
    assert page.evaluate("() => amkgNetwork.body.data.nodes.length") == SYNTHETIC_CAP
    assert not problems


def test_href_label_is_text_in_tooltip_and_panel(
    synthetic_page: tuple[Page, list[str], list[str]], synthetic_server: str
) -> None:
    page, _requests, problems = synthetic_page
    node = "kg:syn-0"
    _open(page, synthetic_server + "/graph?focus=kg:syn-0&hops=1")
    point = page.evaluate(NODE_AT, node)
    page.mouse.move(point["x"], point["y"])
    tooltip = page.locator("div.vis-tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text(HREF_LABEL)
    assert tooltip.locator("*:not(br)").count() == 0  # text only (innerText turns \n into <br>)
    page.mouse.click(point["x"], point["y"])
    expect(page.locator("#amkg-panel-title")).to_have_text(HREF_LABEL)
    assert page.locator("img[src=x]").count() == 0
    assert not problems
