"""Writes by script: SPARQL 1.1 Update on ``/sparql`` and the change metadata every write carries.

An update (``POST /sparql`` with ``update=`` in a form, or the update as the body with
``Content-Type: application/sparql-update``) needs ``Authorization: Bearer <token>`` of a
redacteur or beheerder (``amkg token create``): without one 401 with
``WWW-Authenticate: Bearer realm="amkg"``. Then, in this order:

1. the update is run on an in-memory copy of the current version's default graph (on a remote
   store: of the server's data graph, :mod:`amkg.graph.changes_remote`), which gives
   the triples it adds and removes (an update that names a graph or loads a document: 400);
2. the role rules (:mod:`amkg.webui.permissions`) look at that delta: a redacteur touching a
   trajectory their ministry does not coordinate gets 403 with the reason;
3. the delta goes through the core's gate as one change (:func:`amkg.graph.changes.commit`):
   bad input (no reason, a date that does not exist, HTML in a note) is 400; a SHACL violation
   is 422 with the report, as JSON (``application/json``, the default) or as Turtle
   (``Accept: text/turtle``), and the graph is unchanged; accepted: 200 with the change's id.

Every write names its reason and source, as parameters (form fields or URL parameters) or as
headers (values percent-encoded UTF-8 when they are not ASCII):

=================  =========================  ===============================================
parameter          header                     what
=================  =========================  ===============================================
``reason``         ``X-AMKG-Reason``          why (required)
``source-title``   ``X-AMKG-Source-Title``    the document the change rests on
``source-date``    ``X-AMKG-Source-Date``     its date (``2023-05-01``)
``source-url``     ``X-AMKG-Source-URL``      its link (http or https)
``source-meeting`` ``X-AMKG-Source-Meeting``  or the meeting it was decided in
=================  =========================  ===============================================

A title or a meeting is required. The Graph Store Protocol (:mod:`amkg.webui.graph_store`) reads
the same fields.

``If-Match`` makes a write conditional on the version of the data (the ``ETag`` of a Graph
Store ``GET``, and of every accepted write): a write on another version gets 412 with the
current ``ETag``, checked before the delta is computed and again, atomically, when it is
committed, so a script that read the data never saves over a change it has not seen.
``If-Match: *`` and no header write on whatever version is current.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from flask import Flask, Request, Response
from werkzeug.datastructures import MultiDict

from amkg.graph.changes import (
    BadChange,
    Change,
    ChangeRejected,
    ChangeSource,
    EditConflict,
    commit,
    dataset_etag,
)
from amkg.graph.changes_checks import parse_date
from amkg.graph.changes_types import DATASET, Committed, Triple
from amkg.graph.changes_update import update_delta
from amkg.graph.history import current
from amkg.webui import i18n
from amkg.webui.accounts import User
from amkg.webui.auth import bearer
from amkg.webui.errors import HttpError
from amkg.webui.headers import SECURITY_HEADERS
from amkg.webui.permissions import refusal

FIELDS = {
    "reason": "X-AMKG-Reason",
    "source-title": "X-AMKG-Source-Title",
    "source-date": "X-AMKG-Source-Date",
    "source-url": "X-AMKG-Source-URL",
    "source-meeting": "X-AMKG-Source-Meeting",
}
TURTLE = "text/turtle"


def _field(req: Request, url: MultiDict[str, str], form: MultiDict[str, str], name: str) -> str:
    value = form.get(name) or url.get(name)
    if value is None:
        header = req.headers.get(FIELDS[name])
        value = unquote(header, errors="strict") if header else ""
    return value.strip()


def api_lang(req: Request) -> str:
    """The language of a token route's messages: ``?lang=en``, else Dutch (never the cookie:
    /sparql answers the same with or without Flask, and a script has no cookie)."""
    return i18n.choose_lang(req.args.get("lang"), None)


def change_meta(
    req: Request, url: MultiDict[str, str], form: MultiDict[str, str]
) -> tuple[str, ChangeSource]:
    """The reason and the source a write request names (parameters first, then headers)."""
    lang = api_lang(req)
    try:
        values = {name: _field(req, url, form, name) for name in FIELDS}
    except UnicodeDecodeError:
        raise HttpError(400, i18n.t("edit.api.bad_header", lang)) from None
    try:
        day = parse_date(values["source-date"], "source_date") if values["source-date"] else None
    except BadChange as error:
        raise HttpError(400, error.message(lang)) from None
    source = ChangeSource(
        title=values["source-title"],
        date=day,
        url=values["source-url"] or None,
        meeting=values["source-meeting"] or None,
    )
    return values["reason"], source


def rejected_response(rejected: ChangeRejected, accept: str | None, lang: str) -> Response:
    """422 with the SHACL report: Turtle when the client prefers it, else JSON."""
    reason = "; ".join(v.message(lang) for v in rejected.violations) or str(rejected)
    wants_turtle = accept is not None and _prefers_turtle(accept)
    if wants_turtle:
        body, content_type = rejected.report_turtle, TURTLE + "; charset=utf-8"
    else:
        payload = {
            "error": {"status": 422, "title": "Unprocessable Content", "reason": reason},
            "report": rejected.as_json(),
        }
        body, content_type = json.dumps(payload, ensure_ascii=False), "application/json"
    return Response(body, 422, [("Vary", "Accept"), *SECURITY_HEADERS], content_type=content_type)


def _prefers_turtle(accept: str) -> bool:
    from werkzeug.datastructures import MIMEAccept
    from werkzeug.http import parse_accept_header

    parsed = parse_accept_header(accept, MIMEAccept)
    return parsed.best_match(["application/json", TURTLE]) == TURTLE


def commit_as(
    kg: Any,
    user: User,
    added: tuple[Triple, ...],
    removed: tuple[Triple, ...],
    reason: str,
    source: ChangeSource,
    lang: str,
    if_match: dict[str, str] | None = None,
) -> Committed:
    """Check the role rules, then commit through the gate. Raises :class:`HttpError` 403 for a
    change that is not the user's; the core's ``BadChange``, ``ChangeRejected`` and
    ``EditConflict`` pass through."""
    denied = refusal(kg, user, added, removed)
    if denied is not None:
        raise HttpError(403, i18n.t(denied.key, lang, **denied.values))
    change = Change(user.name, reason, source, added, removed)
    return commit(kg, change, if_match=if_match)


def committed_response(committed: Committed, status: int = 200) -> Response:
    body = json.dumps({
        "change": committed.change_id,
        "iri": committed.iri,
        "time": committed.time.isoformat(),
        "etags": committed.etag_after,
    })  # fmt: skip
    response = Response(body, status, list(SECURITY_HEADERS), content_type="application/json")
    if DATASET in committed.etag_after:
        response.set_etag(committed.etag_after[DATASET])
    return response


def precondition(req: Request, kg: Any, lang: str) -> dict[str, str] | None:
    """``If-Match`` of a write: ``None`` without one (or ``*``), else the version it names
    (as ``commit``'s ``if_match``); 412 with the current ``ETag`` when ``kg`` is on another."""
    wanted = req.if_match
    if not wanted or wanted.star_tag:
        return None
    now = dataset_etag(kg)
    if not wanted.contains(now):
        raise HttpError(412, i18n.t("edit.api.stale", lang), {"ETag": f'"{now}"'})
    return {DATASET: now}


def write_errors(run: Any, accept: str | None, lang: str) -> Response:
    """``run()`` with the core's refusals turned into responses (400, 412, 422)."""
    try:
        result: Response = run()
    except BadChange as error:
        raise HttpError(400, error.message(lang)) from None
    except EditConflict as conflict:
        if conflict.entity == DATASET:
            raise HttpError(
                412, i18n.t("edit.api.stale", lang), {"ETag": f'"{conflict.current_etag}"'}
            ) from None
        raise HttpError(
            412,
            i18n.t("edit.conflict", lang, entity=conflict.entity),
            {"ETag": conflict.current_etag},
        ) from None
    except ChangeRejected as rejected:
        return rejected_response(rejected, accept, lang)
    return result


def respond_update(
    app: Flask, req: Request, text: str, url: MultiDict[str, str], form: MultiDict[str, str]
) -> Response:
    """The answer to one SPARQL update request (see the module's docstring)."""
    lang = api_lang(req)
    user = bearer(app, req, lang)  # 401 first: nothing about the update is looked at before
    if req.method not in ("POST",):
        raise HttpError(400, i18n.t("edit.api.post_only", lang))
    for name in ("using-graph-uri", "using-named-graph-uri", "op"):
        if url.getlist(name) or form.getlist(name):
            raise HttpError(400, i18n.t("edit.api.no_graphs", lang, name=name))
    kg = current(app.extensions["amkg"])
    reason, source = change_meta(req, url, form)

    def run() -> Response:
        if_match = precondition(req, kg, lang)
        added, removed = update_delta(kg, text)
        return committed_response(
            commit_as(kg, user, added, removed, reason, source, lang, if_match)
        )

    return write_errors(run, req.headers.get("Accept"), lang)
