"""The graph explorer: ``/graph`` (the page), ``/graph.json`` and ``/api/graph`` (its data).

Thin: what to draw comes from :mod:`.view`, the side panel from :mod:`.details`.

- ``GET /graph[?focus=<IRI | kg:name | label>&hops=N&track=..&ministry=..&hide=<classes>
  &layout=force|layered|radial&physics=1]``: the page. The view state lives in the URL, so a
  link reproduces the view. The first view's data is in the page (a JSON data block); the
  page's script (``static/js/explorer.js``) fetches the next ones from ``/api/graph``.
- ``GET /graph.json`` and ``GET /api/graph`` (same arguments): the nodes, edges, vis-network
  options, legend, filter choices and counts of the view.
- ``GET /api/graph/node?id=<name>``: what the side panel shows about one node.
- ``GET /api/graph/expand?id=<name>[&hide=..][&x=..&y=..]``: its neighbours, to add in place.

Settings: ``GRAPH_NODE_CAP`` (most nodes drawn, default 500). ``GRAPH_EXPLORER_GRAPH``: a
``networkx.MultiDiGraph`` with the projection's attributes, or a function returning one, drawn
instead of the knowledge graph (tests and the benchmark use a synthetic graph this way).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from amkg.graph.kg import KnowledgeGraph
from amkg.webui.asof import current_kg
from amkg.webui.errors import HttpError
from amkg.webui.explorer.details import node_details
from amkg.webui.explorer.source import Source, source_for_kg
from amkg.webui.explorer.text_view import build as text_view
from amkg.webui.explorer.view import (
    LAYOUTS,
    MAX_HOPS,
    UnknownEntity,
    ViewState,
    build_view,
    expand,
)
from amkg.webui.i18n import current_lang, section, t

bp = Blueprint("explorer", __name__)

CUSTOM_GRAPH = "GRAPH_EXPLORER_GRAPH"
_SOURCE_KEY = "amkg_explorer_source"


def _source() -> Source:
    """The explorer's source: the configured graph, else the knowledge graph's projection."""
    custom = current_app.config.get(CUSTOM_GRAPH)
    if custom is None:
        return source_for_kg(current_kg())
    source = current_app.extensions.get(_SOURCE_KEY)
    if source is None:
        source = Source(custom() if callable(custom) else custom)
        current_app.extensions[_SOURCE_KEY] = source
    return source


def warm_up(app: Any) -> None:
    """Build the default view (both languages) once, so the first visitor gets it from cache.

    Called by ``amkg serve`` before it accepts connections; the projection and the layout of
    the whole graph are the slow part of a cold /graph (see benchmarks/README.md).
    """
    with app.app_context():
        source = _source()
        for lang in ("nl", "en"):
            build_view(source, ViewState(), _cap(), lang)


def _kg() -> KnowledgeGraph | None:
    if current_app.config.get(CUSTOM_GRAPH) is not None:
        return None
    return current_kg()  # type: ignore[no-any-return]


def _cap() -> int:
    return max(1, int(current_app.config.get("GRAPH_NODE_CAP", 500)))


def _state() -> ViewState:
    return ViewState.from_query(request.args.items(multi=True))


def _unknown(error: UnknownEntity, lang: str) -> str:
    return t("ex.unknown", lang, name=error.name)


@bp.get("/graph")
def graph_page() -> Any:
    lang = current_lang()
    state = _state()
    source = _source()
    view, error, status = None, None, 200
    try:
        view = build_view(source, state, _cap(), lang)
    except UnknownEntity as exc:
        error, status = _unknown(exc, lang), 404
    query = urlencode(state.query())
    filters = view["filters"] if view else build_view(source, ViewState(), _cap(), lang)["filters"]
    return render_template(
        "graph.html",
        view=view,
        text=text_view(view) if view else None,
        state=state,
        js_strings=section("ex.", lang),
        error=error,
        filters=filters,
        layouts=LAYOUTS,
        max_hops=MAX_HOPS,
        active_nav="graph",
        cap=_cap(),
        json_url="/graph.json" + (f"?{query}" if query else ""),
    ), status


@bp.get("/graph.json", endpoint="graph_json")
@bp.get("/api/graph")
def graph_data() -> Response:
    lang = current_lang()
    try:
        return jsonify(build_view(_source(), _state(), _cap(), lang))
    except UnknownEntity as exc:
        raise HttpError(404, _unknown(exc, lang)) from exc


@bp.get("/api/graph/node")
def graph_node() -> Response:
    lang = current_lang()
    details = node_details(_source(), _kg(), request.args.get("id", ""), lang)
    if details is None:
        raise HttpError(404, t("ex.unknown", lang, name=request.args.get("id", "")))
    return jsonify(details)


def _float(name: str) -> float:
    try:
        value = float(request.args.get(name, "0"))
    except ValueError:
        return 0.0
    return value if abs(value) < 1e7 else 0.0


@bp.get("/api/graph/expand")
def graph_expand() -> Response:
    lang = current_lang()
    name = request.args.get("id", "")
    try:
        data = expand(_source(), _state(), name, _cap(), lang, (_float("x"), _float("y")))
    except UnknownEntity as exc:
        raise HttpError(404, _unknown(exc, lang)) from exc
    return jsonify(data)
