r"""The SPARQL 1.1 Service Description of ``/sparql`` (``GET /sparql`` without a query): the
endpoint, its languages and result formats, its limits as ``sd:Feature``\s, and its one default
graph with the number of triples, linked to the DCAT/VoID description of the dataset
(:mod:`amkg.webui.dataset`)."""

from __future__ import annotations

from typing import Any

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, VOID

from amkg.graph.load import new_graph
from amkg.queries.formats import ALL_FORMATS

#: The name of the endpoint's one graph: ``default-graph-uri`` may name it (and nothing else).
DEFAULT_GRAPH_IRI = "https://w3id.org/amkg/graph/default"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
DATASET_IRI = URIRef("https://w3id.org/amkg/dataset")
ENTAILMENT_SIMPLE = URIRef("http://www.w3.org/ns/entailment/Simple")

FEATURES = (
    ("authenticated-update", "Updates need a token",
     "SPARQL Update needs Authorization: Bearer with an editor's or administrator's token; "
     "every update passes the role rules and the SHACL gate (422 with the report)."),
    ("no-federation", "No outbound requests",
     "SERVICE, FROM, FROM NAMED and named-graph-uri are refused; default-graph-uri may "
     "only name the default graph."),
    ("time-limit", "Time limit", "A query is stopped after {QUERY_TIMEOUT:g} s (503)."),
    ("row-limit", "Row limit", "An answer holds at most {ROW_LIMIT} rows or triples; a cut "
     "answer has the header X-AMKG-Truncated: true."),
)  # fmt: skip


def service_description(endpoint: str, triples: int, config: Any) -> Graph:
    """The SPARQL 1.1 Service Description of this endpoint, as an rdflib graph."""
    graph = new_graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    service = URIRef(endpoint + "#service")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, DCTERMS.title, Literal("Arbeidsmigratie Kennisgraaf SPARQL endpoint")))
    graph.add((service, SD.endpoint, URIRef(endpoint)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    graph.add((service, SD.defaultEntailmentRegime, ENTAILMENT_SIMPLE))
    for fmt in ALL_FORMATS:
        graph.add((service, SD.resultFormat, URIRef(fmt.w3c)))
    for key, label, comment in FEATURES:
        feature = URIRef(f"{endpoint}#{key}")
        graph.add((service, SD.feature, feature))
        graph.add((feature, RDF.type, SD.Feature))
        graph.add((feature, RDFS.label, Literal(label, lang="en")))
        graph.add((feature, RDFS.comment, Literal(comment.format(**config), lang="en")))
    dataset, default_graph = URIRef(endpoint + "#dataset"), URIRef(DEFAULT_GRAPH_IRI)
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    graph.add((default_graph, VOID.triples, Literal(triples)))
    # The DCAT/VoID description of the dataset this endpoint serves (webui/dataset.py).
    base = endpoint.rsplit("/sparql", 1)[0] + "/"
    graph.add((dataset, DCTERMS.source, DATASET_IRI))
    graph.add((dataset, RDFS.seeAlso, URIRef(base + ".well-known/void")))
    graph.add((DATASET_IRI, VOID.sparqlEndpoint, URIRef(endpoint)))
    graph.add((DATASET_IRI, RDFS.seeAlso, URIRef(base + "dataset")))
    return graph
