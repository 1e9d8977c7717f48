"""``amkg serve``: the web app and the SPARQL endpoint on Granian (never Flask's dev server).

Granian is a production HTTP server written in Rust that runs WSGI apps; its HTTP parsing and
connection handling cost the Python process little, which is what ``/sparql`` needs under load
(see ``benchmarks/README.md``: waitress, pure Python, managed about half the requests per
second on the same machine). The command loads the graph once in its own process first, so a
broken Turtle file stops it with ``file:line`` (exit 2) before anything listens. Granian then
starts ``--workers`` web processes; each builds the app with :func:`served_app` (the graph, its
own pool of query workers with the hard time limit, the explorer's default view) before it
takes a request. Ctrl+C stops them all.

:func:`make_server` (waitress, in-process) stays for tools that need a server in a thread
of their own (the benchmark's comparison run); the tests run ``amkg serve`` itself.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from amkg.cli.common import data_dir_option, fail_load, rebuild_notice, store_root
from amkg.graph.errors import GraphLoadError
from amkg.graph.paths import DATA_DIR_ENV
from amkg.webui import logs  # light: json and logging only

if TYPE_CHECKING:  # the web app, Flask and the servers: only inside the functions
    from flask import Flask

#: Threads per web process that run the app: at least this many, so slow queries (each holds
#: a thread while a worker evaluates it) do not block the pages.
MIN_THREADS = 8
#: Threads per web process by default: room for the query requests that run or wait
#: (``QUERY_WORKERS`` + ``QUERY_MAX_WAITING``) plus :data:`PAGE_THREADS` that only pages use.
DEFAULT_THREADS = 32
#: Threads of a web process that ``/sparql`` can never hold: ``QUERY_MAX_WAITING`` defaults
#: to threads - query workers - this, so pages never wait on the query workers.
PAGE_THREADS = 4
#: Web processes of ``amkg serve`` by default (each with its own query workers).
DEFAULT_WORKERS = 2
#: The settings ``amkg serve`` passes to its web processes (as ``create_app``'s test_config).
CONFIG_ENV = "AMKG_SERVE_CONFIG"
#: The log level ``amkg serve --log-level`` passes to its web processes.
LOG_LEVEL_ENV = logs.LEVEL_ENV
#: Connections one web process holds open at once (Granian's backpressure: a connection takes
#: a permit from accept to close, idle or not); more wait in the listen backlog. Far above the
#: threads, so idle or slow clients cannot take every permit (64 idle connections: the probe
#: still answers), yet bounded.
MAX_CONNECTIONS = 256
#: Milliseconds a client has to send a request's headers, on a new connection and between the
#: requests of a kept-alive one; then Granian closes the connection (slowloris, idle sockets).
HEADER_TIMEOUT_MS = 10_000
#: Seconds a web process may take to stop after Ctrl+C / SIGTERM before it is killed.
WORKERS_KILL_TIMEOUT = 5
DATA_DIR_HELP = f"Map met de Turtle-data (standaard graph/data; ook via ${DATA_DIR_ENV})."


def make_server(app: Flask, host: str = "127.0.0.1", port: int = 5000,
                threads: int = MIN_THREADS) -> Any:  # fmt: skip
    """A waitress server for ``app`` in this process, bound (``port`` 0: a free port) but not
    yet serving: for tests and benchmarks that run a server in a thread."""
    from waitress import create_server

    return create_server(app, host=host, port=port, threads=threads, ident="amkg")


def url_of(host: str, port: int) -> str:
    """``http://host:port/``, with an IPv6 address in brackets."""
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def served_app() -> Flask:
    """The app as one web process of ``amkg serve`` serves it (Granian's factory): the store
    opened; the query workers and the default graph view are prepared in a thread beside the
    first requests (a query or /graph that comes sooner waits for them). Settings come from the
    layers of ``create_app`` plus the command's options."""
    from amkg.webui.app import create_app
    from amkg.webui.asof import follow
    from amkg.webui.explorer import warm_up
    from amkg.webui.heap import freeze
    from amkg.webui.sparql import start_pool
    from amkg.webui.sparql_direct import use_write_process

    logs.configure(os.environ.get(LOG_LEVEL_ENV) or "info")
    overrides = json.loads(os.environ.get(CONFIG_ENV) or "{}")
    app = create_app(overrides or None)
    nice = app.config.get("WRITE_PROCESS_NICE")

    def prepare() -> None:  # beside the first requests: the process answers at once
        if nice is not None:  # writes in a process of their own (webui/write_process.py)
            use_write_process(app, int(nice), overrides)
        follow(app)  # each new version opened as soon as it is committed
        with contextlib.suppress(Exception):  # a failure shows on the request that needs it
            start_pool(app)
        warm_up(app)
        warm_api(app)
        freeze(app)  # what the warm-up built lives as long as the process: not walked by gc

    threading.Thread(target=prepare, name="amkg-prepare", daemon=True).start()
    return app


def warm_api(app: Flask) -> None:
    """Answer ``/api/queries`` once before the first client does, so no client waits for
    what the first answer computes and caches (seconds on the real graph)."""
    with contextlib.suppress(Exception):
        app.test_client().get("/api/queries", environ_base={"REMOTE_ADDR": "warm-up"})


def listenable_port(host: str, port: int) -> int:
    """``port``, or a free port for 0, after checking that ``host`` can listen on it now;
    raises ``OSError`` (taken, or not an address of this machine)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        return int(probe.getsockname()[1])


class _DeliberateThreads(logging.Filter):
    """Drop Granian's warning that the thread count exceeds the CPU count: it is deliberate
    (a thread mostly waits on a query worker; see ``MIN_THREADS``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Configuration allows spawning up to")


#: Granian's log on stderr (stdout is for the URL lines), without the warning above.
GRANIAN_LOGGING: dict[str, Any] = {
    "filters": {"deliberate_threads": {"()": _DeliberateThreads}},
    "handlers": {
        name: {"formatter": formatter, "class": "logging.StreamHandler",
               "stream": "ext://sys.stderr", "filters": ["deliberate_threads"]}
        for name, formatter in (("console", "generic"), ("access", "access"))
    },
}  # fmt: skip


def run_granian(host: str, port: int, workers: int, threads: int,
                target: str = "amkg.cli.serve:served_app", log_level: str = "warning",
                max_connections: int = MAX_CONNECTIONS,
                header_timeout_ms: int = HEADER_TIMEOUT_MS) -> None:  # fmt: skip
    """Serve the app that the factory ``target`` makes with Granian until Ctrl+C (or
    SIGTERM). The benchmark serves its baseline app the same way.

    HTTP/1.1 only (no h2c upgrade), at most ``max_connections`` connections per web process,
    ``header_timeout_ms`` to send a request's headers (also the idle limit of a kept-alive
    connection); ``threads`` run the app, so at most that many requests are inside it at once
    per web process and the rest wait in Granian, not in Python.
    """
    import multiprocessing

    from granian import Granian
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    # Web processes are spawned, not forked: this process has opened the store, and RocksDB's
    # background threads do not survive a fork, so a forked web process hung for good in its
    # first commit (a flush waits for a thread that is not there; benchmarks/bench_editors.py).
    multiprocessing.set_start_method("spawn", force=True)
    server = Granian(
        target,
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(header_read_timeout=header_timeout_ms, keep_alive=True),
        workers=workers,
        blocking_threads=threads,
        backpressure=max_connections,
        backlog=max(1024, max_connections * workers),
        log_level=LogLevels(log_level),
        log_dictconfig=GRANIAN_LOGGING,
        respawn_failed_workers=True,
        # A web process that has not stopped this many seconds after the stop signal (an
        # idle keep-alive connection Granian waits for, a stuck thread) is killed.
        workers_kill_timeout=WORKERS_KILL_TIMEOUT,
    )
    _signals_without_deadlock(server)
    server.serve()


def _signals_without_deadlock(server: Any) -> None:
    """Granian's signal handlers call ``Event.set()`` in the main thread: a second signal that
    arrives while the first handler holds the event's lock deadlocks the server for good
    (seen here: four SIGTERMs in a row left ``amkg serve`` hanging in 2 of 5 tries). These
    handlers only note the signal and let a short-lived thread set the event, which waits
    for the lock like any other thread. Checked by the serve tests (repeated signals)."""

    def later(flag: str) -> Any:
        def handler(*_: object) -> None:
            setattr(server, flag, True)
            threading.Thread(target=server.main_loop_interrupt.set, daemon=True).start()

        return handler

    server.signal_handler_interrupt = later("interrupt_signal")
    server.signal_handler_reload = later("reload_signal")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adres om op te luisteren.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535),
              help="Poort (0: een vrije poort).")  # fmt: skip
@click.option("--threads", default=DEFAULT_THREADS, show_default=True,
              type=click.IntRange(min=MIN_THREADS),
              help="Threads per webproces die de app draaien.")  # fmt: skip
@click.option("--workers", default=DEFAULT_WORKERS, show_default=True, type=click.IntRange(1, 64),
              help="Webprocessen; elk heeft zijn eigen querywerkers (QUERY_WORKERS).")  # fmt: skip
@data_dir_option
@click.option("--log-level", type=click.Choice(logs.LEVELS), default="info", show_default=True,
              help="Logniveau: info geeft ook de toegangslog (JSON-regels op stderr).")  # fmt: skip
def serve(host: str, port: int, threads: int, workers: int, data_dir: Path | None,
          log_level: str) -> None:  # fmt: skip
    """Start de webinterface en het SPARQL-endpoint (serve the web UI and /sparql).

    The store is opened here first (built first if the sources changed; a broken file stops
    the command with file:line), and the default graph view is built; then each web process
    opens the same store read-only and starts its query workers. Settings: webui/settings.py,
    overridden by the file in $AMKG_SETTINGS.
    """
    from amkg.webui.app import create_app

    overrides: dict[str, str] = {"DATA_DIR": str(data_dir.resolve())} if data_dir else {}
    if store_root() is not None:
        overrides["STORE_PATH"] = str(Path(store_root() or "").resolve())
    try:
        app = create_app(overrides or None, on_rebuild=rebuild_notice)
    except GraphLoadError as error:
        fail_load(error)  # exit 2 with ``path:line: message``, like every other command
    size, timeout = app.config["QUERY_WORKERS"], app.config["QUERY_TIMEOUT"]
    app_config_max_waiting = app.config.get("QUERY_MAX_WAITING")
    try:
        port = listenable_port(host, port)
    except OSError as error:
        reason = error.strerror or str(error)
        raise click.ClickException(f"cannot listen on {host}:{port}: {reason}") from None
    # The SHACL report was written by the build; each web process opens the store, starts its
    # query workers and builds the default graph view beside its first requests.
    del app  # each web process builds its own app, over the same loaded graph
    if app_config_max_waiting is None:  # /sparql holds at most threads - PAGE_THREADS
        overrides["QUERY_MAX_WAITING"] = max(1, threads - size - PAGE_THREADS)
    os.environ[CONFIG_ENV] = json.dumps(overrides)
    os.environ[LOG_LEVEL_ENV] = log_level
    url = url_of(host, port)
    lines = [f"Arbeidsmigratie Kennisgraaf: {url}",
             f"SPARQL endpoint: {url}sparql ({workers} web process(es) with {size} query "
             f"workers each, time limit {timeout:g} s). Stop with Ctrl+C."]  # fmt: skip
    start_announcer(host, port, lines)
    try:
        granian_level = "warning" if log_level in ("info", "debug") else log_level
        run_granian(host, port, workers, threads, log_level=granian_level)
    except RuntimeError as error:  # Granian's own start-up errors (the port taken meanwhile)
        raise click.ClickException(f"the server could not start: {error}") from None


_ANNOUNCER = (
    "import json, sys; from amkg.cli.serve import announce_when_ready; "
    "announce_when_ready(sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), "
    "watch=int(sys.argv[4]))"
)


def start_announcer(host: str, port: int, lines: list[str]) -> None:
    """Run :func:`announce_when_ready` beside the server, in a process of its own and not a
    child of this one: a child that ends while Granian runs would stay a zombie (Granian
    reaps only its own workers), and a thread of ours could hold a lock when Granian forks.
    A short-lived middle process starts it and exits at once, so the announcer belongs to
    init; it stops when this process is gone."""
    announcer = [sys.executable, "-c", _ANNOUNCER, host, str(port), json.dumps(lines),
                 str(os.getpid())]  # fmt: skip
    starter = "import subprocess, sys; subprocess.Popen(sys.argv[1:])"
    subprocess.run([sys.executable, "-c", starter, *announcer], check=False)


def announce_when_ready(host: str, port: int, lines: list[str], patience: float = 600.0,
                        watch: int | None = None) -> None:  # fmt: skip
    """Print ``lines`` once the server answers (a web process has built the app), so the URL
    it prints works at once; give up silently after ``patience`` seconds, or as soon as the
    process ``watch`` (the server) is gone."""
    import http.client

    probe_host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if watch is not None and not _alive(watch):
            return
        connection = http.client.HTTPConnection(probe_host, port, timeout=5)
        try:
            connection.request("HEAD", "/sparql")
            if connection.getresponse().status < 500:
                for line in lines:
                    click.echo(line)
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


COMMANDS = [serve]
