"""Signals (webui/views/levers_signals.py) on the hand-made graph of tests/data/scenario:
every kind appears where the graph has it, explains itself with the elements involved, and a
conflict goes away when one of the two measures is switched off."""

from __future__ import annotations

from pathlib import Path

import pytest

from amkg.graph.kg import KnowledgeGraph
from amkg.webui.views import levers_signals

SCENARIO_DIR = Path(__file__).resolve().parent / "data" / "scenario"


@pytest.fixture(scope="module")
def keten() -> KnowledgeGraph:
    return KnowledgeGraph.load(data_dir=SCENARIO_DIR)


def test_everything_on_gives_every_kind(keten: KnowledgeGraph) -> None:
    data = levers_signals.build(keten, "en")
    assert data["everything_on"]
    assert data["counts"] == {
        "conflict": 3,
        "feasibility": 1,
        "no_coordinator": 0,
        "track_without_trajectory": 1,
        "cycle": 1,
    }
    by_kind: dict[str, dict] = {}
    for signal in data["signals"]:
        by_kind.setdefault(signal["kind"], signal)  # the first of each kind
    conflict = by_kind["conflict"]
    assert conflict["factor"]["id"] == "kg:factor-x"
    assert [r["id"] for r in conflict["raised_by"]] == ["kg:maatregel-op"]
    assert [r["id"] for r in conflict["lowered_by"]] == ["kg:maatregel-neer"]
    assert {p["sign"] for p in conflict["paths"]} == {"+", "-"}
    feasibility = by_kind["feasibility"]
    assert (feasibility["item"]["id"], feasibility["verdict_key"]) == (
        "kg:maatregel-neer",
        "notFeasible",
    )
    assert [c["quote"] for c in feasibility["citations"]] == ["onhaalbaar"]
    assert by_kind["track_without_trajectory"]["track"]["id"] == "kg:spoor-1"
    cycle = by_kind["cycle"]
    assert [f["id"] for f in cycle["factors"]] == ["kg:factor-x", "kg:factor-y", "kg:factor-z"]
    assert (cycle["sign"], cycle["loop"]) == ("-", "balancing")
    assert all(step["inferred"] for step in cycle["steps"])


def test_switching_one_measure_off_removes_the_conflict(keten: KnowledgeGraph) -> None:
    both = levers_signals.build(keten, "nl", ["kg:maatregel-op", "kg:maatregel-neer"])
    assert both["counts"]["conflict"] == 3
    one = levers_signals.build(keten, "nl", ["kg:maatregel-op"])
    assert one["counts"]["conflict"] == 0
    assert one["counts"]["feasibility"] == 0
    assert one["counts"]["cycle"] == 1  # the chains' loop is there whatever is on
