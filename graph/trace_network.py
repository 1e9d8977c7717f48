"""The network the tracer works on: the projection with entities, notes and a label index.

:func:`network` builds a :class:`Network` once per :class:`~graph.kg.KnowledgeGraph` and caches
it (the graph does not change once loaded); :mod:`graph.trace`, :mod:`graph.resolve` and the
graph explorer share it.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import networkx as nx
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import AMKG, QB
from amkg.graph.projection import project
from amkg.graph.trace_types import Entity, Link, Step, Text, fold


class Network:
    """The projection with what the tracer needs beside it: entities, notes, a label index."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        graph = self.graph = kg.graph  # not ``kg``: the cache holds this weakly keyed by kg
        self.multi = project(graph, "nl")
        self.notes: dict[tuple[str, str, str], Text] = {}
        for statement in graph.subjects(AMKG.inferred, Literal(True)):
            if (statement, RDF.type, RDF.Statement) in graph:
                s, p, o = (
                    str(graph.value(statement, x)) for x in (RDF.subject, RDF.predicate, RDF.object)
                )
                self.notes[(s, p, o)] = self._text(statement, AMKG.inferenceNote)
        self.entities: dict[str, Entity] = {}
        self.by_label: dict[str, set[str]] = {}
        for iri, data in self.multi.nodes(data=True):
            cls_iri = self._expand(data["cls"])
            cls_label = (
                Text(kg.label(cls_iri, "nl"), kg.label(cls_iri, "en")) if cls_iri else Text("", "")
            )
            self.entities[iri] = Entity(
                iri,
                self.prefixed(iri),
                Text(data["label_nl"], data["label_en"]),
                data["cls"],
                cls_label,
            )
            for predicate in (RDFS.label, SKOS.altLabel):
                for value in graph.objects(URIRef(iri), predicate):
                    self.by_label.setdefault(fold(str(value)), set()).add(iri)
        self.statistical = {str(o) for o in graph.subjects(RDF.type, QB.Observation)}
        self._views: dict[bool, nx.Graph] = {}
        self._centrality: dict[bool, tuple[dict[str, float], dict[str, float]]] = {}
        self._lock = threading.Lock()

    def _expand(self, prefixed: str) -> URIRef | None:
        try:
            return self.graph.namespace_manager.expand_curie(prefixed) if prefixed else None
        except ValueError:
            return None

    def prefixed(self, iri: str) -> str:
        try:
            prefix, _, local = self.graph.namespace_manager.compute_qname(iri, generate=False)
        except (KeyError, ValueError):
            return iri
        return f"{prefix}:{local}" if prefix else iri

    def _text(self, subject: Any, predicate: Any) -> Text:
        found = {
            v.language: str(v)
            for v in self.graph.objects(subject, predicate)
            if isinstance(v, Literal)
        }
        return Text(found.get("nl", found.get("en", "")), found.get("en", found.get("nl", "")))

    def view(self, statistics: bool) -> nx.Graph:
        """The undirected simple graph (parallel and opposite links collapsed)."""
        with self._lock:
            if statistics not in self._views:
                simple = nx.Graph(self.multi)
                if not statistics:
                    simple.remove_nodes_from(self.statistical)
                self._views[statistics] = nx.freeze(simple)
            return self._views[statistics]

    def centrality(self, statistics: bool) -> tuple[dict[str, float], dict[str, float]]:
        view = self.view(statistics)
        with self._lock:
            if statistics not in self._centrality:
                self._centrality[statistics] = (
                    nx.degree_centrality(view),
                    nx.betweenness_centrality(view),
                )
            return self._centrality[statistics]

    def links(self, u: str, v: str, backward_only: frozenset[str] | None = None) -> list[Link]:
        """The links between ``u`` and ``v`` seen from ``u``; against the arrow only those in
        ``backward_only`` when given."""
        found = []
        for a, b, forward in ((u, v, True), (v, u, False)):
            for data in (self.multi.get_edge_data(a, b) or {}).values():
                if (
                    not forward
                    and backward_only is not None
                    and data["predicate"] not in backward_only
                ):
                    continue
                key = (a, data["predicate"], b)
                confidence = self._expand(data.get("confidence", ""))
                found.append(
                    Link(
                        data["predicate"],
                        self.prefixed(data["predicate"]),
                        Text(data["label_nl"], data["label_en"]),
                        forward,
                        bool(data["inferred"]),
                        self._text(confidence, RDFS.label) if confidence else None,
                        self.notes.get(key),
                    )
                )
        return sorted(found, key=lambda link: (not link.forward, link.id))

    def step(self, u: str, v: str, backward_only: frozenset[str] | None = None) -> Step:
        return Step(self.entities[u], self.entities[v], tuple(self.links(u, v, backward_only)))


_CACHE: weakref.WeakKeyDictionary[KnowledgeGraph, Network] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def network(kg: KnowledgeGraph) -> Network:
    """The cached :class:`Network` of ``kg`` (the graph does not change once loaded)."""
    with _CACHE_LOCK:
        if kg not in _CACHE:
            _CACHE[kg] = Network(kg)
        return _CACHE[kg]
