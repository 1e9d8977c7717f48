"""The one error renderer of the app: JSON for API clients, an HTML page for people.

Every error, a werkzeug ``HTTPException`` or one of ours, leaves as

* JSON ``{"error": {"status": 400, "title": "Bad Request", "reason": "..."}}`` when the client
  wants JSON: an ``/api`` or ``/sparql`` path, a ``.json`` URL, or an Accept header that
  prefers ``application/json`` over ``text/html``;
* otherwise the page ``templates/error.html``, inside ``base.html`` when that renders, else
  inside a minimal standalone page. Jinja autoescapes the reason.

The reason is always stated. Raise :class:`HttpError` from a view for an error of your own;
the query errors (``QueryRejected``, ``QueryTimeout``, ``PoolBusy``, ``WorkerFailed``) and the
catalogue's ``ParameterError`` are mapped here.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from amkg.queries.executor import PoolBusy, QueryTimeout, WorkerFailed
from amkg.queries.guard import QueryRejected
from amkg.webui import i18n

log = logging.getLogger(__name__)

JSON_PREFIXES = ("/api", "/sparql", "/rdf-graph-store")
#: Errors of other modules and their status; str(error) is the reason.
OPTIONAL_ERRORS = {
    "amkg.queries.catalogue:ParameterError": 400,
    "amkg.queries.catalogue:UnknownQuery": 404,
    "amkg.graph.remote:StoreUnavailable": 503,
    "amkg.graph.remote:RemoteQueryError": 502,
}
_OPTIONAL: dict[type[Exception], int] = {}
STANDALONE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock %}</title></head>
<body><main id="main">{% block content %}{% endblock %}</main></body></html>
"""


class HttpError(Exception):
    """An error a view raises on purpose: an HTTP status and a reason for the client."""

    def __init__(self, status: int, reason: str, headers: Mapping[str, str] | None = None):
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = dict(headers or {})


def wants_json() -> bool:
    """Whether the client of this request should get a JSON error."""
    path = request.path
    if path.endswith(".json") or any(
        path == prefix or path.startswith(prefix + "/") for prefix in JSON_PREFIXES
    ):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def title_of(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _layout() -> Any:
    """``base.html`` when it exists and renders here, else the standalone page."""
    env = current_app.jinja_env
    try:
        env.get_template("base.html")
        return "base.html"
    except Exception:
        return env.from_string(STANDALONE)


def render_error(status: int, reason: str, headers: Mapping[str, str] | None = None) -> Response:
    """The error response for this request, JSON or HTML."""
    title = title_of(status)
    if wants_json():
        response = jsonify({"error": {"status": status, "title": title, "reason": reason}})
    else:  # a page: the title in the reader's language (JSON keeps the HTTP phrase)
        key = f"error.title.{status}"
        context = {"status": status, "title": i18n.t(key) if i18n.has(key) else title,
                   "reason": reason}  # fmt: skip
        try:
            html = render_template("error.html", layout=_layout(), **context)
        except Exception:  # base.html needs context that is missing here: stand alone
            layout = current_app.jinja_env.from_string(STANDALONE)
            html = render_template("error.html", layout=layout, **context)
        response = Response(html, mimetype="text/html")
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    # The body's form (JSON or HTML, and on /sparql whether it exists at all) follows Accept.
    response.vary.add("Accept")
    return response


def _http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    headers = {}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    reason = error.description or title_of(status)
    if reason == type(error).description:  # Werkzeug's own English text: ours, translated
        key = f"error.reason.{status}"
        reason = i18n.t(key) if i18n.has(key) else reason
    return render_error(status, reason, headers)


def _ours(error: Exception) -> Response:
    if isinstance(error, HttpError):
        return render_error(error.status, error.reason, error.headers)
    if isinstance(error, QueryRejected):
        return render_error(error.status, error.reason)
    if isinstance(error, QueryTimeout):
        return render_error(503, str(error), {"Retry-After": "5"})
    if isinstance(error, PoolBusy):  # 503, or 429 for a client over its share (ClientBusy)
        return render_error(error.status, str(error), {"Retry-After": str(error.retry_after)})
    if isinstance(error, WorkerFailed):
        return render_error(503, str(error), {"Retry-After": "5"})
    status = next((code for cls, code in _OPTIONAL.items() if isinstance(error, cls)), 400)
    if status in (502, 503):  # the remote store: said in the reader's language, logged in full
        from amkg.webui.i18n import t

        log.warning("%s %s: %s", request.method, request.path, error)
        key = "remote.unavailable" if status == 503 else "remote.refused"
        if status == 503 and _a_write(error):  # nothing half-written: graph/changes_remote.py
            key = "remote.write_unavailable"
        return render_error(status, t(key), {"Retry-After": "5"} if status == 503 else None)
    return render_error(status, str(error))


def _a_write(error: Exception) -> bool:
    """Whether the store failed a write (a commit, or any step of a write route: the change is
    written in one request at the end, so nothing of it is in the store)."""
    if type(error).__name__ == "WriteUnavailable":
        return True
    return request.method in ("POST", "PUT", "DELETE") and not request.path.startswith("/sparql")


def _unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return _http_exception(error)
    log.error(
        "unhandled error on %s %s",
        request.method,
        request.path,
        exc_info=error,
        extra={"fields": {"request_id": request.environ.get("amkg.request_id")}},
    )
    return render_error(500, "an internal error occurred; it has been logged")


def _optional_error(name: str) -> type[Exception] | None:
    """An error class of another module, if that module (already) exists."""
    module_name, _, attribute = name.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return None
    found = getattr(module, attribute, None)
    return found if isinstance(found, type) and issubclass(found, Exception) else None


def register_error_handlers(app: Flask) -> None:
    """Route every error of ``app`` through :func:`render_error`."""
    app.register_error_handler(HTTPException, _http_exception)
    for name, status in OPTIONAL_ERRORS.items():
        found = _optional_error(name)
        if found is not None:
            _OPTIONAL[found] = status
    for error_class in [HttpError, QueryRejected, QueryTimeout, PoolBusy, WorkerFailed, *_OPTIONAL]:
        app.register_error_handler(error_class, _ours)
    app.register_error_handler(Exception, _unexpected)
