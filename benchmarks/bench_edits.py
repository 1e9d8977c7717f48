"""Edit latency (issue 11): a typical edit (move one trajectory's revised date) validated by the
incremental SHACL gate and committed, on the real graph and on a synthetic ~1M-triple store.

- real: a copy of ``graph/data`` in a store of its own; N commits, median and p90; beside it, in
  the same run, the baselines: a raw pyoxigraph ``update`` of the same triple on a store copy
  (the floor: writing without a gate), and one full pyshacl validation of the whole graph (what
  the gate avoids), as ratios.
- 1M: a build of the synthetic data (``benchmarks.synthetic.write_synthetic_data``) given with
  ``--build-1M DIR`` (a ``builds/<fingerprint>`` directory, e.g. the store benchmark's); it is
  copied (a checkpoint: hard links; the original is only read), this checkout's ontology for
  edits and shapes are loaded into the copy, and N commits are timed.

``python -m benchmarks.bench_edits [--runs 7] [--build-1M DIR]``. Prints figures; asserts
nothing (shared, noisy machines).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from amkg.graph import changes, gate
from amkg.graph.build import STORE_DIR, Build
from amkg.graph.changes_types import Change, ChangeSource
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import AMKG, KG
from amkg.graph.paths import DATA_DIR, ONTOLOGY_DIR, shapes_files
from amkg.graph.sources import Sources
from amkg.graph.store import SHAPES_GRAPH, OxigraphStore

TRAJECTORY = KG["traject-kamerbrief-arbeidsmarktkrapte"]
SOURCE = ChangeSource("Benchmark", None, None, None)


def _moves(
    kg: KnowledgeGraph, runs: int, phases: list[dict[str, float]] | None = None
) -> list[float]:
    from rdflib import Literal
    from rdflib.namespace import XSD

    def day(n: int) -> Literal:
        return Literal(f"2023-03-{n:02d}", datatype=XSD.date)

    times = []
    changes.commit(
        kg, Change("bench", "warm", SOURCE, added=((TRAJECTORY, AMKG.revisedDate, day(1)),))
    )
    for n in range(1, runs + 1):
        change = Change(
            "bench",
            "move",
            SOURCE,
            added=((TRAJECTORY, AMKG.revisedDate, day(n + 1)),),
            removed=((TRAJECTORY, AMKG.revisedDate, day(n)),),
        )
        changes.phase_times = {}
        started, cpu = time.perf_counter(), time.process_time()
        changes.commit(kg, change)
        times.append(time.perf_counter() - started)
        if phases is not None:  # CPU: every thread of this process (the machine may be busy)
            phases.append({**changes.phase_times, "cpu": time.process_time() - cpu})
        changes.phase_times = None
    return times


def _phases(phases: list[dict[str, float]]) -> None:
    """Each phase's median over the edits (``changes.phase_times``)."""
    names = list(phases[0])
    medians = {n: statistics.median(p.get(n, 0.0) for p in phases) for n in names}
    print("  phases (median ms): " + ", ".join(f"{n} {v * 1000:.1f}" for n, v in medians.items()),
          flush=True)  # fmt: skip


def _report(name: str, times: list[float]) -> float:
    times = sorted(times)
    median = statistics.median(times)
    p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
    print(f"{name}: edit committed in median {median * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms "
          f"({len(times)} edits)", flush=True)  # fmt: skip
    return median


def real(work: Path, runs: int) -> None:
    data = work / "data"
    shutil.copytree(DATA_DIR, data)
    kg = KnowledgeGraph.open(data_dir=data, store=work / "root")
    assert kg.build is not None
    phases: list[dict[str, float]] = []
    median = _report(f"real graph ({kg.triple_count()} triples)", _moves(kg, runs, phases))
    _phases(phases)
    # Baseline 1: a raw pyoxigraph update of the same triple on a copy of the store.
    raw = work / "raw"
    ox.Store.read_only(str(kg.build.store_dir)).backup(str(raw))
    store = ox.Store(str(raw))
    t = f"<{TRAJECTORY}> <{AMKG.revisedDate}>"
    raws = []
    for n in range(runs):
        started = time.perf_counter()
        store.update(
            f'INSERT DATA {{ {t} "2023-04-{n + 1:02d}"^^<http://www.w3.org/2001/XMLSchema#date> }}'
        )
        store.flush()
        raws.append(time.perf_counter() - started)
    raw_median = statistics.median(raws)
    # Baseline 2: one full validation of the whole graph.
    started = time.perf_counter()
    gate.full_check(changes.latest_store(kg))
    full = time.perf_counter() - started
    print(f"  baseline raw pyoxigraph update+flush: {raw_median * 1000:.1f} ms "
          f"(edit/raw = {median / raw_median:.0f}x)", flush=True)  # fmt: skip
    print(f"  baseline full SHACL validation: {full * 1000:.0f} ms "
          f"(edit/full = {median / full:.2f})", flush=True)  # fmt: skip


def large(work: Path, build_dir: Path, runs: int) -> None:
    manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    target = work / "root1M" / "builds" / build_dir.name
    target.mkdir(parents=True)
    ox.Store.read_only(str(build_dir / STORE_DIR)).backup(str(target / STORE_DIR))
    store = ox.Store(str(target / STORE_DIR))  # this checkout's shapes and edit vocabulary
    store.clear_graph(ox.NamedNode(SHAPES_GRAPH))
    for path in shapes_files():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(SHAPES_GRAPH))
    store.load(path=str(ONTOLOGY_DIR / "edits.ttl"), format=ox.RdfFormat.TURTLE)
    store.flush()
    del store
    for name in ("manifest.json", "shacl-report.json"):
        shutil.copy2(build_dir / name, target / name)
    build = Build(target, manifest)
    sources = Sources(Path(manifest["data_dir"]), Path(manifest["ontology_dir"]))
    kg = KnowledgeGraph(
        OxigraphStore.open_read_only(target / STORE_DIR), build=build, sources=sources
    )
    phases: list[dict[str, float]] = []
    _report(f"synthetic graph ({manifest['triples']} triples)", _moves(kg, runs, phases))
    _phases(phases)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--build-1M", dest="build_1m", type=Path, default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="amkg-bench-edits-") as directory:
        work = Path(directory)
        real(work, args.runs)
        if args.build_1m is not None:
            large(work, args.build_1m, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
