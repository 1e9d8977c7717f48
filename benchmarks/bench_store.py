"""The persistent store's targets (issue "One house, one seam"), measured in one run.

For the real graph (~10k triples) and synthetic graphs of ~100k and ~1M triples
(:func:`benchmarks.synthetic.write_synthetic_data`), each in a store of its own:

- ``amkg build`` wall time, split into parsing, SHACL and writing the store;
- ``amkg --help``, ``amkg stats`` and ``amkg query sporen-overzicht`` wall time (median of 5);
- ``amkg serve``: seconds from start until it answers its first request, and the resident
  memory of each web process after a few pages;
- catalogue query median through the store (``KnowledgeGraph.store.query``) against raw
  pyoxigraph opening the same store directory and running the same text (the ratio);
- baselines in the same run: ``python -c pass``, a raw pyoxigraph open + query in a fresh
  process, ``datasette serve`` start and ``datasette --get`` (a CLI query) on a SQLite table of
  the same triples.

``python -m benchmarks.bench_store [--sizes real,100k,1M] [--quick]``. Reports ratios and
figures; it asserts nothing (the machines are shared and noisy).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from amkg.graph.paths import DATA_DIR
from amkg.queries.catalogue import default_catalogue

SIZES = {"real": 0, "100k": 100_000, "1M": 1_000_000}
AMKG = [sys.executable, "-m", "amkg.cli"]


def wall(command: list[str], env: dict[str, str], runs: int = 5) -> float:
    """Median wall time of ``command`` in a fresh process."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, path: str, limit: float) -> float:
    """Seconds until ``GET path`` on the port answers 200 (or ``limit``)."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return time.perf_counter() - started
        time.sleep(0.02)
    return float("inf")


def get(port: int, path: str, limit: float = 120.0) -> float:
    """Seconds for ``GET path`` (``inf`` past ``limit``)."""
    started = time.perf_counter()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=limit)
        connection.request("GET", path)
        connection.getresponse().read()
    except (OSError, http.client.HTTPException):
        return float("inf")
    return time.perf_counter() - started


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                found += [int(child), *children(int(child))]
    return found


@contextlib.contextmanager
def running(command: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def serve_figures(data_dir: Path, env: dict[str, str]) -> dict[str, float]:
    port = free_port()
    command = [*AMKG, "serve", "--port", str(port), "--data-dir", str(data_dir)]
    with running(command, env) as process:
        figures = {"serve_first_response_s": wait_for(port, "/sparql", 600)}
        for page in PAGES:
            figures[f"page {page} s"] = get(port, page)
        sizes = [rss_mb(pid) for pid in children(process.pid)]
    figures["web_rss_max_mb"] = max(sizes, default=0.0)
    return figures


#: Pages visited once each after start-up (first visit: includes building what they derive).
PAGES = ("/", "/spoor/3", "/matrix", "/tijdlijn", "/validatie", "/zoeken?q=spoor", "/graph",
         "/api/hubs")  # fmt: skip


def query_ratio(store_dir: Path, runs: int) -> dict[str, float]:
    """Median over the parameterless catalogue queries of (through our store) / (raw)."""
    from amkg.graph.store import OxigraphStore

    ours, raw = OxigraphStore.open_read_only(store_dir), ox.Store.read_only(str(store_dir))
    ratios, medians = [], []
    for named in default_catalogue():
        if any(p.required for p in named.params):
            continue
        mine = _median(lambda q=named.sparql: ours.query(q), runs)  # type: ignore[misc]
        base = _median(lambda q=named.sparql: _drain(raw.query(q)), runs)  # type: ignore[misc]
        medians.append(mine)
        ratios.append(mine / base if base else 1.0)
    return {
        "catalogue_query_median_ms": statistics.median(medians) * 1000,
        "catalogue_ratio_to_raw_pyoxigraph": statistics.median(ratios),
    }


def _drain(result: object) -> None:
    if isinstance(result, ox.QuerySolutions | ox.QueryTriples):
        for _ in result:
            pass


def _median(call: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def datasette_figures(
    ntriples: bytes, work: Path, env: dict[str, str], name: str
) -> dict[str, float]:
    datasette = shutil.which("datasette", path=str(Path(sys.executable).parent))
    if datasette is None:
        return {}
    database = work / f"triples-{name}.db"
    database.unlink(missing_ok=True)
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE triples (s TEXT, p TEXT, o TEXT)")
        rows = (line.split(" ", 2) for line in ntriples.decode().splitlines() if line)
        connection.executemany("INSERT INTO triples VALUES (?, ?, ?)", rows)
    port = free_port()
    with running([datasette, "serve", str(database), "--port", str(port)], env):
        start = wait_for(port, "/", 120)
    query = [datasette, str(database), "--get", f"/{database.stem}/triples.json?_size=10"]
    return {"datasette_serve_start_s": start, "datasette_cli_query_s": wall(query, env)}


def build_unchecked(sources: object, store: Path) -> object:
    """A build whose SHACL step is replaced by an empty report (benchmark only)."""
    from unittest import mock

    from amkg.graph import build as building
    from amkg.graph.report import ValidationReport

    with mock.patch.object(building, "_validate", return_value=ValidationReport(True, [])):
        return building.build(sources, store)  # type: ignore[arg-type]


def shacl_seconds(data_dir: Path, limit: float) -> float:
    """Seconds pyshacl takes over ontology + data (``inf`` past ``limit``), in a fresh process."""
    code = (
        "import sys, time; from amkg.graph.build import parse_source, _validate;"
        "from amkg.graph.sources import Sources, scan;"
        "files = scan(Sources.resolve(sys.argv[1])); p = {}; d = []; s = [];"
        "[(s if f.role == 'shapes' else d).extend(parse_source(f.path, i, p))"
        " for i, f in enumerate(files)];"
        "t = time.perf_counter(); _validate(d, s, p); print(time.perf_counter() - t)"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, str(data_dir)], capture_output=True, text=True,
            timeout=limit, check=True,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return float("inf")
    return float(done.stdout.strip().splitlines()[-1])


class Figures(dict[str, float]):
    """The figures of one size, printed as each is measured (a long run that stops half-way
    still leaves what it measured)."""

    def __setitem__(self, key: str, value: float) -> None:
        super().__setitem__(key, value)
        print(f"  {key:38} {value:10.3f}", flush=True)

    def update(self, *args: object, **kwargs: float) -> None:  # type: ignore[override]
        for key, value in dict(*args, **kwargs).items():  # type: ignore[call-overload]
            self[key] = value


def measure(
    name: str,
    size: int,
    work: Path,
    quick: bool,
    shacl_limit: int | None = None,
    shacl_timeout: float = 3600,
) -> dict[str, float]:
    from amkg.graph.build import build
    from amkg.graph.sources import Sources
    from benchmarks.synthetic import write_synthetic_data

    data_dir = DATA_DIR if size == 0 else work / f"data-{name}"
    if size and not any(data_dir.glob("*.ttl")):  # kept between runs with --work
        write_synthetic_data(data_dir, size)
    store = work / f"store-{name}"
    env = {**os.environ, "AMKG_STORE": str(store), "AMKG_DATA_DIR": str(data_dir)}
    if shacl_limit is not None and size > shacl_limit:
        # SHACL measured on its own, in a process with a time limit; the store for the other
        # figures is built with an empty report in its place (its page says nothing is wrong).
        figures = Figures()
        figures["shacl_s"] = shacl_seconds(data_dir, shacl_timeout)
        result = build_unchecked(Sources.resolve(data_dir), store)
        figures["build_s_without_shacl"] = result.seconds
    else:
        result = build(Sources.resolve(data_dir), store)
        figures = Figures()
        figures["build_s"] = result.seconds
    figures["triples"] = float(result.build.manifest["triples"])
    figures.update({f"build_{k}_s": v for k, v in result.timings.items()})
    runs = 3 if quick else 5
    figures["cli_help_s"] = wall([*AMKG, "--help"], env, runs)
    figures["cli_stats_s"] = wall([*AMKG, "stats"], env, runs)
    figures["cli_query_s"] = wall([*AMKG, "query", "sporen-overzicht"], env, runs)
    figures["python_pass_s"] = wall([sys.executable, "-c", "pass"], env, runs)
    raw = (
        "import pyoxigraph as ox, sys; s = ox.Store.read_only(sys.argv[1]); "
        "list(s.query('SELECT ?t WHERE { ?t a <https://w3id.org/amkg/def#Track> }'))"
    )
    figures["raw_pyoxigraph_open_query_s"] = wall(
        [sys.executable, "-c", raw, str(result.build.store_dir)], env, runs
    )
    figures.update(query_ratio(result.build.store_dir, runs))
    figures.update(serve_figures(data_dir, env))
    from amkg.graph.store import OxigraphStore

    dump = OxigraphStore.open_read_only(result.build.store_dir).dump()
    figures.update(datasette_figures(dump, work, env, name))
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="real,100k,1M")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--work", type=Path, help="keep the synthetic data here between runs")
    parser.add_argument(
        "--shacl-apart-above", type=int, default=None,
        help="above this many triples, time SHACL in its own process (see --shacl-timeout) and "
        "build the store for the other figures without it",
    )  # fmt: skip
    parser.add_argument("--shacl-timeout", type=float, default=3600.0)
    args = parser.parse_args(argv)
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="amkg-bench-store-") as temporary:
        work = args.work or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        for name in args.sizes.split(","):
            print(f"## {name}", flush=True)
            for stale in work.glob(f"store-{name}"):
                shutil.rmtree(stale)  # every run builds afresh
            results[name] = measure(
                name, SIZES[name], work, args.quick, args.shacl_apart_above, args.shacl_timeout
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
