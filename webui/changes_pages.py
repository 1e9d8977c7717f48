"""Read-only pages of the edited graph (issue 11): ``/wijzigingen`` (+ ``.json`` and the JSON
Feed ``/wijzigingen/feed.json``), ``/verschil?van=..&tot=..`` (+ ``.json``) and
``/conflicten`` (+ ``.json``); builders in :mod:`amkg.webui.views.changes_page`. Every one
reads :func:`amkg.webui.asof.current_kg`, so ``?op=`` works here too."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request

from amkg.webui import i18n
from amkg.webui.asof import current_kg, parse_op
from amkg.webui.views import changes_page

bp = Blueprint("changes", __name__)


def _page(template: str, data: dict[str, Any], json_url: str, nav: str = "changes") -> Any:
    if request.path.endswith(".json"):
        return jsonify(data)
    return render_template(template, page=data, json_url=json_url, active_nav=nav)


@bp.get("/wijzigingen")
@bp.get("/wijzigingen.json", endpoint="changes_json")
def changes_list() -> Any:
    data = changes_page.recent(current_kg(), i18n.current_lang())
    return _page("changes.html", data, "/wijzigingen.json")


@bp.get("/wijzigingen/feed.json")
def changes_feed() -> Any:
    data = changes_page.feed(current_kg(), request.url_root, i18n.current_lang())
    response = jsonify(data)
    response.mimetype = "application/feed+json"
    return response


@bp.get("/verschil")
@bp.get("/verschil.json", endpoint="diff_json")
def diff_page() -> Any:
    van, tot = request.args.get("van", "").strip(), request.args.get("tot", "").strip()
    data: dict[str, Any] = {"van": van or None, "tot": tot or None, "added": [], "removed": []}
    if van and tot:
        data = changes_page.diff(current_kg(), parse_op(van), parse_op(tot), i18n.current_lang())
        data["asked"] = True
    else:
        data["asked"] = False
    return _page("diff.html", data, "/verschil.json")


@bp.get("/conflicten")
@bp.get("/conflicten.json", endpoint="conflicts_json")
def conflicts_page() -> Any:
    data = changes_page.conflicts(current_kg(), i18n.current_lang())
    return _page("conflicts.html", data, "/conflicten.json")
