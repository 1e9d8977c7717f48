"""The dataset description (DCAT and VoID): the graph from ``dataset-description.rq`` and
the page data built from it.

The description is metadata about the graph, not part of the deck's facts: its static part
lives in ``graph/data/dataset.ttl``, the address-bound part and the statistics are added by the
CONSTRUCT in ``queries/internal/dataset-description.rq`` (``?base`` bound to the app's root).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS

from amkg.queries.internal import text

from .common import KG_, pick_text

DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")
DATASET = URIRef("https://w3id.org/amkg/dataset")
CATALOG = URIRef("https://w3id.org/amkg/dataset/catalogus")
#: Prefixes of the served Turtle and JSON-LD.
PREFIXES = {
    "dcat": DCAT,
    "void": VOID,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "prov": Namespace("http://www.w3.org/ns/prov#"),
    "kg": Namespace("https://w3id.org/amkg/id/"),
    "amkg": Namespace("https://w3id.org/amkg/def#"),
}
#: Known licences and formats by IRI, for a readable page.
NAMES = {
    "http://publications.europa.eu/resource/authority/licence/EUPL_1_2": "EUPL 1.2",
    "http://publications.europa.eu/resource/authority/file-type/RDF_TURTLE": "Turtle",
    "http://publications.europa.eu/resource/authority/file-type/RDF_N_TRIPLES": "N-Triples",
    "http://publications.europa.eu/resource/authority/file-type/JSON_LD": "JSON-LD",
    "http://publications.europa.eu/resource/authority/file-type/XML": "XML (GraphML)",
}


#: The order of the distributions on the page: the RDF files, the projection, the endpoint.
ORDER = ("turtle", "n-triples", "json-ld", "graphml", "sparql-distributie")


def _order(node: object) -> tuple[int, str]:
    name = str(node).rsplit("/", 1)[-1]
    return (ORDER.index(name) if name in ORDER else len(ORDER), str(node))


def description(kg: KG_, base: str) -> Graph:
    """The description as an rdflib graph; ``base`` is the app's root URL ending in ``/``."""
    result = kg.store.query(text("dataset-description"), {"base": Literal(base)})
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for triple in result.graph or ():
        graph.add(triple)
    return graph


def _int(graph: Graph, subject: URIRef, prop: URIRef) -> int | None:
    value = graph.value(subject, prop)
    return int(value.toPython()) if isinstance(value, Literal) else None


def _iri(graph: Graph, subject: URIRef, prop: URIRef) -> dict[str, str] | None:
    value = graph.value(subject, prop)
    if value is None:
        return None
    return {"iri": str(value), "label": NAMES.get(str(value), str(value))}


def build(graph: Graph, lang: str) -> dict[str, Any]:
    """The page data (the ``.json`` twin) of ``/dataset`` in ``lang``."""

    def txt(subject: URIRef, prop: URIRef) -> str | None:
        return pick_text(graph.objects(subject, prop), lang)

    publisher = graph.value(DATASET, DCTERMS.publisher)
    service = graph.value(CATALOG, DCAT.service)
    distributions = [
        {
            "iri": str(d),
            "title": txt(d, DCTERMS.title),
            "description": txt(d, DCTERMS.description),
            "format": _iri(graph, d, DCTERMS["format"]),
            "media_type": str(graph.value(d, DCAT.mediaType) or "") or None,
            "access_url": str(graph.value(d, DCAT.accessURL) or "") or None,
            "access_path": urlsplit(str(graph.value(d, DCAT.accessURL) or "")).path or None,
        }
        for d in sorted(graph.objects(DATASET, DCAT.distribution), key=_order)
        if isinstance(d, URIRef)
    ]
    counted = sorted(
        (
            (_int(graph, p, VOID.entities) or 0, str(graph.value(p, VOID["class"])))
            for p in graph.objects(DATASET, VOID.classPartition)
            if isinstance(p, URIRef)
        ),
        key=lambda pair: (-pair[0], pair[1]),
    )
    partitions = [{"class": cls, "entities": n} for n, cls in counted]
    sources = [
        {"iri": str(s), "label": txt(s, RDFS.label) or str(s), "title": txt(s, DCTERMS.title)}
        for s in sorted(
            graph.objects(DATASET, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")), key=str
        )
        if isinstance(s, URIRef)
    ]
    return {
        "iri": str(DATASET),
        "types": sorted(str(t) for t in graph.objects(DATASET, RDF.type)),
        "title": txt(DATASET, DCTERMS.title),
        "description": txt(DATASET, DCTERMS.description),
        "version": str(graph.value(DATASET, DCAT.version) or graph.value(DATASET, OWL.versionInfo)),
        "license": _iri(graph, DATASET, DCTERMS.license),
        "publisher": txt(publisher, FOAF.name) if isinstance(publisher, URIRef) else None,
        "keywords": sorted(
            str(k)
            for k in graph.objects(DATASET, DCAT.keyword)
            if isinstance(k, Literal) and k.language == lang
        ),
        "sources": sources,
        "landing_page": str(graph.value(DATASET, DCAT.landingPage) or ""),
        "sparql_endpoint": str(graph.value(DATASET, VOID.sparqlEndpoint) or ""),
        "service": {
            "iri": str(service),
            "title": txt(service, DCTERMS.title),
            "endpoint_url": str(graph.value(service, DCAT.endpointURL) or ""),
        }
        if isinstance(service, URIRef)
        else None,
        "statistics": {
            "triples": _int(graph, DATASET, VOID.triples),
            "entities": _int(graph, DATASET, VOID.entities),
            "classes": _int(graph, DATASET, VOID.classes),
            "properties": _int(graph, DATASET, VOID.properties),
            "distinct_subjects": _int(graph, DATASET, VOID.distinctSubjects),
            "distinct_objects": _int(graph, DATASET, VOID.distinctObjects),
        },
        "class_partitions": partitions,
        "distributions": distributions,
        "formats": {
            "turtle": "/dataset.ttl",
            "jsonld": "/dataset.jsonld",
            "ntriples": "/dataset.nt",
            "void": "/.well-known/void",
        },
    }
