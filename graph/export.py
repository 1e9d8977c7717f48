"""Serialise the whole graph (ontology + data) as Turtle, N-Triples, JSON-LD or GraphML.

Every format is read from the store (:meth:`~amkg.graph.store.Store.dump`) and written in a
fixed order, so two exports of the same sources are byte for byte identical, in linear time:

- N-Triples: the store's triples, sorted, one per line, numbers and booleans in canonical form
  (as in query results). Blank nodes (only the ontology's
  ``owl:unionOf`` lists have them) keep the labels the build gave them, which depend only on
  the source file and the order of appearance (:func:`amkg.graph.build.parse_source`), so no
  canonicalisation (exponential on some inputs) is needed.
- Turtle: the same sorted triples, written by pyoxigraph with the graph's prefixes.
- JSON-LD: pyoxigraph's JSON-LD of the sorted triples, with the graph's prefixes as the
  ``@context`` and property names, ``@id`` values and ``@type`` values written as compact IRIs.
- GraphML: the projection of :mod:`amkg.graph.projection` (domain entities and their links).
"""

from __future__ import annotations

import io
import json
from typing import Any

import networkx as nx
import pyoxigraph as ox
from rdflib import URIRef

from amkg.graph.formats import EXPORT_FORMATS
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.projection import project
from amkg.graph.terms import canonical_lexical

FORMATS = EXPORT_FORMATS
MEDIA_TYPES = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "graphml": "application/graphml+xml",
}


def _canonical(term: Any) -> Any:
    """Numbers and booleans in the canonical lexical form the query results use too (the store
    keeps their values, not their spellings: ``23.0`` and ``23`` as xsd:decimal are one value)."""
    if isinstance(term, ox.Literal) and not term.language:
        canonical = canonical_lexical(term.value, term.datatype.value)
        if canonical is not None and canonical != term.value:
            return ox.Literal(canonical, datatype=term.datatype)
    return term


def canonical_ntriples(kg: KnowledgeGraph) -> bytes:
    """Sorted, de-duplicated N-Triples of the whole graph."""
    triples = ox.parse(kg.store.dump(), format=ox.RdfFormat.N_TRIPLES)
    lines = {str(ox.Triple(q.subject, q.predicate, _canonical(q.object))) + " ." for q in triples}
    ordered = sorted(lines)
    return ("\n".join(ordered) + "\n").encode("utf-8") if ordered else b""


def _sorted_triples(kg: KnowledgeGraph) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(canonical_ntriples(kg), format=ox.RdfFormat.N_TRIPLES)]


def turtle(kg: KnowledgeGraph) -> bytes:
    """Turtle with the graph's prefixes, subjects in sorted order."""
    written = ox.serialize(_sorted_triples(kg), format=ox.RdfFormat.TURTLE, prefixes=kg.prefixes)
    return written or b""


def _compact(kg: KnowledgeGraph, iri: str) -> str:
    return iri if iri.startswith("_:") else kg.prefixed(URIRef(iri))


def _compact_node(kg: KnowledgeGraph, node: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "@id":
            out[key] = _compact(kg, value)
        elif key == "@type":
            out[key] = [_compact(kg, t) for t in value] if isinstance(value, list) else value
        elif key.startswith("@"):
            out[key] = value
        else:
            out[_compact(kg, key)] = [
                {**v, "@id": _compact(kg, v["@id"])} if isinstance(v, dict) and "@id" in v else v
                for v in value
            ]
    return out


def jsonld(kg: KnowledgeGraph) -> bytes:
    """JSON-LD with the graph's prefixes as the context, nodes in sorted order."""
    written = ox.serialize(_sorted_triples(kg), format=ox.RdfFormat.JSON_LD)
    nodes = json.loads(written) if written else []
    if isinstance(nodes, dict):
        nodes = nodes.get("@graph", [nodes])
    document = {
        "@context": dict(sorted(kg.prefixes.items())),
        "@graph": sorted((_compact_node(kg, n) for n in nodes), key=lambda n: n.get("@id", "")),
    }
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def graphml(kg: KnowledgeGraph, lang: str = "nl") -> bytes:
    """The projection as GraphML (readable by ``networkx.read_graphml``, Gephi, yEd)."""
    buffer = io.BytesIO()
    nx.write_graphml(project(kg, lang), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def export(kg: KnowledgeGraph, fmt: str) -> bytes:
    """The graph in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "ttl":
        return turtle(kg)
    if fmt == "nt":
        return canonical_ntriples(kg)
    if fmt == "jsonld":
        return jsonld(kg)
    if fmt == "graphml":
        return graphml(kg)
    raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
