"""The remote store without a real server: binding by VALUES, errors, credentials, batches.

The real servers are in tests/test_remote_servers.py (marker ``servers``).
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.remote import RemoteQueryError, RemoteStore, StoreUnavailable
from amkg.graph.remote_config import RemoteConfig, credentials, default_update_url
from amkg.graph.remote_load import needs_template, ntriples_batches
from amkg.graph.store import BindingError
from amkg.graph.values import UnfaithfulValues, subselect_groups, where_brace, with_values
from amkg.queries.binding import bind
from amkg.queries.catalogue import default_catalogue
from amkg.queries.golden import golden_rows
from tests.servers import free_port

NAMES = [q.name for q in default_catalogue()]


@pytest.mark.parametrize("name", NAMES)
def test_values_in_the_text_give_what_the_store_binds(kg: KnowledgeGraph, name: str) -> None:
    """What a remote store sends (the values as a VALUES block) answers like the embedded
    store's own binding, for every catalogue query with its default parameters."""
    query = default_catalogue().get(name)
    bindings = bind(query, {}, kg)
    expected = golden_rows(kg.store.query(query.sparql, bindings).rows)
    assert golden_rows(kg.store.query(with_values(query.sparql, bindings)).rows) == expected


def test_omgeving_at_every_depth_binds_inside_its_sub_selects(kg: KnowledgeGraph) -> None:
    query = default_catalogue().get("omgeving")
    # the grouping, one per distance and two for the most specific class (which bind none)
    assert len(subselect_groups(query.sparql)) == 6
    for depth in ("1", "2", "3"):
        bindings = bind(query, {"depth": depth}, kg)
        text = with_values(query.sparql, bindings)
        assert text.count("VALUES (?entity ?depth") == 4 + 1
        expected = golden_rows(kg.store.query(query.sparql, bindings).rows)
        assert golden_rows(kg.store.query(text).rows) == expected


def test_where_brace_skips_strings_comments_and_iris() -> None:
    text = 'PREFIX a: <http://x/>\n# WHERE {\nSELECT ?s WHERE { ?s a:p "}{ WHERE" }'
    assert text[where_brace(text) :].startswith('{ ?s a:p "}')
    construct = "CONSTRUCT { ?s ?p ?o } { ?s ?p ?o }"
    assert where_brace(construct) == construct.index("} {") + 2
    assert where_brace("ASK { ?s ?p ?o }") == 4


def test_a_value_that_would_read_back_differently_is_refused() -> None:
    with pytest.raises(UnfaithfulValues):
        with_values("SELECT ?q WHERE { ?s ?p ?q }", {"q": Literal("a\\u0022b")})
    with pytest.raises(UnfaithfulValues):
        with_values("SELECT * WHERE { ?s ?p ?o }", {"not a name": Literal("x")})


# --- a server that is not there or answers nonsense ----------------------------------------


class _Garbage(http.server.BaseHTTPRequestHandler):
    status = 200
    body = b"<html>not a result</html>"
    content_type = "text/html"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(self.status)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def garbage_server() -> Iterator[tuple[str, type[_Garbage]]]:
    handler = type("Handler", (_Garbage,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/query", handler
    server.shutdown()
    server.server_close()


def test_an_unreachable_server_is_one_line_of_store_unavailable() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    store = RemoteStore(RemoteConfig(url, retries=1, backoff=0, connect_timeout=1))
    with pytest.raises(StoreUnavailable) as caught:
        store.query("ASK { ?s ?p ?o }")
    assert url in str(caught.value)
    assert "\n" not in str(caught.value)


def test_garbage_and_refusals(garbage_server: tuple[str, type[_Garbage]]) -> None:
    url, handler = garbage_server
    store = RemoteStore(RemoteConfig(url, retries=0))
    with pytest.raises(StoreUnavailable, match="not a SPARQL result"):
        store.query("ASK { ?s ?p ?o }")
    handler.content_type, handler.body = "application/sparql-results+json", b"{not json"
    with pytest.raises(StoreUnavailable, match="not a SPARQL result"):
        store.query("ASK { ?s ?p ?o }")
    handler.status, handler.content_type, handler.body = 400, "text/plain", b"Parse error\nline 2"
    with pytest.raises(RemoteQueryError, match="Parse error line 2"):
        store.query("ASK { ?s ?p ?o }")
    handler.status = 503
    with pytest.raises(StoreUnavailable, match="HTTP 503"):
        store.query("ASK { ?s ?p ?o }")


def test_results_are_normalised_like_the_embedded_stores(
    garbage_server: tuple[str, type[_Garbage]],
) -> None:
    url, handler = garbage_server
    handler.content_type = "application/sparql-results+json"
    handler.body = b"""{"head": {"vars": ["n", "d", "l", "b", "u", "x"]}, "results": {"bindings": [
      {"n": {"type": "typed-literal", "value": "050",
             "datatype": "http://www.w3.org/2001/XMLSchema#integer"},
       "d": {"type": "literal", "value": "50.00",
             "datatype": "http://www.w3.org/2001/XMLSchema#decimal"},
       "l": {"type": "literal", "value": "Spoor", "xml:lang": "NL"},
       "b": {"type": "typed-literal", "value": "1",
             "datatype": "http://www.w3.org/2001/XMLSchema#boolean"},
       "u": {"type": "uri", "value": "https://w3id.org/amkg/id/spoor-1"}}]}}"""
    row = RemoteStore(RemoteConfig(url)).query("SELECT * WHERE { ?s ?p ?o }").rows[0]
    assert str(row["n"]) == "50"
    assert str(row["d"]) == "50.0"
    assert row["l"] == Literal("Spoor", lang="nl")
    assert str(row["b"]) == "true"
    assert row["u"] == URIRef("https://w3id.org/amkg/id/spoor-1")
    assert "x" not in row


def test_virtuosos_blank_node_labels_and_ask_table_are_read(
    garbage_server: tuple[str, type[_Garbage]],
) -> None:
    """pyoxigraph's parser refuses "nodeID://b10005" as a blank node label: such an answer is
    read term by term, and the same terms come out (a repeated node is one node)."""
    url, handler = garbage_server
    handler.content_type = "application/sparql-results+json"
    handler.body = b"""{"head": {"vars": ["s", "n"]}, "results": {"bindings": [
      {"s": {"type": "bnode", "value": "nodeID://b10005"},
       "n": {"type": "typed-literal", "value": "07",
             "datatype": "http://www.w3.org/2001/XMLSchema#integer"}},
      {"s": {"type": "bnode", "value": "nodeID://b10005"}}]}}"""
    store = RemoteStore(RemoteConfig(url))
    rows = store.query("SELECT * WHERE { ?s ?p ?o }").rows
    assert rows[0]["s"] == rows[1]["s"] == BNode("nodeID://b10005")
    assert str(rows[0]["n"]) == "7"
    assert "n" not in rows[1]
    handler.body = b"""{"head": {"vars": ["__ASK_RETVAL"]}, "results": {"bindings": [
      {"__ASK_RETVAL": {"type": "typed-literal", "value": "1",
       "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}}"""
    assert store.query("ASK { ?s ?p ?o }").boolean is True


def test_a_bound_variable_must_be_projected_as_on_the_embedded_store() -> None:
    store = RemoteStore(RemoteConfig(f"http://127.0.0.1:{free_port()}/query", retries=0))
    with pytest.raises(BindingError):
        store.query("SELECT ?o WHERE { ?s ?p ?o }", {"s": URIRef("http://x")})


def test_an_app_whose_store_is_down_answers_503_in_dutch() -> None:
    from amkg.webui.app import create_app

    app = create_app({"TESTING": True, "STORE_URL": f"http://127.0.0.1:{free_port()}/query"})
    app.extensions["amkg"].store.config = RemoteConfig(
        app.config["STORE_URL"], retries=0, connect_timeout=1
    )
    client = app.test_client()
    page = client.get("/matrix")
    assert page.status_code == 503
    assert "De gegevensbron is op dit moment niet bereikbaar" in page.get_data(as_text=True)
    twin = client.get("/matrix.json?lang=en")
    assert twin.status_code == 503
    assert "cannot be reached" in twin.get_json()["error"]["reason"]


# --- settings --------------------------------------------------------------------------------


def test_credentials_come_from_the_environment_or_a_file(tmp_path: Path) -> None:
    assert credentials({}) is None
    assert credentials({"AMKG_STORE_USER": "u", "AMKG_STORE_PASSWORD": "p"}) == ("u", "p")
    secret = tmp_path / "secret"
    secret.write_text("loader:s3cr:et\n", encoding="utf-8")
    assert credentials({"AMKG_STORE_CREDENTIALS": str(secret)}) == ("loader", "s3cr:et")


def test_update_endpoint_defaults() -> None:
    assert default_update_url("http://h:3030/ds/query") == "http://h:3030/ds/update"
    assert default_update_url("http://h:8890/sparql") == "http://h:8890/sparql"


def test_batches_keep_a_blank_nodes_triples_together() -> None:
    a, b = ox.BlankNode("a"), ox.BlankNode("b")
    p = ox.NamedNode("http://p")
    triples = [ox.Triple(ox.NamedNode(f"http://s{i}"), p, ox.Literal(str(i))) for i in range(5)]
    triples += [ox.Triple(ox.NamedNode("http://u"), p, a), ox.Triple(a, p, b),
                ox.Triple(b, p, ox.Literal("x")), ox.Triple(b, p, ox.Literal("y"))]  # fmt: skip
    batches = ntriples_batches(triples, 2)
    with_blanks = [batch for batch in batches if b"_:" in batch]
    assert len(with_blanks) == 1
    assert with_blanks[0].count(b"\n") == 4
    assert sum(batch.count(b"\n") for batch in batches) == len(triples)


def test_durations_go_out_in_template_batches() -> None:
    """Virtuoso 7.2 refuses an xsd:duration literal in INSERT DATA (SR553)."""
    p = ox.NamedNode("http://p")
    duration = ox.Literal("P1M", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#duration"))
    triples = [ox.Triple(ox.NamedNode("http://s"), p, duration)]
    triples += [ox.Triple(ox.NamedNode(f"http://s{i}"), p, ox.Literal(str(i))) for i in range(3)]
    batches = ntriples_batches(triples, 10)
    assert [needs_template(batch.decode()) for batch in batches] == [False, True]
    assert b"P1M" in batches[1]


def test_batches_with_blank_nodes_come_last_in_their_own_size() -> None:
    p = ox.NamedNode("http://p")
    triples = [ox.Triple(ox.NamedNode(f"http://s{i}"), p, ox.Literal(str(i))) for i in range(6)]
    for i in range(6):  # six blank nodes of two triples each, between the others
        node = ox.BlankNode(f"b{i}")
        triples[i:i] = [ox.Triple(ox.NamedNode("http://u"), p, node),
                        ox.Triple(node, p, ox.Literal(str(i)))]  # fmt: skip
    batches = ntriples_batches(triples, 6, 4)
    lines = [(batch.count(b"\n"), b"_:" in batch) for batch in batches]
    assert lines == [(6, False), (4, True), (4, True), (4, True)]
    assert [(b.count(b"\n"), b"_:" in b) for b in ntriples_batches(triples, 6)] == [
        (6, False), (6, True), (6, True)]  # fmt: skip


# --- a reload under a running app ------------------------------------------------------------


class _Reloadable:
    """An embedded store that says which load it holds, as a remote store's metadata does."""

    name = "remote"

    def __init__(self, inner: object) -> None:
        self.inner, self.version, self.asked = inner, "load-1", 0
        self.loaded_prefixes = {"x": "http://x/1#"}

    def query(self, sparql: str, bindings: object = None) -> object:
        return self.inner.query(sparql, bindings)  # type: ignore[attr-defined]

    def data_version(self) -> str:
        self.asked += 1
        return self.version

    def prefixes(self) -> dict[str, str]:
        return dict(self.loaded_prefixes)


def test_what_was_derived_is_made_again_after_a_reload(kg: KnowledgeGraph) -> None:
    store = _Reloadable(kg.store)
    graph = KnowledgeGraph(store, prefixes=store.prefixes())  # type: ignore[arg-type]
    made: list[int] = []
    make = lambda: made.append(1) or len(made)  # noqa: E731
    assert graph.derived("thing", make) == 1
    spoor = URIRef("https://w3id.org/amkg/id/spoor-3")
    assert graph.label(spoor).startswith("Spoor 3")
    store.version, store.loaded_prefixes = "load-2", {"x": "http://x/2#"}
    assert graph.derived("thing", make) == 1, "looked again before the interval was over"
    assert store.asked == 1
    graph.version_check_seconds = 0
    assert graph.derived("thing", make) == 2
    assert graph.prefixes["x"] == "http://x/2#"
    assert graph.derived("thing", make) == 2, "the same load: kept"
    assert store.asked == 3
    assert graph.label(spoor).startswith("Spoor 3")


def test_an_unreachable_store_keeps_what_was_derived(kg: KnowledgeGraph) -> None:
    store = _Reloadable(kg.store)
    graph = KnowledgeGraph(store)  # type: ignore[arg-type]
    graph.version_check_seconds = 0
    assert graph.derived("thing", lambda: 1) == 1

    def gone() -> str:
        raise StoreUnavailable("http://127.0.0.1:1/query", "connection refused (test)")

    store.data_version = gone  # type: ignore[method-assign]
    assert graph.derived("thing", lambda: 2) == 1


@pytest.mark.parametrize(
    "graph", ["https://x/g> } ; DROP ALL ; INSERT DATA { GRAPH <https://x/h", "no-scheme", "a b:c"]
)
def test_a_graph_name_that_could_leave_its_brackets_is_refused(graph: str) -> None:
    """Graph names are written into update text (GRAPH <...>): refused when made, not sent."""
    with pytest.raises(ValueError, match="absolute IRI"):
        RemoteConfig("http://127.0.0.1:1/query", graph=graph)
    assert RemoteConfig("http://127.0.0.1:1/query", graph="urn:x:g").graph == "urn:x:g"
