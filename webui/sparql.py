"""``/sparql``: a read-only SPARQL 1.1 Protocol endpoint over the knowledge graph.

* ``GET /sparql?query=...``, ``POST`` with ``application/x-www-form-urlencoded`` (``query=``)
  or with ``application/sparql-query`` (the query as the body).
* The answer's format comes from a ``format`` (or ``output``) parameter, else the Accept header
  (q-values honoured), else the default: SPARQL Results JSON, or Turtle for CONSTRUCT/DESCRIBE.
* ``GET /sparql`` without a query: the SPARQL 1.1 Service Description (Turtle by default).
* Read only, and never a request to another server: updates get 403; ``SERVICE``, ``FROM``,
  ``FROM NAMED`` and the ``default-graph-uri`` / ``named-graph-uri`` parameters get 400.
* Every query runs in a worker process with a hard time limit (``QUERY_TIMEOUT``); see
  ``queries/executor.py``. Answers carry ``X-AMKG-Rows`` (rows or triples in the body) and
  ``X-AMKG-Truncated`` (``true`` when ``ROW_LIMIT`` cut the answer; the body stays standard).
* CORS: any origin may read (``Access-Control-Allow-Origin: *``, preflight answered).
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Flask, Request, Response, current_app, request
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, VOID

from amkg.graph.load import new_graph
from amkg.queries.executor import StoreSpec, WorkerPool
from amkg.queries.formats import ALL_FORMATS, negotiate, pick_format_param, serialise_graph
from amkg.queries.guard import Limits
from amkg.webui.errors import HttpError
from amkg.webui.headers import SECURITY_HEADERS

bp = Blueprint("sparql", __name__)

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
#: The dataset this endpoint serves, as the DCAT/VoID description names it.
DATASET_IRI = URIRef("https://w3id.org/amkg/dataset")
ENTAILMENT_SIMPLE = URIRef("http://www.w3.org/ns/entailment/Simple")
POOL_KEY = "amkg_sparql_pool"
READ_ONLY = "updates are not allowed: this endpoint is read-only"
EXPOSED = "X-AMKG-Rows, X-AMKG-Truncated, Retry-After"
METHODS = ["GET", "POST", "OPTIONS"]  # HEAD comes with GET
READ_HEADERS = (("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", EXPOSED))
VARY_ACCEPT = ("Vary", "Accept")
_pool_lock = threading.Lock()


def limits_of(config: Any) -> Limits:
    """The guard's limits from the app's settings."""
    return Limits(max_chars=config["MAX_QUERY_CHARS"], max_nesting=config["MAX_NESTING"])


def get_pool(app: Flask) -> WorkerPool:
    """The app's query worker pool (made on first use, started by its first query)."""
    with _pool_lock:
        pool = app.extensions.get(POOL_KEY)
        if pool is None:
            kg, config = app.extensions["amkg"], app.config
            spec = StoreSpec.for_kg(kg)
            pool = WorkerPool(
                spec,
                size=config["QUERY_WORKERS"],
                timeout=config["QUERY_TIMEOUT"],
                row_limit=config["ROW_LIMIT"],
                limits=limits_of(config),
                max_concurrent=config["MAX_CONCURRENT_QUERIES"],
                queue_wait=config["QUERY_QUEUE_WAIT"],
                start_timeout=config["WORKER_START_TIMEOUT"],
                memory_mb=config["WORKER_MEMORY_MB"],
            )
            app.extensions[POOL_KEY] = pool
        return pool


def start_pool(app: Flask) -> WorkerPool:
    """Start the worker pool now and wait until every worker has loaded the graph."""
    return get_pool(app).start()


def close_pool(app: Flask) -> None:
    """Stop the app's workers (a later query starts a new pool)."""
    with _pool_lock:
        pool = app.extensions.pop(POOL_KEY, None)
    if pool is not None:
        pool.close()


def _one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise HttpError(400, f"give one {name} parameter, not {len(values)}")
    return values[0] if values else None


def _query_text(req: Request) -> str | None:
    """The query of this request, ``None`` for a plain GET (the service description)."""
    if req.method in ("GET", "HEAD"):
        if "update" in req.args:
            raise HttpError(403, READ_ONLY)
        return _one(req.args.getlist("query"), "query")
    mimetype = req.mimetype
    if mimetype == "application/sparql-update":
        raise HttpError(403, READ_ONLY)
    if mimetype == "application/x-www-form-urlencoded":
        if "update" in req.form:
            raise HttpError(403, READ_ONLY)
        text = _one(req.form.getlist("query"), "query")
        if text is None:
            raise HttpError(400, "a form POST needs a query parameter in its body")
        return text
    if mimetype == "application/sparql-query":
        charset = req.mimetype_params.get("charset", "utf-8")
        try:
            return req.get_data().decode(charset)
        except (LookupError, UnicodeDecodeError):
            raise HttpError(400, f"the query body is not valid {charset}") from None
    raise HttpError(
        415,
        "send the query as application/x-www-form-urlencoded (query=...) or as "
        "application/sparql-query",
    )


def _format_param(req: Request) -> str | None:
    for name in ("format", "output"):
        values = req.args.getlist(name)
        if req.mimetype == "application/x-www-form-urlencoded":
            values += req.form.getlist(name)
        if values:
            return pick_format_param(values)
    return None


def _refuse_dataset_parameters(req: Request) -> None:
    for name in ("default-graph-uri", "named-graph-uri"):
        if name in req.args or (
            req.mimetype == "application/x-www-form-urlencoded" and name in req.form
        ):
            raise HttpError(
                400,
                f"{name} is not supported: the endpoint answers from its one default graph "
                "and never loads a graph from elsewhere",
            )


FEATURES = (
    ("read-only", "Read only", "Queries only: every SPARQL Update request is refused."),
    ("no-federation", "No outbound requests",
     "SERVICE, FROM, FROM NAMED, default-graph-uri and named-graph-uri are refused."),
    ("time-limit", "Time limit", "A query is stopped after {QUERY_TIMEOUT:g} s (503)."),
    ("row-limit", "Row limit", "An answer holds at most {ROW_LIMIT} rows or triples; a cut "
     "answer has the header X-AMKG-Truncated: true."),
)  # fmt: skip


def service_description(endpoint: str, triples: int, config: Any) -> Graph:
    """The SPARQL 1.1 Service Description of this endpoint, as an rdflib graph."""
    graph = new_graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    service = URIRef(endpoint + "#service")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, DCTERMS.title, Literal("Arbeidsmigratie Kennisgraaf SPARQL endpoint")))
    graph.add((service, SD.endpoint, URIRef(endpoint)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.defaultEntailmentRegime, ENTAILMENT_SIMPLE))
    for fmt in ALL_FORMATS:
        graph.add((service, SD.resultFormat, URIRef(fmt.w3c)))
    for key, label, comment in FEATURES:
        feature = URIRef(f"{endpoint}#{key}")
        graph.add((service, SD.feature, feature))
        graph.add((feature, RDF.type, SD.Feature))
        graph.add((feature, RDFS.label, Literal(label, lang="en")))
        graph.add((feature, RDFS.comment, Literal(comment.format(**config), lang="en")))
    dataset, default_graph = URIRef(endpoint + "#dataset"), URIRef(endpoint + "#default-graph")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    graph.add((default_graph, VOID.triples, Literal(triples)))
    # The DCAT/VoID description of the dataset this endpoint serves (webui/dataset.py).
    base = endpoint.rsplit("/sparql", 1)[0] + "/"
    graph.add((dataset, DCTERMS.source, DATASET_IRI))
    graph.add((dataset, RDFS.seeAlso, URIRef(base + ".well-known/void")))
    graph.add((DATASET_IRI, VOID.sparqlEndpoint, URIRef(endpoint)))
    graph.add((DATASET_IRI, RDFS.seeAlso, URIRef(base + "dataset")))
    return graph


def _describe_service(app: Flask, req: Request) -> Response:
    fmt = negotiate("DESCRIBE", req.headers.get("Accept"), _format_param(req))
    endpoint = quote(req.base_url, safe=":/?#[]@!$&'()*+,;=%~")
    kg = app.extensions["amkg"]
    graph = service_description(endpoint, kg.store.triple_count(), app.config)
    return _response(serialise_graph(graph, fmt), fmt.content_type, [VARY_ACCEPT])


def _preflight() -> Response:
    allowed = "GET, HEAD, POST, OPTIONS"
    return _response(b"", None, [
        ("Allow", allowed),
        ("Access-Control-Allow-Methods", allowed),
        ("Access-Control-Allow-Headers", "Accept, Content-Type"),
        ("Access-Control-Max-Age", "86400"),
    ], status=204)  # fmt: skip


def respond(app: Flask, req: Request) -> Response:
    """The answer to one ``/sparql`` request, without its CORS and security headers.

    Needs no Flask context, so :mod:`webui.sparql_direct` can call it straight from WSGI.
    Errors are raised, for the app's one error renderer.
    """
    if req.method == "OPTIONS":
        return _preflight()
    text = _query_text(req)
    _refuse_dataset_parameters(req)
    if text is None:
        return _describe_service(app, req)
    fmt = _format_param(req)
    answer = get_pool(app).execute(text, accept=req.headers.get("Accept"), fmt=fmt)
    rows = ("X-AMKG-Rows", str(answer.rows))
    truncated = ("X-AMKG-Truncated", "true" if answer.truncated else "false")
    return _response(answer.body, answer.content_type, [rows, truncated, VARY_ACCEPT])


def _response(body: bytes | str, content_type: str | None, headers: list[tuple[str, str]],
              status: int = 200) -> Response:  # fmt: skip
    """A response of ``/sparql`` with every header it needs (CORS and security included), set
    in one go: on this hot path werkzeug's header-by-header updates are a measurable cost."""
    return Response(body, status, [*headers, *READ_HEADERS, *SECURITY_HEADERS],
                    content_type=content_type)  # fmt: skip


@bp.route("/sparql", methods=METHODS)
def endpoint() -> Response:
    """The SPARQL 1.1 Protocol: query operation only."""
    return respond(current_app, request)


def allow_reads(response: Response) -> Response:
    """Anyone may read: answers, errors and the preflight of /sparql."""
    for name, value in READ_HEADERS:
        response.headers[name] = value
    return response


bp.after_request(allow_reads)
