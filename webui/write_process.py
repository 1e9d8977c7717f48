"""Writes run in a process of their own, at a lower CPU priority, so that browsing stays fast.

An edit is heavy: the date preview traces what the trajectory touches, the SHACL gate validates
the change's neighbourhood, the commit writes a new version. In the web process those seconds of
Python would hold the interpreter lock that every page of that process needs; on a busy machine
they would also take CPU from the readers. So ``amkg serve`` gives each web process one *write
process* (``WRITE_PROCESS_NICE``): the same app, spawned beside it, with a higher nice value.
The web process hands it every request that writes (an edit form's POST, a SPARQL Update, a
Graph Store PUT/POST/DELETE) and the edit forms themselves (their GETs) whole: the
environment's plain values and the body; it answers with the status, headers and body.
Reading requests, logging in and out and SPARQL queries stay in the web process.
Benchmarks: ``benchmarks/README.md`` ("Bewerken").

Before it takes a request the write process computes what the first edit would otherwise
compute while its editor waits (:func:`amkg.webui.edit.warm_up`: the trace network and dates
behind the date preview, the SHACL gate with one trial validation, the templates; about 1.3 s of
CPU on the real graph, at its own nice value); writes that come sooner wait for it.

Nothing about a write changes: the write process runs the same views, checks the session
cookie and CSRF token with the same key (kept in the accounts file), takes the same writer's
lock; the web process logs the request. If the write process dies, the requests it had get 503
(whether a change was saved shows in ``/wijzigingen``: a change set is published whole or not at
all) and the next write starts a new one. A write process that cannot start (its app cannot be
built) takes no request: the web process answers the writes itself, and tries a new write
process again after :data:`RETRY_START` seconds.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map

from amkg.webui import i18n
from amkg.webui.auth import SAFE_METHODS
from amkg.webui.errors import render_error

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask import Flask, Response

log = logging.getLogger(__name__)

#: Non-safe routes that do not write: they stay in the web process (the login throttle's
#: counts live there).
STAY = frozenset({"auth.login", "auth.logout"})
#: The edit forms: their GETs go to the write process too. Only editors ask for them, right
#: before they save, and the write process has what they need ready; a reader's process does
#: not spend its time on them.
EDIT_FORMS = ("/bewerken/", "/nieuw/")
SPARQL_ENDPOINT = "sparql.endpoint"
GRAPH_STORE_ENDPOINT = "graph_store.graph_store"  # takes bodies up to GRAPH_STORE_MAX_BYTES
#: Requests one write process handles at once (commits take the writer's lock one by one).
THREADS = 8
#: Seconds a write may take in the write process before the web process answers 503.
TIMEOUT = 300.0
#: Seconds a write waits for a new write process to build its app.
START_TIMEOUT = 120.0
READY = -1  # the number of the write process's first message: its app is built
#: Seconds after a write process failed to start before the next write tries again (the
#: writes in between are answered in the web process).
RETRY_START = 30.0
_Answer = tuple[str, list[tuple[str, str]], bytes]


def is_update(environ: WSGIEnvironment, body: bytes) -> bool:
    """Whether a POST to ``/sparql`` is a SPARQL Update (``application/sparql-update``, or a
    form with ``update=``), as :func:`amkg.webui.sparql.read_params` reads it."""
    mimetype = (environ.get("CONTENT_TYPE") or "").split(";", 1)[0].strip().lower()
    if mimetype == "application/sparql-update":
        return True
    if mimetype == "application/x-www-form-urlencoded":
        return "update" in parse_qs(body.decode("latin-1"), keep_blank_values=True)
    return False


def _endpoint(url_map: Map, environ: WSGIEnvironment) -> str | None:
    """The endpoint of a request for the write process: one that may write (a method other
    than GET/HEAD/OPTIONS, not login or logout) or that shows an edit form (a GET under
    :data:`EDIT_FORMS`), else ``None``; no route (404, 405): ``None``, the web process
    answers."""
    method = environ.get("REQUEST_METHOD", "GET")
    if method in SAFE_METHODS and (
        method != "GET" or not str(environ.get("PATH_INFO", "")).startswith(EDIT_FORMS)
    ):
        return None  # a reader's request: decided without matching the route
    try:
        endpoint, _args = url_map.bind_to_environ(environ).match()
    except HTTPException:
        return None
    return None if endpoint in STAY else str(endpoint)


def writes(url_map: Map, environ: WSGIEnvironment, body: bytes) -> bool:
    """Whether the request goes to the write process: a method other than GET/HEAD/OPTIONS on
    any route but login, logout and a SPARQL query (so a new write route goes there from the
    start), and the GET of an edit form."""
    endpoint = _endpoint(url_map, environ)
    if endpoint == SPARQL_ENDPOINT:
        return is_update(environ, body)
    return endpoint is not None


def _plain(environ: WSGIEnvironment) -> dict[str, Any]:
    """What of the environment crosses to the other process: its plain values (the CGI
    variables, headers, ``wsgi.url_scheme``, the request id), never its streams."""
    kept = (str, int, float, bool)
    return {
        key: value
        for key, value in environ.items()
        if isinstance(value, kept) and key not in ("wsgi.input", "wsgi.errors")
    }


class WriteProcess:
    """The web process's side: decides which requests write and hands them over."""

    def __init__(self, app: Flask, overrides: dict[str, Any] | None, nice: int) -> None:
        if not 0 <= nice <= 19:
            raise ValueError(f"WRITE_PROCESS_NICE must be 0 to 19, not {nice}")
        self.app = app
        self.overrides = dict(overrides or {})
        self.nice = nice
        self._lock = threading.Lock()
        self._channel: _Channel | None = None
        self.handed = 0  # requests handed over (tests read it)

    def start(self) -> None:
        """Start the write process now (else on the first write)."""
        self._current()

    def close(self) -> None:
        with self._lock:
            channel, self._channel = self._channel, None
        if channel is not None:
            channel.close()

    @property
    def pid(self) -> int | None:
        channel = self._channel
        return channel.process.pid if channel is not None else None

    @property
    def frozen(self) -> int:
        """How many objects the write process froze once warmed up (0 until it is ready;
        :mod:`amkg.webui.heap`)."""
        channel = self._channel
        return channel.frozen if channel is not None else 0

    def _current(self) -> _Channel:
        with self._lock:
            channel = self._channel
            if channel is not None and channel.failed_to_start(within=RETRY_START):
                raise _NotStarted("the write process did not start a moment ago")
            if channel is None or not channel.alive:
                channel = self._channel = _Channel(self.overrides, self.nice)
            return channel

    def takes(self, environ: WSGIEnvironment) -> bool:
        """Whether this request goes to the write process. Its body is read (a form POST to
        ``/sparql`` says in it whether it is an update) and put back for whoever answers."""
        endpoint = _endpoint(self.app.url_map, environ)
        if endpoint is None:
            return False
        config = self.app.config
        limit = config["GRAPH_STORE_MAX_BYTES"] if endpoint == GRAPH_STORE_ENDPOINT else None
        limit = limit or config.get("MAX_CONTENT_LENGTH") or sys.maxsize
        stream = environ["wsgi.input"]
        if environ.get("CONTENT_LENGTH"):
            try:
                length = int(environ["CONTENT_LENGTH"])
            except ValueError:
                return False  # the app answers 400
            if length > limit:
                return False  # the app answers 413 without reading it
            body = stream.read(length)
        elif environ.get("wsgi.input_terminated"):  # chunked: read up to the limit
            body = stream.read(limit + 1)
            if len(body) > limit:  # the app answers 413 (it reads more than it may)
                environ["wsgi.input"] = BytesIO(body)
                return False
        else:
            body = b""
        environ["wsgi.input"] = BytesIO(body)
        environ["amkg.body"] = body
        return endpoint != SPARQL_ENDPOINT or is_update(environ, body)

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse, here: WSGIApplication
    ) -> Iterable[bytes]:
        """Hand the request over; answer it ``here`` (in the web process) if no write process
        could be started, 503 if the write process stopped or stalled with it."""
        body = environ.pop("amkg.body", b"")
        with self._lock:
            self.handed += 1
        plain = _plain(environ)
        plain["CONTENT_LENGTH"] = str(len(body))
        try:
            status, headers, data = self._current().ask(plain, body)
        except _NotStarted:
            log.error(
                "write process: it did not start; this write is answered in the web process",
                extra={"fields": {"request_id": environ.get("amkg.request_id")}},
            )
            return here(environ, start_response)
        except _Gone as gone:
            log.error("write process: %s", gone, extra={"fields": {
                "request_id": environ.get("amkg.request_id")}})  # fmt: skip
            return self._unavailable(environ)(environ, start_response)  # why: in the log
        start_response(status, headers)
        return [data]

    def _unavailable(self, environ: WSGIEnvironment) -> Response:
        """503 through the app's one error renderer (JSON or HTML, in the request's language)."""
        with self.app.request_context(environ):
            return render_error(503, i18n.t("write.unavailable"), {"Retry-After": "5"})


class _Gone(Exception):
    """The write process stopped, or did not answer in time."""


class _NotStarted(_Gone):
    """The write process stopped before its app was built: no request reached it."""


class _Channel:
    """One write process and the pipe to it; answers come back tagged with their request's
    number, so several requests can be in the write process at once."""

    def __init__(self, overrides: dict[str, Any], nice: int) -> None:
        context = multiprocessing.get_context("spawn")  # never fork a process with a store open
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=serve, args=(child, overrides, nice), name="amkg-writes", daemon=True
        )
        self.process.start()
        child.close()
        self.alive = True
        self.started = time.monotonic()
        self.ready_seen = False  # the write process said its app is built
        self.frozen = 0  # objects it froze after warming up (its ready message says)
        self.ready = threading.Event()  # set when it did, or when it stopped first
        self._numbers = itertools.count()
        self._send = threading.Lock()
        self._waiting: dict[int, list[Any]] = {}
        self._waiting_lock = threading.Lock()
        threading.Thread(target=self._receive, name="amkg-write-answers", daemon=True).start()

    def failed_to_start(self, within: float) -> bool:
        """Whether the write process stopped before it was ready, less than ``within`` s
        after it was started."""
        recent = time.monotonic() - self.started < within
        return recent and not self.alive and not self.ready_seen

    def ask(self, environ: dict[str, Any], body: bytes) -> _Answer:
        """The write process's answer; :class:`_NotStarted` if it never got ready (nothing
        was sent: the web process may answer itself), :class:`_Gone` if it stopped or did not
        answer in time after the request was sent."""
        if not self.ready.wait(START_TIMEOUT) or not self.alive:
            raise _NotStarted("the write process did not start")
        number = next(self._numbers)
        box: list[Any] = [threading.Event(), None]
        with self._waiting_lock:
            if not self.alive:
                raise _Gone("the write process stopped")
            self._waiting[number] = box
        try:
            with self._send:
                self.conn.send((number, environ, body))
        except (OSError, ValueError) as error:
            self._stop(f"could not reach it: {error}")
        if not box[0].wait(TIMEOUT):
            with self._waiting_lock:
                self._waiting.pop(number, None)
            raise _Gone(f"no answer in {TIMEOUT:g} s")
        if isinstance(box[1], _Gone):
            raise box[1]
        return box[1]  # type: ignore[no-any-return]

    def _receive(self) -> None:
        while True:
            try:
                number, answer = self.conn.recv()
            except (EOFError, OSError, TypeError):  # TypeError: closed here while waiting
                self._stop("it stopped")
                self.ready.set()  # whoever waits for it to start: it will not
                return
            if number == READY:
                self.frozen = int(answer or 0)
                self.ready_seen = True
                self.ready.set()
                continue
            with self._waiting_lock:
                box = self._waiting.pop(number, None)
            if box is not None:
                box[1] = answer
                box[0].set()

    def _stop(self, why: str) -> None:
        with self._waiting_lock:
            self.alive = False
            waiting, self._waiting = self._waiting, {}
        for box in waiting.values():
            box[1] = _Gone(f"the write process stopped ({why})")
            box[0].set()

    def close(self) -> None:
        self._stop("closed")
        with contextlib.suppress(OSError):
            self.conn.close()
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)


def serve(conn: Connection, overrides: dict[str, Any], nice: int) -> None:
    """The write process: the app, built once; each request answered on a thread of its own
    (at most :data:`THREADS` at once); stops when the web process is gone."""
    os.nice(nice)
    from amkg.webui import logs
    from amkg.webui.app import create_app
    from amkg.webui.edit import warm_up
    from amkg.webui.heap import freeze

    logs.configure(os.environ.get(logs.LEVEL_ENV) or "info")
    app = create_app(overrides or None)
    try:  # before the first request, not during it (seconds of CPU on the real graph)
        warm_up(app)
    except Exception:  # the writes compute it themselves
        log.exception("write process: warming up failed")
    frozen = freeze(app)  # full collections no longer walk what the warm-up built
    front = app.wsgi_app  # DirectSparql: /sparql updates and the Flask app, without a log line
    send = threading.Lock()
    conn.send((READY, frozen))

    def answer(number: int, environ: dict[str, Any], body: bytes) -> None:
        environ["wsgi.input"] = BytesIO(body)
        environ["wsgi.errors"] = sys.stderr
        got: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> Any:
            got[:] = [status, list(headers)]
            return lambda _data: None

        try:
            parts = front.answer_here(environ, start_response)  # type: ignore[attr-defined]
            try:
                data = b"".join(parts)
            finally:
                close = getattr(parts, "close", None)
                if close is not None:
                    close()
            result: _Answer | _Gone = (got[0], got[1], data)
        except Exception as error:  # the app renders its own errors; a failure around it:
            log.exception("write process: a request failed")  # the web process answers 503
            result = _Gone(f"{error.__class__.__name__} in the write process")
        with send:
            conn.send((number, result))

    with ThreadPoolExecutor(THREADS, thread_name_prefix="amkg-write") as pool:
        while True:
            try:
                number, environ, body = conn.recv()
            except (EOFError, OSError):
                return  # the web process is gone: finish what is running, then stop
            pool.submit(answer, number, environ, body)
