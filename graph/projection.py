"""The graph as a network of domain entities, for path, impact and hub analysis and GraphML.

Nodes are the deck's resources (``kg:`` IRIs); edges are the object-property links between
them. Left out: literals, the source apparatus (citations, slides, the deck), the Data Cube
structure definitions, ``rdf:Statement`` nodes and vocabulary concepts (``amkg:increase``,
``amkg:unitCount``, ...: they are not ``kg:`` resources). A reified statement does not become
a node: its ``amkg:inferred`` flag (and confidence) lands on the edge it describes.
"""

from __future__ import annotations

import networkx as nx
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from amkg.graph.load import AMKG, KG, QB

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


def _prefixed(graph: Graph, iri: Node) -> str:
    try:
        prefix, _, local = graph.namespace_manager.compute_qname(str(iri), generate=False)
    except (KeyError, ValueError):
        return str(iri)
    return f"{prefix}:{local}" if prefix else str(iri)


def _labels(graph: Graph, iri: Node) -> dict[str, str]:
    found: dict[str, str] = {}
    for value in sorted(graph.objects(iri, RDFS.label), key=str):
        if isinstance(value, Literal):
            found.setdefault(value.language or "", str(value))
    return found


def _label(labels: dict[str, str], lang: str, fallback: str) -> str:
    for candidate in (lang, "nl", "en", ""):
        if candidate in labels:
            return labels[candidate]
    return fallback


def _is_true(value: Node | None) -> bool:
    return isinstance(value, Literal) and value.toPython() is True


def most_specific_class(graph: Graph, node: Node) -> URIRef | None:
    """The node's type that no other of its types specialises (``amkg:`` classes first)."""
    types = {t for t in graph.objects(node, RDF.type) if isinstance(t, URIRef)}
    candidates = [
        t
        for t in types
        if not any(
            other != t and t in set(graph.transitive_objects(other, RDFS.subClassOf))
            for other in types
        )
    ]
    if not candidates:
        return None
    return sorted(candidates, key=lambda t: (not t.startswith(str(AMKG)), str(t)))[0]


def domain_nodes(graph: Graph) -> set[URIRef]:
    """The ``kg:`` resources that are domain entities."""
    nodes: set[URIRef] = set()
    for term in set(graph.subjects()) | set(graph.objects()):
        if (
            isinstance(term, URIRef)
            and term.startswith(str(KG))
            and not set(graph.objects(term, RDF.type)) & LEFT_OUT_CLASSES
        ):
            nodes.add(term)
    return nodes


def reified_flags(graph: Graph) -> dict[tuple[Node, Node, Node], tuple[bool, Node | None]]:
    """For each reified triple: (inferred?, confidence). An inferred reading wins."""
    flags: dict[tuple[Node, Node, Node], tuple[bool, Node | None]] = {}
    for statement in graph.subjects(RDF.type, RDF.Statement):
        triple = (
            graph.value(statement, RDF.subject),
            graph.value(statement, RDF.predicate),
            graph.value(statement, RDF.object),
        )
        inferred = _is_true(graph.value(statement, AMKG.inferred))
        if not flags.get(triple, (False, None))[0]:
            flags[triple] = (inferred, graph.value(statement, AMKG.confidence))
    return flags


def project(graph: Graph, lang: str = "nl") -> nx.MultiDiGraph:
    """The network of domain entities; see the module docstring for what is left out.

    Node attributes: ``iri``, ``label`` (in ``lang``), ``label_nl``, ``label_en``, ``cls``.
    Edge attributes (key = the predicate's prefixed name): ``predicate`` (IRI), ``label``,
    ``label_nl``, ``label_en``, ``inferred`` (bool), ``confidence`` (prefixed, or "").
    Every attribute is a string or a bool, so the network can be written as GraphML.
    """
    network = nx.MultiDiGraph(lang=lang)
    nodes = domain_nodes(graph)
    for node in sorted(nodes):
        labels = _labels(graph, node)
        cls = most_specific_class(graph, node)
        prefixed = _prefixed(graph, node)
        network.add_node(
            str(node),
            iri=str(node),
            label=_label(labels, lang, prefixed),
            label_nl=_label(labels, "nl", prefixed),
            label_en=_label(labels, "en", prefixed),
            cls=_prefixed(graph, cls) if cls is not None else "",
        )
    flags = reified_flags(graph)
    predicate_labels: dict[Node, dict[str, str]] = {}
    links = (
        (s, p, o)
        for s, p, o in graph
        if s in nodes and o in nodes and p != RDF.type and isinstance(p, URIRef)
    )
    for s, p, o in sorted(links):
        if p not in predicate_labels:
            predicate_labels[p] = _labels(graph, p)
        labels, key = predicate_labels[p], _prefixed(graph, p)
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
            confidence=_prefixed(graph, confidence) if confidence is not None else "",
        )
    return network
