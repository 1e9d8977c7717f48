"""An OWL 2 RL reasoner (owlrl, the library pyshacl uses) finds no inconsistency in the graph.

The ontology, the data and the axioms of the reused vocabularies that matter here
(tests/data/standards/axioms.ttl: OWL-Time's disjoint Instant and ProperInterval and the
domains of its positions, SKOS's disjoint classes and the domains of its relations) are read
into one rdflib graph and closed under OWL-RL semantics. owlrl reports an inconsistency (a
member of owl:Nothing, a violated owl:disjointWith, ...) as an ``err:ErrorMessage`` node; there
must be none. The mutations on the small fixture show that the check can fail.
"""

from __future__ import annotations

from pathlib import Path

import owlrl
import pytest
from owlrl.Namespaces import ERRNS
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD, Namespace

from amkg.graph.load import load_graph
from amkg.graph.paths import data_files, ontology_files

AXIOMS = Path(__file__).resolve().parent / "data" / "standards" / "axioms.ttl"
SMALL = Path(__file__).resolve().parent / "data" / "small"
KG = Namespace("https://w3id.org/amkg/id/")
AMKG = Namespace("https://w3id.org/amkg/def#")
TIME = Namespace("http://www.w3.org/2006/time#")


def inconsistencies(graph: Graph) -> list[str]:
    graph.parse(AXIOMS, format="turtle")
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return sorted(str(m) for m in graph.objects(None, ERRNS.error))


def test_the_real_graph_is_consistent_under_owl_rl() -> None:
    assert inconsistencies(load_graph(ontology_files(), data_files())) == []


def test_the_small_graph_is_consistent_under_owl_rl() -> None:
    assert inconsistencies(load_graph(ontology_files(), data_files(SMALL))) == []


@pytest.mark.parametrize(
    "triple",
    [
        # A planning with a year-month position, as before: OWL-Time makes it an Instant,
        # which is disjoint with the ProperInterval it is.
        (KG["planning-2023-03"], TIME.inXSDgYearMonth, Literal("2023-03", datatype=XSD.gYearMonth)),
        # A planning typed as both of two disjoint classes.
        (KG["planning-2023-03"], RDF.type, TIME.Instant),
        # A concept of the vocabularies that is a concept scheme as well (SKOS S9).
        (AMKG.unitCount, RDF.type, SKOS.ConceptScheme),
    ],
    ids=["instant-position-on-interval", "instant-and-interval", "concept-and-scheme"],
)
def test_a_mutation_makes_the_reasoner_report_an_inconsistency(
    triple: tuple[URIRef, URIRef, URIRef | Literal],
) -> None:
    graph = load_graph(ontology_files(), data_files(SMALL))
    graph.add(triple)
    assert inconsistencies(graph) != []
