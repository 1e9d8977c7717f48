"""The lever pages of issue 14: levers x effects (/knoppen), scenarios (/scenario,
/api/scenario), signals (/signalen), the ministry lens (/ministerie/<naam>), the briefing per
track (/spoor/<n>/briefing) and the family-migration calculator (/gezinsmigratie).

Thin, like ``webui/pages_analysis.py``: each route gets its data from a builder in
``webui/views/levers_*.py`` and renders it, or returns the same data as JSON (the page's
``.json`` twin). A bad parameter shows the page with the reason (400); in a ``.json`` twin or
the API it is the app's JSON error.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, render_template, request

from amkg.webui import i18n
from amkg.webui.asof import current_kg
from amkg.webui.errors import HttpError
from amkg.webui.views import (
    levers_briefing,
    levers_family,
    levers_matrix,
    levers_ministry,
    levers_scenario,
    levers_signals,
)

bp = Blueprint("levers", __name__)


def _kg() -> Any:
    return current_kg()


def _as_json() -> bool:
    return request.path.endswith(".json")


def _qs(keys: tuple[str, ...]) -> str:
    given = [(k, v[:500]) for k in keys for v in request.args.getlist(k) if v.strip()]
    return "?" + urlencode(given) if given else ""


def _page(template: str, data: dict[str, Any], json_url: str, nav: str, status: int = 200) -> Any:
    if _as_json():
        return jsonify(data), status
    return render_template(template, page=data, json_url=json_url, active_nav=nav), status


def _error(param: str, reason: str, suggestions: list[str] | None = None) -> dict[str, Any]:
    if _as_json() or request.path.startswith("/api/"):
        raise HttpError(400, f"{param}: {reason}")
    return {"param": param, "reason": reason, "suggestions": suggestions or []}


@bp.get("/knoppen")
@bp.get("/knoppen.json", endpoint="levers_json")
def levers_page() -> Any:
    args = {k: request.args.get(k, "")[:200] for k in ("spoor", "groep", "ministerie")}
    qs = _qs(("spoor", "groep", "ministerie"))
    lang = i18n.current_lang()
    try:
        data, status = levers_matrix.build(_kg(), lang, **args), 200
    except levers_matrix.FilterProblem as error:
        problem = _error(error.param, error.reason)
        data, status = levers_matrix.build(_kg(), lang), 400
        data.update(rows=[], columns=[], filters=args, error=problem)
    data["csv_url"] = "/knoppen.csv" + qs
    return _page("levers.html", data, "/knoppen.json" + qs, "levers", status)


@bp.get("/knoppen.csv")
def levers_csv() -> Response:
    args = {k: request.args.get(k, "")[:200] for k in ("spoor", "groep", "ministerie")}
    try:
        data = levers_matrix.build(_kg(), i18n.current_lang(), **args)
    except levers_matrix.FilterProblem as error:
        raise HttpError(400, str(error)) from None
    response = Response(levers_matrix.to_csv(data), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="knoppen.csv"'
    return response


def _scenario_data(lang: str) -> tuple[dict[str, Any], int]:
    aan = [a[:300] for a in request.args.getlist("aan")]
    vergelijk = [a[:300] for a in request.args.getlist("vergelijk")]
    zekerheid = request.args.get("zekerheid", "")[:20]
    try:
        data, status = levers_scenario.build(_kg(), lang, aan, vergelijk, zekerheid), 200
        data["error"] = None
    except levers_scenario.ScenarioProblem as error:
        problem = _error(error.param, error.reason, error.suggestions)
        data, status = levers_scenario.build(_kg(), lang, []), 400
        data["error"] = problem
    data["aan"] = [a for a in aan if a.strip()]
    data["vergelijk"] = [a for a in vergelijk if a.strip()]
    return data, status


@bp.get("/scenario")
@bp.get("/scenario.json", endpoint="scenario_json")
def scenario_page() -> Any:
    lang = i18n.current_lang()
    data, status = _scenario_data(lang)
    if not _as_json():
        data["catalogue"] = levers_scenario.catalogue(_kg(), lang)
    qs = _qs(("aan", "vergelijk", "zekerheid"))
    data["permalink"] = "/scenario" + qs
    data["signals_url"] = "/signalen" + _qs(("aan",)) if data["aan"] else "/signalen"
    return _page("scenario.html", data, "/scenario.json" + qs, "scenario", status)


@bp.get("/api/scenario")
def scenario_api() -> Any:
    data, _ = _scenario_data(i18n.current_lang())
    return jsonify(data)


@bp.get("/signalen")
@bp.get("/signalen.json", endpoint="signals_json")
def signals_page() -> Any:
    lang = i18n.current_lang()
    aan = [a[:300] for a in request.args.getlist("aan")]
    try:
        data, status = levers_signals.build(_kg(), lang, aan), 200
        data["error"] = None
    except levers_scenario.ScenarioProblem as error:
        problem = _error(error.param, error.reason, error.suggestions)
        data, status = levers_signals.build(_kg(), lang), 400
        data["error"] = problem
    data["scenario_url"] = "/scenario" + _qs(("aan",))
    return _page("signals.html", data, "/signalen.json" + _qs(("aan",)), "signals", status)


@bp.get("/ministerie")
@bp.get("/ministerie.json", endpoint="ministries_json")
def ministries_page() -> Any:
    data = {"ministries": levers_ministry.options(_kg(), i18n.current_lang())}
    return _page("ministries.html", data, "/ministerie.json", "ministry")


@bp.get("/ministerie/<name>")
def ministry_page(name: str) -> Any:
    base = name.removesuffix(".json")[:100]
    try:
        data = levers_ministry.build(_kg(), i18n.current_lang(), base)
    except levers_ministry.UnknownMinistry as error:
        raise HttpError(404, str(error)) from None
    return _page("ministry.html", data, f"/ministerie/{data['slug']}.json", "ministry")


@bp.get("/spoor/<int:number>/briefing")
@bp.get("/spoor/<int:number>/briefing.json", endpoint="briefing_json")
def briefing_page(number: int) -> Any:
    lang = i18n.current_lang()
    data = levers_briefing.build(_kg(), number, lang)
    if data is None:
        raise HttpError(404, i18n.t("lv.briefing.no_track", lang, n=number))
    return _page("briefing.html", data, f"/spoor/{number}/briefing.json", "")


@bp.get("/gezinsmigratie")
@bp.get("/gezinsmigratie.json", endpoint="family_json")
def family_page() -> Any:
    lang = i18n.current_lang()
    keys = ("jaar", "kennis", "overig", "laag")
    args = {k: request.args.get(k, "")[:40] for k in keys}
    try:
        data, status = levers_family.build(_kg(), lang, **args), 200
    except levers_family.CalculatorProblem as error:
        problem = _error(error.param, error.reason)
        data, status = levers_family.build(_kg(), lang), 400
        data["error"] = problem
    data["given"] = args
    return _page("family.html", data, "/gezinsmigratie.json" + _qs(keys), "family", status)
