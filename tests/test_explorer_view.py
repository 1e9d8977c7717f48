"""The graph explorer (``webui/explorer/``): its view, layouts, side panel and routes.

The filters are checked on a small hand-made projection whose answer is known; the rest on
the real graph, with expectations computed from the graph itself (the data keeps growing).
"""

from __future__ import annotations

import json
import re
from typing import Any

import networkx as nx
import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import AMKG, KG
from amkg.webui.app import create_app
from amkg.webui.explorer.details import node_details
from amkg.webui.explorer.drawing import STABILIZATION_ITERATIONS
from amkg.webui.explorer.layout import force_layout, layered_layout, radial_layout
from amkg.webui.explorer.source import Source, source_for_kg
from amkg.webui.explorer.synthetic import synthetic_graph
from amkg.webui.explorer.view import (
    DEFAULT_HIDDEN,
    UnknownEntity,
    ViewState,
    build_view,
    expand,
    select,
    territory,
)

# A tiny projection: two ministries, each coordinating a trajectory that touches a domain
# that corresponds to a track; each track has a measure for a target group; one observation.
NODES = {
    "m1": "amkg:Ministry",
    "m2": "amkg:Ministry",
    "t1": "amkg:Trajectory",
    "t2": "amkg:Trajectory",
    "d1": "amkg:PolicyDomain",
    "d2": "amkg:PolicyDomain",
    "s1": "amkg:Track",
    "s2": "amkg:Track",
    "x1": "amkg:Measure",
    "x2": "amkg:Measure",
    "g1": "amkg:TargetGroup",
    "g2": "amkg:TargetGroup",
    "o1": "qb:Observation",
}
LINKS = [
    ("t1", "coordinatedBy", "m1", False),
    ("t2", "coordinatedBy", "m2", False),
    ("t1", "touchesDomain", "d1", True),
    ("t2", "touchesDomain", "d2", True),
    ("d1", "correspondsToTrack", "s1", True),
    ("d2", "correspondsToTrack", "s2", True),
    ("x1", "belongsToTrack", "s1", False),
    ("x2", "belongsToTrack", "s2", False),
    ("x1", "targetsGroup", "g1", False),
    ("x2", "targetsGroup", "g2", False),
    ("s1", "underpins", "s2", False),
    ("o1", "measure", "x1", False),
]


def iri(name: str) -> str:
    return f"{KG}{name}"


def names(nodes: Any) -> set[str]:
    """Local names of IRIs or of prefixed names (the page's node ids are ``kg:...``)."""
    return {n.removeprefix(str(KG)).removeprefix("kg:") for n in nodes}


def full(ref: str) -> str:
    return iri(ref.removeprefix("kg:"))


@pytest.fixture
def tiny() -> Source:
    g = nx.MultiDiGraph()
    for name, cls in NODES.items():
        g.add_node(iri(name), iri=iri(name), label_nl=f"{name} nl", label_en=f"{name} en", cls=cls)
    for s, p, o, inferred in LINKS:
        g.add_edge(
            iri(s),
            iri(o),
            key=f"amkg:{p}",
            predicate=f"amkg:{p}",
            label_nl=p,
            label_en=p + " (en)",
            inferred=inferred,
        )
    return Source(g)


def state(**query: str) -> ViewState:
    return ViewState.from_query(query.items())


# ---- the view state ---------------------------------------------------------------------


def test_state_round_trips_through_the_url() -> None:
    raw = [
        ("focus", "kg:spoor-3"),
        ("hops", "3"),
        ("track", "kg:spoor-1,kg:spoor-2"),
        ("ministry", "kg:szw"),
        ("hide", "amkg:Effect"),
        ("layout", "layered"),
        ("physics", "1"),
    ]
    parsed = ViewState.from_query(raw)
    assert parsed.tracks == ("kg:spoor-1", "kg:spoor-2")
    assert parsed.hide == frozenset({"amkg:Effect"})
    assert ViewState.from_query(parsed.query()) == parsed


def test_state_defaults_and_bounds() -> None:
    assert ViewState.from_query([]) == ViewState()
    assert ViewState().hide == DEFAULT_HIDDEN
    assert ViewState.from_query([("hide", "")]).hide == frozenset()
    assert state(hops="99").hops == 6
    assert state(hops="0").hops == 1
    assert state(hops="x").hops == 2
    assert state(layout="spiral").layout == ""
    assert state(focus="kg:a").effective_layout == "grouped"
    assert ViewState().effective_layout == "grouped"
    assert ViewState().overview
    assert not state(hide="qb:Observation").overview
    assert ViewState().query() == []


# ---- which nodes and edges a filter keeps -------------------------------------------------


def test_overview_shows_the_story_and_the_whole_graph_hides_the_statistical_cells(
    tiny: Source,
) -> None:
    assert names(select(tiny, ViewState(), 100).shown) == set(NODES) - {"o1", "g1", "g2"}
    assert names(select(tiny, state(hide="qb:Observation"), 100).shown) == set(NODES) - {"o1"}
    assert names(select(tiny, state(hide=""), 100).shown) == set(NODES)
    shown = select(tiny, state(hide="amkg:Measure,amkg:Track", loose="1"), 100).shown
    assert names(shown) == set(NODES) - {"x1", "x2", "s1", "s2"}  # replaces the default
    linked = select(tiny, state(hide="amkg:Measure,amkg:Track"), 100)
    assert linked.loose == 3
    assert names(linked.shown) == names(shown) - {"g1", "g2", "o1"}


def test_focus_keeps_the_neighbourhood_to_n_steps(tiny: Source) -> None:
    assert names(select(tiny, state(focus="kg:s1", hops="1"), 100).shown) == {
        "s1",
        "d1",
        "x1",
        "s2",
    }
    assert names(select(tiny, state(focus="kg:s1", hops="2", hide=""), 100).shown) == {
        "s1",
        "d1",
        "x1",
        "s2",
        "t1",
        "g1",
        "o1",
        "d2",
        "x2",
    }


def test_focus_stays_even_when_its_class_is_hidden(tiny: Source) -> None:
    shown = select(tiny, state(focus="kg:o1", hops="1"), 100).shown
    assert names(shown) == {"o1", "x1"}


def test_track_filter_keeps_what_hangs_around_the_track(tiny: Source) -> None:
    shown = names(select(tiny, state(track="kg:s1", hide=""), 100).shown)
    assert shown == {"s1", "d1", "t1", "m1", "x1", "g1", "o1", "s2"}
    assert names(
        territory(
            tiny, iri("s2"), frozenset({"amkg:PolicyDomain", "amkg:Trajectory", "amkg:Measure"})
        )
    ) == {"s2", "d2", "t2", "m2", "x2", "g2", "s1"}


def test_ministry_filter_and_its_intersection_with_a_track(tiny: Source) -> None:
    assert names(select(tiny, state(ministry="kg:m2"), 100).shown) == {"m2", "t2", "d2", "s2"}
    both = select(tiny, ViewState.from_query([("track", "kg:s2"), ("ministry", "kg:m2")]), 100)
    assert names(both.shown) == {"m2", "t2", "d2", "s2"}
    two = select(tiny, ViewState.from_query([("ministry", "kg:m1,kg:m2")]), 100)
    assert {"m1", "m2", "t1", "t2"} <= names(two.shown)


def test_edges_are_the_links_between_kept_nodes(tiny: Source) -> None:
    view = build_view(tiny, state(ministry="kg:m2"), 100)
    kept = {full(n["id"]) for n in view["nodes"]}
    pairs = {(full(e["from"]), full(e["to"])) for e in view["edges"]}
    assert pairs == {(u, v) for u, v in tiny.graph.edges() if u in kept and v in kept}
    inferred = [e for e in view["edges"] if e.get("inferred")]
    assert inferred
    assert all(e["dashes"] and "afgeleid" in e["title"] for e in inferred)
    assert all(not e.get("dashes") for e in view["edges"] if not e.get("inferred"))


def test_labels_follow_the_language(tiny: Source) -> None:
    view = build_view(tiny, state(focus="kg:t1", hops="1"), 100, "en")
    assert {n["label"] for n in view["nodes"]} == {"t1 en", "m1 en", "d1 en"}
    assert {e["title"] for e in view["edges"]} == {
        "coordinatedBy (en)",
        "touchesDomain (en) (inferred)",
    }


def test_unknown_names_raise(tiny: Source) -> None:
    for query in ({"focus": "kg:nope"}, {"track": "kg:nope"}, {"ministry": "nope"}):
        with pytest.raises(UnknownEntity):
            select(tiny, state(**query), 100)


def test_resolve_accepts_iri_prefixed_local_and_label(tiny: Source) -> None:
    for name in (iri("s1"), f"<{iri('s1')}>", "kg:s1", "s1", "S1 NL", "s1 en"):
        assert tiny.resolve(name) == iri("s1"), name
    assert tiny.resolve("kg:zz") is None


# ---- the node cap -----------------------------------------------------------------------


def test_cap_keeps_the_nearest_and_most_central_and_counts_the_rest() -> None:
    source = Source(synthetic_graph(800, seed=5))
    view = build_view(source, state(hide=""), 120)
    assert view["meta"] == view["meta"] | {"total": 800, "shown": 120, "hidden": 680}
    degree = source.degree
    shown = [full(n["id"]) for n in view["nodes"]]
    assert min(degree[n] for n in shown) >= max(
        degree[n] for n in source.graph if n not in set(shown)
    )
    focus = build_view(source, state(focus="kg:syn-3", hops="3", hide=""), 50)
    distance = nx.single_source_shortest_path_length(source.simple, iri("syn-3"), cutoff=3)
    kept = [distance[full(n["id"])] for n in focus["nodes"]]
    assert kept[0] == 0
    assert max(kept) <= min(
        d for n, d in distance.items() if n not in {full(x["id"]) for x in focus["nodes"]}
    )
    assert any(n["more"] > 0 for n in focus["nodes"])


def test_expand_returns_neighbours_without_hidden_classes(tiny: Source) -> None:
    data = expand(tiny, ViewState(), "kg:x1", 100, around=(10.0, 20.0))
    assert names(n["id"] for n in data["nodes"]) == {"s1", "g1"}
    assert data["total"] == 2
    assert {(e["from"], e["to"]) for e in data["edges"]} >= {("kg:x1", "kg:s1")}
    assert names(n["id"] for n in expand(tiny, state(hide=""), "kg:x1", 1)["nodes"]) == {"s1"}


# ---- layout, options, plain text ---------------------------------------------------------


def test_layouts_are_deterministic_and_layered_reads_left_to_right(tiny: Source) -> None:
    g = tiny.simple
    assert force_layout(g) == force_layout(g)
    radial = radial_layout(g, iri("s1"))
    fx, fy = radial[iri("s1")]
    ring = [
        ((x - fx) ** 2 + (y - fy) ** 2) ** 0.5 for n, (x, y) in radial.items() if n in g[iri("s1")]
    ]
    assert max(ring) - min(ring) < 6  # the focus's neighbours on one circle around it
    view = build_view(tiny, state(layout="layered", hide=""), 100)
    x = {n["id"]: n["x"] for n in view["nodes"]}
    order = ["kg:m1", "kg:t1", "kg:d1", "kg:s1", "kg:x1", "kg:g1"]
    assert [x[n] for n in order] == sorted(x[n] for n in order)
    assert len({x[n] for n in order}) == len(order)
    positions = layered_layout(g, {iri("m1"): 0, iri("s1"): 3})
    assert positions[iri("m1")][0] < positions[iri("s1")][0]


def test_positions_are_fixed_and_physics_bounded(tiny: Source) -> None:
    view = build_view(tiny, ViewState(), 100)
    assert all(isinstance(n["x"], float) and n["physics"] is False for n in view["nodes"])
    assert view["options"]["physics"]["enabled"] is False
    assert view["options"]["layout"]["improvedLayout"] is False
    on = build_view(tiny, state(physics="1"), 100)["options"]["physics"]
    assert on["enabled"] is True
    assert on["stabilization"]["iterations"] == STABILIZATION_ITERATIONS <= 200
    assert build_view(tiny, ViewState(), 100) is build_view(tiny, ViewState(), 100)  # cached


def test_titles_are_plain_text_even_for_html_labels() -> None:
    g = nx.MultiDiGraph()
    evil = "<img src=x onerror=alert(1)> href"
    g.add_node(iri("a"), label_nl=evil, label_en=evil, cls="amkg:Measure")
    g.add_node(iri("b"), label_nl="</script><script>alert(1)</script>", cls="amkg:Track")
    g.add_edge(iri("a"), iri("b"), key="amkg:belongsToTrack", label_nl="<b>x</b>")
    view = build_view(Source(g), ViewState(), 10)
    node = next(n for n in view["nodes"] if n["id"] == "kg:a")
    assert node["label"] == evil
    assert node["title"].startswith(evil)  # text: the page never parses it as HTML
    assert view["edges"][0]["title"] == "<b>x</b>"


# ---- the real graph ---------------------------------------------------------------------


def test_real_graph_view_and_panel(kg: KnowledgeGraph) -> None:
    source = source_for_kg(kg)
    assert source is source_for_kg(kg)
    view = build_view(source, ViewState(), 500)
    assert view["meta"]["shown"] == min(500, view["meta"]["total"])
    classes = {n["group"] for n in view["nodes"]}
    assert {"amkg:Track", "amkg:Ministry", "amkg:Trajectory"} <= classes
    assert "qb:Observation" not in classes
    assert all(item["label"] and ":" not in item["label"] for item in view["legend"])
    assert [f["ref"] for f in view["filters"]["tracks"]][:1] == ["kg:spoor-1"]
    details = node_details(source, kg, "kg:spoor-3", "nl")
    assert details is not None
    assert details["url"] == "/id/spoor-3"
    assert details["label"].startswith("Spoor 3")
    assert details["provenance"]
    assert all(c["quote"] for c in details["provenance"])
    assert details["properties"]
    assert details["links"]
    assert node_details(source, kg, "kg:bestaat-niet") is None


def expected_panel(graph: rdflib.Graph, node: URIRef) -> tuple[set[str], list[dict[str, Any]]]:
    """The literal properties and the citations of ``node``, computed from the Turtle."""
    properties = {
        str(p)
        for p, o in graph.predicate_objects(node)
        if isinstance(o, Literal) and p not in (RDFS.label, AMKG.citation)
    }
    citations = []
    for citation in graph.objects(node, AMKG.citation):
        slide = graph.value(citation, AMKG.slide)
        index = graph.value(slide, AMKG.slideIndex) if slide is not None else None
        section = graph.value(citation, AMKG.section)
        citations.append(
            {
                "quote": " ".join(sorted(str(q) for q in graph.objects(citation, AMKG.quote))),
                "slide": next(
                    (str(x) for x in graph.objects(slide, RDFS.label) if x.language == "nl"), ""
                ),
                "slide_index": int(index) if index is not None else None,
                "section": str(section) if section is not None else "",
            }
        )
    citations.sort(key=lambda c: (c["slide_index"] or 0, c["section"], c["quote"]))
    return properties, citations


def test_panel_properties_and_citations_match_the_turtle(
    small_kg: KnowledgeGraph, small_graph: rdflib.Graph
) -> None:
    source = source_for_kg(small_kg)
    cited = 0
    for node in source.graph:
        details = node_details(source, small_kg, node, "nl")
        assert details is not None
        properties, citations = expected_panel(small_graph, URIRef(node))
        shown = {small_kg.expand(p["predicate"]) for p in details["properties"]}
        assert {str(p) for p in shown} == properties, node
        assert details["provenance"] == citations, node
        cited += bool(citations)
    assert cited >= 5


def test_synthetic_graph_is_seeded() -> None:
    a, b = synthetic_graph(300, seed=2), synthetic_graph(300, seed=2)
    assert a.number_of_nodes() == 300
    assert sorted(a.edges(keys=True)) == sorted(b.edges(keys=True))
    assert 1.2 * 300 < a.number_of_edges() < 2.2 * 300


# ---- the routes -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client() -> Any:
    return create_app({"TESTING": True}).test_client()


def test_page_embeds_the_view_safely_and_serves_assets_itself(client: Any) -> None:
    response = client.get("/graph?focus=kg:spoor-3")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    block = re.search(
        r'<script type="application/json" id="amkg-graph-data">(.*?)</script>', html, re.S
    )
    assert block is not None
    assert json.loads(block.group(1))["meta"]["focus"]["ref"] == "kg:spoor-3"
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert "/static/vendor/vis-network/vis-network.min.js" in scripts
    assert all(src.startswith("/static/") for src in scripts)
    assert "<script>" not in html  # no inline script (CSP script-src 'self')
    for asset in ("vis-network.min.js", "vis-network.css", "LICENSE"):
        with client.get(f"/static/vendor/vis-network/{asset}") as served:
            assert served.status_code == 200


def test_json_routes(client: Any) -> None:
    data = client.get("/api/graph?focus=kg:spoor-3&hops=1").get_json()
    assert data == client.get("/graph.json?focus=kg:spoor-3&hops=1").get_json()
    assert data["meta"]["focus"]["iri"] == iri("spoor-3")
    node = client.get("/api/graph/node?id=kg:spoor-3&lang=en").get_json()
    assert node["label"].startswith("Track 3")
    grown = client.get("/api/graph/expand?id=kg:spoor-3&x=5&y=abc").get_json()
    assert grown["nodes"]
    assert grown["node"] == "kg:spoor-3"
    for url in (
        "/api/graph?focus=kg:nope",
        "/graph.json?track=nope",
        "/api/graph/node?id=x",
        "/api/graph/expand?id=kg:nope",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "error" in response.get_json()
    page = client.get("/graph?focus=kg:nope")
    assert page.status_code == 404
    assert "kg:nope" in page.get_data(as_text=True)


def test_a_configured_graph_replaces_the_knowledge_graph() -> None:
    app = create_app(
        {"TESTING": True, "GRAPH_EXPLORER_GRAPH": lambda: synthetic_graph(50), "GRAPH_NODE_CAP": 20}
    )
    data = app.test_client().get("/api/graph?hide=").get_json()
    assert data["meta"] | {"shown": 20, "total": 50, "hidden": 30} == data["meta"]
    html = app.test_client().get("/graph?hide=").get_data(as_text=True)
    assert "30 niet getoond" in html


def test_serve_warms_the_default_view_in_both_languages() -> None:
    from amkg.webui.explorer import warm_up

    app = create_app({"TESTING": True, "GRAPH_EXPLORER_GRAPH": synthetic_graph(40, seed=3)})
    warm_up(app)
    with app.app_context():
        from amkg.webui.explorer.routes import _source

        cached = {key[3] for key in _source()._views if key[0] == "view"}
    assert cached == {"nl", "en"}
