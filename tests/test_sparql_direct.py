"""``/sparql`` straight from WSGI answers exactly as the Flask view does, and is really used."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import Client, TestResponse

from amkg.webui.app import create_app
from amkg.webui.sparql import close_pool
from amkg.webui.sparql_direct import DirectSparql

HERE = Path(__file__).resolve().parent / "data" / "endpoint"
CONFIG = {
    "DATA_DIR": str(HERE / "data"),
    "ONTOLOGY_DIR": str(HERE / "ontology"),
    "QUERY_TIMEOUT": 1.0,
    "QUERY_WORKERS": 1,
    "ROW_LIMIT": 3,
    "MAX_BODY_BYTES": 4096,
}
TRACKS = "SELECT ?t WHERE { ?t a <https://w3id.org/amkg/def#Track> } ORDER BY ?t"
FORM = "application/x-www-form-urlencoded"
SPARQL_UTF8 = "application/sparql-query; charset=utf-8"
REMOTE = "http://127.0.0.1:9/"  # never contacted: the guard refuses SERVICE first
SLOW = """SELECT (COUNT(*) AS ?n) WHERE {
  ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o .
  FILTER(REGEX(CONCAT(STR(?c), STR(?f), STR(?i), STR(?l), STR(?o)), "^(a|b|ab)*x$"))
}"""

# Every kind of /sparql request: answers in each form, the description, the preflight, and
# each error the handler raises (and the ones werkzeug raises while reading the request).
REQUESTS: dict[str, dict[str, Any]] = {
    "select json": {"query_string": {"query": TRACKS}},
    "select by accept csv": {"query_string": {"query": TRACKS}, "headers": {"Accept": "text/csv"}},
    "select format tsv": {"query_string": {"query": TRACKS, "format": "tsv"}},
    "row limit cuts": {"query_string": {"query": "SELECT * WHERE { ?s ?p ?o }"}},
    "ask xml": {"query_string": {"query": "ASK { ?s ?p ?o }", "format": "xml"}},
    "construct": {"query_string": {"query": "CONSTRUCT WHERE { ?s a ?c } LIMIT 2"}},
    "head": {"method": "HEAD", "query_string": {"query": TRACKS}},
    "form post": {"method": "POST", "data": {"query": TRACKS}, "content_type": FORM},
    "direct post": {"method": "POST", "data": TRACKS, "content_type": "application/sparql-query"},
    "service description": {},
    "preflight": {"method": "OPTIONS", "headers": {"Origin": "https://example.org"}},
    "malformed": {"query_string": {"query": "SELEKT nothing"}},
    "update in query": {"query_string": {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}},
    "update form": {"method": "POST", "data": {"update": "CLEAR ALL"}, "content_type": FORM},
    "service": {"query_string": {"query": f"SELECT * {{ SERVICE <{REMOTE}> {{ ?s ?p ?o }} }}"}},
    "dataset parameter": {"query_string": {"query": TRACKS, "default-graph-uri": "http://x/"}},
    "two queries": {"query_string": [("query", TRACKS), ("query", TRACKS)]},
    "unknown format": {"query_string": {"query": TRACKS, "format": "yaml"}},
    "unsupported media type": {"method": "POST", "data": TRACKS, "content_type": "text/plain"},
    "form without query": {"method": "POST", "data": {"format": "json"}, "content_type": FORM},
    "body too large": {
        "method": "POST",
        "data": {"query": TRACKS + " " * 5000},
        "content_type": FORM,
    },
    "bad charset": {"method": "POST", "data": b"\xff\xfe", "content_type": SPARQL_UTF8},
    "html error page": {"query_string": {"query": "SELEKT"}, "headers": {"Accept": "text/html"}},
    "time limit": {"query_string": {"query": SLOW}},
    "other method": {"method": "DELETE"},
    "language choice": {"query_string": {"query": TRACKS, "lang": "en"}},
    "lang first": {"query_string": [("lang", "nl"), ("query", TRACKS)]},
    "lang in the query": {"query_string": {"query": 'ASK { FILTER(langMatches("nl", "*")) }'}},
}
NOT_DIRECT = {"other method", "language choice", "lang first"}  # left to Flask on purpose


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    application = create_app(CONFIG)
    yield application
    close_pool(application)


def _comparable(response: TestResponse) -> tuple[int, list[tuple[str, str]], bytes]:
    # X-Request-Id is new on every request (the front of the app adds it; webui/logs.py)
    headers = sorted(
        (name.lower(), value) for name, value in response.headers if name != "X-Request-Id"
    )
    return response.status_code, headers, response.get_data()


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_the_direct_route_answers_as_flask_does(app: Flask, name: str) -> None:
    direct = app.wsgi_app
    assert isinstance(direct, DirectSparql)
    calls: list[str] = []

    def flask_only(environ: dict[str, Any], start_response: Any) -> Any:
        calls.append(environ["PATH_INFO"])
        return direct.flask_wsgi_app(environ, start_response)

    shortcut = DirectSparql(app, flask_only)
    kwargs = {"method": "GET", **REQUESTS[name]}
    by_flask = Client(direct.flask_wsgi_app).open("/sparql", **kwargs)
    by_shortcut = Client(shortcut).open("/sparql", **kwargs)
    assert _comparable(by_shortcut) == _comparable(by_flask)
    assert calls == (["/sparql"] if name in NOT_DIRECT else [])


def test_the_answers_are_the_expected_ones(app: Flask) -> None:
    """Not only equal to each other: right (so a shared fault cannot pass unseen)."""
    client = app.test_client()
    answer = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert answer.status_code == 200
    assert answer.headers["X-AMKG-Truncated"] == "true"
    assert len(answer.get_json()["results"]["bindings"]) == 3
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["Vary"] == "Accept"
    too_big = client.post("/sparql", data={"query": " " * 5000}, content_type=FORM)
    assert too_big.status_code == 413
    assert too_big.get_json()["error"]["status"] == 413
    slow = client.get("/sparql", query_string={"query": SLOW})
    assert slow.status_code == 503
    assert "time limit" in slow.get_json()["error"]["reason"]
    assert slow.headers["Access-Control-Allow-Origin"] == "*"


def test_other_paths_are_untouched(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/sparql/").status_code == 404
    assert client.get("/api/queries").status_code == 200
