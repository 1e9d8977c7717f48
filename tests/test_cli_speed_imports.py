"""``amkg --help`` imports almost nothing: the deterministic stand-in for its start-up time.

The command modules import only click and small constant modules at their top; every heavy
library waits inside the command that needs it. Timings belong in ``benchmarks/bench_cli.py``;
here a fresh interpreter lists which heavy packages an import (or a ``--help``) pulled in.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks import bench_cli
from tests.conftest import SMALL_DATA_DIR

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("rdflib", "flask", "networkx", "pyshacl", "granian", "waitress", "pyoxigraph")

PROBE = """\
import json, sys
{code}
heavy = {heavy!r}
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy)))
"""


def heavy_modules(code: str) -> list[str]:
    """The heavy modules loaded after running ``code`` in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(code=code, heavy=HEAVY)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return list(json.loads(done.stdout.splitlines()[-1]))


def test_the_probe_sees_a_heavy_import() -> None:
    assert "rdflib" in heavy_modules("import amkg.graph.store")


def test_importing_the_command_line_loads_no_heavy_library() -> None:
    assert heavy_modules("import amkg.cli.main") == []


def test_help_of_every_command_loads_no_heavy_library() -> None:
    code = """\
from amkg.cli.main import main
names = sorted(main.commands)
assert {"query", "sparql", "serve", "trace", "stats"} <= set(names), names
for args in [["--help"], *([name, "--help"] for name in names)]:
    try:
        main(args, prog_name="amkg")
    except SystemExit as stop:
        assert stop.code == 0, (args, stop.code)
"""
    assert heavy_modules(code) == []


# --- one definition per constant: the light modules agree with the libraries' owners -------


def test_the_light_constants_agree_with_their_owners() -> None:
    from amkg.graph import engines, limits, store, trace
    from amkg.queries import formats, metadata, names

    assert tuple(f.key for f in formats.ALL_FORMATS) == names.FORMAT_NAMES
    assert formats.FORMAT_NAMES == names.FORMAT_NAMES
    assert metadata.AUDIENCES == names.AUDIENCES
    assert store.ENGINES == engines.ENGINES
    assert (trace.MAX_STEPS, trace.MAX_PATHS) == (limits.MAX_STEPS, limits.MAX_PATHS)


# --- the benchmark runs end to end once, so its code cannot rot (no time is asserted) ------


def test_cli_benchmark_runs_once(tmp_path: Path) -> None:
    timings = bench_cli.measure(runs=1, data_dir=SMALL_DATA_DIR, store=tmp_path / "store")
    names = [t.name for t in timings]
    assert names == [bench_cli.PASS, bench_cli.RAW, *bench_cli.TARGETS]
    assert all(len(t.seconds) == 1 and t.seconds[0] > 0 for t in timings)
    text = bench_cli.table(timings)
    assert "| amkg --help |" in text
    assert "/ raw pyoxigraph" in text
