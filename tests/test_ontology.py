"""The ontology documents itself: every term has Dutch and English labels and comments, a
domain and a range, and every amkg: term the data uses is declared."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import load_graph
from amkg.graph.paths import data_files, ontology_files

AMKG = "https://w3id.org/amkg/def#"


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_graph(ontology_files(), [])


def _terms(g: Graph, kinds: tuple[URIRef, ...]) -> list[URIRef]:
    found = {s for kind in kinds for s in g.subjects(RDF.type, kind)}
    return sorted(t for t in found if isinstance(t, URIRef) and str(t).startswith(AMKG))


def _langs(g: Graph, s: URIRef, p: URIRef) -> set[str | None]:
    return {getattr(o, "language", None) for o in g.objects(s, p)}


PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty)


def test_the_ontology_declares_classes_and_properties(ontology: Graph) -> None:
    assert len(_terms(ontology, (OWL.Class,))) >= 40
    assert len(_terms(ontology, PROPERTY_KINDS)) >= 60


def test_every_class_and_property_has_labels_and_comments_in_both_languages(
    ontology: Graph,
) -> None:
    missing = [
        (str(term), prop.fragment if hasattr(prop, "fragment") else str(prop))
        for term in _terms(ontology, (OWL.Class, *PROPERTY_KINDS))
        for prop in (RDFS.label, RDFS.comment)
        if not {"nl", "en"} <= _langs(ontology, term, prop)
    ]
    assert missing == []


def test_every_property_has_a_domain_and_a_range(ontology: Graph) -> None:
    missing = [
        str(p)
        for p in _terms(ontology, PROPERTY_KINDS)
        if ontology.value(p, RDFS.domain) is None or ontology.value(p, RDFS.range) is None
    ]
    assert missing == []


def test_every_amkg_term_the_data_uses_is_declared(ontology: Graph) -> None:
    data = load_graph([], data_files())
    used = {p for p in data.predicates() if str(p).startswith(AMKG)}
    used |= {o for o in data.objects(None, RDF.type) if str(o).startswith(AMKG)}
    used |= {o for o in data.objects() if isinstance(o, URIRef) and str(o).startswith(AMKG)}
    declared = {s for s in ontology.subjects() if str(s).startswith(AMKG)}
    assert sorted(map(str, used - declared)) == []


def test_the_real_graph_loads_the_ontology_and_the_data(kg: KnowledgeGraph) -> None:
    assert OWL.Class in kg.describe(URIRef(AMKG + "Track")).types
    assert kg.instances(URIRef(AMKG + "Track"))
