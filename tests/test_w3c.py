"""The W3C SPARQL 1.1 Protocol tests and query syntax tests, run against the app.

Vendored from w3c/rdf-tests into ``tests/data/w3c/`` (licence and source there). How each
protocol test is read for an endpoint with one default graph and no updates:

* The suite's graph IRIs (``http://kasei.us/2009/09/sparql/data/dataN.rdf``) in a
  ``default-graph-uri`` parameter stand for the endpoint's default graph: the harness puts
  :data:`~webui.sparql.DEFAULT_GRAPH_IRI` in their place, and the app's data is the suite's
  ``data1.nt``-``data3.nt`` (so ``query_dataset_default_graphs_*`` find data1 and data2 in it).
* The tests that need named graphs (``named-graph-uri``, ``GRAPH ?g``) get the documented
  refusal: 400 with a reason that names the parameter.
* The update tests: without a token the documented refusal, 401 with the Bearer challenge;
  with an administrator's token (and a reason and source in ``X-AMKG-*`` headers) the
  documented refusal of graph management: 400 naming what is refused (``CLEAR``, ``DROP``,
  ``GRAPH``, ``using-graph-uri``): an update changes the data of the one default graph only
  (tests/test_sparql_update.py commits one). Their follow-up query is not run.
* Every other test passes as written: status class, ASK boolean, results or RDF format.

Syntax tests: a positive one is never a 400 (except the two in :data:`BY_POLICY`: ``FROM``, and
an extension function the engine lacks, each refused with a reason naming it), a negative one
is a 400; none is ever a 5xx.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from amkg.webui.app import create_app
from amkg.webui.sparql import DEFAULT_GRAPH_IRI, close_pool

W3C = Path(__file__).resolve().parent / "data" / "w3c"
ONTOLOGY = Path(__file__).resolve().parent / "data" / "endpoint" / "ontology"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
SUITE_GRAPHS = {f"http://kasei.us/2009/09/sparql/data/data{n}.rdf" for n in range(4)}
NEEDS_NAMED_GRAPHS = {
    "query_dataset_named_graphs_post",
    "query_dataset_named_graphs_get",
    "query_dataset_full",
    "query_multiple_dataset",
}
RESULT_TYPES = {
    "boolean": ("application/sparql-results+json", "application/sparql-results+xml"),
    "tabular": (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ),
    "RDF": ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"),
}


def _manifest(path: Path) -> Graph:
    return Graph().parse(path, format="turtle", publicID=path.resolve().as_uri())


def _protocol_tests() -> dict[str, list[dict[str, Any]]]:
    graph = _manifest(W3C / "protocol" / "manifest.ttl")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    tests = {}
    for test in Collection(graph, graph.value(manifest, MF.entries)):
        action = graph.value(test, MF.action)
        requests = []
        for request in Collection(graph, graph.value(action, HT.requests)):
            headers_node = graph.value(request, HT.headers)
            headers = {
                str(graph.value(h, HT.fieldName)).lower(): str(graph.value(h, HT.fieldValue))
                for h in (Collection(graph, headers_node) if headers_node else [])
            }
            body = graph.value(request, HT.body)
            response = graph.value(request, HT.resp)
            requests.append({
                "method": str(graph.value(request, HT.methodName)),
                "path": str(graph.value(request, HT.absolutePath)),
                "headers": headers,
                "body": None if body is None else str(graph.value(body, CNT.chars)),
                "encoding": None if body is None else str(graph.value(body, CNT.characterEncoding)),
                "statuses": {str(s).rsplit("#", 1)[-1]
                             for s in graph.objects(response, MF.expectedStatus)},
                "boolean": graph.value(response, MF.expectedBoolean),
                "format": graph.value(response, MF.expectedFormat),
            })  # fmt: skip
        tests[str(test).rsplit("#", 1)[-1]] = requests
    return tests


PROTOCOL = _protocol_tests()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    data = tmp_path_factory.mktemp("w3c-data")
    for n in (1, 2, 3):
        shutil.copy(W3C / "protocol" / f"data{n}.nt", data / f"data{n}.ttl")
    application = create_app({
        "DATA_DIR": str(data), "ONTOLOGY_DIR": str(ONTOLOGY), "QUERY_WORKERS": 1,
        "QUERY_TIMEOUT": 10.0, "QUERY_QUEUE_WAIT": 10.0,
        "ACCOUNTS_PATH": str(data / "accounts.sqlite3"),
    })  # fmt: skip
    accounts = application.extensions["amkg_accounts"]
    accounts.add_user("w3c", "beheerder", "een lang geheim wachtwoord")
    application.config["TEST_TOKEN"] = accounts.create_token("w3c")[1]
    yield application
    close_pool(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _local(path: str) -> tuple[str, str]:
    """The suite's ``/sparql/?...`` as this app's ``/sparql`` and query string, with the
    suite's graph IRIs in ``default-graph-uri`` standing for the default graph."""
    parts = urlsplit(path)
    params = [
        (name, DEFAULT_GRAPH_IRI if name == "default-graph-uri" and value in SUITE_GRAPHS
         else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]  # fmt: skip
    return parts.path.rstrip("/"), urlencode(params)


def _send(client: FlaskClient, request: dict[str, Any]) -> Any:
    path, query_string = _local(request["path"])
    body = request["body"]
    data = None if body is None else body.encode(request["encoding"] or "utf-8")
    if data is not None and request["encoding"] and request["encoding"].upper() == "UTF-16":
        data = body.encode("utf-16")  # with its byte order mark, as a UTF-16 client sends it
    headers = dict(request["headers"])
    content_type = headers.pop("content-type", None)
    return client.open(path, method=request["method"], query_string=query_string, data=data,
                       content_type=content_type, headers=headers)  # fmt: skip


def _status_class(status: int) -> str:
    return f"StatusCode{status // 100}xx"


@pytest.mark.parametrize("name", sorted(PROTOCOL))
def test_w3c_protocol(client: FlaskClient, name: str) -> None:
    requests = PROTOCOL[name]
    first = requests[0]
    reply = _send(client, first)
    assert reply.status_code < 500, reply.get_data(as_text=True)
    assert "Accept" in reply.headers.get("Vary", "")
    if name.startswith("update_"):
        assert reply.status_code == 401
        assert reply.headers["WWW-Authenticate"] == 'Bearer realm="amkg"'
        token = client.application.config["TEST_TOKEN"]
        with_token = {**first, "headers": {**first["headers"], "authorization": f"Bearer {token}",
                      "x-amkg-reason": "W3C", "x-amkg-source-meeting": "test"}}  # fmt: skip
        reply = _send(client, with_token)
        assert reply.status_code == 400, reply.get_data(as_text=True)
        reason = reply.get_json()["error"]["reason"]
        assert any(w in reason for w in ("CLEAR", "DROP", "GRAPH", "graph-uri")), reason
        return
    if name in NEEDS_NAMED_GRAPHS:
        assert reply.status_code == 400
        assert "named-graph-uri" in reply.get_json()["error"]["reason"]
        return
    for request in requests:
        reply = reply if request is first else _send(client, request)
        assert _status_class(reply.status_code) in request["statuses"], reply.get_data(as_text=True)
        if request["format"] is not None:
            assert reply.mimetype in RESULT_TYPES[str(request["format"])]
        if request["boolean"] is not None:
            assert json.loads(reply.data)["boolean"] is bool(request["boolean"].toPython())
        if str(request["format"]) == "RDF":  # parses; the CONSTRUCT (with a base IRI) has a triple
            parsed = Graph().parse(data=reply.data, format=reply.mimetype)
            assert len(parsed) == (1 if name == "query_content_type_construct" else len(parsed))


def test_the_protocol_suite_is_all_here() -> None:
    assert len(PROTOCOL) == 34
    assert set(PROTOCOL) >= NEEDS_NAMED_GRAPHS


# --- query syntax -----------------------------------------------------------------------------


def _syntax_tests() -> list[tuple[str, bool, Path]]:
    folder = W3C / "syntax-query"
    graph = _manifest(folder / "manifest.ttl")
    tests = []
    for kind, positive in (("PositiveSyntaxTest11", True), ("NegativeSyntaxTest11", False)):
        for test in graph.subjects(RDF.type, MF[kind]):
            action = graph.value(test, MF.action)
            assert isinstance(action, URIRef)
            path = folder / action.rsplit("/", 1)[-1]
            tests.append((path.name, positive, path))
    return sorted(tests)


SYNTAX = _syntax_tests()
#: Positive syntax tests refused by policy (400 with a reason that names what is refused):
#: FROM (never a graph from elsewhere), and an extension function the engine does not have
#: (it parses, but cannot be evaluated: a clean 400 that names it, not a 500).
BY_POLICY = {
    "syntax-construct-where-02.rq": "FROM",
    "syntax-select-expr-04.rq": "function <http://example/function> is not supported",
}


@pytest.mark.parametrize(("name", "positive", "path"), SYNTAX, ids=[t[0] for t in SYNTAX])
def test_w3c_query_syntax(client: FlaskClient, name: str, positive: bool, path: Path) -> None:
    text = path.read_bytes()
    reply = client.post("/sparql", data=text, content_type="application/sparql-query")
    assert reply.status_code < 500, reply.get_data(as_text=True)
    if positive and name in BY_POLICY:
        assert reply.status_code == 400
        assert BY_POLICY[name] in reply.get_json()["error"]["reason"]
    elif positive:
        assert reply.status_code != 400, reply.get_json()
    else:
        assert reply.status_code == 400


def test_the_syntax_suite_is_all_here() -> None:
    assert len(SYNTAX) == 94
