"""The analysis pages: trace matrix, path finder, timeline, figures, query catalogue, SPARQL
editor. Thin, like ``webui/pages.py``: each route gets its data from a builder in
``webui/views`` and renders it, or returns the same data as JSON (the page's ``.json`` twin).

A bad parameter shows the page's form again with the reason, naming the parameter (400); in
a ``.json`` twin it is the app's JSON error.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from amkg.graph.kg import KnowledgeGraph
from amkg.queries.catalogue import ParameterError, UnknownQuery
from amkg.webui import i18n
from amkg.webui.asof import current_kg
from amkg.webui.errors import HttpError
from amkg.webui.views import catalogue_ui, editor, figures, matrix, pathfinder, timeline

bp = Blueprint("analysis", __name__)


def _kg() -> KnowledgeGraph:
    kg: KnowledgeGraph = current_kg()
    return kg


def _as_json() -> bool:
    return request.path.endswith(".json")


def _query_string(keys: tuple[str, ...]) -> str:
    given = [(k, request.args[k]) for k in keys if request.args.get(k, "").strip()]
    return "?" + urlencode(given) if given else ""


def _page(
    template: str, data: dict[str, Any], json_url: str, nav: str, status: int = 200, **context: Any
) -> Any:
    if _as_json():
        return jsonify(data), status
    html = render_template(template, page=data, json_url=json_url, active_nav=nav, **context)
    return html, status


def _bad(reason: str) -> None:
    """In a ``.json`` twin, a bad parameter is the app's JSON error."""
    if _as_json():
        raise HttpError(400, reason)


@bp.get("/matrix")
@bp.get("/matrix.json", endpoint="matrix_json")
def matrix_page() -> Any:
    ministry = request.args.get("ministerie", "")[:200]
    period = request.args.get("periode", "")[:200]
    qs = _query_string(("ministerie", "periode"))
    try:
        data = matrix.build(_kg(), i18n.current_lang(), ministry, period)
        status = 200
    except matrix.FilterError as error:
        _bad(str(error))
        data = matrix.build(_kg(), i18n.current_lang())
        data["rows"], data["filters"] = [], {"ministerie": ministry, "periode": period}
        data["error"] = {"param": error.param, "reason": error.reason}
        status = 400
    return _page(
        "matrix.html", data, "/matrix.json" + qs, "matrix", status, csv_url="/matrix.csv" + qs
    )


@bp.get("/matrix.csv")
def matrix_csv() -> Response:
    try:
        data = matrix.build(
            _kg(),
            i18n.current_lang(),
            request.args.get("ministerie", ""),
            request.args.get("periode", ""),
        )
    except matrix.FilterError as error:
        raise HttpError(400, str(error)) from None
    response = Response(matrix.to_csv(data), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="matrix.csv"'
    return response


@bp.get("/pad")
@bp.get("/pad.json", endpoint="path_json")
def path_page() -> Any:
    lang = i18n.current_lang()
    args = {k: request.args.get(k, "")[:500] for k in ("from", "to")}
    steps = request.args.get("max_steps")
    qs = _query_string(("from", "to", "max_steps"))
    try:
        data = pathfinder.build(_kg(), lang, args["from"], args["to"], steps)
        status = 200
    except pathfinder.PathProblem as error:
        if _as_json():
            raise HttpError(error.status, str(error)) from None
        data = {
            "from": args["from"],
            "to": args["to"],
            "result": None,
            "max_steps": pathfinder.DEFAULT_STEPS,
            "max_steps_limit": pathfinder.MAX_STEPS,
            "error": {"param": error.param, "reason": error.reason, "options": error.options},
        }
        status = error.status
    return _page("pad.html", data, "/pad.json" + qs, "path", status)


@bp.get("/tijdlijn")
@bp.get("/tijdlijn.json", endpoint="timeline_json")
def timeline_page() -> Any:
    data = timeline.build(_kg(), i18n.current_lang())
    return _page("tijdlijn.html", data, "/tijdlijn.json", "timeline")


@bp.get("/cijfers")
@bp.get("/cijfers.json", endpoint="figures_json")
def figures_page() -> Any:
    lang = i18n.current_lang()
    data = figures.build(_kg(), lang, lambda key: i18n.t(key, lang))
    return _page("cijfers.html", data, "/cijfers.json", "figures")


@bp.get("/queries")
@bp.get("/queries.json", endpoint="queries_json")
def queries_page() -> Any:
    lang = i18n.current_lang()
    audience = request.args.get("audience", "").strip()[:50]
    tag = request.args.get("tag", "").strip()[:100]
    qs = _query_string(("audience", "tag"))
    try:
        data = catalogue_ui.listing(lang, audience, tag)
        status = 200
    except ParameterError as error:
        _bad(str(error))
        data = catalogue_ui.listing(lang)
        data["queries"], data["count"] = [], 0
        data["filters"] = {"audience": audience, "tag": tag}
        data["error"] = {"param": error.param, "reason": error.reason}
        status = 400
    return _page("queries.html", data, "/queries.json" + qs, "queries", status)


@bp.get("/queries/<name>")
def query_page(name: str) -> Any:
    lang = i18n.current_lang()
    base = name.removesuffix(".json")
    limit = current_app.config.get("ROW_LIMIT")
    try:
        data = catalogue_ui.detail(_kg(), lang, base, request.args, int(limit) if limit else None)
    except UnknownQuery:
        reason = i18n.t("an.query.unknown", lang, name=base)
        raise HttpError(404, reason) from None
    status = 400 if data["error"] else 200
    if data["error"]:
        _bad(data["error"]["message"])
    qs = "?" + urlencode([(k, v) for k, v in request.args.items() if k != "lang"])
    return _page(
        "query.html", data, f"/queries/{base}.json" + (qs if qs != "?" else ""), "queries", status
    )


@bp.get("/sparql-editor")
@bp.get("/sparql-editor.json", endpoint="editor_json")
def editor_page() -> Any:
    data = editor.build(i18n.current_lang(), request.args.get("query"), _kg())
    return _page("sparql_editor.html", data, "/sparql-editor.json", "sparql")
