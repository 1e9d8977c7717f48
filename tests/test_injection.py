"""User input never changes a catalogue query: property-based tests over every parameter.

For each parameter of each query, arbitrary text (quotes, braces, ``"} UNION { ?s ?p ?o }``,
``\\u0022``, IRIs with spaces, ``>``, newlines ...) is either rejected with a
:class:`ParameterError` naming that parameter, before anything reaches the store, or bound
harmlessly: the store receives the ``.rq`` file's query text byte for byte, the bound term is
the one a legitimate value of the declared type gives, and so is the result.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.paths import DATA_DIR
from amkg.graph.store import QueryResult
from amkg.queries.catalogue import ParameterError, bind, default_catalogue, run
from amkg.queries.golden import golden_rows
from tests.helpers import reference_graph

CATALOGUE = default_catalogue()
PARAMS = [(q.name, p.name) for q in CATALOGUE for p in q.params]

NASTY = [
    '"} UNION { ?s ?p ?o }',
    '"} UNION { ?s ?p ?o } #',
    "') } UNION { ?s ?p ?o } #",
    "\\u0022} UNION { ?s ?p ?o }",
    "\\u0022",
    '"',
    "'",
    '"""',
    "{",
    "}",
    ">",
    "<",
    "<https://w3id.org/amkg/id/spoor 3>",
    "https://w3id.org/amkg/id/spoor 3",
    "kg:spoor-3> . ?s ?p ?o . <x:y",
    "kg:spoor-3\n",
    "kg:spoor-3 } UNION { ?s ?p ?o",
    "line\nbreak",
    "\r\n",
    "# comment",
    "?s",
    "$x",
    "\\",
    "\\n",
    '"@en',
    '"^^<http://www.w3.org/2001/XMLSchema#integer>',
    "1 || true",
    "1) || (true",
    "3",
    "2023-01-01",
    '2023-01-01"^^xsd:date } #',
    "SZW",
    "kg:szw",
    "Spoor 3",
    "arbeidsmigrant",
    "nl",
    "en",
    "",
    " ",
    "é",
    "\u202e",
    "\ufeff",
]
TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.lists(st.sampled_from(NASTY), min_size=2, max_size=4).map("".join),
    st.tuples(st.sampled_from(NASTY), st.text(max_size=12)).map("".join),
)


@functools.cache
def real_kg() -> KnowledgeGraph:
    return KnowledgeGraph.load(data_dir=DATA_DIR)


class SpyStore:
    """Records every query and its bindings, then lets the real store answer."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.name = f"spy({store.name})"
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def query(self, sparql: str, bindings: Any = None) -> QueryResult:
        self.calls.append((sparql, dict(bindings or {})))
        return self.store.query(sparql, bindings)

    def triple_count(self) -> int:
        return self.store.triple_count()


class SpiedKG:
    """The knowledge graph's own reads (label index, instances) from ``kg``; its store a spy,
    so that ``calls`` holds exactly what the catalogue sent."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.store = SpyStore(kg.store)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.kg, name)


@functools.cache
def reference() -> Any:
    """The Turtle parsed by rdflib: where a bound IRI is checked to be a resource."""
    return reference_graph(DATA_DIR)


def legitimate(declared: Any, text: str, bound: Any) -> Any:
    """The term a legitimate value of the type gives, built without the catalogue."""
    kind = declared.type
    if kind == "string":
        return Literal(text.strip() if declared.values else text)
    if kind == "integer":
        return Literal(int(text.strip()), datatype=XSD.integer)
    if kind == "date":
        day = datetime.date.fromisoformat(text.strip())
        return Literal(day.isoformat(), datatype=XSD.date)
    assert isinstance(bound, URIRef)
    assert (bound, None, None) in reference()
    return URIRef(str(bound))


@pytest.mark.parametrize(("name", "param"), PARAMS)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT)
def test_any_text_is_rejected_or_bound_harmlessly(name: str, param: str, text: str) -> None:
    query = CATALOGUE.get(name)
    declared = query.param(param)
    assert declared is not None
    spied = SpiedKG(real_kg())
    rejected: ParameterError | None = None
    try:
        outcome = run(spied, name, {param: text}, catalogue=CATALOGUE)
    except ParameterError as error:
        rejected = error
    if rejected is not None:
        assert spied.store.calls == []  # nothing reached the store
        if rejected.param != param:  # the text bound; another parameter's default did not
            with pytest.raises(ParameterError):
                bind(query, {}, real_kg())
            return
        assert f"parameter '{param}'" in str(rejected)
        return
    if not outcome.bindings:  # nothing bound: the graph's answer of this version, kept
        assert spied.store.calls in ([], [(query.sparql, {})])  # (queries/catalogue.run)
        expected = real_kg().store.query(query.sparql)
        assert golden_rows(outcome.rows) == golden_rows(expected.rows)
        return
    [(sparql, bindings)] = spied.store.calls
    assert sparql.encode("utf-8") == query.sparql.encode("utf-8")
    assert query.path.read_bytes().endswith(sparql.encode("utf-8"))
    if not text.strip():  # empty: the default was bound instead
        return
    reference = legitimate(declared, text, bindings[param])
    assert bindings[param] == reference
    expected = real_kg().store.query(query.sparql, {**bindings, param: reference})
    rows = golden_rows(outcome.rows)
    assert rows == golden_rows(expected.rows) or rows == []


@settings(max_examples=60, deadline=None)
@given(text=TEXT)
def test_the_label_search_only_finds_labels_containing_the_text(text: str) -> None:
    try:
        outcome = run(real_kg(), "zoek-label", {"text": text}, catalogue=CATALOGUE)
    except ParameterError:
        return
    wanted = text.lower() if text.strip() else "vakkracht"
    for row in outcome.rows:
        assert wanted in str(row["matched"]).lower()


@pytest.mark.parametrize("text", ['"} UNION { ?s ?p ?o }', "\\u0022} UNION { ?s ?p ?o }"])
def test_a_union_in_the_search_text_finds_nothing(text: str) -> None:
    outcome = run(real_kg(), "zoek-label", {"text": text}, catalogue=CATALOGUE)
    assert outcome.bindings["text"] == Literal(text)
    assert len(str(outcome.bindings["text"])) == len(text)  # \u0022 stays six characters
    assert outcome.rows == []


@pytest.mark.parametrize(
    "text",
    ["kg:spoor-3> } UNION { ?s ?p ?o", "<https://w3id.org/amkg/id/spoor 3>", "kg:spoor-3>"],
)
def test_an_iri_that_is_not_a_resource_of_the_class_is_rejected(text: str) -> None:
    with pytest.raises(ParameterError) as caught:
        run(real_kg(), "trajecten-per-spoor", {"track": text}, catalogue=CATALOGUE)
    assert caught.value.param == "track"


# --- bound values written out as text (the editor link, the HTTP benchmark) ----------------


@settings(max_examples=200, deadline=None)
@given(text=TEXT, lang=st.sampled_from([None, "nl", "en"]))
def test_values_text_reads_back_as_the_bound_terms_or_is_refused(
    text: str, lang: str | None
) -> None:
    """Checked with the other engine's parser too: pyoxigraph runs what the benchmark sends."""
    import pyoxigraph as ox

    from amkg.graph.terms import to_oxigraph
    from amkg.queries.binding import values_clause

    term = Literal(text, lang=lang)
    bindings = {"entity": URIRef("https://w3id.org/amkg/id/spoor-3"), "q": term}
    refused = None
    try:
        clause = values_clause(bindings)
    except ParameterError as error:
        refused = error
    if refused is not None:
        assert "written as query text" in str(refused)
        return
    [row] = list(ox.Store().query(f"SELECT ?entity ?q WHERE {{ {clause} }}"))
    assert [row["entity"], row["q"]] == [to_oxigraph(v) for v in bindings.values()]


def test_a_backslash_u_sequence_is_refused_as_values_text() -> None:
    from amkg.queries.binding import values_clause

    # rdflib reads "a\\u0022b" back as a"b: the text would not mean what was bound
    with pytest.raises(ParameterError):
        values_clause({"q": Literal("a\\u0022b")})
    with pytest.raises(ParameterError):
        values_clause({"not a name": Literal("x")})
    assert values_clause({}) == ""
