"""``/impact``: what an entity touches, within k steps (``graph/trace.py`` impact, the same
computation as ``amkg impact``). ``/impact.json`` is exactly ``amkg impact --format json``.

Parameters: ``entity`` (IRI, prefixed name or unambiguous label), ``max_steps`` (1..MAX_STEPS,
default 3), ``mode`` (``directed``, the default, or ``undirected``). An unknown name is a 404,
an ambiguous one or a bad parameter a 400, in the app's error shape.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, jsonify, render_template, request

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.trace import MAX_STEPS, AmbiguousName, EntityNotFound, impact, resolve
from amkg.webui.asof import current_kg
from amkg.webui.errors import HttpError
from amkg.webui.i18n import current_lang, t
from amkg.webui.views import impact as impact_view

bp = Blueprint("impact_page", __name__)


def _steps() -> int:
    raw = request.args.get("max_steps", "").strip()
    if not raw:
        return 3
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_STEPS:
        raise HttpError(400, f"max_steps must be an integer from 1 to {MAX_STEPS}, not {raw!r}")
    return int(raw)


@bp.get("/impact")
@bp.get("/impact.json", endpoint="impact_json")
def impact_page() -> Any:
    kg: KnowledgeGraph = current_kg()
    lang = current_lang()
    as_json = request.path.endswith(".json")
    name = request.args.get("entity", "").strip()[:500]
    mode = request.args.get("mode", "directed")
    if mode not in ("directed", "undirected"):
        raise HttpError(400, f"mode must be 'directed' or 'undirected', not {mode!r}")
    steps = _steps()
    if not name:
        if as_json:
            raise HttpError(400, "the parameter 'entity' is required")
        form = {"entity": "", "max_steps": steps, "mode": mode, "max": MAX_STEPS}
        return render_template("impact.html", page=None, form=form, json_url=None)
    try:
        start = resolve(kg, name)
    except AmbiguousName as error:
        raise HttpError(400, f"entity: {error}") from None
    except EntityNotFound as error:
        reason = t(f"trace.reason.{error.kind}", lang)
        raise HttpError(404, f"entity: unknown entity {name!r}: {reason}") from None
    result = impact(kg, start, steps, undirected=mode == "undirected")
    if as_json:
        return jsonify(result.to_dict(lang))
    query = urlencode({"entity": name, "max_steps": steps, "mode": mode})
    form = {"entity": name, "max_steps": steps, "mode": mode, "max": MAX_STEPS}
    return render_template(
        "impact.html",
        page=impact_view.build(result, lang),
        form=form,
        json_url="/impact.json?" + query,
    )
