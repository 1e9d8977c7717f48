"""Query speed: every catalogue query through the project's store against raw pyoxigraph.

    .venv/bin/python -m benchmarks.bench_queries [--quick] [--runs 7] [--size 100000]

For the real graph and a synthetic one of about ``--size`` triples (:mod:`benchmarks.synthetic`)
each catalogue query, with its default parameters bound (:func:`queries.catalogue.bind`), runs

- through the project: ``kg.store.query(sparql, bindings)``, the call behind
  :func:`queries.catalogue.run` (an :class:`~graph.store.OxigraphStore`: rows of rdflib terms);
- on a raw ``pyoxigraph.Store`` holding the same triples: ``list(store.query(sparql,
  substitutions=...))``;

interleaved (the order alternates), ``--runs`` times after one warm-up run each, in this one
process. Printed per query: rows, the median ms of both, their ratio and the project's first
(cold) run; then the median of the ratios. The target is a median ratio of at most 1.5.

A query that raw pyoxigraph does not finish within ``--box`` seconds (probed in a child
process, which is killed when it overruns) is reported and left out. On the real graph plain
rdflib (:class:`~graph.store.RdflibStore`) is timed too, for the record, in a child process
with the same time box, and its rows are compared with the project's (``same``).
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python benchmarks/bench_queries.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.store import RdflibStore
from amkg.graph.terms import to_oxigraph
from amkg.queries.catalogue import Catalogue, ParameterError, bind, default_catalogue
from amkg.queries.golden import golden_rows

TARGET = 1.5


@dataclass
class Timing:
    """One query on one graph: medians in ms (``None``: not measured), rows, notes."""

    name: str
    rows: int = 0
    project: float | None = None
    raw: float | None = None
    first: float | None = None
    rdflib: float | None = None
    same: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.project / self.raw if self.project and self.raw else None


def substitutions(bindings: Mapping[str, Node]) -> dict[ox.Variable, Any] | None:
    return {ox.Variable(k): to_oxigraph(v) for k, v in bindings.items()} or None


def raw_store(nt: bytes) -> ox.Store:
    store = ox.Store()
    store.load(nt, format=ox.RdfFormat.N_TRIPLES)
    return store


def _child(conn: Connection, engine: str, nt: bytes) -> None:
    """Answer ``(sparql, bindings, runs)`` with ``(times, golden rows or row count)``."""
    if engine == "rdflib":
        graph = Graph()
        graph.parse(data=nt, format="nt")
        rdflib_store = RdflibStore(graph)
    else:
        store = raw_store(nt)
    conn.send("ready")
    while (request := conn.recv()) is not None:
        sparql, bindings, runs = request
        times: list[float] = []
        for _ in range(runs):
            start = time.perf_counter()
            if engine == "rdflib":
                rows: Any = golden_rows(rdflib_store.query(sparql, bindings).rows)
            else:
                rows = len(list(store.query(sparql, substitutions=substitutions(bindings))))
            times.append(time.perf_counter() - start)
        conn.send((times, rows))


class Boxed:
    """A child process with its own store (``raw`` pyoxigraph or ``rdflib``) that runs one
    query at a time; one that overruns its time box is killed, the next call starts afresh."""

    def __init__(self, engine: str, nt: bytes) -> None:
        self.engine, self.nt = engine, nt
        self.process: Any = None
        self.conn: Connection | None = None

    def _start(self) -> Connection:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_child, args=(child, self.engine, self.nt), daemon=True)
        self.process.start()
        child.close()
        if not self.conn.poll(300) or self.conn.recv() != "ready":
            raise RuntimeError(f"the {self.engine} child did not start")
        return self.conn

    def run(self, sparql: str, bindings: Mapping[str, Node], runs: int,
            box: float) -> tuple[list[float], Any] | None:  # fmt: skip
        """The times (s) and the rows, or ``None`` when ``box`` seconds were not enough."""
        conn = self.conn or self._start()
        conn.send((sparql, dict(bindings), runs))
        if conn.poll(box * runs):
            return conn.recv()
        self.close()
        return None

    def close(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.join(5)
            assert self.conn is not None
            self.conn.close()
        self.process = self.conn = None


def _ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def measure(kg: KnowledgeGraph, runs: int = 7, box: float = 10.0, budget: float = 20.0,
            with_rdflib: bool = False, catalogue: Catalogue | None = None,
            names: list[str] | None = None) -> list[Timing]:  # fmt: skip
    """Time every catalogue query (or ``names``) on ``kg``, see the module's docstring."""
    nt = kg.store.dump()
    raw, project = raw_store(nt), kg.store
    probe, reference = Boxed("raw", nt), Boxed("rdflib", nt) if with_rdflib else None
    timings = []
    try:
        for query in catalogue or default_catalogue():
            if names is not None and query.name not in names:
                continue
            timing = Timing(query.name)
            timings.append(timing)
            try:
                bindings = bind(query, {}, kg)
            except ParameterError as error:  # another graph than the real one
                timing.note = f"left out: {error}"
                continue
            probed = probe.run(query.sparql, bindings, 1, box)
            if probed is None:
                timing.note = f"raw pyoxigraph > {box:g} s: left out"
                continue
            start = time.perf_counter()
            result = project.query(query.sparql, bindings)
            timing.first, timing.rows = (time.perf_counter() - start) * 1000, len(result.rows)
            subs = substitutions(bindings)
            sides: dict[str, Callable[[], object]] = {
                "project": lambda q=query, b=bindings: project.query(q.sparql, b),
                "raw": lambda q=query, s=subs: list(raw.query(q.sparql, substitutions=s)),
            }
            sides["raw"]()  # warm-up
            times: dict[str, list[float]] = {"project": [], "raw": []}
            reps = max(1, min(runs, int(budget / max(2 * probed[0][0], 1e-6))))
            for n in range(reps):
                for side in ("project", "raw") if n % 2 == 0 else ("raw", "project"):
                    start = time.perf_counter()
                    sides[side]()
                    times[side].append(time.perf_counter() - start)
            timing.project, timing.raw = _ms(times["project"]), _ms(times["raw"])
            if reference is not None:
                answer = reference.run(query.sparql, bindings, max(1, min(runs, 3)), box)
                if answer is None:
                    timing.note = f"rdflib > {box:g} s"
                else:
                    timing.rdflib = _ms(answer[0])
                    timing.same = answer[1] == golden_rows(result.rows)
    finally:
        probe.close()
        if reference is not None:
            reference.close()
    return timings


def median_ratio(timings: list[Timing]) -> float | None:
    ratios = [t.ratio for t in timings if t.ratio is not None]
    return statistics.median(ratios) if ratios else None


def table(label: str, timings: list[Timing]) -> str:
    """The per-query table (project, raw, ratio, first run, rdflib, same) and the median."""

    def cell(value: float | None, digits: int = 2) -> str:
        return f"{value:.{digits}f}" if value is not None else "-"

    lines = [f"## {label}", "",
             "| query | rows | project ms | raw ms | ratio | 1st ms | rdflib ms | same |",
             "|---|---:|---:|---:|---:|---:|---:|:-:|"]  # fmt: skip
    for t in timings:
        same = {True: "yes", False: "NO", None: "-"}[t.same]
        lines.append(f"| {t.name} | {t.rows} | {cell(t.project)} | {cell(t.raw)} | "
                     f"{cell(t.ratio)} | {cell(t.first)} | {cell(t.rdflib, 1)} | {same} |"
                     + (f" {t.note}" if t.note else ""))  # fmt: skip
    ratio = median_ratio(timings)
    verdict = "met" if ratio is not None and ratio <= TARGET else "NOT met"
    lines += ["", f"median ratio project/raw: {cell(ratio)} (target <= {TARGET}: {verdict})"]
    slower = [t.rdflib / t.raw for t in timings if t.rdflib and t.raw]
    if slower:
        lines.append(f"rdflib/raw: median {statistics.median(slower):.0f}x, "
                     f"range {min(slower):.0f}-{max(slower):.0f}x")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs, smaller time boxes")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per query and side")
    parser.add_argument("--size", type=int, default=100_000, help="synthetic graph: triples")
    parser.add_argument("--box", type=float, default=10.0, help="seconds a query may take")
    parser.add_argument("--no-rdflib", action="store_true", help="skip the rdflib record")
    args = parser.parse_args(argv)
    runs, box, budget = (3, 5.0, 3.0) if args.quick else (args.runs, args.box, 20.0)
    from benchmarks.synthetic import synthetic_kg

    real = KnowledgeGraph.load()
    print(table(f"Real graph ({real.triple_count():,} triples)",
                measure(real, runs, box, budget, with_rdflib=not args.no_rdflib)))  # fmt: skip
    synthetic = synthetic_kg(args.size)
    print()
    print(table(f"Synthetic graph ({synthetic.triple_count():,} triples, seed 1)",
                measure(synthetic, runs, box, budget)))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
