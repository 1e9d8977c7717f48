"""Reading answers while another thread of the process computes (the interpreter lock).

    .venv/bin/python -m benchmarks.bench_threads [--runs 15]

A web process answers many requests at once, one thread each, under one interpreter lock.
pyoxigraph lets go of the lock for every solution it yields; a thread that wants the lock back
while another thread runs Python waits for the switch interval (5 ms) each time. So an answer
read solution by solution costs about 5 ms per row as soon as a page is rendered beside it.
:meth:`amkg.graph.store.OxigraphStore.query` therefore has pyoxigraph write the whole answer
in one call (SPARQL JSON) and reads that.

Measured on the real graph, in one process, for three catalogue-like queries (about 200, 20
and 1 rows): the median time of ``OxigraphStore.query`` and of the baseline, the same query's
solutions iterated from pyoxigraph (what the store did before), each alone and while one other
thread runs Python. Printed: the medians and the ratios (baseline / store) alone and under
contention. Nothing is asserted (shared machines are noisy); the figures are in
``benchmarks/README.md`` ("Het interpreterslot").
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pyoxigraph as ox

from benchmarks import machine

QUERIES = {
    "200 rows": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 200",
    "20 rows": (
        "SELECT ?t ?label WHERE { ?t a <https://w3id.org/amkg/def#Trajectory> ; "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 20"
    ),
    "1 row": "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?type }",
}


@contextmanager
def busy_thread() -> Iterator[None]:
    """Another thread of this process running Python the whole time (as a page being rendered
    in the web process's next thread would)."""
    stop = [False]

    def spin() -> None:
        count = 0
        while not stop[0]:
            count += 1

    thread = threading.Thread(target=spin, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop[0] = True
        thread.join()


def _median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def measure(runs: int) -> dict[str, dict[str, float]]:
    from amkg.graph.kg import KnowledgeGraph

    kg = KnowledgeGraph.open()
    store = kg.store
    native: ox.Store = store.native  # type: ignore[attr-defined]
    report: dict[str, dict[str, float]] = {}
    for name, sparql in QUERIES.items():

        def ours(sparql: str = sparql) -> object:
            return store.query(sparql).rows

        def iterated(sparql: str = sparql) -> object:
            return list(native.query(sparql))  # type: ignore[arg-type]

        ours()  # the term cache, as in a running process
        found = {
            "store_alone_ms": _median_ms(ours, runs),
            "iterated_alone_ms": _median_ms(iterated, runs),
        }
        with busy_thread():
            found["store_busy_ms"] = _median_ms(ours, runs)
            found["iterated_busy_ms"] = _median_ms(iterated, max(3, runs // 5))
        found["ratio_alone"] = found["iterated_alone_ms"] / found["store_alone_ms"]
        found["ratio_busy"] = found["iterated_busy_ms"] / found["store_busy_ms"]
        report[name] = {k: round(v, 2) for k, v in found.items()}
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    print(machine(), flush=True)
    print(f"switch interval: {sys.getswitchinterval() * 1000:g} ms")
    print(json.dumps(measure(args.runs), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
