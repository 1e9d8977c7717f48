"""Structured logs: one JSON object per line on stderr, an access log and an error log.

* **Access log** (logger ``amkg.access``, level INFO): one line per request with its request
  id (the client's ``X-Request-Id`` when it is a plain token, else a new one; sent back in the
  response), the client address, method, path (never the query string: it may hold a query),
  status, bytes, milliseconds, the CPU milliseconds of the thread that answered (``cpu_ms``:
  ``ms`` much larger than ``cpu_ms`` means the request waited, for a CPU, the interpreter lock
  or a query worker) and, for ``/sparql``, the query's hash (``query_hash``, the first
  12 hex digits of its SHA-256): never the query text, a header value or a cookie.
* **Error log** (every other ``amkg`` logger): refused queries with their reason and hash
  (``amkg.sparql``), stopped queries and failed workers (``amkg.queries.executor``), unhandled
  errors with their traceback and request id (``amkg.webui.errors``).

:func:`configure` sets it up in a process (``amkg serve --log-level``); :func:`begin` and
:func:`finish` are the access log's two halves, called by :class:`webui.sparql_direct.DirectSparql`,
the WSGI front of the app.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

access = logging.getLogger("amkg.access")
LEVELS = ("critical", "error", "warning", "info", "debug")
#: The level ``amkg serve`` gives its web and write processes (they are spawned: the
#: environment is what reaches them).
LEVEL_ENV = "AMKG_LOG_LEVEL"
_TOKEN = re.compile(r"[A-Za-z0-9._-]{1,64}")
_HANDLER_NAME = "amkg-json"


class JsonFormatter(logging.Formatter):
    """A record as one JSON line: time, level, logger, message and the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(level: str = "info") -> None:
    """JSON lines on stderr for every ``amkg`` logger at ``level`` (idempotent)."""
    logger = logging.getLogger("amkg")
    logger.setLevel(level.upper())
    if not any(h.get_name() == _HANDLER_NAME for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(_HANDLER_NAME)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    logger.propagate = False


def request_id(environ: dict[str, Any]) -> str:
    """The request's id: the client's ``X-Request-Id`` if it is a plain token, else new."""
    given = environ.get("HTTP_X_REQUEST_ID", "")
    return given if _TOKEN.fullmatch(given) else uuid.uuid4().hex[:16]


def begin(environ: dict[str, Any], start_response: Callable[..., Any]) -> Callable[..., Any]:
    """Give the request an id and return a ``start_response`` that adds ``X-Request-Id`` and
    notes the status for :func:`finish`."""
    environ["amkg.request_id"] = rid = request_id(environ)
    environ["amkg.started"] = time.monotonic()
    environ["amkg.cpu_started"] = (threading.get_ident(), time.thread_time())

    def logged_start_response(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
        environ["amkg.status"] = status.split(" ", 1)[0]
        headers.append(("X-Request-Id", rid))
        return start_response(status, headers, *args)

    return logged_start_response


class _Logged:
    """The response body, passed through; the access log line is written when it closes."""

    def __init__(self, body: Iterable[bytes], environ: dict[str, Any]) -> None:
        self.body, self.environ, self.size = body, environ, 0

    def __iter__(self) -> Any:
        for chunk in self.body:
            self.size += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            _write(self.environ, self.size)


def finish(environ: dict[str, Any], body: Iterable[bytes]) -> Iterable[bytes]:
    """The body, wrapped so that its access log line is written once it has been sent."""
    if not access.isEnabledFor(logging.INFO):
        return body
    return _Logged(body, environ)


def _write(environ: dict[str, Any], size: int) -> None:
    status = environ.get("amkg.status", "")
    fields = {
        "request_id": environ.get("amkg.request_id"),
        "client": environ.get("REMOTE_ADDR"),
        "method": environ.get("REQUEST_METHOD"),
        "path": environ.get("PATH_INFO"),
        "status": int(status) if status.isdigit() else None,
        "bytes": size,
        "ms": round((time.monotonic() - environ.get("amkg.started", time.monotonic())) * 1000, 1),
    }
    thread, cpu = environ.get("amkg.cpu_started", (None, 0.0))
    if thread == threading.get_ident():  # answered on one thread (else its CPU is not known)
        fields["cpu_ms"] = round((time.thread_time() - cpu) * 1000, 1)
    if "amkg.query_hash" in environ:
        fields["query_hash"] = environ["amkg.query_hash"]
    access.info("request", extra={"fields": fields})
