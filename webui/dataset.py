"""The dataset description (DCAT, DCAT-AP, VoID) at its well-known addresses.

* ``/.well-known/void`` (RFC 5785, VoID section 7.2): the description as RDF, Turtle unless the
  Accept header asks for JSON-LD or N-Triples.
* ``/dataset``: the same by content negotiation (``text/turtle``, ``application/ld+json``,
  ``application/n-triples``), an HTML page for people (``text/html``, the default) and the
  page data as JSON (``application/json``); ``/dataset.ttl``, ``.jsonld``, ``.nt`` and
  ``.json`` give each form by address.

Every page links to it from its head (``rel="describedby"``), and the SPARQL service
description points to it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request

from amkg.webui import i18n
from amkg.webui.asof import current_kg
from amkg.webui.views import dataset_description

bp = Blueprint("dataset", __name__)

RDF_FORMATS = {
    "text/turtle": ("turtle", "text/turtle; charset=utf-8"),
    "application/ld+json": ("json-ld", "application/ld+json"),
    "application/n-triples": ("nt", "application/n-triples; charset=utf-8"),
}
SUFFIXES = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples"}


def _graph() -> Any:
    return dataset_description.description(current_kg(), request.url_root)


def _rdf(media_type: str) -> Response:
    fmt, content_type = RDF_FORMATS[media_type]
    body = _graph().serialize(format=fmt, encoding="utf-8")
    response = Response(body, content_type=content_type)
    response.headers["Vary"] = "Accept"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/.well-known/void")
def well_known_void() -> Response:
    best = request.accept_mimetypes.best_match(list(RDF_FORMATS), default="text/turtle")
    return _rdf(best or "text/turtle")


@bp.get("/dataset")
@bp.get("/dataset.json", endpoint="dataset_json")
@bp.get("/dataset.ttl", endpoint="dataset_ttl")
@bp.get("/dataset.jsonld", endpoint="dataset_jsonld")
@bp.get("/dataset.nt", endpoint="dataset_nt")
def dataset_page() -> Any:
    suffix = next((s for s in (*SUFFIXES, ".json") if request.path.endswith(s)), None)
    if suffix in SUFFIXES:
        return _rdf(SUFFIXES[suffix])
    if suffix is None:
        offered = ["text/html", *RDF_FORMATS, "application/json"]
        best = request.accept_mimetypes.best_match(offered, default="text/html")
        if best in RDF_FORMATS:
            return _rdf(best)
        if best == "application/json":
            suffix = ".json"
    data = dataset_description.build(_graph(), i18n.current_lang())
    if suffix == ".json":
        response = jsonify(data)
    else:
        response = Response(
            render_template("dataset.html", page=data, json_url="/dataset.json"),
            content_type="text/html; charset=utf-8",
        )
    if request.path == "/dataset":
        response.headers["Vary"] = "Accept"
    return response
