"""What a new version costs (issue 11): CPU per save, and a reader's pages on the new version.

    .venv/bin/python -m benchmarks.bench_versions [--saves 8] [--data-dir DIR]

In one process, over a copy of the data with a store root of its own: the Flask app (test
client) reads the pages of ``bench_editors``'s readers twice (warm), then ``--saves`` times an
editor moves one trajectory's revised date as the edit form does (the date preview:
``slippage.preview_date`` and the gate's ``changes.preview``; then ``changes.commit``) and the
readers' pages are read once on the new version. Each part is timed in CPU seconds of this
process (``time.process_time``: what it costs, whatever else the machine does), against the
baseline of the same run: the same pages read again on a version they have already been read on.

Printed: CPU per save (editor) and per sweep of the readers' pages after a save, the warm
sweep, and their ratio (1.0: a new version costs the readers nothing). Each web process of
``amkg serve`` pays the sweep's extra once per version it serves; the editor's part once per
save, in the process that handles it. ``graph/footprint.py`` is what keeps this low: what a page
derived from the previous version is taken over when the change cannot have touched it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import machine

ENTITIES = ["traject-kamerbrief-arbeidsmarktkrapte", "traject-rapportage-commissie-roemer",
            "szw", "spoor-2", "domein-1"]  # fmt: skip
PAGES = ["/matrix", "/matrix.json", "/tijdlijn", "/tijdlijn.json", "/queries"] + [
    f"/id/{e}{suffix}" for suffix in ("", ".json") for e in ENTITIES
]


def measure(
    saves: int, folder: Path, data_dir: Path | None = None, store_root: Path | None = None
) -> dict[str, Any]:
    """CPU seconds per save and per sweep (see the module's text), in this process; the copy of
    the data in ``folder``, the stores under ``store_root`` (default: ``$AMKG_STORE`` or the
    user's store root)."""
    from amkg.graph import changes, history, slippage
    from amkg.graph.changes_types import Change, ChangeSource
    from amkg.graph.load import AMKG, KG
    from amkg.graph.paths import DATA_DIR
    from amkg.webui.app import create_app
    from tests.edits_helpers import day  # plain rdflib: no test dependency

    data = folder / "data"  # a copy of the Turtle: the edits never touch the real data
    shutil.copytree(data_dir or DATA_DIR, data, ignore=lambda _d, names: [
        n for n in names if not n.endswith(".ttl")])  # fmt: skip
    settings: dict[str, Any] = {"TESTING": True, "DATA_DIR": str(data)}
    if store_root is not None:
        settings["STORE_PATH"] = str(store_root)
    client = create_app(settings).test_client()
    trajectory = KG[ENTITIES[0]]
    source = ChangeSource(title="Voortgangsbrief", date=datetime.date(2023, 3, 1))

    def sweep() -> None:
        for page in PAGES:
            status = client.get(page).status_code
            if status != 200:
                raise RuntimeError(f"{page}: {status}")

    def cpu(action: Callable[[], object]) -> float:
        started = time.process_time()
        action()
        return time.process_time() - started

    def move(old: str | None, new: str) -> Change:
        removed = ((trajectory, AMKG.revisedDate, day(old)),) if old else ()
        added = ((trajectory, AMKG.revisedDate, day(new)),)
        return Change("Benchmark", "Schuift op", source, added=added, removed=removed)

    sweep()
    sweep()
    app = client.application
    days = [(datetime.date(2023, 3, 1) + datetime.timedelta(days=7 * i)).isoformat()
            for i in range(saves + 1)]  # fmt: skip
    editor, after, warm = [], [], []
    for number, (old, new) in enumerate(zip([None, *days], days, strict=False)):
        kg = history.current(app.extensions["amkg"])

        def save(kg: Any = kg, old: str | None = old, new: str = new) -> None:
            slippage.preview_date(kg, trajectory, datetime.date.fromisoformat(new))
            changes.preview(kg, move(old, new))
            changes.commit(kg, move(old, new))

        spent = cpu(save)
        read = cpu(sweep)  # the first sweep on the new version
        again = cpu(sweep)  # the same pages again: the baseline
        if number:  # the first save makes the first edited version (a new directory tree)
            editor.append(spent)
            after.append(read)
            warm.append(again)
    median = sorted(after)[len(after) // 2]
    baseline = sorted(warm)[len(warm) // 2]
    return {
        "saves": len(editor),
        "editor_cpu_ms_per_save": round(1000 * sorted(editor)[len(editor) // 2]),
        "sweep_after_save_cpu_ms": round(1000 * median),
        "sweep_warm_cpu_ms": round(1000 * baseline),
        "sweep_ratio_after_save_to_warm": round(median / baseline, 2),
        "pages": len(PAGES),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--saves", type=int, default=8)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    print(machine(), flush=True)
    with tempfile.TemporaryDirectory(prefix="amkg-bench-versions-") as directory:
        report = measure(args.saves, Path(directory), args.data_dir, Path(directory) / "stores")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
