"""``/rdf-graph-store``: the SPARQL 1.1 Graph Store HTTP Protocol on the one default graph.

The graph is named with ``?default`` or ``?graph=<https://w3id.org/amkg/graph/default>`` (the
endpoint's one graph, :data:`amkg.webui.sparql.DEFAULT_GRAPH_IRI`); any other graph is 404,
neither is 400.

* ``GET`` / ``HEAD``: the graph as the current version has it (Turtle, or N-Triples with
  ``Accept: application/n-triples``), for anyone.
* ``PUT`` (replace the graph by the body), ``POST`` (add the body's triples), ``DELETE``
  (empty the graph): only with ``Authorization: Bearer <token>`` (401 without), as one change
  through the role rules (403) and the SHACL gate (422 with the report, the graph unchanged),
  with a reason and a source as for SPARQL Update (:mod:`amkg.webui.sparql_update`: parameters
  or ``X-AMKG-*`` headers). The body is Turtle or N-Triples, UTF-8, without blank nodes (a
  change names what it touches), at most ``GRAPH_STORE_MAX_BYTES``. Accepted: 200 with the
  change's id; a body that changes nothing: 204.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request
from werkzeug.datastructures import MultiDict

from amkg.graph.changes import dataset_etag
from amkg.graph.changes_remote import current_default_graph
from amkg.graph.changes_update import sorted_triples
from amkg.graph.export import canonical_ntriples, turtle
from amkg.graph.history import current
from amkg.webui import i18n
from amkg.webui.auth import bearer, token_route
from amkg.webui.errors import HttpError
from amkg.webui.headers import SECURITY_HEADERS
from amkg.webui.sparql import DEFAULT_GRAPH_IRI
from amkg.webui.sparql_update import (
    api_lang,
    change_meta,
    commit_as,
    committed_response,
    precondition,
    write_errors,
)

bp = Blueprint("graph_store", __name__)
PATH = "/rdf-graph-store"
BODY_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}


def _check_graph() -> None:
    args = request.args
    if "default" in args and "graph" not in args:
        return
    if "graph" in args and "default" not in args:
        if args.get("graph", "").strip() == DEFAULT_GRAPH_IRI:
            return
        raise HttpError(
            404,
            i18n.t(
                "gsp.no_graph",
                api_lang(request),
                graph=args.get("graph", ""),
                default=DEFAULT_GRAPH_IRI,
            ),
        )
    raise HttpError(400, i18n.t("gsp.name_graph", api_lang(request), default=DEFAULT_GRAPH_IRI))


def _body_quads() -> set[ox.Quad]:
    fmt = BODY_FORMATS.get(request.mimetype)
    if fmt is None:
        raise HttpError(415, i18n.t("gsp.body_format", api_lang(request)))
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise HttpError(415, i18n.t("gsp.body_format", api_lang(request)))
    request.max_content_length = current_app.config["GRAPH_STORE_MAX_BYTES"]
    data = request.get_data()
    try:
        parsed = ox.parse(data, format=fmt, base_iri="https://w3id.org/amkg/id/")
        quads = {ox.Quad(q.subject, q.predicate, q.object) for q in parsed}
    except SyntaxError as error:
        raise HttpError(400, i18n.t("gsp.bad_body", api_lang(request), error=str(error))) from None
    return quads


def _read() -> Response:
    kg = current(current_app.extensions["amkg"])
    if request.accept_mimetypes.best_match(["text/turtle", "application/n-triples"]) == (
        "application/n-triples"
    ):
        body, content_type = canonical_ntriples(kg), "application/n-triples"
    else:
        body, content_type = turtle(kg), "text/turtle; charset=utf-8"
    response = Response(body, 200, [("Vary", "Accept")], content_type=content_type)
    response.set_etag(dataset_etag(kg))  # If-Match of a write: only on this version
    return response


def _write() -> Response:
    lang = api_lang(request)
    user = bearer(current_app, request, lang)  # 401 before anything else is looked at
    _check_graph()
    kg = current(current_app.extensions["amkg"])
    if_match = precondition(request, kg, lang)  # 412 before the body is read
    native = current_default_graph(kg)  # the embedded store, or a copy of a remote one
    before = set(native.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    if request.method == "DELETE":
        after: set[ox.Quad] = set()
    elif request.method == "POST":
        after = before | _body_quads()
    else:
        after = _body_quads()
    added, removed = sorted_triples(after - before), sorted_triples(before - after)
    if not added and not removed:
        return Response(b"", 204, list(SECURITY_HEADERS))
    empty: MultiDict[str, str] = MultiDict()
    reason, source = change_meta(request, MultiDict(request.args), empty)

    def run() -> Response:
        return committed_response(
            commit_as(kg, user, added, removed, reason, source, lang, if_match)
        )

    return write_errors(run, request.headers.get("Accept"), lang)


@bp.route(PATH, methods=["GET", "PUT", "POST", "DELETE"])
@token_route  # reading is open; PUT, POST and DELETE check the token themselves
def graph_store() -> Any:
    if request.method in ("GET", "HEAD"):
        _check_graph()
        return _read()
    return _write()
