"""The tracing API (JSON): paths, impact and hubs of ``graph/trace.py``.

- ``GET /api/trace?from=A&to=B[&max_steps=K][&lang=nl|en][&statistics=1]``
- ``GET /api/impact?entity=X[&max_steps=K][&mode=directed|undirected][&lang=..][&statistics=1]``
- ``GET /api/hubs[?top=N][&by=degree|betweenness][&lang=..][&statistics=1]``

Names are IRIs, prefixed names or unambiguous labels (see :func:`graph.trace.resolve`).
Errors have the app's shape, ``{"error": {"status", "title", "reason"}}``, plus
``suggestions`` (404, unknown entity) or ``candidates`` (400, ambiguous name).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.trace import (
    MAX_STEPS,
    AmbiguousName,
    Entity,
    EntityNotFound,
    TraceError,
    hubs,
    impact,
    resolve,
    trace,
)
from amkg.webui.asof import current_kg
from amkg.webui.errors import title_of
from amkg.webui.i18n import LANGS, current_lang, t

bp = Blueprint("api_trace", __name__)

MAX_TOP = 1000


class _Problem(Exception):
    def __init__(self, status: int, reason: str, **extra: Any) -> None:
        super().__init__(reason)
        self.status, self.reason, self.extra = status, reason, extra


@bp.errorhandler(_Problem)
def _problem(error: _Problem) -> Response:
    body = {
        "status": error.status,
        "title": title_of(error.status),
        "reason": error.reason,
        **error.extra,
    }
    response = jsonify({"error": body})
    response.status_code = error.status
    return response


def _kg() -> KnowledgeGraph:
    kg: KnowledgeGraph = current_kg()
    return kg


def _lang() -> str:
    lang = request.args.get("lang")
    if lang is None:
        return current_lang()
    if lang not in LANGS:
        raise _Problem(400, f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


def _required(name: str) -> str:
    value = request.args.get(name, "").strip()
    if not value:
        raise _Problem(400, f"the parameter {name!r} is required")
    return value


def _integer(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise _Problem(400, f"{name} must be an integer from {low} to {high}, not {raw!r}")
    return value


def _flag(name: str) -> bool:
    return request.args.get(name, "").lower() in ("1", "true", "yes", "on")


def _resolve(kg: KnowledgeGraph, param: str, lang: str) -> Entity:
    name = _required(param)
    try:
        return resolve(kg, name)
    except AmbiguousName as error:
        raise _Problem(
            400, f"{param}: {error}", candidates=[c.to_dict(lang) for c in error.candidates]
        ) from None
    except EntityNotFound as error:
        raise _Problem(
            404,
            f"{param}: unknown entity {name!r}: {t(f'trace.reason.{error.kind}', lang)}",
            suggestions=[s.to_dict(lang) for s in error.suggestions],
        ) from None


@bp.get("/api/trace")
def trace_api() -> Response:
    lang = _lang()
    max_steps = _integer("max_steps", 4, 1, MAX_STEPS)
    kg = _kg()
    source, target = _resolve(kg, "from", lang), _resolve(kg, "to", lang)
    try:
        result = trace(kg, source, target, max_steps, lang=lang, statistics=_flag("statistics"))
    except TraceError as error:
        raise _Problem(400, str(error)) from None
    return jsonify({**result.to_dict(lang), "lang": lang})


@bp.get("/api/impact")
def impact_api() -> Response:
    lang = _lang()
    max_steps = _integer("max_steps", 3, 1, MAX_STEPS)
    mode = request.args.get("mode", "directed")
    if mode not in ("directed", "undirected"):
        raise _Problem(400, f"mode must be 'directed' or 'undirected', not {mode!r}")
    kg = _kg()
    start = _resolve(kg, "entity", lang)
    result = impact(
        kg, start, max_steps, undirected=mode == "undirected", statistics=_flag("statistics")
    )
    return jsonify({**result.to_dict(lang), "lang": lang})


@bp.get("/api/hubs")
def hubs_api() -> Response:
    lang = _lang()
    top = _integer("top", 10, 1, MAX_TOP)
    by = request.args.get("by", "degree")
    if by not in ("degree", "betweenness"):
        raise _Problem(400, f"by must be 'degree' or 'betweenness', not {by!r}")
    found = hubs(_kg(), top, by=by, statistics=_flag("statistics"))
    return jsonify(
        {"by": by, "top": top, "lang": lang, "hubs": [hub.to_dict(lang) for hub in found]}
    )
