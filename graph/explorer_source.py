"""The graph the explorer draws: a :class:`Source` over a projection.

- :class:`Source`: a ``networkx.MultiDiGraph`` with the attributes of
  :func:`graph.projection.project`, its undirected view and degrees, class labels, prefixes,
  name resolution and a small cache of built views.
- :func:`source_for_kg`: the source over the knowledge graph's projection (the one
  :mod:`graph.trace` caches), built once per graph.
- :func:`synthetic_graph`: a seeded graph of any size shaped like the real one, for the node
  cap tests and the benchmark (the web app takes one through its config, see
  ``webui/explorer.py``).
"""

from __future__ import annotations

import random
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import AMKG, KG
from amkg.graph.trace import network

#: Names of classes the ontology does not label (and of nodes without a class).
CLASS_NAMES = {
    "qb:DataSet": {"nl": "dataset", "en": "data set"},
    "qb:Observation": {"nl": "statistische waarneming", "en": "statistical observation"},
    "": {"nl": "zonder soort", "en": "untyped"},
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
        found = self.class_labels.get(cls) or CLASS_NAMES.get(cls, {})
        return found.get(lang) or found.get("nl") or cls.split(":")[-1]

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


_sources: weakref.WeakKeyDictionary[KnowledgeGraph, Source] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def source_for_kg(kg: KnowledgeGraph) -> Source:
    """The explorer's source over ``kg`` (cached for as long as ``kg`` lives)."""
    with _lock:
        if kg not in _sources:
            projection = network(kg).multi
            labels: dict[str, dict[str, str]] = {}
            for cls in {str(d.get("cls", "")) for _, d in projection.nodes(data=True)} - {""}:
                iri = kg.graph.namespace_manager.expand_curie(cls)
                if kg.labels(iri):
                    labels[cls] = {lang: kg.label(iri, lang) for lang in ("nl", "en")}
            prefixes = {p: str(ns) for p, ns in kg.graph.namespaces() if p}
            _sources[kg] = Source(projection, labels, prefixes)
        return _sources[kg]


#: (class, share of the nodes) of a synthetic graph, after the real graph's mix.
SYNTHETIC_MIX = (
    ("amkg:Ministry", 0.01),
    ("amkg:Trajectory", 0.04),
    ("amkg:PolicyDomain", 0.01),
    ("amkg:Track", 0.01),
    ("amkg:Measure", 0.08),
    ("amkg:ActionLine", 0.02),
    ("amkg:TargetGroup", 0.05),
    ("amkg:Occupation", 0.05),
    ("amkg:Effect", 0.08),
    ("amkg:Factor", 0.1),
    ("amkg:Sector", 0.04),
    ("amkg:InterestGroup", 0.03),
    ("qb:DataSet", 0.04),
    ("qb:Observation", 0.34),
    ("amkg:Country", 0.03),
    ("amkg:Planning", 0.02),
    ("amkg:Document", 0.05),
)


def synthetic_graph(n: int, seed: int = 1, edges_per_node: float = 1.8) -> nx.MultiDiGraph:
    """``n`` nodes with the projection's attributes (``kg:syn-<i>``, labels, classes from
    :data:`SYNTHETIC_MIX`) and about ``edges_per_node * n`` links, some inferred; hubs
    emerge by preferential attachment. The same ``n`` and ``seed`` give the same graph."""
    rng = random.Random(seed)
    g = nx.MultiDiGraph()
    classes = [cls for cls, share in SYNTHETIC_MIX for _ in range(max(1, round(share * 100)))]
    targets: list[str] = []
    for i in range(n):
        iri = f"{KG}syn-{i}"
        cls = classes[i % len(classes)] if i >= len(SYNTHETIC_MIX) else SYNTHETIC_MIX[i][0]
        name = cls.split(":")[-1]
        g.add_node(
            iri,
            iri=iri,
            label=f"{name} {i}",
            label_nl=f"{name} {i}",
            label_en=f"{name} {i} (en)",
            cls=cls,
        )
        links = 1 + int(rng.random() < edges_per_node - 1) if i else 0
        for _ in range(links if targets else 0):
            other = rng.choice(targets) if rng.random() < 0.7 else f"{KG}syn-{rng.randrange(i)}"
            if other != iri:
                key = rng.choice(("relatedTo", "belongsToTrack", "targetsGroup", "touchesDomain"))
                g.add_edge(
                    iri,
                    other,
                    key=f"amkg:{key}",
                    predicate=f"{AMKG}{key}",
                    label=key,
                    label_nl=key,
                    label_en=key,
                    inferred=rng.random() < 0.1,
                    confidence="",
                )
                targets.append(other)
        targets.append(iri)
    return g
