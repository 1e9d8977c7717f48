"""The graph a request reads (issue 11): the current version of the edited graph, or the graph
as it was on a day (``?op=YYYY-MM-DD`` on every page, ``.json`` twin and catalogue query;
``/sparql`` reads the same parameter itself, see :mod:`amkg.webui.sparql`).

One ``before_request`` hook chooses it: a ``stat`` of the edits' ``HEAD`` notices a change
committed by another process (the app's graph is then replaced by one over the new version;
with a follower only for the clients that must see it, see :func:`_must_look`), and ``op``
picks the read-only view of :func:`amkg.graph.history.as_of` (kept per version and day). A
date that does not exist is a 400 with a Dutch reason. Views read the graph through
:func:`current_kg`.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import math
import threading
import time
from typing import Any

from flask import Flask, Response, current_app, g, request

from amkg.graph import changes, history
from amkg.graph.kg import KnowledgeGraph
from amkg.queries import catalogue
from amkg.webui.auth import SAFE_METHODS
from amkg.webui.errors import HttpError

KEY = "amkg"
#: How often :func:`follow` looks at ``HEAD`` (a stat and a small read).
FOLLOW_SECONDS = 0.05
#: How long :func:`follow` waits after a move before the next one: versions committed in the
#: meantime are taken in one move (each costs a web process 20-30 ms under its interpreter
#: lock; ten editors saving make four a second).
MOVE_SECONDS = 1.0
FOLLOW_KEY = "amkg_follow"  # the stop event of the app's follower, if it has one
#: The cookie that names the version a client that wrote must read (see :func:`_must_look`).
VERSION_COOKIE = "amkg_versie"
log = logging.getLogger(__name__)


def parse_op(value: str) -> datetime.date:
    """A day ``YYYY-MM-DD``, else :class:`HttpError` 400 with the reason in Dutch."""
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise HttpError(
            400,
            f"op={value[:40]!r} is geen bestaande datum; schrijf JJJJ-MM-DD, bijvoorbeeld "
            "op=2023-06-01 (not a valid date; write YYYY-MM-DD)",
        ) from None


def current_kg() -> KnowledgeGraph:
    """The graph this request reads: as of ``?op=`` when given, else the current version."""
    chosen = g.get("amkg_kg")
    if chosen is not None:
        return chosen  # type: ignore[no-any-return]
    return current_app.extensions[KEY]  # type: ignore[no-any-return]


def as_of_day() -> datetime.date | None:
    """The day ``?op=`` asks for, if any (for the banner and the links of a page)."""
    return g.get("amkg_op")  # type: ignore[no-any-return]


def _move(app: Any) -> KnowledgeGraph:
    """The app's graph moved to the current version, if another one was committed."""
    base = app.extensions[KEY]
    latest = history.current(base)  # one stat (and a read of HEAD)
    if latest is not base:
        app.extensions[KEY] = latest
    return latest  # type: ignore[no-any-return]


def follow(
    app: Flask, every: float = FOLLOW_SECONDS, at_most_every: float = MOVE_SECONDS
) -> threading.Event:
    """Move ``app``'s graph to the newest version in a thread of its own (``amkg serve``'s web
    processes): opening the version's store (20-30 ms of RocksDB), taking over what was derived
    from the previous one and answering again the catalogue queries the change may have
    altered (:func:`amkg.queries.catalogue.warm`) then happen before a request needs them, not
    in the first request after each save. ``HEAD`` is looked at every ``every`` s, and a move
    comes at least ``at_most_every`` s after the one before: while editors save, the versions
    of that second are taken in one move. Set the returned event to stop. (The requests of a
    client that wrote, or that sends a token, check ``HEAD`` themselves and read the newest at
    once: see :func:`_must_look`.)"""
    stop = threading.Event()

    def run() -> None:
        failed_at = moved_at = -math.inf
        warmed = app.extensions[KEY]
        while not stop.wait(every):
            if time.monotonic() - moved_at < at_most_every:
                continue
            try:
                latest = _move(app)
                if latest is not warmed:  # a new version, moved to here or by a request:
                    moved_at = time.monotonic()  # the answers a page needs, computed before
                    warmed = latest  # it asks
                    catalogue.warm(latest)
            except Exception:  # reading goes on; the requests move the graph themselves
                if time.monotonic() - failed_at > 60:
                    failed_at = time.monotonic()
                    log.exception("following the versions failed")

    threading.Thread(target=run, name="amkg-follow-versions", daemon=True).start()
    app.extensions[FOLLOW_KEY] = stop
    return stop


def _must_look(app: Any) -> bool:
    """Whether this request checks ``HEAD`` itself before it reads. Without a follower
    (:func:`follow`; tests, one process) always. With one, the follower moves the graph to
    the newest version within :data:`MOVE_SECONDS` plus :data:`FOLLOW_SECONDS` and the opening
    of its store, and a request reads the version the process has, without waiting for a move,
    unless its client must see a newer one: one that wrote (its :data:`VERSION_COOKIE` names
    another version than the process reads) or a script with a token (``Authorization``)."""
    if FOLLOW_KEY not in app.extensions or "Authorization" in request.headers:
        return True
    seen = request.cookies.get(VERSION_COOKIE)
    return seen is not None and seen != _tag(app.extensions[KEY])


def _tag(kg: KnowledgeGraph) -> str:
    """The version tag of the data ``kg`` reads (once per version)."""
    return kg.derived("dataset-etag", lambda: changes.dataset_etag(kg))


def _remember_version(response: Response) -> Response:
    """After a request that wrote (a method that may write, and ``HEAD`` moved while it ran):
    the version its client must read from now on, in :data:`VERSION_COOKIE` (a version tag, no
    secret; the session cookie's flags). A query by POST or a login sets nothing."""
    started = g.get("amkg_version")
    if request.method in SAFE_METHODS or response.status_code >= 500 or started is None:
        return response
    app: Any = current_app
    with contextlib.suppress(Exception):  # a remote store that does not answer: no cookie
        tag = _tag(_move(app))
        if tag == started:
            return response
        response.set_cookie(
            VERSION_COOKIE,
            tag,
            httponly=True,
            samesite=app.config.get("SESSION_COOKIE_SAMESITE") or "Lax",
            secure=bool(app.config.get("SESSION_COOKIE_SECURE")),
        )
    return response


def choose() -> None:
    app: Any = current_app
    writes = request.method not in SAFE_METHODS
    base = _move(app) if writes or _must_look(app) else app.extensions[KEY]
    if writes:  # the version a write starts from (see _remember_version)
        with contextlib.suppress(Exception):
            g.amkg_version = _tag(base)
    op = request.args.get("op")
    if op is not None and op != "":
        day = parse_op(op)
        g.amkg_op = day
        g.amkg_kg = history.as_of(base, day)


def _template_globals() -> dict[str, Any]:
    day = g.get("amkg_op")
    return {"as_of_day": day.isoformat() if day else None}


def install(app: Flask) -> None:
    app.before_request(choose)
    app.after_request(_remember_version)
    app.context_processor(_template_globals)
