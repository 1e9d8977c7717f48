"""The graph the explorer draws: a :class:`Source` over a projection.

- :class:`Source`: a ``networkx.MultiDiGraph`` with the attributes of
  :func:`amkg.graph.projection.project`, its undirected view and degrees, class labels,
  prefixes, name resolution and a small cache of built views.
- :func:`source_for_kg`: the source over the knowledge graph's projection (the one
  :func:`amkg.graph.trace_network.network` derives), built once per graph and kept on it
  (``kg.derived``).

A class the ontology does not label gets its name from the UI strings (``ex.class.*`` in
``webui/i18n/<lang>.explorer.json``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.trace_network import network
from amkg.webui.i18n import t

#: UI-string keys naming the classes the ontology does not label (and nodes without a class).
CLASS_NAMES = {
    "qb:DataSet": "ex.class.dataset",
    "qb:Observation": "ex.class.observation",
    "": "ex.class.untyped",
}


@dataclass(eq=False)
class Source:
    """The projection the explorer draws (``graph.projection.project`` attributes), with the
    class labels (``{"amkg:Track": {"nl": "Spoor", "en": "Track"}}``) and known prefixes."""

    graph: nx.MultiDiGraph
    class_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=lambda: {"kg": "https://w3id.org/amkg/id/"})
    cache_size: int = 64

    def __post_init__(self) -> None:
        self.simple: nx.Graph = nx.Graph(self.graph.to_undirected(as_view=True))
        self.degree: dict[str, int] = dict(self.simple.degree())
        self.classes = frozenset(str(d.get("cls", "")) for _, d in self.graph.nodes(data=True))
        self._by_label: dict[str, list[str]] = {}
        for node, data in self.graph.nodes(data=True):
            for key in ("label_nl", "label_en"):
                self._by_label.setdefault(str(data.get(key, "")).casefold(), []).append(node)
        self._views: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def cls(self, node: str) -> str:
        return str(self.graph.nodes[node].get("cls", ""))

    def label(self, node: str, lang: str) -> str:
        data = self.graph.nodes[node]
        return str(data.get(f"label_{lang}") or data.get("label") or self.prefixed(node))

    def class_label(self, cls: str, lang: str) -> str:
        found = self.class_labels.get(cls, {})
        if found.get(lang) or found.get("nl"):
            return found.get(lang) or found["nl"]
        if cls in CLASS_NAMES:
            return t(CLASS_NAMES[cls], lang)
        return cls.split(":")[-1]

    def prefixed(self, iri: str) -> str:
        for prefix, ns in sorted(self.prefixes.items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(ns) and prefix:
                return f"{prefix}:{iri[len(ns) :]}"
        return iri

    def resolve(self, name: str) -> str | None:
        """The node ``name`` denotes: an IRI (bare or in ``<>``), a prefixed name, a bare
        ``kg:`` local name, or a label (case-insensitive) that only one node has."""
        text = name.strip()
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1]
        if text in self.graph:
            return text
        prefix, colon, local = text.partition(":")
        if colon and prefix in self.prefixes and self.prefixes[prefix] + local in self.graph:
            return self.prefixes[prefix] + local
        if self.prefixes.get("kg", "") + text in self.graph:
            return self.prefixes["kg"] + text
        matches = set(self._by_label.get(text.casefold(), ()))
        return matches.pop() if len(matches) == 1 else None

    def of_class(self, cls: str) -> list[str]:
        return sorted(
            (n for n in self.graph if self.cls(n) == cls), key=lambda n: (self.label(n, "nl"), n)
        )

    def cached(self, key: tuple[Any, ...], make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        with self._lock:
            if key in self._views:
                self._views.move_to_end(key)
                return self._views[key]
        value = make()
        with self._lock:
            self._views[key] = value
            while len(self._views) > self.cache_size:
                self._views.popitem(last=False)
        return value


def source_for_kg(kg: KnowledgeGraph) -> Source:
    """The explorer's source over ``kg``, built once and kept on it."""
    return kg.derived("explorer-source", lambda: _source(kg))


def _source(kg: KnowledgeGraph) -> Source:
    projection = network(kg).multi
    labels: dict[str, dict[str, str]] = {}
    for cls in {str(d.get("cls", "")) for _, d in projection.nodes(data=True)} - {""}:
        iri = kg.expand(cls)
        if iri is not None and kg.labels(iri):
            labels[cls] = {lang: kg.label(iri, lang) for lang in ("nl", "en")}
    prefixes = {p: str(ns) for p, ns in kg.prefixes.items() if p}
    return Source(projection, labels, prefixes)
