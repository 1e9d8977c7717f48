"""Editors save through ``amkg serve`` while readers browse (issue 11), short
(``benchmarks/bench_editors.py`` has the long run): every accepted save is in the history and
in the final state, a stale save gets 409 and is redone, and no answer is a 5xx or hangs.

A forked web process hung for good in its first save (RocksDB's threads do not survive the
fork of a process that had opened the store), which only a real server shows."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from benchmarks import bench_editors

pytestmark = pytest.mark.slow


def test_three_editors_two_on_one_trajectory_lose_nothing(tmp_path: Path) -> None:
    args = argparse.Namespace(
        editors=3, shared=2, readers=3, saves=2, idle=1.0, workers=2, think=0.1
    )
    report = bench_editors.run(args, tmp_path)
    assert report["saves_accepted"] == 6, report
    assert report["checks"]["no_lost_update"], report
    assert report["checks"]["no_5xx"], report
