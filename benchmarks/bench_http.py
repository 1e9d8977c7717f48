"""Throughput of ``/sparql``: the real app against a minimal pyoxigraph app and Virtuoso.

    .venv/bin/python -m benchmarks.bench_http [--quick] [--duration 10] [--runs 3]
        [--connections 8] [--load-generator wrk|asyncio]

Three servers run as subprocesses on free loopback ports, over the same triples:

- ``app``: the real app as ``amkg serve`` runs it: Granian with its default web processes and
  threads, each web process with its pool of query workers started up front. Every query is
  guarded, run in a long-lived worker under the hard time limit, and serialised there;
- ``ceiling``: a minimal Flask app on the same Granian set-up answering the same queries
  straight from an in-process ``pyoxigraph.Store`` (no guard, no pool, pyoxigraph's own JSON
  writer): the upper bound for Flask + pyoxigraph;
- ``app-waitress`` (``--waitress``): the app on waitress, the server ``amkg serve`` used
  before, for comparison;
- ``virtuoso``: OpenLink Virtuoso (:mod:`benchmarks.virtuoso`), only if ``virtuoso-t`` is
  installed. The target is twice its rate. Its answers are checked first: a query it rejects
  is left out of its runs, and the mix without such queries (``<mix>-common``) is also run on
  the other two servers, so that the target compares the same queries.

A bounded load generator (``wrk`` if installed, else asyncio in this process; keep-alive,
``--connections`` connections, ``--duration`` seconds, 127.0.0.1 only) sends
``GET /sparql?query=...`` with ``Accept: application/sparql-results+json``, cycling through a
mix: ``empty`` (one query with no answer: the HTTP stack's own cost), ``light`` (the cheaper
half of the catalogue queries, by raw pyoxigraph time) and ``all`` (every catalogue query). A
parameter's default value goes in a ``VALUES`` clause, as a client would write it. Each mix
gets a warm-up per server, then runs in turn, the servers' order rotating from run to run;
medians are reported.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python benchmarks/bench_http.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.paths import DATA_DIR_ENV
from benchmarks.loadgen import ACCEPT, GENERATORS, HOST, LoadResult, default_generator, load
from benchmarks.virtuoso import INSTALL, Virtuoso, binaries

REPO = Path(__file__).resolve().parents[1]
MIXES = ("empty", "light", "all")
EMPTY = "SELECT ?s WHERE { ?s a <urn:amkg:benchmark:nothing> }"
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def sparql_texts(kg: KnowledgeGraph) -> dict[str, str]:
    """Each catalogue query as a client would send it: the default parameter values in a
    ``VALUES`` clause at the start of the outer ``WHERE``. Queries whose defaults are not in
    ``kg`` (another graph than the real one) are left out."""
    from amkg.queries.binding import values_clause
    from amkg.queries.catalogue import ParameterError, bind, default_catalogue

    texts = {}
    for query in default_catalogue():
        try:
            bindings = bind(query, {}, kg)
        except ParameterError:
            continue
        text = query.sparql
        where = _WHERE.search(text)
        if bindings and where is not None:  # the defaults, checked by values_clause
            text = f"{text[: where.end()]}\n  {values_clause(bindings)}{text[where.end() :]}"
        texts[query.name] = text
    return texts


def ceiling_app() -> Any:
    """The baseline: a minimal Flask app answering from an in-process pyoxigraph store."""
    import pyoxigraph as ox
    from flask import Flask, Response, request

    store = ox.Store()
    store.load(KnowledgeGraph.load().store.dump(), format=ox.RdfFormat.N_TRIPLES)
    app = Flask("ceiling")

    @app.get("/sparql")
    def sparql() -> Response:
        query = request.args.get("query", "ASK {}")
        body = store.query(query).serialize(format=ox.QueryResultsFormat.JSON)
        return Response(body, content_type=f"{ACCEPT}; charset=utf-8")

    return app


SERVERS = ("app", "ceiling", "app-waitress")
_FACTORIES = {"app": "amkg.cli.serve:served_app", "ceiling": "benchmarks.bench_http:ceiling_app"}


def serve(kind: str) -> None:
    """Serve ``kind`` (one of :data:`SERVERS`) on a free loopback port; print ``READY port``
    once it answers. ``app`` and ``ceiling`` run on Granian as ``amkg serve`` runs (its
    default web processes and threads); ``app-waitress`` is the app on waitress."""
    from amkg.cli import serve as cli_serve

    if kind != "app-waitress":
        port = cli_serve.listenable_port(HOST, 0)
        cli_serve.start_announcer(HOST, port, [f"READY {port}"])
        workers, threads = cli_serve.DEFAULT_WORKERS, cli_serve.MIN_THREADS
        cli_serve.run_granian(HOST, port, workers, threads, target=_FACTORIES[kind])
        return
    from amkg.webui.sparql import close_pool

    def stop(*_: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is 1"
    app = cli_serve.served_app()  # the app as one web process of amkg serve builds it
    server = cli_serve.make_server(app, HOST, 0, cli_serve.MIN_THREADS)
    print(f"READY {server.effective_port}", flush=True)
    try:
        server.run()
    finally:
        server.close()
        close_pool(app)


class Server:
    """A server subprocess (``kind``: ``app`` or ``ceiling``) over ``data_dir``."""

    def __init__(self, kind: str, data_dir: Path | None = None, timeout: float = 300.0) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO), "AMKG_LOG_LEVEL": "warning"}
        # The load generator is one client on loopback: let it use the whole pool (the fair
        # share per client would cap it by design) and let its requests queue as they did.
        env["AMKG_SERVE_CONFIG"] = json.dumps({"QUERY_CLIENT_SHARE": 64, "QUERY_MAX_WAITING": 64})
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


def _store(kg: KnowledgeGraph) -> Any:
    import pyoxigraph as ox

    store = ox.Store()
    store.load(kg.store.dump(), format=ox.RdfFormat.N_TRIPLES)
    return store


def mixes(kg: KnowledgeGraph) -> dict[str, dict[str, str]]:
    """The query mixes by name (see the module's docstring): query name -> text."""
    store = _store(kg)
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


def check_virtuoso(virtuoso: Virtuoso, kg: KnowledgeGraph, texts: dict[str, str]) -> set[str]:
    """Compare Virtuoso's answer to each query with pyoxigraph's (rows, or the ASK value),
    print every difference, and return the names of the queries Virtuoso rejects."""
    import pyoxigraph as ox

    store = _store(kg)
    rejected, differ = set(), 0
    for name, text in sorted(texts.items()):
        answer = store.query(text)
        expected = int(bool(answer)) if isinstance(answer, ox.QueryBoolean) else len(list(answer))
        got = virtuoso.answer_size(text)
        if isinstance(got, str):
            rejected.add(name)
            print(f"virtuoso rejects {name} (left out of its runs): {got[:300]}")
        elif got != expected:
            differ += 1
            print(f"virtuoso answers {name} with {got} rows, pyoxigraph with {expected} (kept)")
    same = len(texts) - len(rejected) - differ
    print(f"virtuoso: {same} of {len(texts)} queries answered with pyoxigraph's row count, "
          f"{differ} with another, {len(rejected)} rejected", flush=True)  # fmt: skip
    return rejected


Results = dict[str, dict[str, list[LoadResult]]]  # mix -> server -> runs


Plan = dict[str, tuple[dict[str, str], list[str]]]  # mix -> (its queries, the servers)


def _plan(kg: KnowledgeGraph, chosen: dict[str, dict[str, str]], virtuoso: Virtuoso | None,
          only: tuple[str, ...], ours: list[str]) -> Plan:  # fmt: skip
    """Mix -> (its queries, the servers that run it). Virtuoso runs a mix only if it answers
    all of it; otherwise all servers run ``<mix>-common``, the mix without what it rejects."""
    rejected = set()
    if virtuoso is not None:
        rejected = check_virtuoso(virtuoso, kg, {n: t for m in only for n, t in chosen[m].items()})
    plan = {}
    for mix in only:
        texts, both = chosen[mix], ours
        common = {name: text for name, text in texts.items() if name not in rejected}
        if virtuoso is None or not common:
            plan[mix] = (texts, both)
        elif common == texts:
            plan[mix] = (texts, [*both, "virtuoso"])
        else:
            plan[mix] = (texts, both)
            plan[f"{mix}-common"] = (common, [*both, "virtuoso"])
    return plan


def run(duration: float = 10.0, runs: int = 3, connections: int = 8,
        only: tuple[str, ...] = MIXES, data_dir: Path | None = None,
        generator: str | None = None, virtuoso: bool = True,
        waitress: bool = False) -> Results:  # fmt: skip
    """``runs`` load runs per mix and server, the servers' order rotating from run to run.
    Virtuoso takes part if ``virtuoso`` and ``virtuoso-t`` is installed."""
    generator = generator or default_generator()
    kg = KnowledgeGraph.load(data_dir)
    chosen = mixes(kg)
    with ExitStack() as stack:  # every server stops, also on an error or Ctrl+C
        ours = ("app", "ceiling", "app-waitress") if waitress else ("app", "ceiling")
        ports = {kind: stack.enter_context(Server(kind, data_dir)).port for kind in ours}
        other = None
        if virtuoso and binaries() is None:
            print(f"virtuoso: skipped, virtuoso-t or isql-vt not found ({INSTALL})")
        elif virtuoso:
            ntriples = kg.store.dump()
            other = stack.enter_context(Virtuoso(ntriples, http_threads=max(16, 2 * connections)))
            ports["virtuoso"] = other.port
        plan = _plan(kg, chosen, other, only, list(ours))
        results: Results = {mix: {kind: [] for kind in kinds} for mix, (_, kinds) in plan.items()}
        for mix, (queries, kinds) in plan.items():
            texts = list(queries.values())
            print(f"mix {mix!r}: {len(texts)} queries: {', '.join(queries)}", flush=True)
            for kind in kinds:  # warm up: the workers' caches, first parses
                load(ports[kind], texts, connections, min(2.0, duration), generator)
            for n in range(runs):
                for kind in kinds[n % len(kinds) :] + kinds[: n % len(kinds)]:
                    results[mix][kind].append(load(ports[kind], texts, connections, duration,
                                                   generator))  # fmt: skip
    return results


def report(results: Results) -> str:
    """A table of median req/s, latencies and errors per mix and server, against the ceiling
    and against the target: twice Virtuoso's rate on the same mix in the same run."""
    lines = ["| mix | server | req/s | p50 ms | p95 ms | errors | vs ceiling | "
             "vs 2\u00d7 Virtuoso |", "|---|---|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for mix, servers in results.items():
        rates = {kind: statistics.median(r.rps for r in runs) for kind, runs in servers.items()}
        ceiling = rates.get("ceiling") or float("nan")
        target = 2 * rates.get("virtuoso", 0.0)
        for kind, runs in servers.items():
            rps = rates[kind]
            p50 = statistics.median(r.p50 for r in runs) * 1000
            p95 = statistics.median(r.p95 for r in runs) * 1000
            errors = sum(r.errors for r in runs)
            versus = f"{rps / target:.2f}" if target else "\u2013"
            lines.append(f"| {mix} | {kind} | {rps:,.0f} | {p50:.1f} | {p95:.1f} | {errors} | "
                         f"{rps / ceiling:.2f} | {versus} |")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", choices=SERVERS, help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="3 s per run, one run")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per load run")
    parser.add_argument("--runs", type=int, default=3, help="load runs per server and mix")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--load-generator", choices=GENERATORS, default=default_generator(),
                        help="wrk (a separate C process, the default if installed) or asyncio "
                        "(in this process: it competes with the servers for the CPUs)")  # fmt: skip
    parser.add_argument("--no-virtuoso", action="store_true", help="leave Virtuoso out")
    parser.add_argument("--waitress", action="store_true",
                        help="also run the app on waitress (for comparison)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve)
        return 0
    if args.load_generator == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install wrk)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers on SIGTERM too
    duration, runs = (3.0, 1) if args.quick else (args.duration, args.runs)
    print(f"/sparql: {args.connections} connections, {duration:g} s x {runs} runs per server "
          f"and mix, load generator: {args.load_generator}; target: twice Virtuoso's req/s "
          "(measured in this run)")  # fmt: skip
    results = run(duration, runs, args.connections, generator=args.load_generator,
                  virtuoso=not args.no_virtuoso, waitress=args.waitress)  # fmt: skip
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
