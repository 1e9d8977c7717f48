"""The Flask application: ``create_app(test_config=None)``.

Configuration comes in three layers, later ones winning: the defaults in ``webui/settings.py``;
the file named by the environment variable ``AMKG_SETTINGS`` (Python, ``.json`` or ``.toml``);
``test_config``. The knowledge graph is opened once, when the app is created, from its on-disk
store (built first if the sources changed) or from the SPARQL server ``STORE_URL`` names, and
kept in ``app.extensions["amkg"]`` (an ``amkg.graph.kg.KnowledgeGraph``); apps over the same
build share one. The SPARQL endpoint's worker pool starts on the first query, or up front with
:func:`amkg.webui.sparql.start_pool` (``amkg serve`` starts it in each web process beside the
first requests).
"""

from __future__ import annotations

import json
import os
import threading
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask

from amkg.graph.build import current_build, default_root
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.paths import ONTOLOGY_DIR
from amkg.graph.sources import Sources
from amkg.webui import (
    api,
    api_trace,
    asof,
    auth,
    changes_pages,
    dataset,
    edit,
    entity_edit,
    explorer,
    graph_store,
    impact_page,
    levers,
    pages,
    pages_analysis,
    settings,
    sparql,
    sparql_direct,
)
from amkg.webui.errors import register_error_handlers

SETTINGS_ENV = "AMKG_SETTINGS"

# The blueprints, in registration order (it matters only for routes that would collide).
BLUEPRINTS: tuple[Blueprint, ...] = (
    sparql.bp,  # /sparql: the SPARQL 1.1 Protocol endpoint
    api.bp,  # /api/...: the JSON API
    pages.bp,  # the HTML pages and their .json twins
    api_trace.bp,  # /api/trace, /api/impact, /api/hubs
    pages_analysis.bp,  # matrix, path finder, timeline, figures, catalogue, editor
    explorer.bp,  # the graph explorer
    dataset.bp,  # /dataset, /.well-known/void: the DCAT and VoID description
    levers.bp,  # levers x effects, scenarios, signals, ministry lens, briefings, calculator
    impact_page.bp,  # /impact: what amkg impact computes, as a page and its .json twin
    auth.bp,  # /inloggen, /uitloggen (accounts, sessions and CSRF: auth.init_app)
    edit.bp,  # /bewerken/traject/<local>: a trajectory's edit form (logged in, with the right)
    entity_edit.bp,  # /nieuw/traject|maatregel|effect, /bewerken/tekst/<local> (issue 11)
    graph_store.bp,  # /rdf-graph-store: the Graph Store Protocol (writes need a token)
    changes_pages.bp,  # /wijzigingen (+ feed), /verschil, /conflicten (issue 11)
)

_kg_cache: dict[tuple[Any, ...], KnowledgeGraph] = {}
_kg_lock = threading.Lock()


def _load_settings_file(app: Flask, path: str) -> None:
    """Apply the settings file ``path`` (Python, JSON or TOML by its extension)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        app.config.from_file(path, load=json.load)
    elif suffix == ".toml":
        app.config.from_file(path, load=tomllib.load, text=False)
    else:
        app.config.from_pyfile(path)


def load_knowledge_graph(
    config: Mapping[str, Any], on_rebuild: Callable[[str], None] | None = None
) -> KnowledgeGraph:
    """The knowledge graph the settings name: its store, built first if the sources changed
    (``on_rebuild`` is told, as the command line's ``on_rebuild`` is), opened once per build
    (apps over the same build share one graph and what it derived). With ``STORE_URL`` (or
    ``$AMKG_STORE_URL``) it is the graph in that SPARQL server."""
    url = config.get("STORE_URL") or os.environ.get("AMKG_STORE_URL")
    if url:
        return _remote_graph(str(url), config)
    sources = Sources.resolve(config.get("DATA_DIR"), config.get("ONTOLOGY_DIR") or ONTOLOGY_DIR)
    root = Path(config["STORE_PATH"]) if config.get("STORE_PATH") else None
    engine = config.get("QUERY_ENGINE", "oxigraph")
    with _kg_lock:
        built = current_build(sources, root, on_rebuild=on_rebuild)
        # per data directory too: copies of one data set share a build, not their edits
        key = (engine, str(built.directory), built.fingerprint, str(sources.data_dir))
        kg = _kg_cache.get(key)
        if kg is None:
            kg = KnowledgeGraph.open(
                sources.data_dir, sources.ontology_dir, engine, store=root or default_root()
            )
            _kg_cache[key] = kg
            while len(_kg_cache) > 4:  # keep the latest few
                del _kg_cache[next(iter(_kg_cache))]
    return kg


def _remote_graph(url: str, config: Mapping[str, Any]) -> KnowledgeGraph:
    settings_ = {
        "update_url": config.get("STORE_UPDATE_URL"),
        "gsp_url": config.get("STORE_GSP_URL"),
        "graph": config.get("STORE_GRAPH"),
        "timeout": config.get("STORE_TIMEOUT"),
        "server_timeout": config.get("STORE_SERVER_TIMEOUT"),
    }
    key = ("remote", url, *sorted((k, str(v)) for k, v in settings_.items()))
    with _kg_lock:
        kg = _kg_cache.get(key)
        if kg is None:
            kg = _kg_cache[key] = KnowledgeGraph.remote(url, **settings_)
    return kg


def register_blueprints(app: Flask, blueprints: tuple[Blueprint, ...] = BLUEPRINTS) -> None:
    """Register the blueprints on ``app``."""
    for blueprint in blueprints:
        app.register_blueprint(blueprint)


def create_app(
    test_config: Mapping[str, Any] | None = None,
    on_rebuild: Callable[[str], None] | None = None,
) -> Flask:
    """The web app: settings, the knowledge graph, the error renderer and the blueprints.
    ``on_rebuild`` hears of an automatic build of the store (``amkg serve`` prints it)."""
    app = Flask(__name__)
    app.config.from_object(settings)
    settings_file = os.environ.get(SETTINGS_ENV)
    if settings_file:
        _load_settings_file(app, settings_file)
    if test_config:
        app.config.from_mapping(test_config)
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    app.config["DEBUG"] = False  # never the debugger: it would run code for anyone
    app.extensions["amkg"] = load_knowledge_graph(app.config, on_rebuild)
    register_error_handlers(app)
    asof.install(app)  # the current version of the edited graph, or ?op= (issue 11)
    auth.init_app(app)  # accounts, sessions, CSRF, /inloggen; every write needs an account
    register_blueprints(app)
    sparql_direct.install(app)  # /sparql straight from WSGI (same handler, less overhead)
    return app
