"""The benchmarks run end to end on a tiny graph, once, so their code cannot rot.

Nothing here asserts a time: the machine is shared and timings belong in benchmarks/README.md.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import URIRef

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import KG
from amkg.queries.catalogue import Catalogue
from benchmarks import bench_http, bench_queries, machine
from benchmarks.synthetic import synthetic_graph, synthetic_kg
from tests.conftest import SMALL_DATA_DIR, TESTS_DIR

QUERIES = ["herkomst", "sporen-overzicht"]  # one with a parameter, one without


def test_synthetic_graph_copies_and_links_the_data() -> None:
    one = synthetic_graph(0, data_dir=SMALL_DATA_DIR)
    three = synthetic_graph(len(one) * 3, data_dir=SMALL_DATA_DIR)
    assert len(three) > 2 * len(one)
    assert (URIRef(f"{KG}spoor-3--2"), None, None) in three  # copy 2 of a track
    assert three.isomorphic(synthetic_graph(len(one) * 3, data_dir=SMALL_DATA_DIR))  # seeded
    subjects = {str(s) for s, _, _ in three}
    crossing = [(s, o) for s, _, o in three
                if str(s).endswith("--1") and str(o).startswith(str(KG)) and str(o) in subjects
                and not str(o).endswith("--1")]  # fmt: skip
    assert crossing, "no link from copy 1 into another copy"


def test_query_benchmark_runs_once() -> None:
    kg = synthetic_kg(0, data_dir=SMALL_DATA_DIR)
    timings = bench_queries.measure(kg, runs=1, box=60, budget=1, with_rdflib=True, names=QUERIES)
    assert [t.name for t in timings] == QUERIES
    for timing in timings:
        assert timing.ratio is not None, timing
        assert timing.rdflib is not None, timing
        assert timing.same is True, timing
    text = bench_queries.table("tiny", timings)
    assert "| herkomst |" in text
    assert "median ratio project/raw" in text


SLOW = """#+ title_nl: Traag
#+ title_en: Slow
#+ description_nl: Een kruisproduct
#+ description_en: A cross product
#+ audience: analyst
#+ tags: [test]
SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?n
"""


def test_query_benchmark_stops_a_query_that_overruns_its_box(tmp_path: Path) -> None:
    (tmp_path / "traag.rq").write_text(SLOW, encoding="utf-8")
    kg = KnowledgeGraph.load(data_dir=SMALL_DATA_DIR)
    timings = bench_queries.measure(kg, runs=1, box=0.5, catalogue=Catalogue.load(tmp_path))
    assert timings[0].ratio is None
    assert "> 0.5 s: left out" in timings[0].note


@pytest.mark.parametrize("generator", ["asyncio", "wrk"])
def test_http_benchmark_runs_once(generator: str) -> None:
    if generator == "wrk" and shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (apt-get install wrk)")
    # Virtuoso only where it is installed (the default); without it the run goes on without.
    results = bench_http.run(duration=0.5, runs=1, only=("empty", "all"),
                             data_dir=SMALL_DATA_DIR, generator=generator,
                             virtuoso=generator == "wrk")  # fmt: skip
    for servers in results.values():
        for runs in servers.values():
            assert runs[0].ok > 0
            assert runs[0].errors == 0
    assert "| all | app |" in bench_http.report(results)


def test_http_mix_binds_parameters_as_values() -> None:
    texts = bench_http.sparql_texts(KnowledgeGraph.load(data_dir=SMALL_DATA_DIR))
    assert "VALUES (?entity) { (<https://w3id.org/amkg/id/spoor-3>) }" in texts["herkomst"]
    assert "VALUES" not in texts["sporen-overzicht"]


MODULES = ["benchmarks", "benchmarks.bench_queries", "benchmarks.bench_http",
           "benchmarks.bench_guard", "benchmarks.soak"]  # fmt: skip


@pytest.mark.parametrize("module", MODULES)
def test_command_line_help(module: str) -> None:
    done = subprocess.run([sys.executable, "-m", module, "--help"], cwd=TESTS_DIR.parent,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "--quick" in done.stdout


def test_machine_names_the_cpus() -> None:
    assert "CPUs" in machine()
    assert "pyoxigraph" in machine()


def test_version_benchmark_runs_once(tmp_path: Path) -> None:
    from benchmarks import bench_versions

    report = bench_versions.measure(2, tmp_path)
    assert report["saves"] == 2
    assert report["editor_cpu_ms_per_save"] > 0
    assert report["sweep_ratio_after_save_to_warm"] > 0
