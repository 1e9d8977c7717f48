"""``/sparql`` straight from WSGI: the same handler, without Flask's per-request machinery.

A query to ``/sparql`` is the one request analysts' tools send in bulk, and on it Flask's
request context, URL matching, hooks and context-local lookups cost about 0.2 ms of the web
process's CPU, more than the rest of the request in the web process (parsing it, handing the
query to a worker, sending the answer back). :class:`DirectSparql` wraps the app's
``wsgi_app`` and answers ``/sparql`` by calling :func:`webui.sparql.respond`, the function
behind the Flask view, which sets every header the app's hooks would (security, CORS).

Anything else goes to Flask untouched: other paths, other methods (Flask's 405), and a request
with a ``lang`` parameter (its cookie is the i18n hook's business). An error raised by
``respond`` is handed to Flask inside a request context made from the same request object,
so the app's one error renderer and its hooks shape it; the query is never run twice.
``tests/test_sparql_direct.py`` checks that both routes give the same status, headers and body.

Being the app's WSGI front, it also answers the health probe ``/healthz`` (``GET``/``HEAD``:
200 ``{"status": "ok"}``, without Flask, the graph or the query pool, so it answers while
every query worker is busy) and writes the access log (:mod:`webui.logs`) of every request.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask, Response
from flask.ctx import RequestContext

from amkg.webui import logs
from amkg.webui.headers import SECURITY_HEADERS
from amkg.webui.sparql import METHODS, respond

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from amkg.webui.write_process import WriteProcess

PATH = "/sparql"
HEALTH_PATH = "/healthz"
_METHODS = frozenset([*METHODS, "HEAD"])
_HEALTHY = b'{"status":"ok"}'
_HEALTH_HEADERS = [
    ("Content-Type", "application/json"),
    ("Content-Length", str(len(_HEALTHY))),
    ("Cache-Control", "no-store"),
    *SECURITY_HEADERS,
]


class DirectSparql:
    """WSGI middleware: ``app.wsgi_app = DirectSparql(app, app.wsgi_app)``."""

    def __init__(self, app: Flask, flask_wsgi_app: WSGIApplication) -> None:
        self.app = app
        self.flask_wsgi_app = flask_wsgi_app  # the app without this shortcut (tests use it)
        self.writes: WriteProcess | None = None  # amkg serve: writes in a process of their own

    def _takes(self, environ: WSGIEnvironment) -> bool:
        query_string = environ.get("QUERY_STRING", "")
        return (
            environ.get("PATH_INFO") == PATH
            and environ.get("REQUEST_METHOD") in _METHODS
            # no lang parameter (an & inside a value is encoded, so this cannot misfire)
            and not query_string.startswith("lang=")
            and "&lang=" not in query_string
        )

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response = logs.begin(environ, start_response)  # type: ignore[arg-type]
        return logs.finish(environ, self._answer(environ, start_response))  # type: ignore[arg-type]

    def _answer(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in (
            "GET",
            "HEAD",
        ):
            start_response("200 OK", list(_HEALTH_HEADERS))
            return [] if environ["REQUEST_METHOD"] == "HEAD" else [_HEALTHY]
        if self.writes is not None and self.writes.takes(environ):
            return self.writes(environ, start_response, self.answer_here)
        return self.answer_here(environ, start_response)

    def answer_here(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        """The answer of this process (a write process answers with this too)."""
        if not self._takes(environ):
            return self.flask_wsgi_app(environ, start_response)
        app = self.app
        req = app.request_class(environ)
        req.json_module = app.json
        # Flask reads these limits from current_app, which does not exist here: set them.
        req.max_content_length = app.config["MAX_CONTENT_LENGTH"]
        req.max_form_memory_size = app.config["MAX_FORM_MEMORY_SIZE"]
        req.max_form_parts = app.config["MAX_FORM_PARTS"]
        try:
            response = respond(app, req)  # complete: CORS and security headers included
        except Exception as error:
            response = self._render_error(environ, req, error)
        return response(environ, start_response)

    def _render_error(self, environ: WSGIEnvironment, req: Any, error: Exception) -> Response:
        """The error as Flask renders it: its handlers, then its after-request hooks."""
        app = self.app
        ctx = RequestContext(app, environ, request=req)
        ctx.push()
        try:
            try:
                result: Any = app.handle_user_exception(error)
            except Exception as unhandled:  # no handler took it: Flask's 500
                return app.handle_exception(unhandled)
            return app.finalize_request(result, from_error_handler=True)
        finally:
            ctx.pop()


def install(app: Flask) -> None:
    """Put :class:`DirectSparql` in front of ``app`` (idempotent)."""
    if not isinstance(app.wsgi_app, DirectSparql):
        app.wsgi_app = DirectSparql(app, app.wsgi_app)  # type: ignore[method-assign]


def use_write_process(app: Flask, nice: int, overrides: dict[str, Any] | None = None) -> None:
    """Hand ``app``'s writes to a process of their own at ``nice``
    (:mod:`amkg.webui.write_process`; ``amkg serve``), started now, in the background."""
    from amkg.webui.write_process import WriteProcess

    install(app)
    front = app.wsgi_app
    assert isinstance(front, DirectSparql)
    if front.writes is None:
        front.writes = WriteProcess(app, overrides, nice)
        front.writes.start()
