"""The app on a remote SPARQL server: what the app's layer costs, and what loading costs.

For each server that is installed (Oxigraph server, Jena, Virtuoso; started on loopback by
``tests/servers.py``, which says which Jena ran: Fuseki 5.6.0, or Debian's Jena ARQ 4.5.0 behind
our minimal protocol server):

- **queries**: every catalogue query with the parameters of its golden, through the app
  (``GET /api/queries/<name>`` on the Flask app with ``STORE_URL`` set: binding, the request,
  converting and normalising the answer, JSON) against the same text sent straight to the server
  (one pooled urllib3 request, the answer read but not parsed), and through the store layer
  alone (``RemoteStore.query`` with the bound values: the request, parsing and normalising,
  without Flask). Per query the median of ``--repeat`` runs, the three taken in turns;
  printed: the median over the catalogue of the per-query ratio app/server (issue 10's target:
  at most 1.2) with the worst query, and the same ratio for the store layer.
- **loading**: ``amkg load --into`` (SHACL check, batches, swap) against the server's own bulk
  loader on the same triples (``oxigraph load``; Jena's ``tdb2.tdbloader`` from Debian's
  ``jena-cmds``, a JVM start included; Virtuoso's ``TTLP_MT`` via isql), and the part of ours
  that is the SHACL check.

``python -m benchmarks.bench_remote [--repeat N] [--servers oxigraph jena virtuoso]``
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import urllib3

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.remote import RemoteStore
from amkg.graph.remote_load import load_into
from amkg.graph.sources import Sources
from amkg.graph.values import with_values
from amkg.queries.binding import bind
from amkg.queries.catalogue import default_catalogue
from amkg.queries.golden import load_golden
from tests.servers import SERVERS, Server, ServerMissing, arq_classpath, oxigraph_command, start


def bench_queries(server: Server, repeat: int) -> dict[str, tuple[float, ...]]:
    """Per query: median seconds through the app, straight to the server, and through the
    remote store alone."""
    from amkg.webui.app import create_app

    app = create_app({"TESTING": True, **server.settings()})
    client = app.test_client()
    embedded = KnowledgeGraph.open()
    store = app.extensions["amkg"].store
    http = urllib3.PoolManager(maxsize=2)
    fields_base = [("default-graph-uri", server.config().graph),
                   ("named-graph-uri", server.config().shapes_graph)]  # fmt: skip
    out = {}
    for query in default_catalogue():
        golden = load_golden(query.name)
        params = dict(golden["params"]) if golden else {}
        bindings = bind(query, params, embedded)
        text = with_values(query.sparql, bindings)
        fields = [("query", text), *fields_base]

        def direct(fields: list[tuple[str, str]] = fields) -> None:
            response = http.request_encode_body(
                "POST", server.url, fields=fields, encode_multipart=False,
                headers={"Accept": "application/sparql-results+json"},
            )  # fmt: skip
            assert response.status == 200, response.data[:200]

        def through_app(name: str = query.name, params: dict[str, str] = params) -> None:
            response = client.get(f"/api/queries/{name}", query_string=params)
            assert response.status_code == 200, response.get_data(as_text=True)[:200]

        def through_store(sparql: str = query.sparql, bound: Any = bindings) -> None:
            store.query(sparql, bound)

        for call in (through_app, direct, through_store):
            call()  # warm each
        out[query.name] = _interleaved([through_app, direct, through_store], repeat)
    return out


def _interleaved(calls: list[Any], repeat: int) -> tuple[float, ...]:
    """Median seconds of each call, run in turns, so a busy machine weighs on all alike."""
    times: list[list[float]] = [[] for _ in calls]
    for _ in range(repeat):
        for call, into in zip(calls, times, strict=True):
            started = time.perf_counter()
            call()
            into.append(time.perf_counter() - started)
    return tuple(statistics.median(t) for t in times)


def bench_load(server: Server) -> dict[str, float]:
    """Seconds: ``amkg load --into`` (and its SHACL part) vs the server's own bulk loader."""
    store = RemoteStore(server.config())
    started = time.perf_counter()
    result = load_into(store, Sources.resolve())
    ours = time.perf_counter() - started
    ntriples = store.dump()
    store.close()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data.nt"
        data.write_bytes(ntriples)
        if server.name == "oxigraph":
            command = [oxigraph_command(), "load", "--location", str(Path(folder) / "db"),
                       "--file", str(data), "--graph", "urn:bench"]  # fmt: skip
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            native = time.perf_counter() - started
        elif server.name == "virtuoso":
            copy = server.directory / "bench.nt"
            shutil.copy(data, copy)
            isql = shutil.which("isql-vt") or "isql-vt"
            script = f"DB.DBA.TTLP_MT(file_to_string_output('{copy}'), '', 'urn:bench', 0);"
            started = time.perf_counter()
            subprocess.run([isql, str(server.ports[0]), "dba", "dba", f"exec={script}"],
                           check=True, capture_output=True)  # fmt: skip
            native = time.perf_counter() - started
        elif server.name == "jena":
            command = ["java", "-cp", arq_classpath() + ":/usr/share/java/jena-cmds.jar",
                       "tdb2.tdbloader", "--loc", str(Path(folder) / "tdb2"),
                       "--graph", "urn:bench", str(data)]  # fmt: skip
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            native = time.perf_counter() - started
        else:
            native = float("nan")
    shacl_only = result.seconds  # replaced below by the check alone
    from amkg.graph.build import _validate
    from amkg.graph.remote_load import read_sources

    data_, shapes, prefixes, _print = read_sources(Sources.resolve())
    started = time.perf_counter()
    _validate(data_, shapes, prefixes)
    shacl_only = time.perf_counter() - started
    return {"ours": ours, "shacl": shacl_only, "native": native, "triples": result.triples}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--servers", nargs="*", default=list(SERVERS))
    args = parser.parse_args(argv)
    for name in args.servers:
        try:
            server = start(name)
        except ServerMissing as error:
            print(f"## {name}: skipped ({error})\n")
            continue
        try:
            load = bench_load(server)
            times = bench_queries(server, args.repeat)
        finally:
            server.stop()
            shutil.rmtree(server.directory, ignore_errors=True)
        ratios = {n: app / direct for n, (app, direct, _store) in times.items()}
        layer = {n: store / direct for n, (_app, direct, store) in times.items()}
        worst = max(ratios, key=ratios.__getitem__)
        app_ms = statistics.median(t[0] for t in times.values()) * 1000
        direct_ms = statistics.median(t[1] for t in times.values()) * 1000
        store_ms = statistics.median(t[2] for t in times.values()) * 1000
        print(f"## {name}: {server.label}\n")
        print(
            f"- catalogue ({len(times)} queries, median of {args.repeat} each): through the "
            f"app {app_ms:.1f} ms, straight to the server {direct_ms:.1f} ms (medians over "
            f"the catalogue); per-query ratio app/server: median "
            f"{statistics.median(ratios.values()):.2f}, worst {ratios[worst]:.2f} ({worst}); "
            f"through the store layer alone {store_ms:.1f} ms, ratio store/server: median "
            f"{statistics.median(layer.values()):.2f}"
        )
        print(f"- amkg load --into: {load['ours']:.1f} s for {load['triples']} triples "
              f"(of which SHACL {load['shacl']:.1f} s); the server's own bulk loader "
              f"{load['native']:.2f} s; ratio without SHACL "
              f"{(load['ours'] - load['shacl']) / load['native']:.1f}\n")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
