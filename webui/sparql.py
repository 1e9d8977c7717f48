"""``/sparql``: the SPARQL 1.1 Protocol endpoint over the knowledge graph.

* ``GET /sparql?query=...``, ``POST`` with ``application/x-www-form-urlencoded`` (``query=``)
  or with ``application/sparql-query`` (the query as the body).
* The answer's format comes from a ``format`` (or ``output``) parameter, else the Accept header
  (q-values honoured), else the default: SPARQL Results JSON, or Turtle for CONSTRUCT/DESCRIBE.
* ``GET /sparql`` without a query: the SPARQL 1.1 Service Description (Turtle by default).
* Updates (``update=``, ``application/sparql-update``) need a token and pass the role rules and
  the SHACL gate: :mod:`webui.sparql_update` (401 without a token, 403 for a change that is not
  the token's to make, 422 with the SHACL report). A query is read only, and never a request to
  another server: an update in ``query=`` gets 403; ``SERVICE``, ``FROM``
  and ``FROM NAMED`` get 400. ``default-graph-uri`` is accepted when it names the one default
  graph, :data:`DEFAULT_GRAPH_IRI`, and refused (400, with the IRI to use) otherwise;
  ``named-graph-uri`` is refused (400): the store has no named graphs.
* The query is UTF-8 (the Protocol says so): another ``charset`` or bytes that are not UTF-8
  are a 400, in a body, a form or the URL. A body over ``MAX_BODY_BYTES`` is a 413, also when
  it comes chunked (no Content-Length).
* An Accept header that no format of the query's form fits is a 406 (``image/png``; results
  JSON for a CONSTRUCT). Every answer and every error says ``Vary: Accept``.
* Every query runs in a worker process with a hard time limit (``QUERY_TIMEOUT``); see
  ``queries/executor.py``. Answers carry ``X-AMKG-Rows`` (rows or triples in the body) and
  ``X-AMKG-Truncated`` (``true`` when ``ROW_LIMIT`` cut the answer; the body stays standard).
* CORS: any origin may read (``Access-Control-Allow-Origin: *``, preflight answered).
"""

from __future__ import annotations

import logging
import threading
from typing import Any
from urllib.parse import quote, unquote_to_bytes

from flask import Blueprint, Flask, Request, Response, current_app, request
from werkzeug.datastructures import MultiDict

from amkg.queries.executor import PoolBusy, QueryTimeout, StoreSpec, WorkerPool, query_hash
from amkg.queries.formats import negotiate, pick_format_param, serialise_graph
from amkg.queries.guard import Limits, QueryRejected
from amkg.webui.asof import parse_op
from amkg.webui.auth import token_route
from amkg.webui.errors import HttpError
from amkg.webui.headers import SECURITY_HEADERS
from amkg.webui.sparql_service import DEFAULT_GRAPH_IRI, service_description

bp = Blueprint("sparql", __name__)
log = logging.getLogger("amkg.sparql")

FORM = "application/x-www-form-urlencoded"

#: The dataset this endpoint serves, as the DCAT/VoID description names it.
POOL_KEY = "amkg_sparql_pool"
EXPOSED = "X-AMKG-Rows, X-AMKG-Truncated, X-AMKG-Truncated-By, X-Request-Id, Retry-After"
METHODS = ["GET", "POST", "OPTIONS"]  # HEAD comes with GET
READ_HEADERS = (("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", EXPOSED))
VARY_ACCEPT = ("Vary", "Accept")
_pool_lock = threading.Lock()


def limits_of(config: Any) -> Limits:
    """The guard's limits from the app's settings."""
    return Limits(
        max_chars=config["MAX_QUERY_CHARS"],
        max_nesting=config["MAX_NESTING"],
        max_operators=config.get("MAX_OPERATORS", Limits.max_operators),
        max_tokens=config.get("MAX_TOKENS", Limits.max_tokens),
    )


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
                byte_limit=config.get("MAX_ANSWER_BYTES"),
                client_share=config.get("QUERY_CLIENT_SHARE"),
                max_waiting=config.get("QUERY_MAX_WAITING"),
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


def _utf8(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(400, f"the {where} is not valid UTF-8 (SPARQL 1.1 Protocol)") from None


def _check_charset(req: Request) -> None:
    charset = req.mimetype_params.get("charset", "utf-8").strip().lower()
    if charset not in ("utf-8", "utf8"):
        raise HttpError(
            400, f"charset={charset} is not accepted: send the query as UTF-8 (SPARQL 1.1 Protocol)"
        )


def _body(req: Request, max_bytes: int) -> bytes:
    """The request body, at most ``max_bytes`` (more: 413), also when it comes chunked."""
    if req.content_length is not None:
        if req.content_length > max_bytes:
            raise HttpError(413, f"the request body is over the limit of {max_bytes} bytes")
        return req.get_data(cache=True)
    stream = req.environ.get("wsgi.input")
    data = stream.read(max_bytes + 1) if stream is not None else b""
    if len(data) > max_bytes:
        raise HttpError(413, f"the request body is over the limit of {max_bytes} bytes")
    return data


def _decode_form(data: bytes, where: str) -> MultiDict[str, str]:
    """``a=1&b=2`` as a MultiDict, refusing bytes that are not UTF-8 once percent-decoded."""
    pairs: MultiDict[str, str] = MultiDict()
    for part in data.split(b"&"):
        if not part:
            continue
        name, _, value = part.partition(b"=")
        decoded = [_utf8(unquote_to_bytes(x.replace(b"+", b" ")), where) for x in (name, value)]
        pairs.add(decoded[0], decoded[1])
    return pairs


def read_params(
    app: Flask, req: Request
) -> tuple[MultiDict[str, str], MultiDict[str, str], str | None]:
    """The URL's parameters, the form's (a form POST) and the body query (a direct POST)."""
    url = _decode_form(req.environ.get("QUERY_STRING", "").encode("latin-1"), "URL")
    form: MultiDict[str, str] = MultiDict()
    body = None
    if req.method == "POST":
        mimetype = req.mimetype
        if mimetype in (FORM, "application/sparql-query", "application/sparql-update"):
            _check_charset(req)
            data = _body(req, app.config["MAX_BODY_BYTES"])
            if mimetype == FORM:
                form = _decode_form(data, "form body")
            else:
                body = _utf8(data, "query body")
    return url, form, body


def _update_text(req: Request, url: MultiDict[str, str], form: MultiDict[str, str],
                 body: str | None) -> str | None:  # fmt: skip
    """The update of this request (``update=`` or an ``application/sparql-update`` body)."""
    if req.method in ("GET", "HEAD"):
        return _one(url.getlist("update"), "update")
    if req.mimetype == "application/sparql-update":
        return body or ""
    if req.mimetype == FORM and "update" in form:
        if "query" in form:
            raise HttpError(400, "give a query or an update, not both")
        return _one(form.getlist("update"), "update")
    return None


def _query_text(req: Request, url: MultiDict[str, str], form: MultiDict[str, str],
                body: str | None) -> str | None:  # fmt: skip
    """The query of this request, ``None`` for a plain GET (the service description)."""
    if req.method in ("GET", "HEAD"):
        return _one(url.getlist("query"), "query")
    mimetype = req.mimetype
    if mimetype == FORM:
        text = _one(form.getlist("query"), "query")
        if text is None:
            raise HttpError(400, "a form POST needs a query parameter in its body")
        return text
    if mimetype == "application/sparql-query":
        return body
    raise HttpError(
        415,
        "send the query as application/x-www-form-urlencoded (query=...) or as "
        "application/sparql-query; an update as update=... or application/sparql-update",
    )


def _format_param(url: MultiDict[str, str], form: MultiDict[str, str]) -> str | None:
    for name in ("format", "output"):
        values = url.getlist(name) + form.getlist(name)
        if values:
            return pick_format_param(values)
    return None


def check_dataset_parameters(url: MultiDict[str, str], form: MultiDict[str, str]) -> None:
    """``default-graph-uri`` may name the one default graph; nothing else is a dataset here."""
    named = url.getlist("named-graph-uri") + form.getlist("named-graph-uri")
    if named:
        raise HttpError(
            400,
            f"named-graph-uri <{named[0]}> is not supported: this endpoint has no named graphs, "
            f"only its one default graph <{DEFAULT_GRAPH_IRI}>; leave named-graph-uri out",
        )
    for iri in url.getlist("default-graph-uri") + form.getlist("default-graph-uri"):
        if iri.strip() != DEFAULT_GRAPH_IRI:
            raise HttpError(
                400,
                f"default-graph-uri <{iri}> is not a graph of this endpoint: it answers from its "
                f"one default graph <{DEFAULT_GRAPH_IRI}> and never loads a graph from "
                "elsewhere; name that graph or leave default-graph-uri out",
            )


def _describe_service(app: Flask, req: Request, fmt_param: str | None) -> Response:
    fmt = negotiate("DESCRIBE", req.headers.get("Accept"), fmt_param)
    endpoint = quote(req.base_url, safe=":/?#[]@!$&'()*+,;=%~")
    kg = app.extensions["amkg"]
    graph = service_description(endpoint, kg.store.triple_count(), app.config)
    return _response(serialise_graph(graph, fmt), fmt.content_type, [VARY_ACCEPT])


def _preflight() -> Response:
    allowed = "GET, HEAD, POST, OPTIONS"
    return _response(b"", None, [
        ("Allow", allowed),
        ("Access-Control-Allow-Methods", allowed),
        ("Access-Control-Allow-Headers", "Accept, Content-Type"),  # no Authorization
        ("Access-Control-Max-Age", "86400"),
    ], status=204)  # fmt: skip


def client_of(app: Flask, req: Request) -> str:
    """Who sent the request, for the fair share of the query workers: the peer address, or
    the header ``CLIENT_ADDRESS_HEADER`` names (set it only behind a proxy that sets it)."""
    header = app.config.get("CLIENT_ADDRESS_HEADER")
    if header:
        value = req.headers.get(header, "")
        if value:
            return value.split(",")[0].strip()
    return req.remote_addr or ""


def respond(app: Flask, req: Request) -> Response:
    """The answer to one ``/sparql`` request, without its CORS and security headers.

    Needs no Flask context, so :mod:`webui.sparql_direct` can call it straight from WSGI.
    Errors are raised, for the app's one error renderer; refusals and stopped queries are
    logged (``amkg.sparql``) with the query's hash, never its text.
    """
    if req.method == "OPTIONS":
        return _preflight()
    client = client_of(app, req)
    text = None
    try:
        url, form, body = read_params(app, req)
        update = _update_text(req, url, form, body)
        if update is not None:  # a write: a token, the role rules and the SHACL gate
            from amkg.webui.sparql_update import respond_update

            req.environ["amkg.query_hash"] = query_hash(update)
            response = respond_update(app, req, update, url, form)
            response.headers.extend([VARY_ACCEPT, *READ_HEADERS])
            return response
        text = _query_text(req, url, form, body)
        if text is not None:
            req.environ["amkg.query_hash"] = query_hash(text)
        check_dataset_parameters(url, form)
        fmt = _format_param(url, form)
        if text is None:
            return _describe_service(app, req, fmt)
        op = url.get("op") or form.get("op")  # the graph as it was on a day (issue 11)
        as_of = parse_op(op).isoformat() if op else None
        answer = get_pool(app).execute(
            text, accept=req.headers.get("Accept"), fmt=fmt, client=client, as_of=as_of
        )
    except (HttpError, QueryRejected, QueryTimeout, PoolBusy) as error:
        _log_refusal(req, client, text, error)
        raise
    rows = ("X-AMKG-Rows", str(answer.rows))
    truncated = ("X-AMKG-Truncated", "true" if answer.truncated else "false")
    headers = [rows, truncated, VARY_ACCEPT]
    if answer.stopped_by:
        headers.append(("X-AMKG-Truncated-By", answer.stopped_by))
    return _response(answer.body, answer.content_type, headers)


def _log_refusal(req: Request, client: str, text: str | None, error: Exception) -> None:
    status = getattr(error, "status", 503)
    reason = getattr(error, "reason", str(error))
    level = (
        logging.WARNING if status in (401, 403, 413) or "not allowed" in reason else logging.INFO
    )
    if isinstance(error, QueryTimeout | PoolBusy):  # a stopped query, a refusal for load
        level = logging.WARNING
    fields = {
        "request_id": req.environ.get("amkg.request_id"),
        "client": client,
        "status": status,
        "query_hash": query_hash(text) if text is not None else None,
        "reason": reason,
    }
    log.log(level, "refused", extra={"fields": fields})


def _response(body: bytes | str, content_type: str | None, headers: list[tuple[str, str]],
              status: int = 200) -> Response:  # fmt: skip
    """A response of ``/sparql`` with every header it needs (CORS and security included), set
    in one go: on this hot path werkzeug's header-by-header updates are a measurable cost."""
    return Response(body, status, [*headers, *READ_HEADERS, *SECURITY_HEADERS],
                    content_type=content_type)  # fmt: skip


@bp.route("/sparql", methods=METHODS)
@token_route  # queries are open; an update needs a token (webui/sparql_update.py)
def endpoint() -> Response:
    """The SPARQL 1.1 Protocol: query operation only."""
    return respond(current_app, request)


def allow_reads(response: Response) -> Response:
    """Anyone may read: answers, errors and the preflight of /sparql."""
    for name, value in READ_HEADERS:
        response.headers[name] = value
    return response


bp.after_request(allow_reads)
