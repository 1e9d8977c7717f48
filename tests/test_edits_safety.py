"""Nothing lost (issue 11): a writer killed with SIGKILL at random points of a commit leaves
the whole old or the whole new state; two editors of one entity: one wins, the other gets a
conflict; ten editors of different entities at once: every change kept.

The crash loop kills the writer 6 times, each after 0.05 to 1.2 s (several commits a second, so
the kills land at random points of them); ``AMKG_LONG_TESTS=1`` kills it 16 times, each after
up to 2.5 s."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Literal

from amkg.graph import changes, history
from amkg.graph.changes_types import Change, EditConflict
from amkg.graph.head import edits_dir, read_head
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import AMKG
from tests.edits_helpers import SOURCE, TRAJECTORY, revise
from tests.helpers import LONG

ROOT = Path(__file__).resolve().parent.parent
#: How often the writer is killed, and the longest it runs before a kill (seconds).
KILLS, LONGEST_RUN = (16, 2.5) if LONG else (6, 1.2)


def consistent(data: Path) -> int:
    """Open the store afresh and check it holds whole change sets only; the number of them."""
    kg = KnowledgeGraph.open(data_dir=data)
    assert kg.build is not None
    head = read_head(edits_dir(kg.build, kg.sources))
    listed = history.changes(changes.latest_store(kg))
    assert [c.sequence for c in listed] == list(range(1, len(listed) + 1))
    assert len(listed) == (head.sequence if head else 0)
    dates = kg.describe(TRAJECTORY).objects(AMKG.revisedDate)
    if listed:
        last = listed[-1]
        assert [t[2] for t in last.added if t[1] == AMKG.revisedDate] == dates
        for s, p, o in last.added:
            assert (p, o) in kg.describe(s).pairs()
    else:
        assert dates == []
    return len(listed)


def test_a_writer_killed_at_random_points_leaves_whole_change_sets(
    make_data_copy: Callable[..., Path],
) -> None:
    data = make_data_copy()
    KnowledgeGraph.open(data_dir=data)  # built before the writer starts
    rng = random.Random(11)
    seen = 0
    for _round in range(KILLS):
        writer = subprocess.Popen(
            [sys.executable, "-m", "tests.edits_writer", str(data)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        try:
            assert writer.stdout is not None
            assert writer.stdout.readline().strip() == b"ready"
            time.sleep(rng.uniform(0.05, LONGEST_RUN))
        finally:
            writer.send_signal(signal.SIGKILL)
            writer.wait()
            if writer.stdout is not None:
                writer.stdout.close()
        count = consistent(data)
        assert count >= seen
        seen = count
    assert seen > 0  # the writer did commit now and then


def test_two_editors_of_one_entity_one_wins(make_data_copy: Callable[..., Path]) -> None:
    kg = KnowledgeGraph.open(data_dir=make_data_copy())
    seen = changes.entity_etag(kg, TRAJECTORY)
    outcomes: list[str] = []

    def save(date: str) -> None:
        try:
            changes.commit(kg, revise(date), if_match={str(TRAJECTORY): seen})
            outcomes.append("saved")
        except EditConflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=(d,)) for d in ("2023-05-31", "2023-06-30")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    assert len(history.recent(kg)) == 1


@pytest.mark.parametrize("editors", [10])
def test_concurrent_editors_of_different_entities_lose_nothing(
    make_data_copy: Callable[..., Path], editors: int
) -> None:
    kg = KnowledgeGraph.open(data_dir=make_data_copy())
    targets = kg.instances(AMKG.Trajectory)[:editors]
    assert len(targets) == editors
    errors: list[Exception] = []

    def save(index: int) -> None:
        note = Literal(f"Notitie {index}")
        change = Change(
            f"redacteur {index}",
            "Notitie",
            SOURCE,
            added=((targets[index], AMKG.editorNote, note),),
        )
        try:
            changes.commit(kg, change)
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(editors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    fresh = KnowledgeGraph.open(data_dir=kg.sources.data_dir if kg.sources else None)
    for index, target in enumerate(targets):
        assert fresh.describe(target).objects(AMKG.editorNote) == [Literal(f"Notitie {index}")]
    assert len(history.recent(fresh)) == editors
