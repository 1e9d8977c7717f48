"""The scenario engine (graph/scenario.py): golden results on a hand-made graph with known
chains and a cycle (tests/data/scenario/keten.ttl) and on the real graph
(tests/data/scenario/golden-real.json; rewrite with
``python -m tests.test_scenario`` after a deliberate data change)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from amkg.graph import scenario
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.paths import DATA_DIR, DECK_PATH

SCENARIO_DIR = Path(__file__).resolve().parent / "data" / "scenario"
GOLDEN_REAL = SCENARIO_DIR / "golden-real.json"
KG_ = "https://w3id.org/amkg/id/"
SIGN = {1: "+", -1: "-", 0: "?"}
REAL_SCENARIOS = {
    "vakkrachten-en-hogere-eisen": [
        "kg:maatregel-vakkrachtenregeling",
        "kg:maatregel-hogere-eisen-randvoorwaarden",
    ],
    "spoor-2": ["kg:spoor-2"],
    "spoor-3": ["3"],
}


def short(iri: str) -> str:
    return iri.removeprefix(KG_)


def compact(result: scenario.ScenarioResult) -> dict[str, Any]:
    """A golden-friendly form: per factor the direction, conflict flag and every path as a
    string of signed, stated (s) or inferred (i) steps."""
    return {
        "on": [short(i) for i in result.on],
        "factors": {
            short(f): {
                "direction": r.direction,
                "conflict": r.conflict,
                "paths": [
                    short(p.item)
                    + "".join(
                        f" {SIGN[s.sign]}{'i' if s.inferred else 's'}>{short(s.target)}"
                        for s in p.steps
                    )
                    for p in r.paths
                ],
            }
            for f, r in result.factors.items()
        },
        "cycles": [[short(f) for f in c.factors] + [str(c.sign)] for c in result.cycles],
        "feasibility": [[short(f.item), f.verdict.rsplit("#", 1)[-1]] for f in result.feasibility],
        "truncated": result.truncated,
    }


@pytest.fixture(scope="module")
def keten() -> KnowledgeGraph:
    return KnowledgeGraph.load(data_dir=SCENARIO_DIR)


def test_one_measure_propagates_along_the_chains_with_multiplied_signs(
    keten: KnowledgeGraph,
) -> None:
    got = compact(scenario.run(keten, ["kg:maatregel-op"]))
    assert got == {
        "on": ["maatregel-op"],
        "factors": {
            "factor-x": {
                "direction": "up",
                "conflict": False,
                "paths": ["maatregel-op +s>factor-x"],
            },
            "factor-y": {
                "direction": "up",
                "conflict": False,
                "paths": ["maatregel-op +s>factor-x +i>factor-y"],
            },
            "factor-z": {
                "direction": "down",
                "conflict": False,
                "paths": ["maatregel-op +s>factor-x +i>factor-y -i>factor-z"],
            },
        },
        "cycles": [["factor-x", "factor-y", "factor-z", "-1"]],
        "feasibility": [],
        "truncated": False,
    }


def test_the_cycle_terminates_and_is_reported_once_with_its_steps(keten: KnowledgeGraph) -> None:
    result = scenario.run(keten, ["maatregel-op", "maatregel-neer"])
    assert len(result.cycles) == 1
    loop = result.cycles[0]
    assert [short(s.source) + ">" + short(s.target) for s in loop.steps] == [
        "factor-x>factor-y",
        "factor-y>factor-z",
        "factor-z>factor-x",
    ]
    assert all(s.inferred and s.citations for s in loop.steps)
    assert [short(c.factors[0]) for c in scenario.chain_cycles(keten)] == ["factor-x"]


def test_a_conflict_shows_both_paths_and_switching_one_off_removes_it(
    keten: KnowledgeGraph,
) -> None:
    both = scenario.run(keten, ["kg:maatregel-op", "kg:maatregel-neer"])
    x = both.factors[KG_ + "factor-x"]
    assert x.direction == "mixed"
    assert x.conflict
    assert [short(p.item) for p in x.paths] == ["maatregel-op", "maatregel-neer"]
    assert x.items(1) == [KG_ + "maatregel-op"]
    assert x.items(-1) == [KG_ + "maatregel-neer"]
    assert [short(c.factor) for c in both.conflicts] == ["factor-x", "factor-y", "factor-z"]
    assert [short(f.item) for f in both.feasibility] == ["maatregel-neer"]
    one = scenario.run(keten, ["kg:maatregel-op"])
    assert one.conflicts == []
    assert one.feasibility == []
    assert one.factors[KG_ + "factor-x"].direction == "up"


def test_an_effect_without_direction_gives_an_unknown_factor(keten: KnowledgeGraph) -> None:
    result = scenario.run(keten, ["kg:spoor-1"])
    w = result.factors[KG_ + "factor-w"]
    assert w.direction == "unknown"
    assert w.paths[0].sign == 0
    assert w.paths[0].inferred


def test_every_step_keeps_its_citation_and_status(keten: KnowledgeGraph) -> None:
    result = scenario.run(keten, ["kg:maatregel-neer"])
    steps = [s for r in result.factors.values() for p in r.paths for s in p.steps]
    assert steps
    assert all(s.citations for s in steps)
    effect = result.factors[KG_ + "factor-x"].paths[0].steps[0]
    assert (effect.kind, effect.inferred, effect.magnitude) == ("effect", False, "beperkt effect")
    chain = result.factors[KG_ + "factor-y"].paths[0].steps[1]
    assert chain.kind == "chain"
    assert chain.inferred
    assert dict(chain.notes) == {"nl": "X drijft Y.", "en": "X drives Y."}
    assert chain.confidence == "https://w3id.org/amkg/def#confidenceHigh"


def test_comparison_reports_what_flips(keten: KnowledgeGraph) -> None:
    up = scenario.run(keten, ["kg:maatregel-op"])
    down = scenario.run(keten, ["kg:maatregel-neer"])
    changes = {short(c.factor): (c.before, c.after, c.flips) for c in scenario.compare(up, down)}
    assert changes == {
        "factor-x": ("up", "down", True),
        "factor-y": ("up", "down", True),
        "factor-z": ("down", "up", True),
    }
    assert scenario.compare(up, up) == []


def test_a_confidence_threshold_leaves_out_less_sure_chains(keten: KnowledgeGraph) -> None:
    high = scenario.run(keten, ["kg:maatregel-op"], min_confidence=scenario.CONFIDENCE_ORDER[2])
    assert sorted(short(f) for f in high.factors) == ["factor-x", "factor-y"]  # y -> z is low
    assert high.cycles == []
    low = scenario.run(keten, ["kg:maatregel-op"], min_confidence=scenario.CONFIDENCE_ORDER[0])
    assert sorted(short(f) for f in low.factors) == ["factor-x", "factor-y", "factor-z"]
    with pytest.raises(ValueError, match="min_confidence"):
        scenario.run(keten, ["kg:maatregel-op"], min_confidence="hoog")


def test_unknown_names_are_refused_with_suggestions(keten: KnowledgeGraph) -> None:
    with pytest.raises(scenario.UnknownItem) as caught:
        scenario.run(keten, ["maatregel"])
    assert caught.value.suggestions == ["kg:maatregel-neer", "kg:maatregel-op"]


@pytest.fixture(scope="module")
def real(kg: KnowledgeGraph) -> KnowledgeGraph:
    return kg


@pytest.mark.parametrize("name", sorted(REAL_SCENARIOS))
def test_golden_scenarios_on_the_real_graph(real: KnowledgeGraph, name: str) -> None:
    golden = json.loads(GOLDEN_REAL.read_text(encoding="utf-8"))
    assert compact(scenario.run(real, REAL_SCENARIOS[name])) == golden[name]


def test_real_conflict_between_two_measures_on_innovation(real: KnowledgeGraph) -> None:
    result = scenario.run(real, REAL_SCENARIOS["vakkrachten-en-hogere-eisen"])
    innovation = result.factors[KG_ + "factor-innovatie"]
    assert innovation.conflict
    assert innovation.nearest() == {
        KG_ + "maatregel-hogere-eisen-randvoorwaarden": 1,
        KG_ + "maatregel-vakkrachtenregeling": -1,
    }
    alone = scenario.run(real, ["kg:maatregel-hogere-eisen-randvoorwaarden"])
    assert alone.conflicts == []


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_step_on_the_real_graph_cites_a_verbatim_quote(real: KnowledgeGraph) -> None:
    deck = _fold(DECK_PATH.read_text(encoding="utf-8"))
    everything = scenario.run(real, list(scenario.model(real).items))
    steps = [s for r in everything.factors.values() for p in r.paths for s in p.steps]
    assert len(steps) > 100
    for step in steps:
        assert step.citations, step.node
        for c in step.citations:
            assert _fold(c.quote) in deck, c.quote
        if step.kind == "chain":
            assert step.inferred
            assert step.confidence
            assert {"nl", "en"} <= dict(step.notes).keys()


def test_every_chain_is_a_reading_and_keeps_its_sign_in_the_projection(
    real: KnowledgeGraph,
) -> None:
    from amkg.graph.trace_network import network as network_of

    network = network_of(real).multi  # the projection the tracer and GraphML use
    chains = [s for steps in scenario.model(real).chains.values() for s in steps]
    assert len(chains) >= 15
    for chain in chains:
        keys = set(network.get_edge_data(chain.source, chain.target) or {})
        expected = "amkg:raisesFactor" if chain.sign == 1 else "amkg:lowersFactor"
        assert expected in keys
        edge = network.get_edge_data(chain.source, chain.target)[expected]
        assert edge["inferred"] is True


def write_golden() -> None:
    real = KnowledgeGraph.load(data_dir=DATA_DIR)
    data = {name: compact(scenario.run(real, on)) for name, on in sorted(REAL_SCENARIOS.items())}
    GOLDEN_REAL.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__" and "--write" in sys.argv:
    write_golden()
