"""Serialise the whole graph (ontology + data) as Turtle, N-Triples, JSON-LD or GraphML.

N-Triples are canonical: blank nodes (only the ontology's ``owl:unionOf`` lists have them) are
relabelled by :func:`rdflib.compare.to_canonical_graph` and the lines are sorted, so two
exports of the same graph are byte for byte identical. GraphML is the projection of
:mod:`graph.projection` (domain entities and their links), not every triple.
"""

from __future__ import annotations

import io
import json

import networkx as nx
from rdflib import Graph
from rdflib.compare import to_canonical_graph

from amkg.graph.load import PREFIXES
from amkg.graph.projection import project

FORMATS = ("ttl", "nt", "jsonld", "graphml")
MEDIA_TYPES = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "graphml": "application/graphml+xml",
}


def canonical_ntriples(graph: Graph) -> bytes:
    """Sorted N-Triples with canonical blank-node labels."""
    canonical = to_canonical_graph(graph)
    text = canonical.serialize(format="nt", encoding="utf-8").decode("utf-8")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def jsonld(graph: Graph) -> bytes:
    """JSON-LD, compacted with the project's prefixes as the context."""
    context = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    data = graph.serialize(format="json-ld", context=context, indent=2, sort_keys=True)
    json.loads(data)  # rdflib produced valid JSON, or fail here rather than in a user's tool
    return data.encode("utf-8")


def graphml(graph: Graph, lang: str = "nl") -> bytes:
    """The projection as GraphML (readable by ``networkx.read_graphml``, Gephi, yEd)."""
    buffer = io.BytesIO()
    nx.write_graphml(project(graph, lang), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def export(graph: Graph, fmt: str) -> bytes:
    """The graph in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "ttl":
        return graph.serialize(format="turtle", encoding="utf-8")
    if fmt == "nt":
        return canonical_ntriples(graph)
    if fmt == "jsonld":
        return jsonld(graph)
    if fmt == "graphml":
        return graphml(graph)
    raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
