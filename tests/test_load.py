"""Loading the graph (graph/load.py, graph/paths.py, graph/kg.py) and the two query stores."""

from __future__ import annotations

import pickle
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from amkg.graph import paths
from amkg.graph.errors import GraphLoadError
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import AMKG, KG, load_graph, load_shapes, parse_file
from amkg.graph.store import (
    BindingError,
    OxigraphStore,
    QueryResult,
    RdflibStore,
    Store,
    open_store,
)
from amkg.graph.terms import from_oxigraph, normalize_term, to_oxigraph

SMALL = Path(__file__).parent / "data" / "small"
PREFIXES = """
PREFIX amkg: <https://w3id.org/amkg/def#>
PREFIX kg: <https://w3id.org/amkg/id/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX qb: <http://purl.org/linked-data/cube#>
"""


# --- paths ------------------------------------------------------------------------------------


def test_paths_point_into_the_checkout() -> None:
    assert paths.DATA_DIR == paths.REPO_ROOT / "graph" / "data"
    assert paths.DECK_PATH.is_file()
    assert paths.SHAPES_PATH.name == "shapes.ttl"
    assert all(p.suffix == ".ttl" for p in paths.data_files())


def test_ontology_files_leave_out_the_shapes(tmp_path: Path) -> None:
    for name in ("b.ttl", "a.ttl", "shapes.ttl", "notes.md"):
        (tmp_path / name).write_text("", encoding="utf-8")
    assert [p.name for p in paths.ontology_files(tmp_path)] == ["a.ttl", "b.ttl"]
    assert paths.shapes_file(tmp_path) == tmp_path / "shapes.ttl"


def test_data_dir_argument_then_environment_then_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert paths.resolve_data_dir() == paths.DATA_DIR
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path))
    assert paths.resolve_data_dir() == tmp_path
    assert paths.resolve_data_dir(SMALL) == SMALL


# --- loading ----------------------------------------------------------------------------------


def test_small_graph_holds_ontology_and_data(small_kg: KnowledgeGraph) -> None:
    assert KG["spoor-3"] in small_kg.instances(AMKG.Track)
    ontology_triples = len(load_graph(paths.ontology_files(), []))
    assert small_kg.triple_count() > ontology_triples
    assert small_kg.prefixes["kg"] == str(KG)


def test_syntax_error_names_file_and_line(broken_ttl: tuple[Path, int]) -> None:
    path, line = broken_ttl
    with pytest.raises(GraphLoadError) as caught:
        parse_file(path)
    error = caught.value
    assert error.path == path
    assert error.line == line
    assert error.message
    assert str(error).endswith(f"broken.ttl:{line}: {error.message}")


def test_one_broken_file_fails_the_whole_load(broken_ttl: tuple[Path, int]) -> None:
    good = sorted(SMALL.glob("*.ttl"))
    with pytest.raises(GraphLoadError) as caught:
        load_graph(paths.ontology_files(), [*good, broken_ttl[0]])
    assert caught.value.path == broken_ttl[0]


@pytest.mark.parametrize(
    ("body", "bad_line"),
    [
        ('kg:a rdfs:label "open string .\nkg:b rdfs:label "x" .\n', 1),
        ("kg:a rdfs:label 'x' .\nonbekend:b rdfs:label 'y' .\n", 2),
        ("kg:a rdfs:label 'x' ;\n    rdfs:comment .\n", 2),
        ("kg:a rdfs:label 'x' .\n\n\nkg:b kg:c kg:d kg:e .\n", 4),
    ],
)
def test_reported_line_is_the_broken_one(tmp_path: Path, body: str, bad_line: int) -> None:
    header = "@prefix kg: <https://w3id.org/amkg/id/> .\n"
    header += "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    path = tmp_path / "f.ttl"
    path.write_text(header + body, encoding="utf-8")
    with pytest.raises(GraphLoadError) as caught:
        parse_file(path)
    assert caught.value.line == bad_line + 2


@settings(max_examples=25, deadline=None)
@given(padding=st.lists(st.sampled_from(["", "# opmerking", "kg:x kg:y kg:z ."]), max_size=30))
def test_line_survives_any_amount_of_text_before_it(
    tmp_path_factory: pytest.TempPathFactory, padding: list[str]
) -> None:
    lines = ["@prefix kg: <https://w3id.org/amkg/id/> .", *padding, 'kg:a kg:b "kapot .']
    path = tmp_path_factory.mktemp("padded") / "padded.ttl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(GraphLoadError) as caught:
        parse_file(path)
    assert caught.value.line == len(lines)


def test_invalid_utf8_is_a_load_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.ttl"
    path.write_bytes(b'@prefix kg: <https://w3id.org/amkg/id/> .\nkg:a kg:b "caf\xe9" .\n')
    with pytest.raises(GraphLoadError) as caught:
        parse_file(path)
    assert caught.value.line == 2


def test_missing_shapes_file_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(GraphLoadError, match="shapes"):
        load_shapes(tmp_path / "shapes.ttl")


def test_load_error_survives_pickling(broken_ttl: tuple[Path, int]) -> None:
    error = GraphLoadError(broken_ttl[0], 7, "kapot")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.line, copy.message, str(copy)) == (
        error.path,
        error.line,
        error.message,
        str(error),
    )


# --- labels -----------------------------------------------------------------------------------


def test_label_in_language_with_fallbacks(small_kg: KnowledgeGraph) -> None:
    assert small_kg.label(KG["jenv"], "nl") == "JenV"
    assert small_kg.label(KG["jenv"], "en") == "Ministry of Justice and Security (JenV)"
    assert small_kg.label(KG["bron-domein-3"], "en") == "kg:bron-domein-3"
    assert small_kg.prefixed(AMKG.Track) == "amkg:Track"
    assert small_kg.prefixed(URIRef("http://example.org/x")) == "http://example.org/x"


# --- stores -----------------------------------------------------------------------------------

QUERIES = {
    "tracks": PREFIXES
    + """SELECT ?track ?n ?label WHERE {
        ?track a amkg:Track ; amkg:trackNumber ?n ; rdfs:label ?label .
        FILTER(lang(?label) = "nl") } ORDER BY ?n""",
    "optional": PREFIXES
    + """SELECT ?o ?total WHERE { ?o a qb:Observation .
        OPTIONAL { ?o amkg:isTotal ?total } } ORDER BY ?o""",
    "aggregates": PREFIXES
    + """SELECT (SUM(?v) AS ?sum) (COUNT(?o) AS ?n) (STR(MAX(?v)) AS ?max) (MIN(?v) * 1.0 AS ?min)
        WHERE { ?o a qb:Observation ; amkg:value ?v }""",
    "inferred": PREFIXES
    + """SELECT ?s ?p ?o ?note WHERE { ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
        amkg:inferred true ; amkg:inferenceNote ?note } ORDER BY ?s STR(?note)""",
    "dates": PREFIXES
    + """SELECT ?start ?end ?label WHERE { ?p amkg:periodStart ?start ; amkg:periodEnd ?end ;
        rdfs:label ?label } ORDER BY STR(?label)""",
}


@pytest.fixture(scope="module")
def stores(small_graph: Graph) -> tuple[Store, Store]:
    return open_store(small_graph, "oxigraph"), open_store(small_graph, "rdflib")


def test_both_engines_implement_the_protocol(stores: tuple[Store, Store]) -> None:
    oxigraph, rdflib_store = stores
    assert isinstance(oxigraph, OxigraphStore)
    assert isinstance(rdflib_store, RdflibStore)
    assert isinstance(oxigraph, Store)
    assert isinstance(rdflib_store, Store)
    assert (oxigraph.name, rdflib_store.name) == ("oxigraph", "rdflib")
    assert oxigraph.triple_count() == rdflib_store.triple_count() > 0


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_both_engines_give_the_same_rows(stores: tuple[Store, Store], name: str) -> None:
    oxigraph, rdflib_store = stores
    first, second = oxigraph.query(QUERIES[name]), rdflib_store.query(QUERIES[name])
    assert first.kind == second.kind == "SELECT"
    assert first.vars == second.vars
    assert first.rows == second.rows
    assert first.rows, f"query {name} found nothing in the small graph"


def test_bindings_are_bound_not_pasted(stores: tuple[Store, Store]) -> None:
    sparql = PREFIXES + "SELECT ?track ?label WHERE { ?track rdfs:label ?label } ORDER BY ?label"
    for store in stores:
        result = store.query(sparql, {"track": KG["spoor-4"]})
        labels = [row["label"] for row in result.rows]
        assert Literal("Track 4: Making labour migration conditional on (local) absorption "
                       "capacity", lang="en") in labels  # fmt: skip
        assert all("Spoor 3" not in str(label) for label in labels)


def test_a_bound_variable_must_be_projected(stores: tuple[Store, Store]) -> None:
    """pyoxigraph substitutes only projected variables; rdflib is held to the same rule."""
    sparql = PREFIXES + "SELECT ?label WHERE { ?track rdfs:label ?label }"
    for store in stores:
        with pytest.raises(BindingError, match=r"\?track"):
            store.query(sparql, {"track": KG["spoor-4"]})
    star = PREFIXES + "SELECT * WHERE { ?track amkg:trackNumber ?n }"
    for store in stores:
        assert [
            row["n"].toPython() for row in store.query(star, {"track": KG["spoor-4"]}).rows
        ] == [4]


def test_ask_and_construct_agree(stores: tuple[Store, Store]) -> None:
    ask = PREFIXES + "ASK { kg:traject-kabinetsreactie-acvz-richtgetallen amkg:coordinatedBy ?m }"
    construct = (
        PREFIXES + "CONSTRUCT { ?t amkg:coordinatedBy ?m } WHERE { ?t amkg:coordinatedBy ?m }"
    )
    describe = PREFIXES + "DESCRIBE kg:jenv"
    oxigraph, rdflib_store = stores
    assert oxigraph.query(ask).boolean is rdflib_store.query(ask).boolean is True
    first, second = oxigraph.query(construct), rdflib_store.query(construct)
    assert first.kind == second.kind == "CONSTRUCT"
    assert set(first.graph) == set(second.graph) != set()
    assert oxigraph.query(describe).kind == "DESCRIBE"


def test_unknown_engine_is_refused(small_graph: Graph) -> None:
    with pytest.raises(ValueError, match="engine"):
        open_store(small_graph, "virtuoso")


def test_query_result_length() -> None:
    assert len(QueryResult(kind="SELECT", vars=["x"], rows=[{}, {}])) == 2


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        (Literal("50.00", datatype=XSD.decimal), Literal("50.0", datatype=XSD.decimal)),
        (Literal("0.50", datatype=XSD.decimal), Literal("0.5", datatype=XSD.decimal)),
        (Literal("007", datatype=XSD.integer), Literal("7", datatype=XSD.integer)),
        (Literal("1", datatype=XSD.boolean), Literal("true", datatype=XSD.boolean)),
        (Literal("tekst", datatype=XSD.string), Literal("tekst")),
        (Literal("Tekst", lang="NL"), Literal("Tekst", lang="nl")),
        (Literal("2023-03-01", datatype=XSD.date), Literal("2023-03-01", datatype=XSD.date)),
    ],
)
def test_literals_get_one_spelling(term: Literal, expected: Literal) -> None:
    assert normalize_term(term) == expected


texts = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)
literals = st.one_of(
    texts.map(Literal),
    st.tuples(texts, st.sampled_from(["nl", "en"])).map(lambda t: Literal(t[0], lang=t[1])),
    st.integers(-(10**12), 10**12).map(Literal),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(
        lambda d: Literal(str(d), datatype=XSD.decimal)
    ),
    st.booleans().map(Literal),
)


@settings(max_examples=200, deadline=None)
@given(term=literals)
def test_terms_round_trip_through_oxigraph(term: Literal) -> None:
    back = from_oxigraph(to_oxigraph(term))
    assert back == normalize_term(term)
    if term.datatype == XSD.decimal:
        assert Decimal(str(back)) == Decimal(str(term))


def test_default_store_is_oxigraph(small_kg: KnowledgeGraph, small_graph: Graph) -> None:
    assert small_kg.store.name == "oxigraph"
    assert small_kg.store.triple_count() == len(small_graph)
    assert KnowledgeGraph.load(data_dir=SMALL, engine="rdflib").store.name == "rdflib"
