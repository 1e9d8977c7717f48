"""SKOS and OWL-Time integrity rules that apply to the graph, each a named test with a mutation.

Each rule is an ASK in tests/data/standards/<rule>.rq that answers true on a violation; it must
answer false on the real graph (ontology + data, read from the Turtle files into a copy), and
true on a copy broken on purpose by tests/data/standards/mutations/<rule>.ru.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from amkg.graph.load import load_graph
from amkg.graph.paths import data_files, ontology_files
from tests.cube_checks import store_of

RULES_DIR = Path(__file__).resolve().parent / "data" / "standards"
RULES = sorted(p.stem for p in RULES_DIR.glob("*.rq"))


@pytest.fixture(scope="module")
def nt_data() -> bytes:
    return load_graph(ontology_files(), data_files()).serialize(format="nt", encoding="utf-8")


def fresh_store(nt_data: bytes) -> ox.Store:
    store = ox.Store()
    store.load(nt_data, format=ox.RdfFormat.N_TRIPLES)
    return store


def violated(store: ox.Store, rule: str) -> bool:
    return bool(store.query((RULES_DIR / f"{rule}.rq").read_text(encoding="utf-8")))


def test_the_rules_are_there() -> None:
    assert {r.split("-")[0] for r in RULES} == {"skos", "time"}
    assert len(RULES) >= 12
    for rule in RULES:
        assert (RULES_DIR / "mutations" / f"{rule}.ru").is_file(), rule


@pytest.mark.parametrize("rule", RULES)
def test_rule_holds_on_the_graph(nt_data: bytes, rule: str) -> None:
    assert not violated(fresh_store(nt_data), rule)


@pytest.mark.parametrize("rule", RULES)
def test_mutation_breaks_the_rule(nt_data: bytes, rule: str) -> None:
    store = fresh_store(nt_data)
    store.update((RULES_DIR / "mutations" / f"{rule}.ru").read_text(encoding="utf-8"))
    assert violated(store, rule)


def test_store_of_copies_a_graph() -> None:
    graph = load_graph([], [RULES_DIR / "axioms.ttl"])
    assert len(store_of(graph)) == len(graph)
