"""The W3C RDF Data Cube integrity constraints IC-1 .. IC-21 hold on the real graph.

The graph (ontology + data, read from the Turtle files) is copied into a store, normalised as the
Recommendation describes, and each constraint's ASK (tests/data/datacube-ic/ic-NN.rq, answering
true on a violation) must answer false. Each constraint also has a mutation test: a copy of a small
cube that passes every constraint, broken on purpose by mutations/ic-NN.ru, must violate it.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph

from amkg.graph.load import load_graph
from amkg.graph.paths import data_files, ontology_files
from tests.cube_checks import IC_DIR, IC_NUMBERS, TEMPLATES, normalise, store_of, violated

SMALL_CUBE = IC_DIR / "small-cube.ttl"


@pytest.fixture(scope="module")
def real_store() -> ox.Store:
    store = store_of(load_graph(ontology_files(), data_files()))
    normalise(store)
    return store


def small_store(mutation: str | None = None) -> ox.Store:
    graph = Graph().parse(SMALL_CUBE, format="turtle")
    store = store_of(graph)
    if mutation is not None:
        store.update((IC_DIR / "mutations" / mutation).read_text(encoding="utf-8"))
    normalise(store)
    return store


@pytest.mark.parametrize("number", IC_NUMBERS, ids=[f"IC-{n}" for n in IC_NUMBERS])
def test_integrity_constraint_holds_on_the_graph(real_store: ox.Store, number: int) -> None:
    assert not violated(real_store, number), f"IC-{number} is violated"


@pytest.mark.parametrize("number", IC_NUMBERS, ids=[f"IC-{n}" for n in IC_NUMBERS])
def test_integrity_constraint_holds_on_the_small_cube(number: int) -> None:
    assert not violated(small_store(), number)


@pytest.mark.parametrize("number", IC_NUMBERS, ids=[f"IC-{n}" for n in IC_NUMBERS])
def test_mutation_breaks_the_integrity_constraint(number: int) -> None:
    assert violated(small_store(f"ic-{number:02d}.ru"), number)


def test_every_constraint_has_a_query_and_a_mutation() -> None:
    for number in IC_NUMBERS:
        assert (IC_DIR / f"ic-{number:02d}.rq").is_file()
        assert (IC_DIR / "mutations" / f"ic-{number:02d}.ru").is_file()
    for number in TEMPLATES:
        assert (IC_DIR / f"ic-{number:02d}-parameters.rq").is_file()


def test_the_graph_uses_the_constraints_it_is_tested_on(real_store: ox.Store) -> None:
    """The real cubes are not trivially valid: they have observations, code lists and totals."""
    counts = {
        "observations": "SELECT (COUNT(*) AS ?n) WHERE { ?o a qb:Observation }",
        "coded": "SELECT (COUNT(*) AS ?n) WHERE { ?o qb:dataSet ?x ; ?d ?v . ?d qb:codeList ?l }",
        "lost": "SELECT (COUNT(*) AS ?n) WHERE { ?s qb:structure kg:dsd-verloren-grafiek }",
    }
    prefix = (
        "PREFIX qb: <http://purl.org/linked-data/cube#>\nPREFIX kg: <https://w3id.org/amkg/id/>\n"
    )
    found = {k: int(next(iter(real_store.query(prefix + q)))["n"].value) for k, q in counts.items()}
    assert found["observations"] > 150
    assert found["coded"] > 20
    assert found["lost"] == 4
