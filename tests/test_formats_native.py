"""The endpoint's fast path writes the same answers as the rdflib-term path it replaces.

``serialise_native`` (pyoxigraph's writers on pyoxigraph's result) against ``serialise`` (the
result converted to normalised rdflib terms, written by rdflib), in every results format, on
the real graph: every catalogue query that needs no parameter, plus queries that compute
numbers, leave variables unbound and make blank nodes.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pyoxigraph as ox
import pytest

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.store import OxigraphStore
from amkg.queries.catalogue import default_catalogue
from amkg.queries.formats import CSV, JSON, RESULT_FORMATS, TSV, XML, serialise, serialise_native

_OX = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "tsv": ox.QueryResultsFormat.TSV,
}
EXTRA = {
    "computed numbers": """PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        SELECT (COUNT(*) AS ?n) (AVG(?n2) AS ?mean) (1.0 / 3 AS ?third) (xsd:double("2.50") AS ?d)
               (xsd:decimal("007.10") AS ?dec) (xsd:boolean("1") AS ?b)
        WHERE { ?s ?p ?o BIND(1 AS ?n2) }""",
    "unbound and languages": """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?s ?nl ?missing WHERE {
          ?s skos:prefLabel ?nl FILTER(LANG(?nl) = "nl")
          OPTIONAL { ?s <urn:amkg:test:nothing> ?missing }
        } ORDER BY ?s ?nl LIMIT 40""",
    "blank nodes": "SELECT ?b WHERE { BIND(BNODE('x') AS ?b) }",
    "booleans": "SELECT ?t ?f WHERE { BIND(true AS ?t) BIND(false AS ?f) }",
    "empty": "SELECT ?s WHERE { ?s a <urn:amkg:test:nothing> }",
    "ask true": "ASK { ?s ?p ?o }",
    "ask false": "ASK { ?s a <urn:amkg:test:nothing> }",
}


@pytest.fixture(scope="module")
def store(kg: KnowledgeGraph) -> OxigraphStore:
    assert isinstance(kg.store, OxigraphStore)
    return kg.store


def _queries() -> dict[str, str]:
    texts = {q.name: q.sparql for q in default_catalogue() if not q.params}
    return {**texts, **EXTRA}


def _table(body: bytes, key: str) -> Any:
    """An answer as comparable data: its rows of terms in order, or its boolean. CSV is read
    as text (it is not meant to be parsed back into terms); the others by pyoxigraph."""
    if key == "csv":
        return list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    parsed = ox.parse_query_results(body, format=_OX[key])
    if isinstance(parsed, ox.QueryBoolean):
        return bool(parsed)
    names = [v.value for v in parsed.variables]
    return names, [[str(solution[name]) for name in names] for solution in parsed]


@pytest.mark.parametrize("fmt", RESULT_FORMATS, ids=lambda f: f.key)
@pytest.mark.parametrize("name", sorted(_queries()))
def test_native_and_converted_answers_agree(store: OxigraphStore, name: str, fmt: Any) -> None:
    text = _queries()[name]
    native = serialise_native(store.query_native(text), fmt, row_limit=10_000)
    converted = serialise(store.query(text), fmt, row_limit=10_000)
    assert (native.rows, native.truncated) == (converted.rows, converted.truncated)
    assert _table(native.body, fmt.key) == _table(converted.body, fmt.key)


@pytest.mark.parametrize("fmt", RESULT_FORMATS, ids=lambda f: f.key)
def test_the_row_limit_cuts_every_format(store: OxigraphStore, fmt: Any) -> None:
    text = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 7"
    cut = serialise_native(store.query_native(text), fmt, row_limit=3)
    whole = serialise_native(store.query_native(text), fmt, row_limit=7)
    assert (cut.rows, cut.truncated, whole.rows, whole.truncated) == (3, True, 7, False)
    table = _table(cut.body, fmt.key)
    rows = table[1:] if fmt is CSV else table[1]
    assert (
        rows
        == (_table(whole.body, fmt.key)[1:] if fmt is CSV else _table(whole.body, fmt.key)[1])[:3]
    )


def test_literals_with_quotes_and_newlines_survive_csv_and_tsv(store: OxigraphStore) -> None:
    text = 'SELECT ?x WHERE { VALUES ?x { "a,\\"b\\"\\nc"@NL } }'
    for fmt in (CSV, TSV, JSON, XML):
        answer = serialise_native(store.query_native(text), fmt)
        assert answer.rows == 1
    tsv = serialise_native(store.query_native(text), TSV).body.decode()
    assert tsv == '?x\n"a,\\"b\\"\\nc"@nl\n'
    body = serialise_native(store.query_native(text), JSON).body
    assert json.loads(body)["results"]["bindings"] == [
        {"x": {"type": "literal", "value": 'a,"b"\nc', "xml:lang": "nl"}}
    ]
    csv_rows = _table(serialise_native(store.query_native(text), CSV).body, "csv")
    assert csv_rows == [["x"], ['a,"b"\nc']]


def test_a_graph_format_is_refused(store: OxigraphStore) -> None:
    from amkg.queries.formats import TURTLE, FormatError

    with pytest.raises(FormatError):
        serialise_native(store.query_native("ASK {}"), TURTLE)
    assert JSON in RESULT_FORMATS
