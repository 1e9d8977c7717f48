"""Throughput of ``/sparql``: the real app against a minimal in-process pyoxigraph app.

    .venv/bin/python -m benchmarks.bench_http [--quick] [--duration 10] [--runs 3]

Two servers run as subprocesses on free loopback ports, both on the production server
(waitress, as ``amkg serve``, with its thread count):

- ``app``: :func:`webui.app.create_app` with its worker pool started up front, as ``amkg serve``
  does: every query is guarded, run in a long-lived worker under the hard time limit, and
  serialised there;
- ``ceiling``: a minimal Flask app answering the same queries straight from an in-process
  ``pyoxigraph.Store`` (no guard, no pool, pyoxigraph's own JSON writer): the upper bound.

A bounded load generator (asyncio, keep-alive, ``--connections`` connections, ``--duration``
seconds, 127.0.0.1 only) sends ``GET /sparql?query=...`` with ``Accept: application/sparql-
results+json``, cycling through a mix: ``empty`` (one query with no answer: the HTTP stack's
own cost), ``light`` (the cheaper half of the catalogue queries, by raw pyoxigraph time) and
``all`` (every catalogue query). A parameter's default value goes in a ``VALUES`` clause, as a
client would write it. Runs alternate between the servers; medians are reported.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

if __package__ in (None, ""):  # run as a script: python benchmarks/bench_http.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph.kg import KnowledgeGraph
from graph.paths import DATA_DIR_ENV

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # the load generator never connects anywhere else
TARGET_RPS = 1480.0  # twice Virtuoso's 740 req/s (the issue)
MIXES = ("empty", "light", "all")
EMPTY = "SELECT ?s WHERE { ?s a <urn:amkg:benchmark:nothing> }"
ACCEPT = "application/sparql-results+json"
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


@dataclass
class LoadResult:
    """One load run: completed requests, errors, latencies (s) and the wall time (s)."""

    ok: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies) or [float("nan")]
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def sparql_texts(kg: KnowledgeGraph) -> dict[str, str]:
    """Each catalogue query as a client would send it: the default parameter values in a
    ``VALUES`` clause at the start of the outer ``WHERE``. Queries whose defaults are not in
    ``kg`` (another graph than the real one) are left out."""
    from queries.catalogue import ParameterError, bind, default_catalogue

    texts = {}
    for query in default_catalogue():
        try:
            bindings = bind(query, {}, kg)
        except ParameterError:
            continue
        text = query.sparql
        where = _WHERE.search(text)
        if bindings and where is not None:
            variables = " ".join(f"?{name}" for name in bindings)
            values = " ".join(term.n3() for term in bindings.values())
            clause = f"\n  VALUES ({variables}) {{ ({values}) }}"
            text = text[: where.end()] + clause + text[where.end() :]
        texts[query.name] = text
    return texts


def _request(port: int, text: str) -> bytes:
    return (f"GET /sparql?query={quote(text, safe='')} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            f"Accept: {ACCEPT}\r\nConnection: keep-alive\r\n\r\n").encode("ascii")  # fmt: skip


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one HTTP/1.1 response: its status, and whether the server closes the connection."""
    lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])}
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")
    return int(lines[0].split(" ", 2)[1]), headers.get("connection", "").lower() == "close"


async def _client(port: int, requests: list[bytes], offset: int, deadline: float,
                  result: LoadResult) -> None:  # fmt: skip
    """One keep-alive connection sending requests in turn until ``deadline``."""
    streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    i = offset
    while time.perf_counter() < deadline:
        try:
            streams = streams or await asyncio.open_connection(HOST, port)
            start = time.perf_counter()
            streams[1].write(requests[i % len(requests)])
            i += 1
            status, close = await asyncio.wait_for(_read_response(streams[0]), timeout=30)
            if status == 200:
                result.ok += 1
                result.latencies.append(time.perf_counter() - start)
            else:
                result.errors += 1
        except (OSError, asyncio.IncompleteReadError, ValueError):  # TimeoutError is an OSError
            result.errors += 1
            close = True
            await asyncio.sleep(0.01)
        if close and streams is not None:
            streams[1].close()
            streams = None
    if streams is not None:
        streams[1].close()


def load(port: int, texts: list[str], connections: int = 8, duration: float = 10.0) -> LoadResult:
    """``connections`` keep-alive clients on 127.0.0.1:``port`` for ``duration`` seconds."""
    requests = [_request(port, text) for text in texts]
    result = LoadResult()
    step = max(1, len(requests) // connections)

    async def main() -> None:
        deadline = time.perf_counter() + duration
        await asyncio.gather(*(_client(port, requests, n * step, deadline, result)
                               for n in range(connections)))  # fmt: skip

    start = time.perf_counter()
    # A thread of its own: the caller may already run an event loop (Playwright's sync API
    # keeps one in the main thread), and asyncio.run() refuses to nest.
    runner = threading.Thread(target=asyncio.run, args=(main(),), name="bench-http-load")
    runner.start()
    runner.join()
    result.seconds = time.perf_counter() - start
    return result


def _ceiling_app() -> Any:
    import pyoxigraph as ox
    from flask import Flask, Response, request

    store = ox.Store()
    graph = KnowledgeGraph.load().graph
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    app = Flask("ceiling")

    @app.get("/sparql")
    def sparql() -> Response:
        body = store.query(request.args["query"]).serialize(format=ox.QueryResultsFormat.JSON)
        return Response(body, content_type=f"{ACCEPT}; charset=utf-8")

    return app


def serve(kind: str) -> None:
    """Serve ``kind`` (``app`` or ``ceiling``) on a free loopback port; print ``READY port``."""
    from webui.cli_serve import MIN_THREADS, make_server
    from webui.sparql import close_pool, start_pool

    def stop(*_: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is 1"
    if kind == "app":
        from webui.app import create_app

        app = create_app()
        start_pool(app)
    else:
        app = _ceiling_app()
    server = make_server(app, HOST, 0, MIN_THREADS)
    print(f"READY {server.effective_port}", flush=True)
    try:
        server.run()
    finally:
        server.close()
        if kind == "app":
            close_pool(app)


class Server:
    """A server subprocess (``kind``: ``app`` or ``ceiling``) over ``data_dir``."""

    def __init__(self, kind: str, data_dir: Path | None = None, timeout: float = 300.0) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        if data_dir is not None:
            env[DATA_DIR_ENV] = str(data_dir)
        command = [sys.executable, "-m", "benchmarks.bench_http", "--serve", kind]
        self.process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE,
                                        text=True)  # fmt: skip
        assert self.process.stdout is not None
        deadline, line = time.monotonic() + timeout, ""
        while time.monotonic() < deadline and not line.startswith("READY "):
            line = self.process.stdout.readline()
            if not line and self.process.poll() is not None:
                break
        if not line.startswith("READY "):
            self.close()
            raise RuntimeError(f"the {kind} server did not start ({self.process.returncode})")
        self.port = int(line.split()[1])

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def mixes(kg: KnowledgeGraph) -> dict[str, dict[str, str]]:
    """The query mixes by name (see the module's docstring): query name -> text."""
    import pyoxigraph as ox

    store = ox.Store()
    store.load(kg.graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    texts = sparql_texts(kg)
    cost = {}
    for name, text in texts.items():
        times = []
        for _ in range(5):
            start = time.perf_counter()
            list(store.query(text))
            times.append(time.perf_counter() - start)
        cost[name] = statistics.median(times)
    cheap = sorted(texts, key=cost.__getitem__)[: max(1, len(texts) // 2)]
    return {"empty": {"empty": EMPTY}, "light": {n: texts[n] for n in sorted(cheap)}, "all": texts}


Results = dict[str, dict[str, list[LoadResult]]]  # mix -> server -> runs


def run(duration: float = 10.0, runs: int = 3, connections: int = 8,
        only: tuple[str, ...] = MIXES, data_dir: Path | None = None) -> Results:  # fmt: skip
    """``runs`` load runs per mix and server, alternating between the servers."""
    chosen = mixes(KnowledgeGraph.load(data_dir))
    results: Results = {mix: {"app": [], "ceiling": []} for mix in only}
    with Server("app", data_dir) as app, Server("ceiling", data_dir) as ceiling:
        for mix in only:
            texts = list(chosen[mix].values())
            print(f"mix {mix!r}: {len(texts)} queries: {', '.join(chosen[mix])}", flush=True)
            for server in (app, ceiling):  # warm up: the workers' caches, first parses
                load(server.port, texts, connections, min(2.0, duration))
            for n in range(runs):
                order = [("app", app), ("ceiling", ceiling)]
                for kind, server in order if n % 2 == 0 else order[::-1]:
                    results[mix][kind].append(load(server.port, texts, connections, duration))
    return results


def report(results: Results) -> str:
    """A table of median req/s, latencies and errors per mix and server."""
    lines = ["| mix | server | req/s | p50 ms | p95 ms | errors | vs ceiling | vs 1,480 |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for mix, servers in results.items():
        ceiling = statistics.median(r.rps for r in servers["ceiling"]) or float("nan")
        for kind, runs in servers.items():
            rps = statistics.median(r.rps for r in runs)
            p50, p95 = (statistics.median(r.percentile(p) for r in runs) * 1000 for p in (50, 95))
            lines.append(f"| {mix} | {kind} | {rps:,.0f} | {p50:.1f} | {p95:.1f} | "
                         f"{sum(r.errors for r in runs)} | {rps / ceiling:.2f} | "
                         f"{rps / TARGET_RPS:.2f} |")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", choices=("app", "ceiling"), help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="3 s per run, one run")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per load run")
    parser.add_argument("--runs", type=int, default=3, help="load runs per server and mix")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve)
        return 0
    duration, runs = (3.0, 1) if args.quick else (args.duration, args.runs)
    print(f"/sparql: {args.connections} connections, {duration:g} s x {runs} runs per server "
          f"and mix (target {TARGET_RPS:,.0f} req/s)")  # fmt: skip
    print(report(run(duration, runs, args.connections)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
