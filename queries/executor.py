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
Each worker remembers the guard's verdict per query text
(:func:`~amkg.queries.answering.check_cached`), so a query
that comes back is not judged again.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import logging
import math
import multiprocessing
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, cast

from amkg.queries.answering import Answer, query_hash
from amkg.queries.guard import Limits
from amkg.queries.worker import (
    StoreSpec,
    load_failure,
    memory_cap_problem,
    worker_main,
)

__all__ = [
    "Answer",
    "ClientBusy",
    "PoolBusy",
    "QueryTimeout",
    "StoreSpec",
    "WorkerFailed",
    "WorkerPool",
    "query_hash",
]


log = logging.getLogger(__name__)


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
        process = self._ctx.Process(target=worker_main, args=args, daemon=True,
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
