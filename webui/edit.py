"""``/bewerken/traject/<local>``: a trajectory's edit form (issue 11), for a logged-in editor of
its coordinating ministry (or an administrator).

* ``GET`` (and ``.json``): the form with the current values and the entity's etag: status,
  dates, label, note, and the ministries, measures, domains and documents it links to (chosen
  from what the graph has).
* ``POST`` with ``action=preview``: the impact preview (what the trajectory touches, and what
  the SHACL gate says about the change: violations and warnings), nothing saved. A change of a
  date is always previewed before it can be saved: a save whose dates differ from the ones last
  previewed shows the preview instead.
* ``POST`` with ``action=save``: the change (reason and source required) through the role rules
  and the core's gate with ``If-Match`` = the form's etag. Saved: 303 to the entity page. A
  violation or bad input: the form again (422 / 400) with each message next to its field and
  nothing changed. Someone else saved first: 409 with both versions side by side.

Anonymous: 303 to ``/inloggen``; logged in without the right: 403 with the reason. CSRF as on
every form.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from amkg.graph.changes import (
    BadChange,
    Change,
    ChangeRejected,
    EditConflict,
    commit,
    entity_etag,
    preview,
)
from amkg.graph.history import current
from amkg.graph.load import KG
from amkg.webui import i18n
from amkg.webui.accounts import User
from amkg.webui.auth import current_user
from amkg.webui.entity_edit import too_large
from amkg.webui.errors import HttpError
from amkg.webui.permissions import may_edit, refusal
from amkg.webui.views import edit_trajectory as form_data
from amkg.webui.views.edit_common import bad_input, source_of

bp = Blueprint("edit", __name__)
bp.register_error_handler(RequestEntityTooLarge, too_large)  # a label of a megabyte: in Dutch
PREFIX = "/bewerken/traject/"


def _kg() -> Any:
    from flask import current_app

    return current(current_app.extensions["amkg"])  # always the current version, never ?op=


def edit_url(iri: str) -> str | None:
    """The edit form of ``iri`` when the logged-in user may edit it (for the entity page)."""
    user = current_user()
    if user is None or not iri.startswith(str(KG)):
        return None
    kg = _kg()
    if form_data.current_values(kg, iri) is None or not may_edit(kg, user, iri):
        return None
    return PREFIX + iri[len(str(KG)) :]


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {"edit_url": edit_url}


def _access(local: str) -> tuple[Any, User, str, dict[str, Any]]:
    user = current_user()
    if user is None:
        raise _LoginFirst()
    kg = _kg()
    iri = str(KG[local])
    values = form_data.current_values(kg, iri)
    if values is None:
        raise HttpError(404, i18n.t("edit.no_trajectory", name=local))
    before: dict[str, Any] = {**values, **form_data.current_relations(kg, iri)}
    if not may_edit(kg, user, iri):
        raise HttpError(403, i18n.t("auth.deny.trajectory", subject=before["label"] or iri))
    return kg, user, iri, before


class _LoginFirst(Exception):
    pass


def _dates_key(values: dict[str, str]) -> str:
    text = "|".join(values.get(name, "").strip() for name in sorted(form_data.DATE_FIELDS))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _render(local: str, iri: str, before: dict[str, Any], etag: str, status: int = 200,
            **context: Any) -> Any:  # fmt: skip
    values = context.pop("values", None) or dict(before)
    page = {
        "iri": iri,
        "local": local,
        "label": before["label"],
        "fields": values,
        "current": before,
        "etag": etag,
        "statuses": form_data.STATUS_NAMES,
        "options": form_data.options(_kg(), i18n.current_lang()),
        "relations": [r.name for r in form_data.RELATIONS],
        "errors": context.pop("errors", {}),
        "preview": context.pop("preview", None),
        "conflict": context.pop("conflict", None),
        "previewed": context.pop("previewed", ""),
    }
    return render_template("edit_trajectory.html", page=page, json_url=None, **context), status


@bp.get(PREFIX + "<path:local>")
def edit_form(local: str) -> Any:
    as_json = local.endswith(".json")
    local = local.removesuffix(".json")
    try:
        kg, _user, iri, before = _access(local)
    except _LoginFirst:
        return redirect("/inloggen?next=" + PREFIX + local, 303)
    etag = entity_etag(kg, iri)
    if as_json:
        return jsonify({"iri": iri, "values": before, "etag": etag,
                        "statuses": list(form_data.STATUS_NAMES)})  # fmt: skip
    return _render(local, iri, before, etag)


@bp.post(PREFIX + "<path:local>")
def edit_save(local: str) -> Any:
    try:
        kg, user, iri, before = _access(local)
    except _LoginFirst:
        return redirect("/inloggen?next=" + PREFIX + local, 303)
    lang = i18n.current_lang()
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    chosen = {r.name: request.form.getlist(r.name) for r in form_data.RELATIONS}
    etag = form.get("etag", "")
    keep: dict[str, Any] = {
        "values": {**before, **form, **chosen},
        "previewed": form.get("previewed", ""),
    }
    try:
        added, removed, changed = form_data.changes_of(iri, before, form)
        allowed = {name: {o["iri"] for o in found}
                   for name, found in form_data.options(kg, lang).items()}  # fmt: skip
        more_added, more_removed, more = form_data.relation_changes(iri, before, chosen, allowed)
        added, removed, changed = (*added, *more_added), (*removed, *more_removed), changed + more
        source = source_of(form)
    except BadChange as error:
        return _render(local, iri, before, etag, 400,
                       errors=bad_input(error, form_data.field_of, lang), **keep)  # fmt: skip
    if not changed:
        return _render(local, iri, before, etag, 400,
                       errors={"": [i18n.t("edit.nothing")]}, **keep)  # fmt: skip
    denied = refusal(kg, user, added, removed)
    if denied is not None:
        raise HttpError(403, i18n.t(denied.key, **denied.values))
    change = Change(user.name, form.get("reason", ""), source, added, removed)
    dates_changed = any(name in form_data.DATE_FIELDS for name in changed)
    must_preview = dates_changed and form.get("previewed") != _dates_key(form)
    try:
        if form.get("action") == "preview" or must_preview:
            results = preview(kg, change)
            new_due = form.get("revised", "").strip() or form.get("planned", "").strip()
            shown = {
                **form_data.preview_of(kg, iri, lang, new_due if dates_changed else None),
                "results": [{"message": r.message(lang), "severity": r.severity,
                             "field": form_data.field_of(r.path)} for r in results],
                "blocking": any(r.severity == "Violation" for r in results),
            }  # fmt: skip
            keep["previewed"] = _dates_key(form)
            at_fields: dict[str, list[str]] = {}
            for r in results:
                if r.severity == "Violation":
                    at_fields.setdefault(form_data.field_of(r.path), []).append(r.message(lang))
            return _render(local, iri, before, etag, preview=shown, errors=at_fields, **keep)
        commit(kg, change, if_match={iri: etag})
    except BadChange as error:
        return _render(local, iri, before, etag, 400,
                       errors=bad_input(error, form_data.field_of, lang), **keep)  # fmt: skip
    except ChangeRejected as rejected:
        errors: dict[str, list[str]] = {}
        for violation in rejected.violations:
            errors.setdefault(form_data.field_of(violation.path), []).append(
                violation.message(lang)
            )
        return _render(local, iri, before, etag, 422, errors=errors, **keep)
    except EditConflict as conflict:
        return _render(local, iri, before, conflict.current_etag, 409,
                       conflict={"theirs": before, "yours": {**form, **chosen}},
                       **keep)  # fmt: skip
    return redirect("/id/" + local, 303)


def warm_up(app: Any) -> None:
    """Compute once what the first edit would otherwise compute while an editor waits (the
    write process does this before it takes a request, :mod:`amkg.webui.write_process`): the
    trace network and the dates behind the date preview, the form's choices in both languages,
    the SHACL gate's shapes with one trial validation (nothing is committed), and the form's
    templates. On the real graph that is about two seconds of CPU."""
    from rdflib import XSD, Literal

    from amkg.graph import slippage
    from amkg.graph.changes_types import ChangeSource
    from amkg.graph.load import AMKG

    with app.app_context():
        kg = _kg()
        known = sorted(slippage.dates(kg).values(), key=lambda d: str(d.trajectory))
        moved = next((d for d in known if d.due is not None), None)
        for lang in i18n.LANGS:
            form_data.options(kg, lang)
        if moved is not None and moved.due is not None:
            iri = str(moved.trajectory)
            new_due = moved.due + datetime.timedelta(days=7)
            for lang in i18n.LANGS:
                form_data.preview_of(kg, iri, lang, new_due.isoformat())
            removed = tuple((moved.trajectory, AMKG.revisedDate, value)
                            for value in kg.values(moved.trajectory, AMKG.revisedDate))  # fmt: skip
            day = Literal(new_due.isoformat(), datatype=XSD.date)
            added = ((moved.trajectory, AMKG.revisedDate, day),)
            source = ChangeSource(title="warm-up", date=new_due)
            preview(kg, Change("warm-up", "warm-up", source, added=added, removed=removed))
        for name in app.jinja_env.list_templates(extensions=["html"]):
            app.jinja_env.get_template(name)
