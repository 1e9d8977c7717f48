"""The same app on real SPARQL servers (marker ``servers``): Oxigraph server, Jena, Virtuoso.

"Jena" is Apache Jena Fuseki 5.6.0 where its jar is here (Maven), else Jena ARQ 4.5.0 from
Debian behind a minimal protocol server (``tests/servers/ArqServer.java``); see
``tests/servers.py``.

One server of each kind per session (``tests/servers.py`` starts it on loopback and stops it
afterwards), loaded once with ``amkg load --into``'s loader. Against each: every catalogue query
gives its golden result, every kind of page answers 200, ``trace``/``impact`` give the paths of
the embedded store, loading twice leaves the same triples and a load that fails half-way
leaves the previous graph. On one server: stopped while the app runs, pages answer 503 in
Dutch and recover by themselves; two ``amkg serve`` processes answer the catalogue alike.

A server whose program is missing is skipped, naming what to install; with ``CI`` set it is a
failure (``$AMKG_REQUIRED_SERVERS``, default all three, says which CI must have).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from rdflib import URIRef

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.remote import RemoteStore, StoreUnavailable
from amkg.graph.remote_load import LoadFailed, load_into
from amkg.graph.sources import Sources
from amkg.queries.catalogue import default_catalogue
from amkg.queries.golden import golden_result, load_golden
from tests.servers import SERVERS, Server, ServerMissing, free_port, restart, start

pytestmark = pytest.mark.servers
NAMES = [q.name for q in default_catalogue()]
_started: dict[str, Server] = {}
_to_stop: list[Server] = []


def required() -> set[str]:
    if not os.environ.get("CI"):
        return set()
    listed = os.environ.get("AMKG_REQUIRED_SERVERS")
    return set(SERVERS) if listed is None else set(listed.split())


def _server(name: str, tmp_path_factory: pytest.TempPathFactory) -> Server:
    if name not in _started:
        try:
            server = start(name, tmp_path_factory.mktemp(name))
        except ServerMissing as error:
            if name in required():
                pytest.fail(f"CI needs the {name} server: {error}")
            pytest.skip(f"{name} server not installed here: {error}")
        _to_stop.append(server)  # stopped at the end of the session, whatever happens next
        _load(server)
        _started[name] = server
    return _started[name]


def _load(server: Server) -> None:
    store = RemoteStore(server.config())
    try:
        load_into(store, Sources.resolve())
    finally:
        store.close()


@pytest.fixture(scope="session", autouse=True)
def _stop_servers() -> Iterator[None]:
    yield
    for server in _to_stop:
        server.stop()


@pytest.fixture(scope="session", params=SERVERS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Server:
    return _server(request.param, tmp_path_factory)


@pytest.fixture(scope="session")
def remote_kg(server: Server) -> KnowledgeGraph:
    return KnowledgeGraph.remote(server.config())


@pytest.fixture(scope="session")
def remote_app(server: Server) -> Flask:
    from amkg.webui.app import create_app

    return create_app({"TESTING": True, "QUERY_WORKERS": 1, **server.settings()})


# --- the catalogue ---------------------------------------------------------------------------


def test_every_catalogue_query_gives_its_golden_result(
    server: Server, remote_kg: KnowledgeGraph
) -> None:
    wrong = {}
    for name in NAMES:
        try:
            actual = golden_result(remote_kg, default_catalogue().get(name))
        except Exception as error:
            wrong[name] = f"{type(error).__name__}: {str(error)[:200]}"
            continue
        if actual != load_golden(name):
            wrong[name] = "differs from tests/golden"
    assert not wrong, wrong


def test_the_report_and_prefixes_come_from_the_server(
    remote_kg: KnowledgeGraph, kg: KnowledgeGraph
) -> None:
    assert remote_kg.triple_count() == kg.triple_count()
    assert remote_kg.report.conforms == kg.report.conforms
    assert remote_kg.prefixes == kg.prefixes
    assert remote_kg.shapes_triples() == kg.shapes_triples()


# --- every page --------------------------------------------------------------------------------

_HREF = re.compile(r'href="(/[^"#]*)"')
#: The pages a crawl starts from, besides the links it finds (query pages with parameters).
SEEDS = ["/", "/?lang=en", "/.json", "/index.json", "/queries/trajecten-per-spoor?track=kg:spoor-3",
         "/pad?from=kg:spoor-1&to=kg:spoor-3", "/api/impact?entity=kg:spoor-3", "/api/hubs",
         "/api/trace?from=kg:spoor-1&to=kg:spoor-3", "/zoeken?q=spoor", "/api/suggest?q=spo",
         "/api/queries", "/api/queries/sporen-overzicht", "/sparql?query=ASK%7B%7D",
         "/matrix.csv", "/api/graph", "/api/graph/node?id=https://w3id.org/amkg/id/spoor-3",
         "/api/graph/expand?id=https://w3id.org/amkg/id/spoor-3", "/dataset", "/dataset.json",
         "/dataset.ttl", "/dataset.jsonld", "/dataset.nt", "/impact?entity=kg:spoor-3",
         "/impact.json?entity=kg:spoor-3", "/knoppen.csv", "/api/scenario?aan=kg:spoor-2",
         "/scenario?aan=kg:spoor-2", "/inloggen"]  # fmt: skip
#: Routes a crawl need not reach: assets, and the routes that write or end a session (refused
#: without an account: tests/test_write_routes.py enumerates them).
UNVISITED = {
    "static",
    "auth.login",
    "auth.logout",
    "edit.edit_form",
    "edit.edit_save",
    # the forms that add and correct entities: an account first (issue 11)
    *(
        f"entity_edit.{name}_{kind}"
        for name in ("new", "save")
        for kind in ("trajectory", "measure", "effect")
    ),
    *(f"entity_edit.new_{kind}_json" for kind in ("trajectory", "measure", "effect")),
    "entity_edit.text_form",
    "entity_edit.text_save",
    "graph_store.graph_store",
}


def crawl(app: Flask, per_route: int = 2) -> dict[str, int]:
    """Status of every page reachable from :data:`SEEDS`, at most ``per_route`` URLs per route
    (and each HTML page's ``.json`` twin)."""
    client = app.test_client()
    adapter = app.url_map.bind("localhost")
    seen: dict[str, int] = {}
    endpoints: set[str] = set()
    per: dict[str, int] = {}
    todo = list(SEEDS)
    while todo:
        url = todo.pop(0)
        if url in seen or url.startswith("/static/"):
            continue
        try:
            endpoint = str(adapter.match(url.split("?")[0])[0])
        except Exception:
            endpoint = url
        if per.get(endpoint, 0) >= per_route and url not in SEEDS:
            continue
        per[endpoint] = per.get(endpoint, 0) + 1
        endpoints.add(endpoint)
        response = client.get(url)
        seen[url] = response.status_code
        if response.mimetype == "text/html":
            for link in _HREF.findall(response.get_data(as_text=True)):
                todo.append(link.replace("&amp;", "&"))
            path, _, query = url.partition("?")
            if not path.endswith(".json") and path != "/":
                todo.append(f"{path}.json" + (f"?{query}" if query else ""))
    readable = {r.endpoint for r in app.url_map.iter_rules() if "GET" in (r.methods or ())}
    unvisited = readable - endpoints - UNVISITED  # a crawl GETs: routes that take only POST
    assert not unvisited, f"the crawl reached no page of {sorted(unvisited)}"
    return seen


def test_every_page_answers_200(server: Server, remote_app: Flask) -> None:
    statuses = crawl(remote_app)
    assert len(statuses) > 40
    # 303: the edit form sends an anonymous visitor to the login page
    bad = {url: code for url, code in statuses.items() if code not in (200, 302, 303, 404)}
    assert not bad, bad
    # Only a .json twin the crawl guessed for a page that has none may be missing.
    missing = [u for u, c in statuses.items() if c == 404 and ".json" not in u.split("?")[0]]
    assert not missing, missing


# --- trace and impact --------------------------------------------------------------------------


def test_trace_and_impact_give_the_paths_of_the_embedded_store(
    server: Server, kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    from amkg.cli.main import main

    runner = CliRunner()
    for args in (["trace", "kg:traject-werken-aan-de-toekomst", "kg:spoor-1"],
                 ["impact", "kg:spoor-3"], ["hubs"]):  # fmt: skip
        # --store-url passes the URL on through the environment (to the processes a command
        # starts); in this process it must not outlive the test (undone by monkeypatch).
        monkeypatch.setenv("AMKG_STORE_URL", "")
        embedded = runner.invoke(main, args)
        remote = runner.invoke(main, [*args, "--store-url", server.url])
        assert embedded.exit_code == 0, (args, embedded.output)
        assert remote.exit_code == 0, (args, remote.output)
        assert remote.output == embedded.output, args


# --- loading -----------------------------------------------------------------------------------


def _count(server: Server, graph: str | None = None) -> int:
    config = server.config() if graph is None else server.config(graph=graph)
    store = RemoteStore(config)
    try:
        return store.triple_count()
    finally:
        store.close()


def test_loading_twice_leaves_the_same_triples(server: Server) -> None:
    from rdflib import Graph
    from rdflib.compare import isomorphic

    store = RemoteStore(server.config())
    before = Graph().parse(data=store.dump().decode("utf-8"), format="nt")
    result = load_into(store, Sources.resolve())
    after = Graph().parse(data=store.dump().decode("utf-8"), format="nt")
    assert len(after) == len(before)
    assert isomorphic(after, before)  # the same triples; blank nodes are new ones
    assert result.triples >= len(before)
    assert _count(server, server.config().graph + "/loading") == 0  # nothing left behind


class _FailingStore(RemoteStore):
    """Fails on the ``n``-th write, as a server that goes away half-way would."""

    def __init__(self, config: Any, n: int) -> None:
        super().__init__(config)
        self.writes, self.n = 0, n

    def _fail(self) -> None:
        self.writes += 1
        if self.writes == self.n:
            raise StoreUnavailable(self.config.url, "connection reset (test)")

    def update(self, sparql: str) -> None:
        if sparql.lstrip().startswith("INSERT"):
            self._fail()
        super().update(sparql)

    def gsp_write(self, graph: str, ntriples: bytes, *, replace: bool = False) -> None:
        self._fail()
        super().gsp_write(graph, ntriples, replace=replace)


def test_a_load_that_fails_half_way_leaves_the_previous_graph(
    server: Server, data_copy: Path
) -> None:
    before = _count(server)
    (data_copy / "extra.ttl").write_text(
        "<https://w3id.org/amkg/id/extra> <http://www.w3.org/2000/01/rdf-schema#label> "
        '"extra"@nl .\n',
        encoding="utf-8",
    )
    failing = _FailingStore(server.config(), n=3)
    with pytest.raises(LoadFailed, match=r"writing batch 3/.*left as it was"):
        load_into(failing, Sources.resolve(data_copy), batch_lines=2000)
    assert _count(server) == before
    assert _count(server, server.config().graph + "/loading") == 0


# --- a server that goes away -------------------------------------------------------------------


@pytest.fixture(params=SERVERS)
def own_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A server of this test's own, to stop and start again."""
    name = request.param
    try:
        server = start(name, tmp_path_factory.mktemp(f"own-{name}"))
    except ServerMissing as error:
        if name in required():
            pytest.fail(str(error))
        pytest.skip(str(error))
    try:
        _load(server)
        yield server
    finally:
        server.stop()


def test_a_stopped_server_gives_503_in_dutch_and_the_app_recovers(own_server: Server) -> None:
    from amkg.webui.app import create_app

    config = replace(own_server.config(), retries=1, connect_timeout=2)
    settings = {**own_server.settings(), "STORE_TIMEOUT": 5}
    app = create_app({"TESTING": True, "QUERY_WORKERS": 1, **settings})
    app.extensions["amkg"] = KnowledgeGraph.remote(config)
    client = app.test_client()
    assert client.get("/spoor/3").status_code == 200
    own_server.stop()
    for page in ("/matrix", "/queries/sporen-overzicht", "/zoeken?q=arbeid", "/spoor/3"):
        response = client.get(page)
        assert response.status_code == 503, page
        assert "gegevensbron is op dit moment niet bereikbaar" in response.get_data(as_text=True)
    twin = client.get("/matrix.json")
    assert twin.status_code == 503
    assert "niet bereikbaar" in twin.get_json()["error"]["reason"]
    sparql = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert sparql.status_code == 503
    back = restart(own_server)
    try:
        for page in ("/matrix", "/queries/sporen-overzicht", "/spoor/3", "/zoeken?q=arbeid"):
            assert client.get(page).status_code == 200, page
        sparql = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
        assert sparql.status_code == 200
        assert sparql.get_json()["boolean"] is True
    finally:
        back.stop()


# --- two app instances ----------------------------------------------------------------------


def _serve(server: Server, port: int, home: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "AMKG_STORE_URL": server.url, "AMKG_STORE": str(home)}
    for key, value in server.settings().items():
        if value and key != "STORE_URL":
            env[f"AMKG_{key}"] = str(value)
    command = [sys.executable, "-m", "amkg.cli", "serve", "--host", "127.0.0.1",
               "--port", str(port), "--workers", "1"]  # fmt: skip
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.load(response)


def test_two_app_instances_give_identical_answers(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    try:  # Jena (Fuseki or the ARQ server) where it is installed, else the Oxigraph server
        server = _server("jena", tmp_path_factory)
    except pytest.skip.Exception:
        server = _server("oxigraph", tmp_path_factory)
    ports = [free_port(), free_port()]
    processes = [_serve(server, port, tmp_path) for port in ports]
    try:
        for port, process in zip(ports, processes, strict=True):
            deadline = time.monotonic() + 60
            while True:
                try:
                    _get(f"http://127.0.0.1:{port}/api/queries")
                    break
                except OSError:
                    assert process.poll() is None, process.stderr.read() if process.stderr else ""
                    assert time.monotonic() < deadline, "amkg serve did not answer in time"
                    time.sleep(0.3)
        from urllib.parse import urlencode

        for query in NAMES:
            params = urlencode(load_golden(query)["params"])  # the values of the golden
            answers = [_get(f"http://127.0.0.1:{port}/api/queries/{query}?{params}")
                       for port in ports]  # fmt: skip
            assert answers[0] == answers[1], query
            assert answers[0]["rows"] or not load_golden(query)["rows"], query
    finally:
        for process in processes:
            process.terminate()
            process.wait(15)
            if process.stderr is not None:
                process.stderr.close()


TWINS = ["/index.json", "/spoor/3.json", "/matrix.json", "/tijdlijn.json", "/cijfers.json",
         "/validatie.json", "/ontologie.json", "/queries.json", "/zoeken.json?q=arbeid",
         "/pad.json?from=kg:spoor-1&to=kg:spoor-3", "/api/hubs", "/graph.json",
         "/api/graph/node?id=https://w3id.org/amkg/def%23Measure", "/spoor/1.json",
         "/spoor/2.json", "/spoor/5.json", "/knoppen.json", "/signalen.json",
         "/scenario.json?aan=kg:spoor-2", "/spoor/1/briefing.json",
         "/impact.json?entity=kg:spoor-3", "/zoeken.json?q=vakkracht"]  # fmt: skip


def test_json_twins_equal_those_of_the_embedded_store(
    server: Server, remote_app: Flask, client: Any
) -> None:
    remote = remote_app.test_client()
    differ = [url for url in TWINS if remote.get(url).get_json() != client.get(url).get_json()]
    assert not differ, differ


# --- a reload under a running app ---------------------------------------------------------------


def test_a_running_app_notices_a_reload(
    tmp_path_factory: pytest.TempPathFactory, data_copy: Path
) -> None:
    """``amkg load --into`` writes a new version marker; an app on the server drops what it
    derived (labels, report, prefixes) the next time it looks, and shows the new data."""
    from amkg.webui.app import create_app

    try:
        server = start("oxigraph", tmp_path_factory.mktemp("reload"))
    except ServerMissing as error:
        if "oxigraph" in required():
            pytest.fail(str(error))
        pytest.skip(str(error))
    try:
        store = RemoteStore(server.config())
        load_into(store, Sources.resolve())
        first = store.data_version()
        app = create_app({"TESTING": True, "QUERY_WORKERS": 1, **server.settings()})
        kg = KnowledgeGraph.remote(server.config())
        app.extensions["amkg"] = kg
        client = app.test_client()
        old = "Spoor 3: Tegengaan van concurrentie op arbeidsvoorwaarden"
        assert kg.label_index
        before = client.get("/spoor/3").get_data(as_text=True)
        assert "Spoor 3: herladen" not in before
        sporen = data_copy / "sporen.ttl"
        sporen.write_text(sporen.read_text(encoding="utf-8").replace(old, "Spoor 3: herladen"),
                          encoding="utf-8")  # fmt: skip
        load_into(store, Sources.resolve(data_copy))
        assert store.data_version() not in (None, first)
        kg.version_check_seconds = 0
        page = client.get("/spoor/3").get_data(as_text=True)
        assert "Spoor 3: herladen" in page
        assert page.count(old) < before.count(old)  # the slide of the same name keeps it
        assert kg.label(URIRef("https://w3id.org/amkg/id/spoor-3")) == "Spoor 3: herladen"
        store.close()
    finally:
        server.stop()


def test_the_arq_server_build_is_removed_when_the_process_ends(tmp_path: Path) -> None:
    from tests.servers import arq_classpath

    try:
        arq_classpath()  # installed here? (compiled once per process: cheap when it ran)
    except ServerMissing as error:
        pytest.skip(str(error))
    code = "from tests.servers import arq_classpath; print(arq_classpath().split(':')[0])"
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                         text=True, check=True, timeout=600)  # fmt: skip
    classes = Path(out.stdout.strip())
    assert classes.name == "classes"
    assert classes.parent.name.startswith("amkg-arqserver-")
    assert not classes.parent.exists()
