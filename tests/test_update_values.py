"""Rows bound into a SPARQL update (graph/values.py, used by graph/changes_remote.py): each term
written faithfully or refused, ``UNDEF`` for none, and the block placed after ``WHERE``, never
in a template."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from amkg.graph.values import UnfaithfulValues, rows_clause, update_with_rows

UPDATE = (
    "DELETE { GRAPH ?data { ?s ?p ?o } }\nINSERT { GRAPH ?graph { ?s ?p ?o } }\n"
    "WHERE { FILTER (?s != <urn:never>) }"
)
G, S, P = URIRef("urn:g"), URIRef("urn:s"), URIRef("urn:p")


def test_rows_go_after_where_and_an_update_runs_them_as_written() -> None:
    tricky = Literal('een "citaat" met\nregel } en { haken', lang="nl")
    text = update_with_rows(UPDATE, ("data", "graph", "s", "p", "o"),
                            [(None, G, S, P, tricky), (None, G, S, P, Literal(3))])  # fmt: skip
    assert text.index("VALUES") > text.index("WHERE")
    assert "UNDEF" in text
    store = ox.Store()
    store.update(text)
    found = {str(q.object) for q in store.quads_for_pattern(None, None, None, ox.NamedNode(G))}
    number = '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert found == {str(ox.Literal(str(tricky), language="nl")), number}
    removal = update_with_rows(UPDATE, ("data", "graph", "s", "p", "o"), [(G, None, S, P, tricky)])
    store.update(removal)
    assert len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(G)))) == 1


def test_a_value_that_would_read_back_as_another_is_refused() -> None:
    bad = Literal("\\u0022 } ; DROP ALL ; #")
    with pytest.raises(UnfaithfulValues):
        rows_clause(("o",), [(bad,)])
    with pytest.raises(UnfaithfulValues):  # among good ones, checked in one parse first
        rows_clause(("o",), [(Literal("goed"),), (bad,), (Literal(7),)])
    assert "UNDEF" in rows_clause(("s", "o"), [(S, None), (None, Literal("goed"))])
    with pytest.raises(UnfaithfulValues):
        rows_clause(("bad name",), [(S,)])
    with pytest.raises(ValueError, match="2 values for 1"):
        rows_clause(("o",), [(S, P)])
