"""The HTML pages. Thin: each route gets its data from a builder in ``webui/views`` and
renders it, or returns the same data as JSON (the page's ``.json`` twin)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from rdflib import URIRef

from amkg.graph.kg import KnowledgeGraph
from amkg.webui import asof, i18n
from amkg.webui.headers import secure
from amkg.webui.views import entity, home, ontology, search, track, validation

bp = Blueprint("pages", __name__)

RDF_FORMATS = {".ttl": ("turtle", "text/turtle"), ".jsonld": ("json-ld", "application/ld+json")}
NEGOTIABLE = ["text/html", "text/turtle", "application/ld+json", "application/json"]


def current_kg() -> KnowledgeGraph:
    """The app's knowledge graph (``create_app`` loads it into ``app.extensions["amkg"]``)."""
    kg: KnowledgeGraph = asof.current_kg()  # the current version, or as of ?op= (issue 11)
    return kg


@bp.after_app_request
def _security_headers(response: Response) -> Response:
    return i18n.remember(secure(response))  # type: ignore[arg-type]


bp.app_context_processor(i18n.template_globals)


def _page(
    template: str,
    data: dict[str, Any],
    as_json: bool,
    json_url: str,
    status: int = 200,
    **context: Any,
) -> Response | tuple[Response, int] | tuple[str, int]:
    if as_json:
        return jsonify(data), status
    return render_template(template, page=data, json_url=json_url, **context), status


@bp.get("/")
@bp.get("/.json", endpoint="home_json")
@bp.get("/index.json", endpoint="home_index_json")
def home_page() -> Any:
    lang = i18n.current_lang()
    data = home.build(current_kg(), lang)
    return _page(
        "home.html", data, request.path.endswith(".json"), "/index.json", active_nav="home"
    )


@bp.get("/spoor/<int:number>")
@bp.get("/spoor/<int:number>.json", endpoint="track_json")
def track_page(number: int) -> Any:
    kg = current_kg()
    lang = i18n.current_lang()
    as_json = request.path.endswith(".json")
    data = track.build(kg, number, lang)
    if data is None:
        return _not_found(kg, f"spoor {number}", as_json, lang)
    return _page("track.html", data, as_json, f"/spoor/{number}.json")


def _not_found(kg: KnowledgeGraph, requested: str, as_json: bool, lang: str) -> Any:
    data = {
        "error": {
            "status": 404,
            "title": "Not Found",
            "reason": i18n.t("notfound.text", lang, what=requested),
        },
        "requested": requested,
        "query": requested.replace("-", " "),
        "suggestions": search.similar(kg, requested, lang),
        "tracks": track.track_numbers(kg),
    }
    return _page("not_found.html", data, as_json, "", status=404)


def _resource(kind: str, local: str) -> Any:
    kg = current_kg()
    lang = i18n.current_lang()
    suffix = ""
    node = entity.iri_for(kind, local)
    if not entity.exists(kg, node):
        for ext in (".json", ".ttl", ".jsonld"):
            if local.endswith(ext):
                suffix, local = ext, local[: -len(ext)]
                node = entity.iri_for(kind, local)
                break
    base_url = f"/{kind}/{local}"
    if not suffix:
        best = request.accept_mimetypes.best_match(NEGOTIABLE, default="text/html")
        suffix = {
            "text/turtle": ".ttl",
            "application/ld+json": ".jsonld",
            "application/json": ".json",
        }.get(best or "", "")
    if not local or not entity.exists(kg, node):
        return _not_found(kg, local, suffix == ".json", lang)
    if suffix in RDF_FORMATS:
        fmt, mimetype = RDF_FORMATS[suffix]
        body = entity.serialize(entity.cbd(kg, URIRef(node)), fmt)
        response = Response(body, mimetype=mimetype)
    else:
        data = entity.build(kg, node, lang)
        result = _page(
            "entity.html",
            data,
            suffix == ".json",
            base_url + ".json",
            base_url=base_url,
            active_nav="ontology" if kind == "def" else "",
        )
        response = current_app.make_response(result)
    response.vary.add("Accept")
    response.headers["Link"] = (
        f'<{base_url}.ttl>; rel="alternate"; type="text/turtle", '
        f'<{base_url}.jsonld>; rel="alternate"; type="application/ld+json"'
    )
    return response


@bp.get("/id/<path:local>")
def entity_page(local: str) -> Any:
    return _resource("id", local)


@bp.get("/def/<path:name>")
def term_page(name: str) -> Any:
    return _resource("def", name)


@bp.get("/validatie")
@bp.get("/validatie.json", endpoint="validation_json")
def validation_page() -> Any:
    data = validation.build(current_kg(), i18n.current_lang())
    return _page(
        "validation.html",
        data,
        request.path.endswith(".json"),
        "/validatie.json",
        active_nav="validation",
    )


@bp.get("/ontologie")
@bp.get("/ontologie.json", endpoint="ontology_json")
def ontology_page() -> Any:
    data = ontology.build(current_kg(), i18n.current_lang())
    return _page(
        "ontology.html",
        data,
        request.path.endswith(".json"),
        "/ontologie.json",
        active_nav="ontology",
    )


@bp.get("/zoeken")
@bp.get("/zoeken.json", endpoint="search_json")
def search_page() -> Any:
    query = request.args.get("q", "").strip()[:200]
    results = search.suggest(current_kg(), query, i18n.current_lang(), limit=50) if query else []
    data = {"query": query, "results": results}
    return _page(
        "search.html",
        data,
        request.path.endswith(".json"),
        "/zoeken.json?" + urlencode({"q": query}),
    )


@bp.get("/api/suggest")
def suggest_api() -> Any:
    query = request.args.get("q", "").strip()[:200]
    requested = request.args.get("lang", "")
    lang = requested if requested in i18n.LANGS else i18n.current_lang()
    try:
        limit = max(1, min(int(request.args.get("limit", "10")), 50))
    except ValueError:
        limit = 10
    return jsonify(search.suggest(current_kg(), query, lang, limit=limit))
