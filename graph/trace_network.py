"""The network the tracer works on: the projection with entities, notes and a label index.

:func:`network` builds a :class:`Network` once per :class:`~amkg.graph.kg.KnowledgeGraph` and
hangs it on the graph (which does not change once opened); :mod:`amkg.graph.trace`,
:mod:`amkg.graph.resolve` and the graph explorer share it.
"""

from __future__ import annotations

import threading

import networkx as nx
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import AMKG, QB
from amkg.graph.projection import project
from amkg.graph.rq import DOMAIN
from amkg.graph.trace_types import Entity, Link, Step, Text, fold


class Network:
    """The projection with what the tracer needs beside it: entities, notes, a label index."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.multi = project(kg, "nl")
        self.notes: dict[tuple[str, str, str], Text] = {}
        notes: dict[tuple[str, str, str], dict[str, str]] = {}
        for row in DOMAIN.select(kg.store, "reified"):
            note = row.get("note")
            if _is_true(row.get("inferred")) and isinstance(note, Literal):
                key = (str(row["s"]), str(row["p"]), str(row["o"]))
                notes.setdefault(key, {})[note.language or ""] = str(note)
        for key, found in notes.items():
            self.notes[key] = Text(
                found.get("nl", found.get("en", "")), found.get("en", found.get("nl", ""))
            )
        self.entities: dict[str, Entity] = {}
        self.by_label: dict[str, set[str]] = {}
        for iri, data in self.multi.nodes(data=True):
            cls_iri = kg.expand(data["cls"]) if data["cls"] else None
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
                for value in kg.values(URIRef(iri), predicate):
                    self.by_label.setdefault(fold(str(value)), set()).add(iri)
        self.statistical = {str(o) for o in kg.instances(QB.Observation)}
        self.inferred_label = self._label_text(AMKG.inferred)
        self._views: dict[bool, nx.Graph[str]] = {}
        self._centrality: dict[bool, tuple[dict[str, float], dict[str, float]]] = {}
        self._lock = threading.Lock()

    def _expand(self, prefixed: str) -> URIRef | None:
        return self.kg.expand(prefixed) if prefixed else None

    def prefixed(self, iri: str) -> str:
        return self.kg.prefixed(URIRef(iri))

    def _label_text(self, subject: URIRef) -> Text:
        found = {v.language: str(v) for v in self.kg.values(subject, RDFS.label)}
        return Text(found.get("nl", found.get("en", "")), found.get("en", found.get("nl", "")))

    def view(self, statistics: bool) -> nx.Graph[str]:
        """The undirected simple graph (parallel and opposite links collapsed)."""
        with self._lock:
            if statistics not in self._views:
                simple: nx.Graph[str] = nx.Graph(self.multi)
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
                        self._label_text(confidence) if confidence else None,
                        self.notes.get(key),
                        self.inferred_label,
                    )
                )
        return sorted(found, key=lambda link: (not link.forward, link.id))

    def step(self, u: str, v: str, backward_only: frozenset[str] | None = None) -> Step:
        return Step(self.entities[u], self.entities[v], tuple(self.links(u, v, backward_only)))


def network(kg: KnowledgeGraph) -> Network:
    """The :class:`Network` of ``kg``, built once per graph (it hangs on ``kg``)."""
    return kg.derived("trace-network", lambda: Network(kg))


def _is_true(value: object) -> bool:
    return isinstance(value, Literal) and value.toPython() is True
