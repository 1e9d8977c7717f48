"""Editors save through ``amkg serve`` while readers browse (issue 11), short
(``benchmarks/bench_editors.py`` has the long run): every accepted save is in the history and
in the final state, a stale save gets 409 and is redone, and no answer is a 5xx or hangs; with
the writes in a process of their own (``WRITE_PROCESS_NICE``, the default) and without.

A forked web process hung for good in its first save (RocksDB's threads do not survive the
fork of a process that had opened the store), which only a real server shows."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from benchmarks import bench_editors

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("write_nice", ["10", "none"])  # a write process (the default) or not
def test_three_editors_two_on_one_trajectory_lose_nothing(tmp_path: Path, write_nice: str) -> None:
    args = argparse.Namespace(
        editors=3, shared=2, readers=3, saves=2, rounds=2, idle=1.0, workers=2, think=0.1,
        write_nice=write_nice,
    )  # fmt: skip
    report = bench_editors.run(args, tmp_path)
    assert report["write_process_nice"] == (None if write_nice == "none" else int(write_nice))
    assert report["saves_accepted"] == 12, report  # two rounds, the second counting on
    windows = [w["phase"] for w in report["reads"]["windows"]]
    assert windows == ["idle-0", "edits-1", "idle-1", "edits-2", "idle-2"]
    assert all(w["n"] > 0 for w in report["reads"]["windows"]), report
    assert len(report["reads"]["p95_ratio_by_round"]) == 2
    assert report["checks"]["no_lost_update"], report
    assert report["checks"]["no_5xx"], report
