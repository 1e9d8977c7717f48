"""Run untrusted SPARQL under a hard time limit, in a pool of long-lived worker processes.

rdflib and pyoxigraph cannot be interrupted and a ``FILTER regex`` can hold the GIL, so no
thread can enforce a limit. :class:`WorkerPool` keeps ``size`` processes (start method
``spawn``, safe under a threaded server); each loads the store once, then answers over a pipe:
guard, evaluate, serialise (SELECT and ASK on Oxigraph with pyoxigraph's own writers, no
rdflib term in between), and send back the bytes, the row count and whether ``row_limit`` cut
them. The parent only waits. On overrun it kills *that* worker (terminate, then kill), starts a
replacement in the background and raises :class:`QueryTimeout`; the others keep serving. When
all are busy a request waits ``queue_wait`` s, then gets :class:`PoolBusy`. Never a fork per
query. Workers cap their memory and, once loaded, forbid themselves any network connection.
Each worker remembers the guard's verdict per query text (:func:`check_cached`), so a query
that comes back is not parsed again.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import logging
import math
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import rdflib.plugins.sparql

from amkg.graph.store import QueryResult, Store
from amkg.queries.formats import negotiate, serialise, serialise_native
from amkg.queries.guard import Limits, ParsedQuery, QueryRejected, check_query, parser_headroom

# rdflib must never fetch a FROM / FROM NAMED graph from its IRI (the guard refuses those
# clauses anyway). pyoxigraph has no such switch: it never loads FROM graphs, and SERVICE, its
# only way out, is refused by the guard. (SPARQL_DEFAULT_GRAPH_UNION only matters for datasets,
# which the stores do not use, so it is left alone.)
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False

log = logging.getLogger(__name__)


class QueryTimeout(Exception):
    """The query ran past the time limit; its worker was stopped (answer 503)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"query stopped after {seconds:g} s (the time limit)")


class PoolBusy(Exception):
    """Every worker is busy (answer 503 with ``Retry-After``)."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__("all query workers are busy; try again shortly")


class WorkerFailed(Exception):
    """A worker died or failed to start (answer 503)."""


@dataclass(frozen=True)
class StoreSpec:
    """Where a worker loads its store from (``None``: the project's defaults)."""

    data_dir: str | None = None
    ontology_dir: str | None = None
    engine: str = "oxigraph"
    store: str | None = None

    @classmethod
    def for_kg(cls, kg: Any) -> StoreSpec:
        """The spec that opens the same build as ``kg`` (an opened KnowledgeGraph)."""
        sources, build = kg.sources, kg.build
        root = str(build.directory.parent.parent) if build is not None else None
        return cls(
            str(sources.data_dir) if sources else None,
            str(sources.ontology_dir) if sources else None,
            kg.store.name,
            root,
        )


@dataclass(frozen=True)
class Answer:
    """A serialised answer: ``rows`` rows (or triples) of ``kind`` in ``media_type``."""

    body: bytes
    content_type: str
    media_type: str
    kind: str
    rows: int
    truncated: bool


def load_store(spec: StoreSpec) -> Store:
    """The store of the ontology and the data that ``spec`` names, opened read-only from disk
    (the web process that starts the worker has built it already)."""
    from amkg.graph.kg import KnowledgeGraph

    return KnowledgeGraph.open(
        spec.data_dir, spec.ontology_dir, spec.engine, store=spec.store
    ).store


@contextlib.contextmanager
def _engine_syntax_is_400() -> Iterator[None]:
    """The engine's own syntax errors as a 400 (pyoxigraph's parser is stricter in places)."""
    try:
        yield
    except SyntaxError as error:
        raise QueryRejected(400, f"SPARQL error: {error}") from None


def run_parsed(store: Store, parsed: ParsedQuery) -> QueryResult:
    """Evaluate a guarded query; the engine's own syntax errors become a 400."""
    with _engine_syntax_is_400():
        return store.query(parsed.text)


@functools.lru_cache(maxsize=256)
def _checked(text: str, limits: Limits) -> ParsedQuery:
    return check_query(text, limits)


def check_cached(text: str, limits: Limits) -> ParsedQuery:
    """:func:`~queries.guard.check_query`, remembered per text: rdflib's parser takes tens of
    milliseconds, so a query that comes back (a catalogue query, a client's favourite) is
    parsed once per process. Rejections are not remembered (they raise)."""
    return _checked(text, limits) if isinstance(text, str) else check_query(text, limits)


def answer(
    store: Store, text: str, accept: str | None, fmt: str | None, row_limit: int, limits: Limits
) -> Answer:
    """The whole job of a worker for one query (also usable in-process)."""
    parsed = check_cached(text, limits)
    chosen = negotiate(parsed.kind, accept, fmt)  # before evaluating: a bad format costs nothing
    native = getattr(store, "query_native", None)
    if native is not None and parsed.kind in ("SELECT", "ASK"):
        with _engine_syntax_is_400():
            result = native(parsed.text)
        out = serialise_native(result, chosen, row_limit)
    else:
        out = serialise(run_parsed(store, parsed), chosen, row_limit)
    return Answer(out.body, chosen.content_type, chosen.media_type, parsed.kind, out.rows,
                  out.truncated)  # fmt: skip


def _no_network(event: str, args: tuple[Any, ...]) -> None:
    if event in ("socket.connect", "socket.getaddrinfo", "urllib.Request", "socket.sendto"):
        raise PermissionError(f"query workers make no network requests ({event})")


def _limit_memory(megabytes: int | None) -> None:
    """Cap this process's address space, so a runaway answer fails here, not on the host."""
    try:
        import resource
    except ImportError:  # not on Windows
        return
    if megabytes:
        size = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))


def _worker_main(conn: Connection, spec: StoreSpec, limits: Limits, memory_mb: int | None) -> None:
    """A worker process: load the store, then answer requests until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the server, which stops us
    parser_headroom(limits)
    _limit_memory(memory_mb)
    try:
        store = load_store(spec)
    except Exception as error:  # reported to the parent, which refuses to start
        conn.send(("failed", f"{type(error).__name__}: {error}"))
        return
    sys.addaudithook(_no_network)  # cannot be removed: this process stays offline
    conn.send(("ready", store.triple_count()))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:  # stop: nothing to flush or clean up, so skip interpreter teardown
            conn.close()
            os._exit(0)
        text, accept, fmt, row_limit = request
        try:
            reply: tuple[Any, ...] = ("ok", answer(store, text, accept, fmt, row_limit, limits))
        except QueryRejected as error:
            reply = ("rejected", error)  # pickled with its class (FormatError, ...)
        except MemoryError:
            reply = ("rejected", QueryRejected(503, f"the query needed more than {memory_mb} MB"))
        except Exception as error:
            reply = ("rejected", QueryRejected(500, f"the query failed: {type(error).__name__}: "
                                                    f"{error}"))  # fmt: skip
        conn.send(reply)


@dataclass(eq=False)
class _Worker:
    process: Any
    conn: Connection

    def stop(self, grace: float = 0.5) -> None:
        """Terminate, then kill; always reaped and the pipe closed."""
        stop_process(self.process, grace)
        self.conn.close()


def stop_process(process: Any, grace: float = 0.5) -> None:
    """Stop a ``multiprocessing`` process that may be stuck in a query: terminate, then kill
    after ``grace`` seconds; always reaped."""
    if process.is_alive():
        process.terminate()
        process.join(grace)
        if process.is_alive():
            process.kill()
    process.join(5)


class WorkerPool:
    """``size`` worker processes answering queries with a hard ``timeout`` (seconds)."""

    def __init__(self, spec: StoreSpec, size: int = 2, timeout: float = 10.0,
                 row_limit: int = 10_000, limits: Limits | None = None,
                 max_concurrent: int | None = None, queue_wait: float = 2.0,
                 start_timeout: float = 120.0, memory_mb: int | None = 1024) -> None:  # fmt: skip
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.spec, self.size, self.timeout = spec, size, timeout
        self.row_limit, self.limits = row_limit, limits or Limits()
        self.queue_wait, self.start_timeout, self.memory_mb = queue_wait, start_timeout, memory_mb
        self._slots = threading.BoundedSemaphore(max_concurrent or size)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._live: set[_Worker] = set()
        self._lock = threading.Lock()
        self._ctx = multiprocessing.get_context("spawn")
        self._started = self._closed = False
        self._failure = "the query pool is closed"
        self._replacing: list[threading.Thread] = []
        self.retry_after = max(1, math.ceil(min(timeout, 10) / 2))  # seconds, when busy

    def _spawn(self) -> _Worker:
        """Start one worker and wait until its store is loaded."""
        parent, child = self._ctx.Pipe()
        args = (child, self.spec, self.limits, self.memory_mb)
        process = self._ctx.Process(target=_worker_main, args=args, daemon=True,
                                    name="amkg-query-worker")  # fmt: skip
        process.start()
        child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._live.add(worker)
        try:
            ready = parent.poll(self.start_timeout)
            status, detail = parent.recv() if ready else ("failed", "no answer in time")
        except (EOFError, OSError) as error:
            status, detail = "failed", f"it exited while loading ({error})"
        if status != "ready":
            self._discard(worker)
            raise WorkerFailed(f"a query worker could not load the graph: {detail}")
        return worker

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._live.discard(worker)
        worker.stop()

    def start(self) -> WorkerPool:
        """Start every worker (in parallel) and wait until all are ready."""
        with self._lock:
            if self._closed:
                raise WorkerFailed(self._failure)
            if self._started:
                return self
            self._started = True
        results: list[BaseException | _Worker] = []
        threads = [threading.Thread(target=lambda: results.append(self._try_spawn()))
                   for _ in range(self.size)]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        errors = [r for r in results if isinstance(r, BaseException)]
        for worker in results:
            if isinstance(worker, _Worker):
                self._idle.put(worker)
        if errors:
            self._failure = str(errors[0])
            self.close()
            raise WorkerFailed(self._failure)
        atexit.register(self.close)
        return self

    def _try_spawn(self) -> BaseException | _Worker:
        try:
            return self._spawn()
        except Exception as error:
            return error

    def _replace(self, worker: _Worker) -> None:
        """Stop ``worker`` and start a replacement in the background."""
        self._discard(worker)

        def respawn() -> None:
            for attempt in range(3):
                if self._closed:
                    return
                result = self._try_spawn()
                if isinstance(result, _Worker):
                    if self._closed:
                        self._discard(result)
                    else:
                        self._idle.put(result)
                    return
                log.error("could not replace a query worker (try %d): %s", attempt + 1, result)
                time.sleep(1 + attempt)

        thread = threading.Thread(target=respawn, name="amkg-respawn", daemon=True)
        with self._lock:
            self._replacing = [t for t in self._replacing if t.is_alive()] + [thread]
        thread.start()

    def execute(self, text: str, accept: str | None = None, fmt: str | None = None,
                row_limit: int | None = None) -> Answer:  # fmt: skip
        """Answer ``text`` in the format ``accept`` / ``fmt`` negotiate, within the time limit.

        Raises :class:`~queries.guard.QueryRejected`, :class:`QueryTimeout`, :class:`PoolBusy`
        or :class:`WorkerFailed`.
        """
        self.start()
        deadline = time.monotonic() + self.queue_wait
        if not self._slots.acquire(timeout=self.queue_wait):
            raise PoolBusy(self.retry_after)
        try:
            try:
                worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise PoolBusy(self.retry_after) from None
            limit = self.row_limit if row_limit is None else row_limit
            return self._ask(worker, (text, accept, fmt, limit))
        finally:
            self._slots.release()

    def _ask(self, worker: _Worker, request: tuple[Any, ...]) -> Answer:
        try:
            worker.conn.send(request)
            if not worker.conn.poll(self.timeout):
                self._replace(worker)
                raise QueryTimeout(self.timeout)
            reply = worker.conn.recv()
        except (EOFError, OSError) as error:
            self._replace(worker)
            raise WorkerFailed(f"the query worker stopped unexpectedly ({error})") from None
        self._idle.put(worker)
        if reply[0] == "ok":
            return reply[1]
        raise reply[1]

    def close(self) -> None:
        """Stop every worker (idempotent)."""
        with self._lock:
            self._closed = True
            replacing = list(self._replacing)
        for thread in replacing:
            thread.join(self.start_timeout)
        with self._lock:
            workers = list(self._live)
            self._live.clear()
        for worker in workers:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        deadline = time.monotonic() + 2
        for worker in workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            worker.stop()
        atexit.unregister(self.close)

    def __enter__(self) -> WorkerPool:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
