"""Read-only pages of the edited graph (issue 11): ``/wijzigingen`` (+ ``.json``; a page at a
time with ``voor=``, one entity's with ``over=``; the JSON Feed ``/wijzigingen/feed.json``),
``/verschil?van=..&tot=..`` (+ ``.json``) and ``/conflicten`` (+ ``.json``); builders in
:mod:`amkg.webui.views.changes_page`. Every one reads :func:`amkg.webui.asof.current_kg`, so
``?op=`` works here too."""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, jsonify, render_template, request
from rdflib import URIRef

from amkg.graph.load import KG
from amkg.webui import i18n
from amkg.webui.asof import current_kg, parse_op
from amkg.webui.errors import HttpError
from amkg.webui.views import changes_page

bp = Blueprint("changes", __name__)
_LOCAL = re.compile(r"[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*")


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {"change_link": changes_page.change_link}  # where a change set is listed


def _page(template: str, data: dict[str, Any], json_url: str, nav: str = "changes") -> Any:
    if request.path.endswith(".json"):
        return jsonify(data)
    return render_template(template, page=data, json_url=json_url, active_nav=nav)


@bp.get("/wijzigingen")
@bp.get("/wijzigingen.json", endpoint="changes_json")
def changes_list() -> Any:
    """A page of change sets, newest first: ``voor=N`` those numbered below N (the ``next``
    link), ``over=`` those about one entity (its local name or IRI)."""
    before = _number(request.args.get("voor", ""))
    about = _entity(request.args.get("over", "").strip())
    json = request.path.endswith(".json")
    data = changes_page.recent(current_kg(), i18n.current_lang(), before, about, json=json)
    return _page("changes.html", data, changes_page.changes_url(
        before, request.args.get("over", "").strip() or None, json=True))  # fmt: skip


def _number(text: str) -> int | None:
    if not text.strip():
        return None
    if not text.strip().isdigit() or len(text.strip()) > 12:
        raise HttpError(400, i18n.t("changes.bad_before", value=text[:40]))
    return int(text)


def _entity(text: str) -> URIRef | None:
    """``over=``: a local name of the graph (``traject-...``), ``kg:...`` or a full IRI."""
    if not text:
        return None
    if text.startswith(("http://", "https://")):
        try:
            ox.NamedNode(text)  # a valid IRI, else a 400 (it is bound, never pasted)
        except ValueError:
            raise HttpError(400, i18n.t("changes.bad_about", value=text[:80])) from None
        return URIRef(text)
    local = text.removeprefix("kg:")
    if not _LOCAL.fullmatch(local):
        raise HttpError(400, i18n.t("changes.bad_about", value=text[:80]))
    return URIRef(str(KG) + local)


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
