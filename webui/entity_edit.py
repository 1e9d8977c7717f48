"""Adding a trajectory, a measure or an effect, and correcting an entity's labels or note
(issue 11). The data of the forms: ``webui/views/entity_forms.py``; the reason and source, and
messages at their fields: ``webui/views/edit_common.py`` (shared with the trajectory edit form).

* ``/nieuw/traject``, ``/nieuw/maatregel`` (``?spoor=N`` chooses the track),
  ``/nieuw/effect`` (``?van=<local>``: of that measure or track): GET (and ``.json``) the empty
  form, POST makes the entity (its IRI from its Dutch name; a name whose IRI exists is refused at
  the field) and goes to its page.
* ``/bewerken/tekst/<local>``: GET (and ``.json``) the labels (nl, en) and note of any entity
  with a label, POST the corrections with ``If-Match`` = the form's etag (409 with both versions
  when someone else saved first).

Every save carries a reason and a source and goes through the core's gate (``commit``): bad input
400 and a violation 422, each message at its field, nothing written. Roles: a beheerder may do
all of it; a redacteur may add a trajectory that their own ministry coordinates and correct the
texts of their ministry's trajectories; the rest is 403 with the reason. Anonymous: 303 to
``/inloggen``. CSRF as on every form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, jsonify, redirect, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from amkg.graph.changes import (
    BadChange,
    Change,
    ChangeRejected,
    EditConflict,
    commit,
    entity_etag,
)
from amkg.graph.history import current
from amkg.graph.load import KG
from amkg.webui import i18n
from amkg.webui.accounts import User
from amkg.webui.auth import current_user
from amkg.webui.errors import HttpError, render_error
from amkg.webui.permissions import may_edit, refusal
from amkg.webui.views import entity_forms as forms
from amkg.webui.views.edit_common import SOURCE_FIELDS, bad_input, field_errors, source_of

bp = Blueprint("entity_edit", __name__)
NEW = {"trajectory": "/nieuw/traject", "measure": "/nieuw/maatregel", "effect": "/nieuw/effect"}
TEXT = "/bewerken/tekst/"


def _kg() -> Any:
    return current(current_app.extensions["amkg"])  # always the current version, never ?op=


class _LoginFirst(Exception):
    pass


def _user() -> User:
    user = current_user()
    if user is None:
        raise _LoginFirst()
    return user


def may_add(kind: str) -> bool:
    """Whether the logged-in user may add an entity of ``kind`` (for the links)."""
    user = current_user()
    if user is None:
        return False
    return user.is_admin or (kind == "trajectory" and bool(user.ministry))


def _may_correct(kg: Any, user: User, iri: str, texts: dict[str, Any]) -> bool:
    return user.is_admin or (texts["trajectory"] and may_edit(kg, user, iri))


def form_links(iri: str) -> list[dict[str, str]]:
    """The forms an entity page offers the logged-in user: correct its texts, add a measure to
    a track, add an effect of a track or measure (only those the user may use)."""
    user = current_user()
    if user is None or not iri.startswith(str(KG)):
        return []
    kg, local = _kg(), iri[len(str(KG)) :]
    links = []
    kinds = forms.form_kinds(kg, iri) if user.is_admin else {}
    if kinds.get("track"):
        number = local.removeprefix("spoor-")
        links.append({"href": f"{NEW['measure']}?spoor={number}", "text": "forms.link.measure"})
    if kinds.get("track") or kinds.get("measure"):
        links.append({"href": f"{NEW['effect']}?van={local}", "text": "forms.link.effect"})
    texts = forms.current_texts(kg, iri)
    if texts is not None and _may_correct(kg, user, iri, texts):
        links.append({"href": TEXT + local, "text": "forms.link.text"})
    return links


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {"form_links": form_links, "may_add": may_add}


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> Any:
    """A form over the body limit (a label of a megabyte): said in the reader's language."""
    limit = str(current_app.config["MAX_BODY_BYTES"] // 1024)
    return render_error(413, i18n.t("forms.too_large", kb=limit))


@bp.errorhandler(_LoginFirst)
def _login_first(_error: _LoginFirst) -> Any:
    return redirect("/inloggen?next=" + request.path, 303)


# --- rendering ---------------------------------------------------------------------------------


def _render(kind: str, status: int = 200, **page: Any) -> Any:
    kg, lang = _kg(), i18n.current_lang()
    page = {
        "kind": kind,
        "fields": forms.FORMS[kind],
        "options": forms.options(kg, kind, lang),
        "values": {},
        "errors": {},
        "conflict": None,
        "etag": "",
        **page,
    }
    return render_template("entity_form.html", page=page, json_url=None), status


def _defaults(kind: str, user: User, kg: Any) -> dict[str, Any]:
    """An empty form, with what the link chose (a track, the measure or track of an effect)
    and, for a redacteur's new trajectory, their ministry as coordinator."""
    values: dict[str, Any] = forms.values_of(kind, {})
    if kind == "trajectory" and user.ministry and not user.is_admin:
        values["coordinators"] = [user.ministry]
    if kind == "measure" and request.args.get("spoor", "").isdigit():
        values["track"] = str(KG[f"spoor-{request.args['spoor']}"])
    if kind == "effect" and request.args.get("van"):
        values["of"] = str(KG[request.args["van"]])
    return values


# --- adding ------------------------------------------------------------------------------------


def _add_access(kind: str) -> tuple[Any, User]:
    user = _user()
    if not user.is_admin and kind != "trajectory":
        raise HttpError(403, i18n.t("forms.deny.admin_only"))
    if not user.is_admin and not user.ministry:
        raise HttpError(403, i18n.t("auth.deny.no_ministry"))
    return _kg(), user


def _add_form(kind: str) -> Any:
    kg, user = _add_access(kind)
    values = _defaults(kind, user, kg)
    if request.path.endswith(".json"):
        options = forms.options(kg, kind, i18n.current_lang())
        return jsonify({"kind": kind, "values": values, "options": options,
                        "fields": [f.name for f in forms.FORMS[kind]]})  # fmt: skip
    return _render(kind, values=values)


def _save(
    kg: Any, user: User, change: Change, if_match: dict[str, str], rerender: Callable[..., Any]
) -> Any | None:
    """Commit ``change`` (the role rules first); ``None`` when saved, else the form again with
    the refusal."""
    lang = i18n.current_lang()
    denied = refusal(kg, user, change.added, change.removed)
    if denied is not None:
        raise HttpError(403, i18n.t(denied.key, **denied.values))
    try:
        commit(kg, change, if_match=if_match)
    except BadChange as error:
        return rerender(400, errors=bad_input(error, forms.field_of, lang))
    except ChangeRejected as rejected:
        errors = field_errors(rejected.violations, forms.field_of, lang)
        return rerender(422, errors=errors or {"": [v.message(lang) for v in rejected.violations]})
    except EditConflict as conflict:
        return rerender(409, conflict=conflict)
    return None


def _add(kind: str) -> Any:
    kg, user = _add_access(kind)
    lang = i18n.current_lang()
    values = forms.values_of(kind, request.form)
    form = {name: request.form.get(name, "") for name in SOURCE_FIELDS}
    kept = {**values, **form}

    def again(status: int, **page: Any) -> Any:
        conflict = page.pop("conflict", None)
        if conflict is not None:  # someone made the same IRI in the meantime
            page["errors"] = {"label_nl": [i18n.t("forms.taken_meanwhile")]}
        return _render(kind, status, values=kept, **page)

    try:
        forms.check(kind, values, forms.options(kg, kind, lang))
        source = source_of(form)
        iri = forms.new_iri(kg, kind, values["label_nl"])
        triples = forms.new_triples(kind, iri, values)
    except BadChange as error:
        return again(400, errors=bad_input(error, forms.field_of, lang))
    if kind == "trajectory" and not user.is_admin and user.ministry not in values["coordinators"]:
        raise HttpError(403, i18n.t("forms.deny.own_ministry"))
    change = Change(user.name, form["reason"], source, tuple(triples))
    refused = _save(kg, user, change, {str(iri): entity_etag(kg, iri)}, again)
    return refused or redirect("/id/" + iri[len(str(KG)) :], 303)


def _add_routes(kind: str) -> None:
    path = NEW[kind]
    bp.add_url_rule(path, f"new_{kind}", lambda: _add_form(kind), methods=["GET"])
    bp.add_url_rule(path + ".json", f"new_{kind}_json", lambda: _add_form(kind), methods=["GET"])
    bp.add_url_rule(path, f"save_{kind}", lambda: _add(kind), methods=["POST"])


for _kind in NEW:
    _add_routes(_kind)


# --- correcting labels and notes ---------------------------------------------------------------


def _text_access(local: str) -> tuple[Any, User, str, dict[str, Any]]:
    user = _user()
    kg, iri = _kg(), str(KG[local])
    texts = forms.current_texts(kg, iri)
    if texts is None:
        raise HttpError(404, i18n.t("forms.no_texts", name=local))
    if not _may_correct(kg, user, iri, texts):
        raise HttpError(403, i18n.t("forms.deny.text"))
    return kg, user, iri, texts


def _text_page(local: str, iri: str, before: dict[str, Any], **page: Any) -> dict[str, Any]:
    return {"local": local, "iri": iri, "label": before["label_nl"] or local,
            "current": before, **page}  # fmt: skip


@bp.get(TEXT + "<path:local>")
def text_form(local: str) -> Any:
    as_json = local.endswith(".json")
    local = local.removesuffix(".json")
    kg, _user, iri, before = _text_access(local)
    etag = entity_etag(kg, iri)
    if as_json:
        return jsonify({"iri": iri, "values": before, "etag": etag})
    return _render("text", **_text_page(local, iri, before, values=before, etag=etag))


@bp.post(TEXT + "<path:local>")
def text_save(local: str) -> Any:
    kg, user, iri, before = _text_access(local)
    lang = i18n.current_lang()
    values = forms.values_of("text", request.form)
    form = {name: request.form.get(name, "") for name in SOURCE_FIELDS}
    etag = request.form.get("etag", "")
    kept = {**values, **form}

    def again(status: int, **page: Any) -> Any:
        conflict = page.pop("conflict", None)
        if conflict is not None:
            page["conflict"] = {"theirs": before, "yours": values}
            page["etag"] = conflict.current_etag
        page.setdefault("etag", etag)
        return _render("text", status, **_text_page(local, iri, before, values=kept, **page))

    try:
        forms.check("text", values, {})
        source = source_of(form)
    except BadChange as error:
        return again(400, errors=bad_input(error, forms.field_of, lang))
    added, removed, changed = forms.text_changes(iri, before, values)
    if not changed:
        return again(400, errors={"": [i18n.t("edit.nothing")]})
    change = Change(user.name, form["reason"], source, tuple(added), tuple(removed))
    refused = _save(kg, user, change, {iri: etag}, again)
    return refused or redirect("/id/" + local, 303)
