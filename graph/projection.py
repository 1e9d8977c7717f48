"""The graph as a network of domain entities, for path, impact and hub analysis and GraphML.

Read from the store with the queries in ``graph/sparql/`` (``projection-terms``,
``projection-links``, ``reified``, ``subclasses``) and the label index of the graph.

Nodes are the deck's resources (``kg:`` IRIs); edges are the object-property links between
them. Left out: literals, the source apparatus (citations, slides, the deck), the Data Cube
structure definitions, ``rdf:Statement`` nodes and vocabulary concepts (``amkg:increase``,
``amkg:unitCount``, ...: they are not ``kg:`` resources). A reified statement does not become
a node: its ``amkg:inferred`` flag (and confidence) lands on the edge it describes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from amkg.graph.load import AMKG, QB
from amkg.graph.rq import DOMAIN

if TYPE_CHECKING:
    from amkg.graph.kg import KnowledgeGraph

LEFT_OUT_CLASSES = frozenset(
    {
        AMKG.Citation,
        AMKG.Slide,
        AMKG.Deck,
        RDF.Statement,
        QB.DataStructureDefinition,
        QB.ComponentSpecification,
    }
)


def _label(labels: dict[str, str], lang: str, fallback: str) -> str:
    for candidate in (lang, "nl", "en", ""):
        if candidate in labels:
            return labels[candidate]
    return fallback


def _rdfs_labels(kg: KnowledgeGraph, iri: Node) -> dict[str, str]:
    """One ``rdfs:label`` per language (the smallest), as the projection has always named things."""
    found: dict[str, str] = {}
    for value in kg.values(iri, RDFS.label):
        found.setdefault(value.language or "", str(value))
    return found


def _is_true(value: Node | None) -> bool:
    return isinstance(value, Literal) and value.toPython() is True


def most_specific_class(types: set[URIRef], superclasses: dict[Node, set[Node]]) -> URIRef | None:
    """The type that no other of ``types`` specialises (``amkg:`` classes first)."""
    candidates = [
        t
        for t in types
        if not any(other != t and t in superclasses.get(other, set()) for other in types)
    ]
    if not candidates:
        return None
    return sorted(candidates, key=lambda t: (not t.startswith(str(AMKG)), str(t)))[0]


def reified_flags(kg: KnowledgeGraph) -> dict[tuple[Node, Node, Node], tuple[bool, Node | None]]:
    """For each reified triple: (inferred?, confidence). An inferred reading wins."""
    flags: dict[tuple[Node, Node, Node], tuple[bool, Node | None]] = {}
    rows = sorted(DOMAIN.select(kg.store, "reified"), key=lambda r: str(r["st"]))
    for row in rows:
        triple = (row["s"], row["p"], row["o"])
        inferred = _is_true(row.get("inferred"))
        if not flags.get(triple, (False, None))[0]:
            flags[triple] = (inferred, row.get("confidence"))
    return flags


def project(kg: KnowledgeGraph, lang: str = "nl") -> nx.MultiDiGraph[str]:
    """The network of domain entities; see the module docstring for what is left out.

    Node attributes: ``iri``, ``label`` (in ``lang``), ``label_nl``, ``label_en``, ``cls``.
    Edge attributes (key = the predicate's prefixed name): ``predicate`` (IRI), ``label``,
    ``label_nl``, ``label_en``, ``inferred`` (bool), ``confidence`` (prefixed, or ""), ``sign``
    ("+", "-" or "?" on an effect's ``amkg:actsOn`` link and on effect chains, else "").
    Every attribute is a string or a bool, so the network can be written as GraphML.
    """
    types: dict[Node, set[URIRef]] = {}
    for row in DOMAIN.select(kg.store, "projection-terms"):
        found = types.setdefault(row["s"], set())
        if isinstance(row.get("type"), URIRef):
            found.add(row["type"])  # type: ignore[arg-type]
    superclasses: dict[Node, set[Node]] = {}
    for row in DOMAIN.select(kg.store, "subclasses"):
        superclasses.setdefault(row["sub"], set()).add(row["super"])
    nodes = {node for node, kinds in types.items() if not kinds & LEFT_OUT_CLASSES}
    network: nx.MultiDiGraph[str] = nx.MultiDiGraph(lang=lang)
    for node in sorted(nodes, key=str):
        labels = _rdfs_labels(kg, node)
        cls = most_specific_class(types[node], superclasses)
        prefixed = kg.prefixed(node)
        network.add_node(
            str(node),
            iri=str(node),
            label=_label(labels, lang, prefixed),
            label_nl=_label(labels, "nl", prefixed),
            label_en=_label(labels, "en", prefixed),
            cls=kg.prefixed(cls) if cls is not None else "",
        )
    flags = reified_flags(kg)
    signs = {
        (r["s"], r["p"], r["o"]): str(r["sign"]) for r in DOMAIN.select(kg.store, "effect-signs")
    }
    predicate_labels: dict[Node, dict[str, str]] = {}
    links = {
        (r["s"], r["p"], r["o"])
        for r in DOMAIN.select(kg.store, "projection-links")
        if r["s"] in nodes and r["o"] in nodes
    }
    for s, p, o in sorted(links, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        if p not in predicate_labels:
            predicate_labels[p] = _rdfs_labels(kg, p)
        labels, key = predicate_labels[p], kg.prefixed(p)
        inferred, confidence = flags.get((s, p, o), (False, None))
        network.add_edge(
            str(s),
            str(o),
            key=key,
            predicate=str(p),
            label=_label(labels, lang, key),
            label_nl=_label(labels, "nl", key),
            label_en=_label(labels, "en", key),
            inferred=inferred,
            confidence=kg.prefixed(confidence) if confidence is not None else "",
            sign=signs.get((s, p, o), ""),
        )
    return network
