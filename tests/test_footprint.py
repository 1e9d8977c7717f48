"""Derived data carried over to the next version (issue 11, ``graph/footprint.py``): what a
query reads, when a change touches it, and, on a copy of the real data, that every page built
from values carried over after an edit equals the page built from scratch on that version."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from amkg.graph import changes, footprint, history
from amkg.graph.changes_types import Change
from amkg.graph.footprint import Delta, Footprint
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import AMKG, KG
from amkg.graph.naming import CHANGE_APPARATUS
from amkg.webui import app as app_module
from amkg.webui.app import create_app
from tests.edits_helpers import SOURCE, TRAJECTORY, day, move, revise

X = "http://example.org/"
P, Q, R = URIRef(X + "p"), URIRef(X + "q"), URIRef(X + "r")
A, B = URIRef(X + "a"), URIRef("http://elsewhere.org/b")
NS = "http://elsewhere.org/"


def of(query: str, **bindings: URIRef) -> Footprint:
    return footprint.of_query(f"PREFIX x: <{X}> {query}", bindings)


def touched(query: str, *triples: tuple[URIRef, URIRef, object], **bindings: URIRef) -> bool:
    change = Delta(frozenset((s, p, o if isinstance(o, URIRef | Literal) else Literal(o))
                             for s, p, o in triples), frozenset())  # fmt: skip
    return of(query, **bindings).touched_by(change)


def test_a_change_touches_a_query_when_one_of_its_triples_matches_a_pattern() -> None:
    query = "SELECT * WHERE { ?s x:p/x:q* ?o FILTER NOT EXISTS { ?o ^x:r ?z } }"
    for predicate in (P, Q, R):  # a path's predicates, and a pattern inside EXISTS
        assert touched(query, (A, predicate, B))
    assert not touched(query, (A, RDFS.label, "a label"))


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s !x:p ?o }",
        "SELECT * WHERE { ?s x:p ?o OPTIONAL { ?o ?any ?v } }",
    ],
)
def test_a_variable_or_negated_predicate_matches_every_triple(query: str) -> None:
    assert touched(query, (A, RDFS.label, "a label"))


def test_values_and_filters_narrow_what_a_pattern_matches() -> None:
    values = "SELECT * WHERE { VALUES ?p { x:p x:q } ?s ?p ?o }"
    assert touched(values, (A, Q, B))
    assert not touched(values, (A, R, B))
    kept_out = f'SELECT * WHERE {{ ?s x:p ?o FILTER(!STRSTARTS(STR(?s), "{NS}")) }}'
    assert touched(kept_out, (A, P, B))
    assert not touched(kept_out, (B, P, A))
    kept_in = f'SELECT * WHERE {{ ?s ?p ?o FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{X}")) }}'
    assert touched(kept_in, (B, R, A))
    assert not touched(kept_in, (A, R, B))  # another namespace
    assert not touched(kept_in, (A, R, "text"))  # a literal
    literal = "SELECT * WHERE { ?s x:p ?o FILTER(isLiteral(?o)) }"
    assert not touched(literal, (A, P, B))
    typed = "SELECT * WHERE { ?s a x:Track ; x:p ?o }"
    assert not touched(typed, (A, RDF.type, URIRef(X + "Source")))
    assert touched(typed, (A, RDF.type, URIRef(X + "Track")))


def test_the_groups_filters_narrow_an_optional_but_its_values_do_not() -> None:
    # the filter is an error while ?v is unbound: a solution without the triple was dropped too
    optional = ("SELECT * WHERE { ?s x:p ?o OPTIONAL { ?o x:q ?v } "
                f'FILTER(!STRSTARTS(STR(?v), "{NS}")) }}')  # fmt: skip
    assert not touched(optional, (A, Q, B))
    assert touched(optional, (B, Q, A))
    typed = ("SELECT * WHERE { ?s x:p ?o OPTIONAL { ?s a ?type } FILTER(isIRI(?s) && "
             f'(STRSTARTS(STR(?s), "{X}") || STRSTARTS(STR(?s), "{NS}x"))) }}')  # fmt: skip
    assert touched(typed, (A, RDF.type, P))
    assert touched(typed, (URIRef(NS + "x1"), RDF.type, P))
    assert not touched(typed, (URIRef(NS + "y1"), RDF.type, P))  # neither namespace
    assert not touched(typed, (URIRef(NS + "y1"), P, B))
    # without the triple ?v is unbound and joins the row x:a; with it, ?v is x:b: no row
    values = "SELECT * WHERE { VALUES ?v { x:a } ?s x:p ?o OPTIONAL { ?o x:q ?v } }"
    assert touched(values, (A, Q, B))


def test_a_disjunction_narrows_only_when_each_side_is_a_prefix_of_one_variable() -> None:
    other = "http://third.org/"

    def query(condition: str) -> str:
        return f"SELECT * WHERE {{ ?s x:p ?o FILTER({condition}) }}"

    either = query(f'STRSTARTS(STR(?s), "{X}") || STRSTARTS(STR(?s), "{NS}") '
                   f'|| STRSTARTS(STR(?s), "{other}")')  # fmt: skip
    assert touched(either, (URIRef(other + "c"), P, B))
    assert not touched(either, (URIRef("http://fourth.org/d"), P, B))
    two = query(f'STRSTARTS(STR(?s), "{NS}") || STRSTARTS(STR(?o), "{NS}")')
    assert touched(two, (A, P, A))  # two variables: not understood
    negated = query(f'!STRSTARTS(STR(?s), "{NS}") || STRSTARTS(STR(?s), "{X}")')
    assert touched(negated, (B, P, A))  # not a prefix on each side: not understood


def test_conditions_do_not_reach_where_they_do_not_hold_for_each_triple() -> None:
    nested = ("SELECT * WHERE { { SELECT ?s WHERE { ?s x:p ?o } } "
              f'FILTER(STRSTARTS(STR(?s), "{NS}")) }}')  # fmt: skip
    assert touched(nested, (A, P, B))
    either = f'SELECT * WHERE {{ ?s x:p ?o FILTER(STRSTARTS(STR(?s), "{NS}") || isIRI(?o)) }}'
    own = ("SELECT * WHERE { ?s x:p ?o OPTIONAL { ?o x:q ?v "
           f'FILTER(STRSTARTS(STR(?v), "{NS}")) }} }}')  # fmt: skip
    assert touched(own, (A, Q, B))  # an OPTIONAL's own filter holds for each triple it joins
    assert not touched(own, (B, Q, A))
    assert touched(either, (A, P, "text"))


def test_a_bound_value_narrows_the_query_it_is_bound_in() -> None:
    query = "SELECT * WHERE { ?s x:p ?o }"
    assert not touched(query, (A, P, B), s=B)
    assert touched(query, (A, P, B), s=A)
    literal_constant = 'SELECT * WHERE { ?s x:p "a" }'  # "a" and "a"^^xsd:string: one term
    assert touched(literal_constant, (A, P, "b"))


def test_named_graphs_are_read_by_name_by_binding_or_all() -> None:
    assert of("SELECT * WHERE { GRAPH x:g { ?s x:p ?o } }").graphs == {URIRef(X + "g")}
    assert of("SELECT * WHERE { GRAPH ?g { ?s x:p ?o } }", g=URIRef(X + "h")).graphs == {
        URIRef(X + "h")
    }
    unbound = of("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert unbound.any_graph
    assert not unbound.patterns  # a named graph's patterns are not the default graph's


def test_what_cannot_be_read_counts_as_reading_everything() -> None:
    assert footprint.of_query("this is not SPARQL") == footprint.EVERYTHING


def test_a_change_touches_what_it_wrote_or_what_matches() -> None:
    change = Delta(frozenset({(A, P, B)}), frozenset({URIRef(X + "change/1")}))
    assert of("SELECT * WHERE { ?s x:p ?o }").touched_by(change)
    assert not of("SELECT * WHERE { ?s x:q ?o }").touched_by(change)
    assert Footprint(everything=True).touched_by(change)
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
    "/api/queries/sporen-overzicht",  # a catalogue answer, kept per version (queries/catalogue)
    "/api/queries/afgeleide-uitspraken",
    "/api/queries/bijlage-matrix",
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
    """A factory of apps on one copy of the data, each with a graph of its own: apps over one
    build share their graph (``webui/app.py``), and a process keeps its graphs per version
    (``history.current``), so both are forgotten first."""
    data = make_data_copy()

    def make() -> FlaskClient:
        app_module._kg_cache.clear()
        history._views.clear()
        return create_app({"TESTING": True, "DATA_DIR": str(data)}).test_client()

    return make


def relabel(subject: URIRef, old: str) -> Change:
    return Change(
        "Beheerder",
        "Naam verduidelijkt",
        SOURCE,
        added=((subject, RDFS.label, Literal("Spoor 1 (arbeidsmigratie)", lang="nl")),),
        removed=((subject, RDFS.label, Literal(old, lang="nl")),),
    )


def assert_same_values(kept: KnowledgeGraph, built: KnowledgeGraph) -> None:
    """Every derived value both graphs hold that compares by value is equal (pages may not show
    every part of an index: the label index names more than any one page)."""
    assert kept.label_values == built.label_values  # builds them where no page did
    assert kept.label_index == built.label_index
    compared = 0
    for key, value in kept._derived.items():
        if key in built._derived and type(value).__eq__ is not object.__eq__:
            assert value == built._derived[key], f"{key} was taken over but differs"
            compared += 1
    assert compared >= 5


def other_change(kind: str) -> Change:
    """A status (an IRI value) or a second coordinator (a link the network and matrix draw)."""
    if kind == "status":
        added = ((TRAJECTORY, AMKG.trajectoryStatus, AMKG.statusVertraagd),)
    else:
        added = ((TRAJECTORY, AMKG.inCooperationWith, KG["jenv"]),)
    return Change("Beheerder", "Bijgewerkt", SOURCE, added=added)


@pytest.mark.parametrize("kind", ["status", "link"])
def test_pages_after_a_status_or_a_link_equal_pages_built_again(
    app_on_copy: Callable[[], FlaskClient], kind: str
) -> None:
    client = app_on_copy()
    crawl(client)
    changes.commit(client.application.extensions["amkg"], other_change(kind))
    carried, fresh = crawl(client), app_on_copy()
    assert carried == crawl(fresh)
    assert_same_values(client.application.extensions["amkg"], fresh.application.extensions["amkg"])


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
    fresh = app_on_copy()  # a fresh app on the same version builds everything
    again = crawl(fresh)
    assert fresh.application.extensions["amkg"] is not newer

    assert carried == again
    assert_same_values(newer, fresh.application.extensions["amkg"])
    assert "shapes-index" in taken
    if kind == "date":  # the deck's labels, citations, search and network did not change
        assert {"label-values", "citation-index", "search-index", "explorer-source"} <= taken
        assert '"2023-05-01"' in carried["/id/traject-kamerbrief-arbeidsmarktkrapte.json"][1]
        assert _answer("sporen-overzicht") in taken  # a date cannot change the tracks' answer
    else:
        assert "label-values" not in taken
        assert "search-index" not in taken
        assert "Spoor 1 (arbeidsmigratie)" in carried["/spoor/1.json"][1]
        assert _answer("sporen-overzicht") not in taken  # it lists the label: asked again
        assert "Spoor 1 (arbeidsmigratie)" in carried["/api/queries/sporen-overzicht"][1]


def _answer(name: str) -> str:
    """The key under which a graph keeps a catalogue query's fixed answer."""
    from amkg.queries.catalogue import default_catalogue

    sparql = default_catalogue().get(name).sparql
    return "catalogue-answer " + hashlib.sha256(sparql.encode("utf-8")).hexdigest()


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


def test_the_change_between_versions_reads_only_the_new_change_sets(
    make_data_copy: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    kg = KnowledgeGraph.open(data_dir=make_data_copy())
    days = ["2023-05-01", "2023-05-08", "2023-05-15", "2023-05-22"]
    changes.commit(kg, revise(days[0]))
    for old, new in itertools.pairwise(days):
        changes.commit(kg, move(old, new))
    before = history.current(kg)
    changes.commit(before, move(days[-1], "2023-06-01"))
    after = history.current(before)
    read: list[tuple[str, int]] = []
    select = history.DOMAIN.select

    def counting(store: object, name: str, bindings: object = None) -> object:
        rows = select(store, name, bindings)  # type: ignore[arg-type]
        read.append((name, len(rows)))
        return rows

    monkeypatch.setattr(history.DOMAIN, "select", counting)
    found = history.delta(before.store, after.store)
    assert found is not None
    listed = [n for name, n in read if name == "change-list"]  # change sets read whole
    assert listed
    assert max(listed) == 1  # one by one, the newest of each version: not all five
    assert (TRAJECTORY, AMKG.revisedDate, day("2023-06-01")) in found.triples
    assert (TRAJECTORY, AMKG.revisedDate, day(days[-1])) in found.triples


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


def test_a_change_that_cannot_be_read_takes_nothing_over_and_reading_goes_on(
    make_data_copy: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from amkg.graph.trace_network import network

    kg = KnowledgeGraph.open(data_dir=make_data_copy())
    built = network(kg)
    changes.commit(kg, revise("2023-05-01"))

    def broken(older: object, newer: object) -> None:
        raise RuntimeError("the change sets could not be read")

    monkeypatch.setattr(history, "delta", broken)
    newer = history.current(kg)
    assert newer is not kg
    assert not newer._derived
    assert network(newer) is not built


def test_the_change_apparatus_indexes_are_kept_up_from_each_change(
    app_on_copy: Callable[[], FlaskClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The change apparatus's label values, sources and citations are updated from the change
    (the subjects it touched read again; each edit adds a source and a citation, and no edit
    may change the apparatus itself), never read whole again, and equal what a fresh app
    reads."""
    from amkg.graph.naming import Naming
    from amkg.webui.views.provenance import change_sources

    client = app_on_copy()
    crawl(client)
    app = client.application
    changes.commit(app.extensions["amkg"], revise("2023-05-01"))
    crawl(client)  # the first edited version: the indexes hold its source
    first = app.extensions["amkg"]
    read_whole: list[str] = []
    original = Naming._read_values

    def counted(self: Naming, query: str, bindings: object = None) -> object:
        if bindings is None:
            read_whole.append(query)
        return original(self, query, bindings)  # type: ignore[arg-type]

    monkeypatch.setattr(Naming, "_read_values", counted)
    changes.commit(first, move("2023-05-01", "2023-06-01"))
    carried = crawl(client)
    newer: KnowledgeGraph = app.extensions["amkg"]
    assert newer is not first
    assert "change-labels" not in read_whole
    assert len(change_sources(newer)) == 2
    fresh = app_on_copy()
    assert carried == crawl(fresh)
    built = fresh.application.extensions["amkg"]
    for key in ("change-label-values", "change-sources", "change-citations"):
        assert newer._derived[key] == built._derived[key], key


def test_the_follower_answers_again_what_a_change_may_have_altered(
    app_on_copy: Callable[[], FlaskClient],
) -> None:
    from amkg.queries import catalogue

    client = app_on_copy()
    assert client.get("/api/queries/sporen-overzicht").status_code == 200
    older: KnowledgeGraph = client.application.extensions["amkg"]
    spoor = URIRef("https://w3id.org/amkg/id/spoor-1")
    changes.commit(older, relabel(spoor, older.labels(spoor)["nl"]))
    newer = history.current(older)
    assert _answer("sporen-overzicht") in newer.waiting(catalogue.ANSWER_KEY)
    assert catalogue.warm(newer) >= 1
    assert _answer("sporen-overzicht") not in newer.waiting(catalogue.ANSWER_KEY)
    warmed = catalogue.run(newer, "sporen-overzicht").to_dict()
    fresh = catalogue.run(app_on_copy().application.extensions["amkg"], "sporen-overzicht")
    assert warmed == fresh.to_dict()
    assert "Spoor 1 (arbeidsmigratie)" in json.dumps(warmed)
