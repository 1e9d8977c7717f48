"""Run untrusted SPARQL under a hard time limit, in a pool of long-lived worker processes.

rdflib and pyoxigraph cannot be interrupted and a ``FILTER regex`` can hold the GIL, so no
thread can enforce a limit. :class:`WorkerPool` keeps ``size`` processes (start method
``spawn``, safe under a threaded server); each loads the store once, then answers over a pipe:
guard, evaluate, serialise (SELECT and ASK on Oxigraph with pyoxigraph's own writers, no
rdflib term in between), and send back the bytes, the row count and whether ``row_limit`` cut
them. The parent only waits. On overrun it kills *that* worker (terminate, then kill), starts a
replacement in the background and raises :class:`QueryTimeout`; the others keep serving. When
all are busy a request waits its turn (first come, first served) up to ``queue_wait`` s, longer
while a replacement worker is starting, then gets :class:`PoolBusy` (429, Retry-After: a load
refusal the client can act on, never a 5xx). Never a fork per query. Workers cap their memory
and, once loaded, forbid themselves any network connection.
Each worker remembers the guard's verdict per query text (:func:`check_cached`), so a query
that comes back is not judged again.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime
import functools
import hashlib
import itertools
import logging
import math
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, cast

import rdflib.plugins.sparql
from pyparsing import ParseBaseException

from amkg.graph.store import QueryResult, Store
from amkg.queries.formats import negotiate, serialise, serialise_native
from amkg.queries.guard import (
    NO_SERVICE,
    Limits,
    ParsedQuery,
    QueryRejected,
    check_query,
    parser_headroom,
)
from amkg.queries.offline import go_offline, refuse_network_events

# rdflib must never fetch a FROM / FROM NAMED graph from its IRI (the guard refuses those
# clauses anyway). pyoxigraph has no such switch: it never loads FROM graphs, and SERVICE, its
# only way out, is refused by the guard and, in a worker, by the kernel (queries/offline.py).
# (SPARQL_DEFAULT_GRAPH_UNION only matters for datasets, which the stores do not use.)
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False

log = logging.getLogger(__name__)
#: The reason a client gets for a failure of ours (the detail goes to the error log only).
FAILED = "the query failed because of an error in the server; it has been logged"


class QueryTimeout(Exception):
    """The query ran past the time limit; its worker was stopped (answer 503)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"query stopped after {seconds:g} s (the time limit)")


class PoolBusy(Exception):
    """Every worker is busy and the request waited its turn long enough, or too many wait
    already: a refusal for load, answered 429 with ``Retry-After`` (the client may send it
    again then; a 5xx would say the server failed, which it did not)."""

    status = 429

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message or "all query workers are busy; try again shortly")


class ClientBusy(PoolBusy):
    """This client already holds its share of the workers (answer 429 with ``Retry-After``)."""

    status = 429

    def __init__(self, retry_after: int, share: int) -> None:
        super().__init__(
            retry_after,
            f"you already have {share} quer{'y' if share == 1 else 'ies'} running, your share "
            "of the query workers; send the next one when an answer has come back",
        )


class WorkerFailed(Exception):
    """A worker died or failed to start (answer 503)."""


@dataclass(frozen=True)
class StoreSpec:
    """Where a worker loads its store from (``None``: the project's defaults)."""

    data_dir: str | None = None
    ontology_dir: str | None = None
    engine: str = "oxigraph"
    store: str | None = None
    #: A remote store's :class:`~amkg.graph.remote.RemoteConfig` (then nothing else counts).
    remote: Any = None

    @classmethod
    def for_kg(cls, kg: Any) -> StoreSpec:
        """The spec that opens the same build as ``kg`` (an opened KnowledgeGraph)."""
        config = getattr(kg.store, "config", None)
        if kg.store.name == "remote" and config is not None:
            return cls(engine="remote", remote=config)
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
    stopped_by: str | None = None  # the cap that cut the answer: "rows" or "bytes"


def load_kg(spec: StoreSpec) -> Any:
    """The knowledge graph ``spec`` names: opened read-only from disk (the web process that
    starts the worker has built it already), or over the remote store (not asked anything
    before the first query: it may be down for now)."""
    from amkg.graph.kg import KnowledgeGraph

    if spec.remote is not None:
        from amkg.graph.remote import RemoteStore

        return KnowledgeGraph(RemoteStore(spec.remote, pool_size=1))
    return KnowledgeGraph.open(spec.data_dir, spec.ontology_dir, spec.engine, store=spec.store)


def version_store(kg: Any, as_of: str | None) -> Store:
    """The store a query runs on: the current version of the edited graph (a newer one than
    the worker opened, if a change was committed since), or the graph as it was at the end of
    the day ``as_of`` (``YYYY-MM-DD``; graph/history.py)."""
    from amkg.graph import history

    if kg.store.name == "remote" and as_of:  # the server's change sets undone in memory
        return history.as_of(kg, datetime.date.fromisoformat(as_of)).store  # type: ignore[no-any-return]
    if kg.build is None or kg.store.name != "oxigraph":
        return kg.store  # type: ignore[no-any-return]
    if as_of:
        return history.as_of(kg, datetime.date.fromisoformat(as_of)).store  # type: ignore[no-any-return]
    return history.current(kg).store  # type: ignore[no-any-return]


#: The base IRI of every query the endpoint and ``amkg sparql`` evaluate, so relative IRIs
#: (``CONSTRUCT { <s> <p> 1 } WHERE {}``) resolve: the graph's own namespace, so ``<spoor-1>``
#: is ``kg:spoor-1``. A query's own ``BASE`` wins (the last BASE of a prologue counts).
BASE_IRI = "https://w3id.org/amkg/id/"
_BASE_PREFIX = f"BASE <{BASE_IRI}> "
_AT_LINE_ONE = re.compile(r"\bat 1:(\d+)")
_ENGINE_AT = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
#: Engine messages that say the query reached for the network (refused by the kernel).
_EGRESS_MESSAGES = ("os error 13", "os error 101", "not allowed for HTTP", "Permission denied")


def query_hash(text: str) -> str:
    """A short, stable name of a query text for the logs (never the text itself)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def with_base(text: str) -> str:
    """``text`` as the engine receives it: with :data:`BASE_IRI` declared first, on the same
    line, so the engine's line numbers stay those of the text."""
    return _BASE_PREFIX + text


def _unbased(message: str) -> str:
    """An engine message about the text of :func:`with_base`, in the client's columns."""
    shift = len(_BASE_PREFIX)
    return _AT_LINE_ONE.sub(lambda m: f"at 1:{max(1, int(m.group(1)) - shift)}", message)


def _syntax_reason(message: str) -> str:
    """pyoxigraph's ``error at 2:16: expected ...`` as the reason a client reads, in the
    client's own lines and columns: ``SPARQL syntax error at line 2, column 16: expected ...``."""
    line = _first_line(_unbased(message))
    found = _ENGINE_AT.match(line)
    if found is None:
        return f"SPARQL error: {line}"
    row, column, rest = found.groups()
    return f"SPARQL syntax error at line {row}, column {column}: {rest}"


def _first_line(message: str, limit: int = 300) -> str:
    line = message.strip().splitlines()[0] if message.strip() else "no detail"
    return line if len(line) <= limit else line[: limit - 1] + "…"


@contextlib.contextmanager
def _engine_errors() -> Iterator[None]:
    """The engine's complaints about a query as a clean 400 (pyoxigraph's parser is stricter
    in places; an unknown extension function, a type it cannot evaluate); a reach for the
    network (which the kernel refuses in a worker) as a 400 that names it. Anything else
    propagates: it is ours, and becomes a logged 500."""
    from amkg.graph.remote import RemoteQueryError, StoreUnavailable

    try:
        yield
    except RemoteQueryError as error:  # the server refused the query itself
        raise QueryRejected(400 if error.status < 500 else 502, str(error)) from None
    except StoreUnavailable as error:
        raise QueryRejected(503, str(error)) from None
    except SyntaxError as error:
        raise QueryRejected(400, _syntax_reason(str(error))) from None
    except ParseBaseException as error:  # the rdflib engine's parser
        message = f"SPARQL syntax error at line {error.lineno}, column {error.col}: {error.msg}"
        raise QueryRejected(400, message) from None
    except RecursionError:
        raise QueryRejected(400, "the query is nested too deeply to parse") from None
    except ValueError as error:  # rdflib's parser on a bad \\U escape; anything else is ours
        if not str(error).startswith("Invalid unicode code point"):
            raise
        raise QueryRejected(400, f"SPARQL syntax error: {error}") from None
    except OSError as error:
        if any(marker in str(error) for marker in _EGRESS_MESSAGES):
            raise QueryRejected(400, f"SERVICE {NO_SERVICE}") from None
        raise
    except RuntimeError as error:  # pyoxigraph's evaluation errors
        reason = _first_line(str(error))
        raise QueryRejected(400, f"the query cannot be evaluated: {reason}") from None


def run_parsed(store: Store, parsed: ParsedQuery) -> QueryResult:
    """Evaluate a guarded query (relative IRIs against :data:`BASE_IRI`); the engine's own
    complaints become a 400."""
    with _engine_errors():
        return store.query(with_base(parsed.text))


@functools.lru_cache(maxsize=256)
def _checked(text: str, limits: Limits) -> ParsedQuery:
    return check_query(text, limits)


def check_cached(text: str, limits: Limits) -> ParsedQuery:
    """:func:`~queries.guard.check_query`, remembered per text: a query that comes back (a
    catalogue query, a client's favourite) is judged once per process. Rejections are not
    remembered (they raise)."""
    return _checked(text, limits) if isinstance(text, str) else check_query(text, limits)


def answer(store: Store, text: str, accept: str | None, fmt: str | None, row_limit: int,
           limits: Limits, byte_limit: int | None = None) -> Answer:  # fmt: skip
    """The whole job of a worker for one query (also usable in-process): guard, negotiate,
    evaluate, and write at most ``row_limit`` rows (or triples) and about ``byte_limit``
    bytes. On Oxigraph the answer is read lazily and the reading stops at a cap, so a
    ``LIMIT 2000000`` never materialises; the rdflib engine answers whole, then is cut."""
    parsed = check_cached(text, limits)
    chosen = negotiate(parsed.kind, accept, fmt)  # before evaluating: a bad format costs nothing
    native = getattr(store, "query_native", None)
    if native is not None:
        with _engine_errors():
            result = native(with_base(parsed.text))
            out = serialise_native(result, chosen, row_limit, byte_limit, kind=parsed.kind)
    else:
        out = serialise(run_parsed(store, parsed), chosen, row_limit)
    return Answer(out.body, chosen.content_type, chosen.media_type, parsed.kind, out.rows,
                  out.truncated, out.stopped_by)  # fmt: skip


def _only_to_store(url: str) -> str:
    """Install an audit hook that lets this process connect to the remote store ``url`` only
    (the kernel layers of :func:`~amkg.queries.offline.go_offline` would cut it off too)."""
    from urllib.parse import urlsplit

    target = urlsplit(url)
    port = target.port or (443 if target.scheme == "https" else 80)
    sys.addaudithook(_only_to(target.hostname or "", port))  # cannot be removed
    return "audit-store-only"


def _only_to(host: str, port: int) -> Any:
    """An audit hook that lets a worker connect to the remote store's host and port only."""
    allowed: set[str] = {host}
    try:
        import socket

        allowed.update(str(info[4][0]) for info in socket.getaddrinfo(host, port))
    except OSError:
        pass

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "socket.getaddrinfo" and args and str(args[0]) in allowed:
            return
        address = args[1] if event == "socket.connect" and len(args) > 1 else None
        if isinstance(address, tuple) and str(address[0]) in allowed and address[1] == port:
            return
        refuse_network_events(event, args)

    return hook


#: The smallest ``WORKER_MEMORY_MB`` a worker opens the store under, with a margin: RocksDB
#: (inside pyoxigraph) reserves its threads' stacks and caches when it opens, and pyoxigraph has
#: no option to make them smaller; at 512 MB a worker aborted while opening ("memory allocation
#: of ... bytes failed"), at 576 it opened (2 CPUs; more CPUs, more threads, more needed: then
#: :func:`load_failure` names the cap).
MIN_WORKER_MEMORY_MB = 768


def memory_cap_problem(megabytes: int | None) -> str | None:
    """Why the cap ``megabytes`` cannot hold a worker that opens the store, or ``None``."""
    if megabytes is None or megabytes >= MIN_WORKER_MEMORY_MB:
        return None
    return (
        f"WORKER_MEMORY_MB={megabytes} is too small: a query worker needs at least "
        f"{MIN_WORKER_MEMORY_MB} MB of address space to open the store (RocksDB's threads and "
        "caches, which pyoxigraph cannot make smaller); raise it or leave it out (1024)"
    )


def load_failure(exitcode: int | None, megabytes: int | None) -> str:
    """What a worker that ended while it opened the store says (``exitcode`` as
    ``multiprocessing`` gives it): an abort under a memory cap names the cap to raise."""
    if megabytes and exitcode == -signal.SIGABRT:
        return (
            f"it stopped while opening the store under WORKER_MEMORY_MB={megabytes} (an "
            "allocation failed: RocksDB's threads and caches need more address space on this "
            "machine); raise WORKER_MEMORY_MB or leave it out (1024)"
        )
    return f"it exited while loading (exit code {exitcode})"


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
    """A worker process: go offline, load the store, then answer requests until told to stop."""
    # First, before any thread exists (see queries/offline.py); a worker of a remote store may
    # connect to the store's host and port, nowhere else.
    layers = go_offline() if spec.remote is None else [_only_to_store(spec.remote.url)]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the server, which stops us
    parser_headroom(limits)
    _limit_memory(memory_mb)
    try:
        kg = load_kg(spec)
        store = kg.store
    except Exception as error:  # reported to the parent, which refuses to start
        conn.send(("failed", f"{type(error).__name__}: {error}"))
        return
    # A remote store is not asked anything before the first query (it may be down for now).
    try:
        conn.send(("ready", store.triple_count() if spec.remote is None else 0, layers))
    except OSError:  # the pool closed while this worker loaded: nobody to serve
        return
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:  # stop: nothing to flush or clean up, so skip interpreter teardown
            conn.close()
            os._exit(0)
        text, accept, fmt, row_limit, byte_limit, as_of = request
        detail = None
        try:
            store = version_store(kg, as_of)  # the current version (a stat), or as of a day
            reply: Any = answer(store, text, accept, fmt, row_limit, limits, byte_limit)
            status = "ok"
        except QueryRejected as error:
            status, reply = "rejected", error  # pickled with its class (FormatError, ...)
        except MemoryError:
            status = "rejected"
            reply = QueryRejected(503, f"the query needed more than {memory_mb} MB")
            detail = "out of memory"
        except Exception as error:  # ours, not the client's: logged by the server, not echoed
            status, reply = "rejected", QueryRejected(500, FAILED)
            detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        conn.send((status, reply, detail))


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
    """``size`` worker processes answering queries with a hard ``timeout`` (seconds).

    Fair by construction: at most ``max_concurrent`` queries run at once; one ``client`` (the
    caller names it: the endpoint passes the remote address) holds at most ``client_share``
    workers (default: half the pool, at least one), so a client with many slow queries
    leaves the rest to others (its extra queries wait, then get :class:`ClientBusy`); and at
    most ``max_waiting`` requests wait for a worker at all (default: ``size``), the rest get
    :class:`PoolBusy` at once, so waiting requests can never hold all of a web server's
    threads (pages never wait on the query workers).
    """

    def __init__(self, spec: StoreSpec, size: int = 2, timeout: float = 10.0,
                 row_limit: int = 10_000, limits: Limits | None = None,
                 max_concurrent: int | None = None, queue_wait: float = 2.0,
                 start_timeout: float = 120.0, memory_mb: int | None = 1024,
                 byte_limit: int | None = 16 * 1024 * 1024, client_share: int | None = None,
                 max_waiting: int | None = None) -> None:  # fmt: skip
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        if spec.remote is not None:  # the server is told our time limit (where it takes one)
            from dataclasses import replace

            spec = replace(spec, remote=replace(spec.remote, timeout=timeout))
        self.spec, self.size, self.timeout = spec, size, timeout
        self.row_limit, self.limits, self.byte_limit = row_limit, limits or Limits(), byte_limit
        self.queue_wait, self.start_timeout, self.memory_mb = queue_wait, start_timeout, memory_mb
        self.max_concurrent = max_concurrent or size
        self.client_share = client_share or max(1, size // 2)
        self.max_waiting = size if max_waiting is None else max_waiting
        self._ready = threading.Condition()
        self._start_done = threading.Event()  # set once start() has finished, well or badly
        self._idle: list[_Worker] = []
        self._running = 0
        self._queue: list[tuple[int, str]] = []  # waiting requests (ticket, client), in order
        self._tickets = itertools.count()
        self._respawning = 0  # replacement workers being started
        self._held: dict[str, int] = {}
        self._live: set[_Worker] = set()
        self._lock = threading.Lock()
        self._ctx = multiprocessing.get_context("spawn")
        self._started = self._closed = False
        self._failure = "the query pool is closed"
        self._replacing: list[threading.Thread] = []
        self.offline_layers: list[str] = []
        self.retry_after = max(1, math.ceil(min(timeout, 10) / 2))  # seconds, when busy

    def idle_count(self) -> int:
        """Workers ready for a query now."""
        with self._ready:
            return len(self._idle)

    def _give_back(self, worker: _Worker) -> None:
        with self._ready:
            self._idle.append(worker)
            self._ready.notify_all()

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
        reply: tuple[Any, ...]
        try:
            ready = parent.poll(self.start_timeout)
            reply = parent.recv() if ready else ("failed", "no answer in time")
        except (EOFError, OSError):
            process.join(5)
            reply = ("failed", load_failure(process.exitcode, self.memory_mb))
        if reply[0] != "ready":
            self._discard(worker)
            raise WorkerFailed(f"a query worker could not load the graph: {reply[1]}")
        self.offline_layers = list(cast(Any, reply)[2])  # ("ready", triples, layers)
        return worker

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._live.discard(worker)
        worker.stop()

    def start(self) -> WorkerPool:
        """Start every worker (in parallel) and wait until all are ready; a second caller while
        they start waits for the same start."""
        problem = memory_cap_problem(self.memory_mb)
        if problem is not None:
            log.error("the query workers cannot start: %s", problem)
            raise WorkerFailed(problem)
        with self._lock:
            if self._closed:
                raise WorkerFailed(self._failure)
            starting_elsewhere = self._started
            self._started = True
        if starting_elsewhere:  # another thread is starting the workers: wait for them
            self._start_done.wait(self.start_timeout)
            if self._closed:
                raise WorkerFailed(self._failure)
            return self
        try:
            return self._start_workers()
        finally:
            self._start_done.set()

    def _start_workers(self) -> WorkerPool:
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
                self._give_back(worker)
        if errors:
            self._failure = str(errors[0])
            log.error("the query workers could not start: %s", self._failure)
            self.close()
            raise WorkerFailed(self._failure)
        offline = {"namespace", "seccomp"} & set(self.offline_layers)
        if self.spec.remote is None and not offline:
            log.warning("query workers could not leave the network (kernel layers: none); "
                        "only the guard and Python's audit hook keep them offline")  # fmt: skip
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
            try:
                for attempt in range(3):
                    if self._closed:
                        return
                    result = self._try_spawn()
                    if isinstance(result, _Worker):
                        if self._closed:
                            self._discard(result)
                        else:
                            self._give_back(result)
                        return
                    log.error("could not replace a query worker (try %d): %s", attempt + 1,
                              result)  # fmt: skip
                    time.sleep(1 + attempt)
            finally:
                with self._ready:
                    self._respawning -= 1
                    self._ready.notify_all()

        with self._ready:
            self._respawning += 1
        thread = threading.Thread(target=respawn, name="amkg-respawn", daemon=True)
        with self._lock:
            self._replacing = [t for t in self._replacing if t.is_alive()] + [thread]
        thread.start()

    def _take(self, client: str) -> _Worker:
        """A free worker for ``client``, within its share, in order of arrival; or
        :class:`ClientBusy` / :class:`PoolBusy` after ``queue_wait`` seconds (longer while a
        replacement worker starts: a recycled worker fails nobody who waits), at once when
        ``max_waiting`` requests wait already."""
        deadline = time.monotonic() + self.queue_wait
        with self._ready:
            if not self._free_for(client, self._queue):
                if len(self._queue) >= self.max_waiting:
                    raise PoolBusy(self.retry_after, "too many queries are waiting for a query "
                                   "worker; try again shortly")  # fmt: skip
                ticket = (next(self._tickets), client)
                self._queue.append(ticket)
                try:
                    while not self._free_for(client, self._queue[: self._queue.index(ticket)]):
                        if self._closed:
                            raise self._busy(client)
                        remaining = deadline - time.monotonic()
                        if remaining <= 0:
                            if not self._respawning:
                                raise self._busy(client)
                            if remaining < -self.start_timeout:
                                raise self._busy(client)
                            remaining = 0.5  # a replacement is starting: keep the place
                        self._ready.wait(remaining)
                finally:
                    self._queue.remove(ticket)
                    self._ready.notify_all()  # the next in line may go now
            self._running += 1
            self._held[client] = self._held.get(client, 0) + 1
            return self._idle.pop()

    def _free_for(self, client: str, ahead: list[tuple[int, str]]) -> bool:
        """Whether ``client`` may take a worker now, with ``ahead`` waiting before it: within
        its share, and a worker left after those ahead that may take one (call with
        ``_ready`` held)."""
        if self._held.get(client, 0) >= self.client_share:
            return False
        slots = min(len(self._idle), self.max_concurrent - self._running)
        if slots <= 0:
            return False
        wanting: dict[str, int] = {}
        for _, other in ahead:
            wanting[other] = wanting.get(other, 0) + 1
        before = sum(min(n, self.client_share - self._held.get(other, 0))
                     for other, n in wanting.items())  # fmt: skip
        return slots > before

    def _busy(self, client: str) -> PoolBusy:
        if self._held.get(client, 0) >= self.client_share:
            return ClientBusy(self.retry_after, self.client_share)
        return PoolBusy(self.retry_after)

    def _release(self, client: str, worker: _Worker | None) -> None:
        with self._ready:
            self._running -= 1
            held = self._held.get(client, 1) - 1
            if held:
                self._held[client] = held
            else:
                self._held.pop(client, None)
            if worker is not None:
                self._idle.append(worker)
            self._ready.notify_all()

    def execute(self, text: str, accept: str | None = None, fmt: str | None = None,
                row_limit: int | None = None, client: str = "",
                as_of: str | None = None) -> Answer:  # fmt: skip
        """Answer ``text`` in the format ``accept`` / ``fmt`` negotiate, within the time limit.

        Raises :class:`~queries.guard.QueryRejected`, :class:`QueryTimeout`, :class:`PoolBusy`
        (:class:`ClientBusy` when ``client`` holds its share) or :class:`WorkerFailed`.
        """
        self.start()
        worker = self._take(client)
        limit = self.row_limit if row_limit is None else row_limit
        kept = None
        try:
            request = (text, accept, fmt, limit, self.byte_limit, as_of)
            status, reply = self._ask(worker, request)
            kept = worker
        finally:
            self._release(client, kept)
        if status == "ok":
            return cast(Answer, reply)
        raise reply

    def _ask(self, worker: _Worker, request: tuple[Any, ...]) -> tuple[str, Any]:
        """Send ``request`` and wait at most ``timeout`` s for the reply; on overrun or a dead
        worker, replace it and raise (the worker is gone then)."""
        started = time.monotonic()
        try:
            worker.conn.send(request)
            if not worker.conn.poll(self.timeout):
                log.warning("query %s stopped after %g s (the time limit); its worker is "
                            "replaced", query_hash(request[0]), self.timeout)  # fmt: skip
                self._replace(worker)
                raise QueryTimeout(self.timeout)
            status, reply, detail = worker.conn.recv()
        except (EOFError, OSError) as error:
            log.error("query %s: its worker stopped unexpectedly (%s); replaced",
                      query_hash(request[0]), error)  # fmt: skip
            self._replace(worker)
            raise WorkerFailed(f"the query worker stopped unexpectedly ({error})") from None
        if detail is not None:
            log.error("query %s failed after %.3f s: %s", query_hash(request[0]),
                      time.monotonic() - started, detail)  # fmt: skip
        return status, reply

    def close(self) -> None:
        """Stop every worker (idempotent)."""
        with self._lock:
            self._closed = True
            replacing = list(self._replacing)
        with self._ready:
            self._ready.notify_all()
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
