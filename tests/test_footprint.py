"""Derived data carried over to the next version (issue 11, ``graph/footprint.py``): what a
query reads, when a change touches it, and, on a copy of the real data, that every page built
from values carried over after an edit equals the page built from scratch on that version."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS

from amkg.graph import changes, footprint, history
from amkg.graph.changes_types import Change
from amkg.graph.footprint import Delta, Footprint
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.naming import CHANGE_APPARATUS
from amkg.webui.app import create_app
from tests.edits_helpers import SOURCE, move, revise

X = "http://example.org/"
P, Q, R = URIRef(X + "p"), URIRef(X + "q"), URIRef(X + "r")


def of(query: str, **bindings: URIRef) -> Footprint:
    return footprint.of_query(f"PREFIX x: <{X}> {query}", bindings)


def test_a_query_reads_the_predicates_of_its_patterns_paths_and_exists() -> None:
    found = of("SELECT * WHERE { ?s x:p/x:q* ?o FILTER NOT EXISTS { ?o ^x:r ?z } }")
    assert found.predicates == {P, Q, R}
    assert not found.any_predicate
    assert not found.graphs
    assert not found.any_graph


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s !x:p ?o }",
        "SELECT * WHERE { ?s x:p ?o OPTIONAL { ?o ?any ?v } }",
    ],
)
def test_a_variable_or_negated_predicate_reads_every_predicate(query: str) -> None:
    assert of(query).any_predicate


def test_named_graphs_are_read_by_name_by_binding_or_all() -> None:
    assert of("SELECT * WHERE { GRAPH x:g { ?s x:p ?o } }").graphs == {URIRef(X + "g")}
    assert of("SELECT * WHERE { GRAPH ?g { ?s x:p ?o } }", g=URIRef(X + "h")).graphs == {
        URIRef(X + "h")
    }
    unbound = of("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert unbound.any_graph
    assert not unbound.predicates
    assert not unbound.any_predicate


def test_what_cannot_be_read_counts_as_reading_everything() -> None:
    assert footprint.of_query("this is not SPARQL") == footprint.EVERYTHING


def test_a_change_touches_what_shares_a_predicate_or_a_graph() -> None:
    change = Delta(frozenset({P}), frozenset({URIRef(X + "change/1")}))
    assert Footprint(predicates={P}).touched_by(change)
    assert not Footprint(predicates={Q}).touched_by(change)
    assert Footprint(any_predicate=True).touched_by(change)
    assert Footprint(any_graph=True).touched_by(change)
    assert not Footprint(graphs={URIRef(X + "shapes")}).touched_by(change)


def test_a_derived_value_records_what_the_values_it_used_read(small_kg: KnowledgeGraph) -> None:
    inner = small_kg.derived("inner", lambda: small_kg.label_index)
    assert inner
    outer = small_kg.derived("outer", lambda: len(small_kg.derived("inner", dict)))
    assert outer == len(inner)
    inner_reads, outer_reads = small_kg._reads["inner"], small_kg._reads["outer"]
    assert inner_reads.answers  # the label queries, with the digests of their answers
    assert outer_reads.answers == inner_reads.answers
    assert outer_reads.footprint == inner_reads.footprint


def test_the_change_apparatus_is_where_changes_put_it() -> None:
    assert CHANGE_APPARATUS == changes.CHANGES


# --- on a copy of the real data: carried over equals built again --------------------------------

PAGES = [
    "/matrix.json",
    "/tijdlijn.json",
    "/zoeken.json?q=krapte",
    "/spoor/1.json",
    "/spoor/3.json",
    "/knoppen.json",
    "/cijfers.json",
    "/signalen.json",
    "/api/graph",
    "/api/suggest?q=arbeid",
    "/id/traject-kamerbrief-arbeidsmarktkrapte.json",
    "/id/uitdaging-1.json",
    "/wijzigingen.json",
    "/ontologie.json",
]


def crawl(client: FlaskClient) -> dict[str, tuple[int, str]]:
    found = {}
    for url in PAGES:
        response = client.get(url)
        body = re.sub(r'"generated[^"]*":\s*"[^"]*"', "", response.get_data(as_text=True))
        found[url] = (response.status_code, body)
    return found


@pytest.fixture
def app_on_copy(make_data_copy: Callable[..., Path]) -> Callable[[], FlaskClient]:
    data = make_data_copy()
    return lambda: create_app({"TESTING": True, "DATA_DIR": str(data)}).test_client()


def relabel(subject: URIRef, old: str) -> Change:
    return Change(
        "Beheerder",
        "Naam verduidelijkt",
        SOURCE,
        added=((subject, RDFS.label, Literal("Spoor 1 (arbeidsmigratie)", lang="nl")),),
        removed=((subject, RDFS.label, Literal(old, lang="nl")),),
    )


@pytest.mark.parametrize("kind", ["date", "label"])
def test_pages_from_values_carried_over_equal_pages_built_again(
    app_on_copy: Callable[[], FlaskClient], kind: str
) -> None:
    client = app_on_copy()
    assert all(status == 200 for status, _ in crawl(client).values())
    app = client.application
    older: KnowledgeGraph = app.extensions["amkg"]
    if kind == "date":
        change = revise("2023-05-01")
    else:
        spoor = URIRef("https://w3id.org/amkg/id/spoor-1")
        change = relabel(spoor, older.labels(spoor)["nl"])
    changes.commit(older, change)

    carried = crawl(client)  # the app moves to the new version, keeping what it may
    newer: KnowledgeGraph = app.extensions["amkg"]
    assert newer is not older
    taken = {key for key, read in newer._reads.items() if read is older._reads.get(key)}
    again = crawl(app_on_copy())  # a fresh app on the same version builds everything

    assert carried == again
    assert "shapes-index" in taken
    if kind == "date":  # the deck's labels, citations, search and network did not change
        assert {"label-values", "citation-index", "search-index", "explorer-source"} <= taken
        assert '"2023-05-01"' in carried["/id/traject-kamerbrief-arbeidsmarktkrapte.json"][1]
    else:
        assert "label-values" not in taken
        assert "search-index" not in taken
        assert "Spoor 1 (arbeidsmigratie)" in carried["/spoor/1.json"][1]


def test_a_version_that_does_not_continue_the_older_one_takes_nothing(
    make_data_copy: Callable[..., Path],
) -> None:
    kg = KnowledgeGraph.open(data_dir=make_data_copy())
    changes.commit(kg, revise("2023-05-01"))
    first = history.current(kg)
    changes.commit(first, move("2023-05-01", "2023-06-01"))
    second = history.current(first)
    assert history.delta(first.store, second.store) is not None
    assert history.delta(second.store, first.store) is None  # an older version: not continued
    assert history.delta(second.store, kg.store) is None


def test_a_value_not_asked_for_in_between_is_still_taken_over_later(
    make_data_copy: Callable[..., Path],
) -> None:
    from amkg.graph.trace_network import network

    kg = KnowledgeGraph.open(data_dir=make_data_copy())
    built = network(kg)
    changes.commit(kg, revise("2023-05-01"))
    between = history.current(kg)  # nobody asks this version for the network
    changes.commit(between, move("2023-05-01", "2023-06-01"))
    latest = history.current(between)
    assert network(latest) is built
    assert latest._reads["trace-network"] is kg._reads["trace-network"]
