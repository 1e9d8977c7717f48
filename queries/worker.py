"""A query worker, the process side of :mod:`amkg.queries.executor`: where it loads its store
from (:class:`StoreSpec`), the memory it may use, and its loop (go offline, load the store,
answer each request with :func:`~amkg.queries.answering.answer` until told to stop)."""

from __future__ import annotations

import datetime
import os
import signal
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from amkg.graph.store import Store
from amkg.queries.answering import answer
from amkg.queries.guard import Limits, QueryRejected, parser_headroom
from amkg.queries.offline import go_offline, only_to_store

#: The reason a client gets for a failure of ours (the detail goes to the error log only).
FAILED = "the query failed because of an error in the server; it has been logged"


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


def limit_memory(megabytes: int | None) -> None:
    """Cap this process's address space, so a runaway answer fails here, not on the host."""
    try:
        import resource
    except ImportError:  # not on Windows
        return
    if megabytes:
        few_malloc_arenas()
        size = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))


#: glibc's ``M_ARENA_MAX`` (``mallopt``): the most malloc arenas the process may have.
M_ARENA_MAX = -8
MALLOC_ARENAS = 2


def few_malloc_arenas() -> bool:
    """At most :data:`MALLOC_ARENAS` malloc arenas in this process (glibc; elsewhere nothing).

    glibc gives threads arenas of their own, each reserving 64 MB of address space: under the
    worker's address-space cap, RocksDB's threads (more of them on a busy machine) could use up
    the cap before a query ran, and a worker aborted while opening the store (seen with two test
    processes on two CPUs). Measured: a worker's peak address space after opening the store
    555 MB with glibc's default, 228 MB with one arena. Called before any thread exists."""
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    return bool(mallopt(M_ARENA_MAX, MALLOC_ARENAS))


@dataclass(frozen=True)
class StoreSpec:
    """Where a worker loads its store from (``None``: the project's defaults)."""

    data_dir: str | None = None
    ontology_dir: str | None = None
    engine: str = "oxigraph"
    store: str | None = None
    #: A remote store's :class:`~amkg.graph.remote_config.RemoteConfig` (then nothing else counts).
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


def worker_main(conn: Connection, spec: StoreSpec, limits: Limits, memory_mb: int | None) -> None:
    """A worker process: go offline, load the store, then answer requests until told to stop."""
    # First, before any thread exists (see queries/offline.py); a worker of a remote store may
    # connect to the store's host and port, nowhere else.
    layers = go_offline() if spec.remote is None else [only_to_store(spec.remote.url)]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the server, which stops us
    parser_headroom(limits)
    limit_memory(memory_mb)
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
