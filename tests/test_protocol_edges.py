"""The SPARQL 1.1 Protocol's edges on /sparql, the health probe and the logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder, TestResponse

from amkg.webui import logs
from amkg.webui.app import create_app
from amkg.webui.sparql import DEFAULT_GRAPH_IRI, close_pool, get_pool

HERE = Path(__file__).resolve().parent / "data" / "endpoint"
CONFIG = {
    "DATA_DIR": str(HERE / "data"),
    "ONTOLOGY_DIR": str(HERE / "ontology"),
    "QUERY_TIMEOUT": 1.0,
    "QUERY_WORKERS": 1,
    "QUERY_QUEUE_WAIT": 5.0,
    "MAX_BODY_BYTES": 4096,
}
ASK = "ASK { ?s ?p ?o }"
TRACKS = "SELECT ?t WHERE { ?t a <https://w3id.org/amkg/def#Track> }"
QUERY = "application/sparql-query"


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    application = create_app(CONFIG)
    yield application
    close_pool(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _reason(reply: object) -> str:
    return str(reply.get_json()["error"]["reason"])  # type: ignore[attr-defined]


def test_a_utf16_body_is_a_400(client: FlaskClient) -> None:
    reply = client.post("/sparql", data="ASK {}".encode("utf-16"),
                        content_type="application/sparql-query; charset=UTF-16")  # fmt: skip
    assert reply.status_code == 400
    assert "UTF-8" in _reason(reply)


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        ({"data": b"ASK {} #\xff\xfe", "content_type": QUERY}, "query body"),
        ({"data": b"query=ASK%20%7B%7D%23%FF", "content_type": "application/x-www-form-urlencoded"},
         "form body"),
        ({"method": "GET", "query_string": "query=ASK%20%7B%7D%23%C3%28"}, "URL"),
    ],
)  # fmt: skip
def test_bytes_that_are_not_utf8_are_a_400(
    client: FlaskClient, kwargs: dict[str, object], where: str
) -> None:
    reply = client.open("/sparql", **{"method": "POST", **kwargs})  # type: ignore[arg-type]
    assert reply.status_code == 400
    assert _reason(reply) == f"the {where} is not valid UTF-8 (SPARQL 1.1 Protocol)"


def _chunked(client: FlaskClient, body: bytes) -> TestResponse:
    """A POST without Content-Length, as a chunked request reaches the app."""
    environ = EnvironBuilder("/sparql", method="POST", input_stream=io.BytesIO(body),
                             content_type=QUERY).get_environ()  # fmt: skip
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input_terminated"] = True
    return client.open(environ)


def test_a_chunked_body_over_the_cap_is_a_413(client: FlaskClient) -> None:
    reply = _chunked(client, b"ASK {} " + b"#" * 10_000)
    assert reply.status_code == 413
    assert "4096 bytes" in _reason(reply)
    assert _chunked(client, b"ASK {}").status_code == 200


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        (ASK, "image/png"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "application/sparql-results+json"),
        (TRACKS, "text/turtle"),
    ],
)
def test_an_accept_nothing_fits_is_a_406(client: FlaskClient, query: str, accept: str) -> None:
    reply = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert reply.status_code == 406
    assert "Accept" in _reason(reply)
    assert reply.headers["Vary"] == "Accept"


@pytest.mark.parametrize(
    "query_string",
    [{"query": "SELECT"}, {"query": "SELECT * WHERE { SERVICE <http://x> { ?s ?p ?o } }"}, {}],
)
def test_every_answer_and_error_varies_by_accept(
    client: FlaskClient, query_string: dict[str, str]
) -> None:
    reply = client.get("/sparql", query_string=query_string)
    assert "Accept" in reply.headers["Vary"]


def test_default_graph_uri_may_name_the_default_graph(client: FlaskClient) -> None:
    both = {"query": ASK, "default-graph-uri": DEFAULT_GRAPH_IRI}
    assert client.get("/sparql", query_string=both).get_json()["boolean"] is True
    other = client.get("/sparql", query_string={**both, "default-graph-uri": "http://x/g"})
    assert other.status_code == 400
    assert DEFAULT_GRAPH_IRI in _reason(other)
    named = client.get("/sparql", query_string={**both, "named-graph-uri": DEFAULT_GRAPH_IRI})
    assert named.status_code == 400
    assert "no named graphs" in _reason(named)


def test_the_service_description_names_the_default_graph(client: FlaskClient) -> None:
    assert f"<{DEFAULT_GRAPH_IRI}>" in client.get("/sparql?format=nt").get_data(as_text=True)


def test_the_health_probe_answers_without_the_pool(app: Flask, client: FlaskClient) -> None:
    close_pool(app)
    reply = client.get("/healthz")
    assert (reply.status_code, reply.get_json()) == (200, {"status": "ok"})
    assert reply.headers["Content-Security-Policy"]
    assert "amkg_sparql_pool" not in app.extensions  # no pool was made for it
    assert client.head("/healthz").status_code == 200
    get_pool(app)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def text(self) -> str:
        return "\n".join(logs.JsonFormatter().format(r) for r in self.records)


@pytest.fixture
def caplog() -> Iterator[_Records]:  # type: ignore[override]
    """The ``amkg`` loggers' records (whether or not they propagate to the root logger)."""
    logger = logging.getLogger("amkg")
    handler, level = _Records(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def _json_lines(caplog: _Records, name: str) -> list[dict[str, object]]:
    formatter = logs.JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == name]


def test_the_access_log_has_an_id_status_and_hash_but_never_the_query(
    client: FlaskClient, caplog: _Records
) -> None:
    secret = "SELECT ?s WHERE { ?s ?p 'my-secret-token' }"
    reply = client.get("/sparql", query_string={"query": secret},
                       headers={"X-Request-Id": "abc-123"})  # fmt: skip
    reply.close()
    assert reply.headers["X-Request-Id"] == "abc-123"
    (line,) = _json_lines(caplog, "amkg.access")
    assert line["request_id"] == "abc-123"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/sparql", 200)
    assert len(str(line["query_hash"])) == 12
    assert {"client", "ms", "cpu_ms", "bytes", "time", "level"} <= set(line)
    assert 0 <= line["cpu_ms"] <= line["ms"] + 1  # the thread's CPU: never much above its wall time
    assert "my-secret-token" not in caplog.text


def test_a_refused_attack_and_a_killed_query_are_logged(
    client: FlaskClient, caplog: _Records
) -> None:
    slow = """SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l .
      FILTER(REGEX(CONCAT(STR(?c), STR(?f), STR(?i), STR(?l)), "^(a|b|ab)*x$")) }"""
    attack = client.get("/sparql", query_string={"query": "LOAD <http://127.0.0.1:9/x>"})
    killed = client.get("/sparql", query_string={"query": slow})
    assert (attack.status_code, killed.status_code) == (400, 503)
    refused = _json_lines(caplog, "amkg.sparql")
    assert refused[0]["level"] == "warning"
    assert "LOAD" in str(refused[0]["reason"])
    assert refused[1]["status"] == 503
    stopped = [r for r in caplog.records if r.name == "amkg.queries.executor"]
    assert any("stopped after 1 s" in r.getMessage() for r in stopped)
    assert "127.0.0.1:9" not in "".join(r.getMessage() for r in stopped)


@pytest.mark.parametrize(
    ("query", "fmt"),
    [
        ('SELECT ?x WHERE { VALUES ?x { "a"@DE-at } }', "json"),
        ('SELECT ?x WHERE { VALUES ?x { "a"@DE-at } }', "tsv"),
        ('CONSTRUCT { <s> <p> ?x } WHERE { VALUES ?x { "a"@DE-at } }', "nt"),
        ('CONSTRUCT { <s> <p> ?x } WHERE { VALUES ?x { "a"@DE-at } }', "ttl"),
    ],
)
def test_language_tags_leave_in_lower_case(client: FlaskClient, query: str, fmt: str) -> None:
    """BCP 47 tags are case-insensitive; the endpoint writes them as the store keeps them,
    lower case, in every format (the exports too: tests/test_language_tags.py)."""
    body = client.get("/sparql", query_string={"query": query, "format": fmt}).get_data(
        as_text=True
    )
    assert "de-at" in body
    assert "DE" not in body.replace("DESCRIBE", "")
