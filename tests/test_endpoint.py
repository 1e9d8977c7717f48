"""/sparql through Flask's test client: the protocol, formats, refusals, bounds, time limit."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import VOID

from amkg.webui.app import create_app
from amkg.webui.sparql import close_pool, get_pool

HERE = Path(__file__).resolve().parent / "data" / "endpoint"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
CONFIG = {
    "DATA_DIR": str(HERE / "data"),
    "ONTOLOGY_DIR": str(HERE / "ontology"),
    "QUERY_TIMEOUT": 1.0,
    "QUERY_WORKERS": 2,
    "QUERY_QUEUE_WAIT": 3.0,
    "ROW_LIMIT": 20,
    "MAX_QUERY_CHARS": 40_000,
    "MAX_BODY_BYTES": 64 * 1024,
}
TRACKS = "SELECT ?t WHERE { ?t a <https://w3id.org/amkg/def#Track> } ORDER BY ?t"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
LONG_QUERY = """SELECT (COUNT(*) AS ?n) WHERE {
  ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o .
  FILTER(REGEX(CONCAT(STR(?c), STR(?f), STR(?i), STR(?l), STR(?o)), "^(a|b|ab)*x$"))
}"""
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    application = create_app(CONFIG)
    yield application
    close_pool(application)


@pytest.fixture(scope="module")
def rdflib_app() -> Iterator[Flask]:
    """The same endpoint on the rdflib engine: the one that would fetch FROM graphs."""
    application = create_app({**CONFIG, "QUERY_ENGINE": "rdflib"})
    yield application
    close_pool(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def client_at(app: Flask, address: str) -> FlaskClient:
    """A test client that comes from ``address`` (the pool shares workers per client)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def count_triples(client: FlaskClient) -> int:
    reply = client.get("/sparql", query_string={"query": COUNT})
    return int(reply.get_json()["results"]["bindings"][0]["n"]["value"])


def wait_until_idle(app: Flask) -> None:
    pool = get_pool(app)
    deadline = time.monotonic() + 30
    while pool.idle_count() < pool.size:
        assert time.monotonic() < deadline, "the worker pool did not recover"
        time.sleep(0.05)


# --- the protocol ---------------------------------------------------------------------------


def test_get_form_post_and_direct_post_give_the_same_answer(client: FlaskClient) -> None:
    by_get = client.get("/sparql", query_string={"query": TRACKS})
    by_form = client.post("/sparql", data={"query": TRACKS}, content_type=FORM)
    by_body = client.post("/sparql", data=TRACKS, content_type="application/sparql-query")
    assert by_get.status_code == by_form.status_code == by_body.status_code == 200
    assert by_get.data == by_form.data == by_body.data
    assert by_get.mimetype == "application/sparql-results+json"
    assert len(by_get.get_json()["results"]["bindings"]) == 5
    assert by_get.headers["X-AMKG-Truncated"] == "false"
    assert by_get.headers["X-AMKG-Rows"] == "5"


RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_TYPES = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
RDFLIB_NAMES = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdfxml": "xml"}


@pytest.mark.parametrize("by", ["accept", "format"])
@pytest.mark.parametrize(("fmt", "media"), RESULT_TYPES.items())
def test_select_and_ask_in_every_results_format(
    client: FlaskClient, fmt: str, media: str, by: str
) -> None:
    for query, check in ((TRACKS, b"spoor-5"), ("ASK { ?s ?p ?o }", b"true")):
        params: dict[str, str] = {"query": query}
        headers = {"Accept": media} if by == "accept" else {}
        if by == "format":
            params["format"] = fmt
        reply = client.get("/sparql", query_string=params, headers=headers)
        assert reply.status_code == 200
        assert reply.mimetype == media
        assert check in reply.data


@pytest.mark.parametrize("by", ["accept", "format"])
@pytest.mark.parametrize(("fmt", "media"), GRAPH_TYPES.items())
def test_construct_and_describe_in_every_graph_format(
    client: FlaskClient, fmt: str, media: str, by: str
) -> None:
    queries = {
        "CONSTRUCT WHERE { ?t a <https://w3id.org/amkg/def#Track> }": 5,
        "DESCRIBE <https://w3id.org/amkg/id/spoor-1>": 4,
    }
    for query, size in queries.items():
        params = {"query": query, **({"format": fmt} if by == "format" else {})}
        headers = {"Accept": media} if by == "accept" else {}
        reply = client.get("/sparql", query_string=params, headers=headers)
        assert reply.status_code == 200
        assert reply.mimetype == media
        graph = Graph().parse(data=reply.data, format=RDFLIB_NAMES[fmt])
        assert len(graph) == size


def test_q_values_choose_and_the_default_is_json_or_turtle(client: FlaskClient) -> None:
    accept = "application/sparql-results+json;q=0.2, text/csv;q=0.8, */*;q=0.1"
    assert client.get("/sparql", query_string={"query": TRACKS},
                      headers={"Accept": accept}).mimetype == "text/csv"  # fmt: skip
    assert client.get("/sparql", query_string={"query": TRACKS}).mimetype == RESULT_TYPES["json"]
    built = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s a ?c }"})
    assert built.mimetype == "text/turtle"


def test_a_format_that_does_not_fit_is_a_400(client: FlaskClient) -> None:
    reply = client.get("/sparql", query_string={"query": TRACKS, "format": "ttl"})
    assert reply.status_code == 400
    assert "does not fit" in reply.get_json()["error"]["reason"]


def test_the_service_description(client: FlaskClient, app: Flask) -> None:
    reply = client.get("/sparql")
    assert reply.status_code == 200
    assert reply.mimetype == "text/turtle"
    graph = Graph().parse(data=reply.data, format="turtle")
    service = graph.value(predicate=RDF.type, object=SD.Service)
    assert graph.value(service, SD.endpoint) == URIRef("http://localhost/sparql")
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    formats = set(graph.objects(service, SD.resultFormat))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert URIRef("http://www.w3.org/ns/formats/Turtle") in formats
    assert len(formats) == 8
    assert len(set(graph.objects(service, SD.feature))) >= 3
    default_graph = graph.value(graph.value(service, SD.defaultDataset), SD.defaultGraph)
    triples = app.extensions["amkg"].store.triple_count()
    assert graph.value(default_graph, VOID.triples) == Literal(triples)
    as_jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert as_jsonld.mimetype == "application/ld+json"
    assert len(Graph().parse(data=as_jsonld.data, format="json-ld")) == len(graph)
    assert client.get("/sparql?format=nt").mimetype == "application/n-triples"


def test_cors_for_reads_and_the_preflight(client: FlaskClient) -> None:
    for reply in (
        client.get("/sparql", query_string={"query": TRACKS}),
        client.post("/sparql", data={"query": TRACKS}, content_type=FORM),
        client.get("/sparql"),
        client.get("/sparql", query_string={"query": "SELECT"}),  # errors too
    ):
        assert reply.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/sparql", headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"})  # fmt: skip
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


# --- refusals -------------------------------------------------------------------------------

INSERT = "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }"


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"method": "POST", "data": {"update": INSERT}, "content_type": FORM},
        {"method": "POST", "data": INSERT, "content_type": "application/sparql-update"},
        {"method": "GET", "query_string": {"update": INSERT}},
    ],
)  # fmt: skip
def test_anonymous_updates_are_refused_and_change_nothing(
    client: FlaskClient, request_kwargs: dict[str, Any]
) -> None:
    """An update without a token: 401 with the Bearer challenge (issue 11; an update with a
    token is tested in tests/test_sparql_update.py)."""
    before = count_triples(client)
    reply = client.open("/sparql", **request_kwargs)
    assert reply.status_code == 401
    assert reply.headers["WWW-Authenticate"] == 'Bearer realm="amkg"'
    assert "read-only" in reply.get_json()["error"]["reason"]
    assert count_triples(client) == before


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"method": "POST", "data": {"query": INSERT}, "content_type": FORM},
        {"method": "POST", "data": "DELETE WHERE { ?s ?p ?o }",
         "content_type": "application/sparql-query"},
        {"method": "GET", "query_string": {"query": "CLEAR ALL"}},
    ],
)  # fmt: skip
def test_an_update_sent_as_a_query_is_refused_and_changes_nothing(
    client: FlaskClient, request_kwargs: dict[str, Any]
) -> None:
    before = count_triples(client)
    reply = client.open("/sparql", **request_kwargs)
    assert reply.status_code == 403
    assert "read-only" in reply.get_json()["error"]["reason"]
    assert count_triples(client) == before


class _Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        type(self).seen.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle")
        self.end_headers()
        self.wfile.write(b"<http://x/a> <http://x/b> <http://x/c> .")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[str, list[str]]]:
    """A throwaway HTTP server on loopback that records every request it gets."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.seen
    server.shutdown()
    server.server_close()
    thread.join(5)


OUTBOUND = [
    "SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?x ?y ?z . SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
    "LOAD <{url}/data.ttl>",
    "SELECT * FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}",
    "SELECT * FROM NAMED <{url}/data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "CONSTRUCT {{ ?s ?p ?o }} FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}",
    "ASK FROM <{url}/data.ttl> {{ ?s ?p ?o }}",
    # rdflib's parse tree shows no SERVICE in these two; pyoxigraph would call out (test_guard)
    'SELECT * {{\n ?s ?p ?o FILTER(?o != "a\\u0022) # ") SERVICE <{url}/u> {{ ?a ?b ?c }}\n}}',
    "SELECT * WHERE {{ # \r SERVICE <{url}/cr> {{ ?a ?b ?c }} \n}}",
]


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("template", OUTBOUND)
def test_no_outbound_request_is_ever_made(
    request: pytest.FixtureRequest, listener: tuple[str, list[str]], template: str, engine: str
) -> None:
    url, seen = listener
    app = request.getfixturevalue("app" if engine == "oxigraph" else "rdflib_app")
    client = app.test_client()
    query = template.format(url=url)
    for reply in (
        client.get("/sparql", query_string={"query": query}),
        client.post("/sparql", data=query, content_type="application/sparql-query"),
    ):
        assert reply.status_code == 400
        assert "not allowed" in reply.get_json()["error"]["reason"]
    assert seen == []


@pytest.mark.parametrize("name", ["default-graph-uri", "named-graph-uri"])
def test_dataset_parameters_are_refused(
    client: FlaskClient, listener: tuple[str, list[str]], name: str
) -> None:
    url, seen = listener
    reply = client.get("/sparql", query_string={"query": TRACKS, name: f"{url}/g"})
    assert reply.status_code == 400
    assert name in reply.get_json()["error"]["reason"]
    assert seen == []


def test_malformed_sparql_gets_the_parsers_message(client: FlaskClient) -> None:
    reply = client.get("/sparql", query_string={"query": "SELECT ?s\nWHERE { ?s ?p }"})
    assert reply.status_code == 400
    error = reply.get_json()["error"]
    assert error["status"] == 400
    assert error["title"] == "Bad Request"
    assert "line 2, column" in error["reason"]


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"method": "POST", "data": TRACKS, "content_type": "text/plain"}, 415),
        ({"method": "POST", "data": {"format": "json"}, "content_type": FORM}, 400),
        ({"method": "GET", "query_string": [("query", TRACKS), ("query", TRACKS)]}, 400),
        ({"method": "GET", "query_string": {"query": TRACKS, "format": "yaml"}}, 400),
        ({"method": "GET", "query_string": {"query": ""}}, 400),
        ({"method": "PUT", "data": TRACKS}, 405),
    ],
)
def test_bad_requests(client: FlaskClient, kwargs: dict[str, Any], status: int) -> None:
    reply = client.open("/sparql", **kwargs)
    assert reply.status_code == status
    assert reply.get_json()["error"]["reason"]


# --- bounds ---------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_a_413(client: FlaskClient) -> None:
    body = TRACKS + " #" + "x" * (64 * 1024)
    for kwargs in ({"data": body, "content_type": "application/sparql-query"},
                   {"data": {"query": body}, "content_type": FORM}):  # fmt: skip
        reply = client.post("/sparql", **kwargs)
        assert reply.status_code == 413
        assert reply.get_json()["error"]["reason"]


def test_a_query_over_the_character_limit_is_a_400(client: FlaskClient) -> None:
    reply = client.post("/sparql", data=TRACKS + " " * 40_000,
                        content_type="application/sparql-query")  # fmt: skip
    assert reply.status_code == 400
    assert "the limit is 40000" in reply.get_json()["error"]["reason"]


def test_ten_thousand_nested_parentheses_are_a_clean_400(client: FlaskClient) -> None:
    query = "SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }"
    reply = client.post("/sparql", data=query, content_type="application/sparql-query")
    assert reply.status_code == 400
    assert "levels deep" in reply.get_json()["error"]["reason"]
    assert client.get("/sparql", query_string={"query": TRACKS}).status_code == 200


def test_nesting_up_to_the_limit_still_parses(client: FlaskClient) -> None:
    query = "SELECT * WHERE { FILTER(" + "(" * 60 + "true" + ")" * 60 + ") }"
    assert client.get("/sparql", query_string={"query": query}).status_code == 200


def test_the_row_limit_is_stated_in_a_header(client: FlaskClient) -> None:
    reply = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert reply.headers["X-AMKG-Truncated"] == "true"
    assert reply.headers["X-AMKG-Rows"] == "20"
    assert len(reply.get_json()["results"]["bindings"]) == 20
    assert "X-AMKG-Truncated" in reply.headers["Access-Control-Expose-Headers"]


# --- the time limit -------------------------------------------------------------------------


def test_an_overrun_is_a_503_while_another_client_is_served(app: Flask) -> None:
    wait_until_idle(app)
    outcome: dict[str, Any] = {}

    def slow_client() -> None:
        started = time.monotonic()
        reply = client_at(app, "192.0.2.1").get("/sparql", query_string={"query": LONG_QUERY})
        outcome.update(
            seconds=time.monotonic() - started,
            ended=time.monotonic(),
            status=reply.status_code,
            error=reply.get_json()["error"],
            retry=reply.headers.get("Retry-After"),
        )

    thread = threading.Thread(target=slow_client)
    thread.start()
    time.sleep(0.3)
    quick = client_at(app, "192.0.2.2").get("/sparql", query_string={"query": TRACKS})
    answered = time.monotonic()
    assert quick.status_code == 200
    thread.join(10)
    assert answered < outcome["ended"]  # answered while the slow query still ran
    assert outcome["status"] == 503
    assert outcome["error"]["reason"] == "query stopped after 1 s (the time limit)"
    assert outcome["retry"]
    assert 1 <= outcome["seconds"] < 5
    wait_until_idle(app)


def test_a_full_pool_is_a_429_with_retry_after(app: Flask) -> None:
    wait_until_idle(app)
    pool = get_pool(app)
    pool.queue_wait = 0.2
    try:
        threads = [threading.Thread(target=client_at(app, f"192.0.2.{n}").get, args=("/sparql",),
                                    kwargs={"query_string": {"query": LONG_QUERY}})
                   for n in range(pool.size)]  # fmt: skip
        for thread in threads:
            thread.start()
        time.sleep(0.3)
        reply = client_at(app, "192.0.2.99").get("/sparql", query_string={"query": TRACKS})
        assert reply.status_code == 429  # a refusal for load, never a 5xx
        assert int(reply.headers["Retry-After"]) >= 1
        assert "busy" in reply.get_json()["error"]["reason"]
        for thread in threads:
            thread.join(10)
    finally:
        pool.queue_wait = CONFIG["QUERY_QUEUE_WAIT"]
    wait_until_idle(app)


def test_the_issues_large_limit_answers_200_with_the_cap_stated(app: Flask) -> None:
    """Issue 15's runaway answer: a LIMIT far above the row cap is cut while it is read, the
    answer says so, and no worker died or was replaced for it."""
    wait_until_idle(app)
    pids = {worker.process.pid for worker in get_pool(app)._live}
    query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 2000000"
    reply = app.test_client().get("/sparql", query_string={"query": query})
    assert reply.status_code == 200
    assert reply.headers["X-AMKG-Truncated"] == "true"
    assert reply.headers["X-AMKG-Truncated-By"] == "rows"
    assert reply.headers["X-AMKG-Rows"] == str(CONFIG["ROW_LIMIT"])
    assert len(reply.get_json()["results"]["bindings"]) == CONFIG["ROW_LIMIT"]
    assert {worker.process.pid for worker in get_pool(app)._live} == pids
    assert all(worker.process.is_alive() for worker in get_pool(app)._live)


def test_the_flat_7000_term_query_is_a_400_with_its_reason(app: Flask) -> None:
    """The query that overflowed pyoxigraph's stack: refused by the guard, the workers alive."""
    wait_until_idle(app)
    pids = {worker.process.pid for worker in get_pool(app)._live}
    flat = "SELECT * WHERE { FILTER(" + "+".join(["1"] * 7000) + " > 0) }"
    reply = app.test_client().post("/sparql", data=flat, content_type="application/sparql-query")
    assert reply.status_code == 400
    assert "more than 1000 operators" in reply.get_json()["error"]["reason"]
    assert {worker.process.pid for worker in get_pool(app)._live} == pids
    assert app.test_client().get("/sparql", query_string={"query": TRACKS}).status_code == 200
