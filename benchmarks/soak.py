"""Hold under heavy use: idle connections, keep-alive clients, slow queries (loopback only).

    .venv/bin/python -m benchmarks.soak [--quick] [--idle 64] [--clients 20] [--duration 300]
        [--data-dir DIR] [--workers 2]

Starts ``amkg serve`` on a free port of 127.0.0.1 (never any other address) and checks the
acceptance lines of issue 15, printing one JSON report (exit 1 if a line fails):

1. ``idle``: ``--idle`` TCP connections that send nothing are held open; a health probe
   (``/healthz``) every 0.2 s must answer within 1 s throughout.
2. ``soak``: ``--clients`` keep-alive clients (each its own connection and its own client
   name, as a reverse proxy would pass it in ``X-Client``) cycle through pages, the API and
   ``/sparql`` for ``--duration`` s: no request may hang (30 s), none may get a 5xx, the probe
   stays green and the server's memory (RSS of the whole process tree) stays within 10 %.
3. ``slow``: one client sends four slow queries at once; meanwhile other clients' queries
   and the pages must answer (200) before the first slow query ends: the slow client gets its
   share, not the whole pool.

``--quick`` shortens everything (the slow test ``tests/test_soak.py`` runs it).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HOST = "127.0.0.1"  # never anything else
REPO = Path(__file__).resolve().parent.parent
TRACKS = "SELECT ?t WHERE { ?t a <https://w3id.org/amkg/def#Track> } ORDER BY ?t"
SLOW = """SELECT (COUNT(*) AS ?n) WHERE {
  ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o .
  FILTER(REGEX(CONCAT(STR(?c), STR(?f), STR(?i), STR(?l), STR(?o)), "^(a|b|ab)*x$"))
}"""
PAGES = ["/", "/api/queries", "/matrix.json", "/healthz"]
HUNG = 30.0


@dataclass
class Server:
    """``amkg serve`` as a subprocess on a free loopback port."""

    process: subprocess.Popen[str]
    port: int
    settings: Path
    drain: threading.Thread

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.drain.join(10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.settings.unlink(missing_ok=True)


def start(data_dir: Path | None = None, workers: int = 2, timeout: float = 180.0,
          query_timeout: float = 3.0, queue_wait: float = 15.0,
          settings: dict[str, Any] | None = None) -> Server:  # fmt: skip
    """Start ``amkg serve --port 0`` (``workers`` web processes) and wait for its URL line. A
    query may wait up to ``queue_wait`` s for a worker (the default is 5 s): on a shared CI
    machine the clients and the server compete for two cores, and a refusal for a slow machine
    says nothing about a hang. ``settings``: more of the app's settings."""
    handle, name = tempfile.mkstemp(suffix=".json", prefix="amkg-soak-")
    with os.fdopen(handle, "w") as stream:
        json.dump({"CLIENT_ADDRESS_HEADER": "X-Client", "QUERY_TIMEOUT": query_timeout,
                   "QUERY_QUEUE_WAIT": queue_wait, **(settings or {})}, stream)  # fmt: skip
    env = {**os.environ, "AMKG_SETTINGS": name}
    level = os.environ.get("SOAK_LOG_LEVEL", "warning")  # info: the access log too
    command = [sys.executable, "-m", "amkg.cli", "serve", "--host", HOST, "--port", "0",
               "--workers", str(workers), "--log-level", level]  # fmt: skip
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True, cwd=REPO)
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if line.startswith("Arbeidsmigratie Kennisgraaf: "):
            port = int(line.rsplit(":", 1)[1].strip().rstrip("/"))
            drain = threading.Thread(target=process.stdout.read, daemon=True)
            drain.start()  # the rest of its output, so the pipe never fills
            return Server(process, port, Path(name), drain)
    process.kill()
    process.wait(10)
    process.stdout.close()
    raise RuntimeError("amkg serve did not start")


def get(port: int, path: str, client: str = "probe", timeout: float = HUNG,
        connection: http.client.HTTPConnection | None = None) -> tuple[int, float]:  # fmt: skip
    """``GET path`` (on ``connection`` if given, kept alive): status and seconds; status 0
    for a connection error, -1 for a request that hung past ``timeout``."""
    own = connection is None
    conn = connection or http.client.HTTPConnection(HOST, port, timeout=timeout)
    started = time.monotonic()
    try:
        conn.request("GET", path, headers={"X-Client": client, "Accept": "application/json"})
        response = conn.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    except TimeoutError:
        conn.close()
        return -1, time.monotonic() - started
    except (OSError, http.client.HTTPException):
        conn.close()
        return 0, time.monotonic() - started
    finally:
        if own:
            conn.close()


def sparql_path(query: str) -> str:
    return "/sparql?" + urlencode({"query": query})


@dataclass
class Probe:
    """A health probe every ``interval`` s in a thread: the slowest answer and the failures
    (no 200 within 1 s)."""

    port: int
    interval: float = 0.2
    answers: int = 0
    failures: int = 0
    slowest: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> Probe:
        threading.Thread(target=self._run, daemon=True).start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            status, seconds = get(self.port, "/healthz", timeout=5)
            self.answers += 1
            self.slowest = max(self.slowest, seconds)
            if status != 200 or seconds > 1.0:
                self.failures += 1
            self._stop.wait(self.interval)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        time.sleep(self.interval)


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (Linux /proc; those that ended meanwhile may be in it)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def rss_kb(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants, in kB (Linux /proc)."""
    total = 0
    for current in process_tree(pid):
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def idle_connections(port: int, count: int, seconds: float) -> dict[str, Any]:
    """Hold ``count`` silent connections open for ``seconds`` while probing."""
    import socket

    sockets = [socket.create_connection((HOST, port)) for _ in range(count)]
    try:
        with Probe(port) as probe:
            time.sleep(seconds)
    finally:
        for sock in sockets:
            sock.close()
    passed = probe.failures == 0 and probe.answers > 0
    return {"idle": count, "probes": probe.answers, "probe_failures": probe.failures,
            "slowest_probe_s": round(probe.slowest, 3), "passed": passed}  # fmt: skip


def settled_rss_kb(pid: int, timeout: float = 60.0, interval: float = 0.5) -> int:
    """The resident memory of ``pid``'s process tree once it has settled: the same processes
    and less than 0.5 % change over three polls in a row (or ``timeout``). ``amkg serve``
    answers before each web process has started its query workers and its write process
    (beside the first requests), so a baseline taken earlier counts their start as growth."""
    deadline = time.monotonic() + timeout
    last = (sorted(process_tree(pid)), rss_kb(pid))
    steady = 0
    while steady < 3 and time.monotonic() < deadline:
        time.sleep(interval)
        now = (sorted(process_tree(pid)), rss_kb(pid))
        same = now[0] == last[0] and abs(now[1] - last[1]) <= 0.005 * max(last[1], 1)
        steady = steady + 1 if same else 0
        last = now
    return last[1]


def keep_alive_clients(port: int, clients: int, seconds: float, pid: int,
                       warm: float = 2.0) -> dict[str, Any]:  # fmt: skip
    """``clients`` keep-alive clients for ``seconds``: hung requests, 5xx, probe, memory.

    The same clients first run for ``warm`` seconds (every web process gets requests of every
    kind and starts what it starts on demand); the memory baseline is taken after that, once
    the process tree has settled, so the growth is that of the measured load alone. Requests
    of both runs are counted."""
    counts: dict[str, int] = {"requests": 0, "hung": 0, "5xx": 0, "errors": 0, "4xx": 0}
    failed: dict[str, int] = {}
    lock = threading.Lock()
    deadline = 0.0
    paths = [*PAGES, sparql_path(TRACKS), sparql_path("ASK { ?s ?p ?o }")]

    def client(number: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=HUNG)
        step = number
        while time.monotonic() < deadline:
            status, _ = get(port, paths[step % len(paths)], f"client-{number}", connection=conn)
            step += 1
            with lock:
                if status >= 500 or status in (-1, 0):
                    key = f"{status} {paths[(step - 1) % len(paths)][:40]}"
                    failed[key] = failed.get(key, 0) + 1
                counts["requests"] += 1
                counts["hung"] += status == -1
                counts["5xx"] += status >= 500
                counts["4xx"] += 400 <= status < 500
                counts["errors"] += status == 0
            if status in (-1, 0):
                conn = http.client.HTTPConnection(HOST, port, timeout=HUNG)
        conn.close()

    def run(length: float) -> None:
        nonlocal deadline
        deadline = time.monotonic() + length
        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(length + HUNG + 10)

    with Probe(port) as probe:
        run(warm)
        before = settled_rss_kb(pid)
        run(seconds)
    after = rss_kb(pid)
    growth = (after - before) / before if before else 0.0
    passed = (counts["hung"] == 0 and counts["5xx"] == 0 and counts["errors"] == 0
              and probe.failures == 0 and growth <= 0.10)  # fmt: skip
    return {**counts, "clients": clients, "seconds": seconds, "warm_seconds": warm,
            "probe_failures": probe.failures,
            "rss_before_kb": before, "rss_after_kb": after, "rss_growth": round(growth, 3),
            "failed": failed, "passed": passed}  # fmt: skip


def slow_queries(port: int, count: int = 4) -> dict[str, Any]:
    """One client sends ``count`` slow queries at once; others and the pages must answer, and
    before the first slow query ends (the time limit stops it): with a fair share the slow
    client holds only its part of the workers, so the others need not wait for it."""
    statuses: list[int] = []
    slow_ended: list[float] = []

    def greedy() -> None:
        statuses.append(get(port, sparql_path(SLOW), "greedy")[0])
        slow_ended.append(time.monotonic())

    threads = [threading.Thread(target=greedy) for _ in range(count)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    others = [get(port, sparql_path(TRACKS), f"other-{n}")[0] for n in range(3)]
    pages = [get(port, path, "reader")[0] for path in PAGES]
    answered = time.monotonic()
    for thread in threads:
        thread.join(HUNG + 10)
    before = bool(slow_ended) and answered < min(slow_ended)
    passed = (all(s == 200 for s in others + pages) and before
              and all(s in (429, 503) for s in statuses))  # fmt: skip
    return {"slow_statuses": sorted(statuses), "others": others, "pages": pages,
            "answered_before_a_slow_query_ended": before, "passed": passed}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs (for the slow test)")
    parser.add_argument("--idle", type=int, default=64)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=300.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    idle_seconds, duration = (5.0, 20.0) if args.quick else (30.0, args.duration)
    server = start(args.data_dir, args.workers)
    try:
        report = {
            "idle": idle_connections(server.port, args.idle, idle_seconds),
            "soak": keep_alive_clients(server.port, args.clients, duration, server.process.pid),
            "slow": slow_queries(server.port),
        }
    finally:
        server.stop()
    print(json.dumps(report, indent=2))
    return 0 if all(part["passed"] for part in report.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
