"""Paths, impact and hubs on the projection of the graph (:func:`graph.projection.project`).

- :func:`resolve` turns a name into an :class:`Entity`: a full IRI (bare or in ``<>``), a
  prefixed name (``kg:spoor-1``), a bare ``kg:`` local name (``spoor-1``) or an unambiguous
  ``rdfs:label``/``skos:altLabel`` in Dutch or English (case-insensitive, white space folded).
- :func:`trace`: the paths between two entities up to ``max_steps``. Paths are searched on the
  undirected view (a trajectory reaches a track through its domain whichever way the links
  point), shortest first (``networkx.shortest_simple_paths``, so a bounded search never misses
  a shorter path), sorted by length then labels and capped at :data:`MAX_PATHS`. Each step
  keeps every predicate between its two entities with its real direction and, for a reading,
  the ``amkg:inferenceNote`` of its ``rdf:Statement``.
- :func:`impact`: what an entity touches, by breadth-first search up to ``max_steps``. By
  default it follows the links forward (a trajectory -> its domains, ministries, producers,
  measures; a domain -> its track; Spoor 1 -> the tracks it underpins) and backward only
  along "hangs under" links (:data:`BACKWARD`: the measures that belong to a track, the
  effects, assessments and comparisons of a track or measure, sub-actions) and the symmetric
  "hangt samen met". That answers "if this slips, what does it touch?" without spreading to
  every trajectory that shares a ministry. ``undirected=True`` follows every link.
- :func:`hubs`: degree and betweenness centrality (undirected view).

Statistical observations (``qb:Observation``) are data cells, not policy entities: they are
left out of all three unless ``statistics=True`` or an endpoint is an observation.
The network is built once per :class:`~graph.kg.KnowledgeGraph` and cached.
"""

from __future__ import annotations

import difflib
import re
import threading
import unicodedata
import weakref
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import networkx as nx
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from graph.kg import KnowledgeGraph
from graph.load import AMKG, KG, QB
from graph.projection import project

MAX_STEPS = 6
MAX_PATHS = 50
#: Paths pulled from the search at most (then the result says ``truncated``).
SEARCH_LIMIT = 1000
#: Predicates that impact also follows against their direction (see the module docstring).
BACKWARD = frozenset(
    str(AMKG[name])
    for name in (
        "belongsToTrack", "subActionOf", "effectOf", "assesses", "compares",
        "argumentAbout", "relatedTo", "hangsTogetherWith",
    )
)
WORDS = {"inferred": {"nl": "afgeleid", "en": "inferred"}}
#: Why a name resolved to nothing, per :attr:`EntityNotFound.kind`.
REASONS = {
    "no_match": {"nl": "geen IRI, prefixed name of label komt overeen",
                 "en": "no IRI, prefixed name or label matches"},
    "no_iri": {"nl": "deze IRI staat niet in de graaf", "en": "no such IRI in the graph"},
    "not_entity": {"nl": "geen inhoudelijk element (een dia, bronvermelding, bewering of term)",
                   "en": "not a domain entity (a slide, citation, statement or term)"},
}
_PREFIXED = re.compile(r"^([A-Za-z][\w.-]*)?:(\S*)$")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def fold(text: str) -> str:
    """Case, white space, typographic quotes and dashes folded: the key of a label match."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Text:
    nl: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.nl


@dataclass(frozen=True)
class Entity:
    iri: str
    id: str  # prefixed name
    label: Text
    cls: str  # prefixed class, "" when untyped
    cls_label: Text

    def to_dict(self, lang: str) -> dict[str, str]:
        return {"iri": self.iri, "id": self.id, "label": self.label.get(lang),
                "class": self.cls, "class_label": self.cls_label.get(lang)}


@dataclass(frozen=True)
class Link:
    """One predicate of a step; ``forward`` when the step walks along the arrow."""

    predicate: str
    id: str
    label: Text
    forward: bool
    inferred: bool
    confidence: Text | None = None
    note: Text | None = None

    def text(self, lang: str) -> str:
        label = self.label.get(lang) + (f" ({WORDS['inferred'][lang]})" if self.inferred else "")
        return f"—{label}→" if self.forward else f"←{label}—"

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {"predicate": self.predicate, "id": self.id, "label": self.label.get(lang),
                "direction": "forward" if self.forward else "backward",
                "inferred": self.inferred,
                "confidence": self.confidence.get(lang) if self.confidence else None,
                "note": self.note.get(lang) if self.note else None}


@dataclass(frozen=True)
class Step:
    source: Entity
    target: Entity
    links: tuple[Link, ...]

    def text(self, lang: str) -> str:
        return " / ".join(link.text(lang) for link in self.links)

    def explained(self, lang: str) -> str:
        return f"{self.source.label.get(lang)} {self.text(lang)} {self.target.label.get(lang)}"

    def notes(self, lang: str) -> list[str]:
        """Why each inferred link holds: ``raakt domein (afgeleid, hoog): <note>``."""
        out = []
        for link in self.links:
            if link.inferred:
                extra = f", {link.confidence.get(lang)}" if link.confidence else ""
                why = link.note.get(lang) if link.note else "—"
                out.append(f"{link.label.get(lang)} ({WORDS['inferred'][lang]}{extra}): {why}")
        return out

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {"from": self.source.iri, "to": self.target.iri, "text": self.explained(lang),
                "inferred": any(link.inferred for link in self.links),
                "links": [link.to_dict(lang) for link in self.links]}


@dataclass(frozen=True)
class Path:
    steps: tuple[Step, ...]

    @property
    def nodes(self) -> list[Entity]:
        return [self.steps[0].source, *(step.target for step in self.steps)]

    def text(self, lang: str) -> str:
        parts = [self.steps[0].source.label.get(lang)]
        for step in self.steps:
            parts += [step.text(lang), step.target.label.get(lang)]
        return " ".join(parts)

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {"length": len(self.steps), "text": self.text(lang),
                "inferred": any(link.inferred for s in self.steps for link in s.links),
                "nodes": [node.to_dict(lang) for node in self.nodes],
                "steps": [step.to_dict(lang) for step in self.steps]}


class TraceError(Exception):
    """A name or an argument the tracer cannot use."""


class EntityNotFound(TraceError):
    """``kind`` is a key of :data:`REASONS`; ``suggestions`` are close matches."""

    def __init__(self, name: str, suggestions: list[Entity], kind: str = "no_match") -> None:
        self.name, self.suggestions, self.kind = name, suggestions, kind
        super().__init__(f"unknown entity {name!r}: {self.reason('en')}")

    def reason(self, lang: str) -> str:
        return REASONS[self.kind]["en" if lang == "en" else "nl"]


class AmbiguousName(TraceError):
    def __init__(self, name: str, candidates: list[Entity]) -> None:
        self.name, self.candidates = name, candidates
        listed = ", ".join(f"{c.label.nl} ({c.cls}, {c.id})" for c in candidates)
        super().__init__(f"ambiguous name {name!r}: {listed}")


class Network:
    """The projection with what the tracer needs beside it: entities, notes, a label index."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        graph = self.graph = kg.graph  # not ``kg``: the cache holds this weakly keyed by kg
        self.multi = project(graph, "nl")
        self.notes: dict[tuple[str, str, str], Text] = {}
        for statement in graph.subjects(AMKG.inferred, Literal(True)):
            if (statement, RDF.type, RDF.Statement) in graph:
                s, p, o = (str(graph.value(statement, x)) for x in (RDF.subject, RDF.predicate,
                                                                    RDF.object))
                self.notes[(s, p, o)] = self._text(statement, AMKG.inferenceNote)
        self.entities: dict[str, Entity] = {}
        self.by_label: dict[str, set[str]] = {}
        for iri, data in self.multi.nodes(data=True):
            cls_iri = self._expand(data["cls"])
            cls_label = (Text(kg.label(cls_iri, "nl"), kg.label(cls_iri, "en"))
                         if cls_iri else Text("", ""))
            self.entities[iri] = Entity(iri, self.prefixed(iri),
                                        Text(data["label_nl"], data["label_en"]), data["cls"],
                                        cls_label)
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
        found = {v.language: str(v) for v in self.graph.objects(subject, predicate)
                 if isinstance(v, Literal)}
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
                self._centrality[statistics] = (nx.degree_centrality(view),
                                                nx.betweenness_centrality(view))
            return self._centrality[statistics]

    def links(self, u: str, v: str, backward_only: frozenset[str] | None = None) -> list[Link]:
        """The links between ``u`` and ``v`` seen from ``u``; against the arrow only those in
        ``backward_only`` when given."""
        found = []
        for a, b, forward in ((u, v, True), (v, u, False)):
            for data in (self.multi.get_edge_data(a, b) or {}).values():
                if not forward and backward_only is not None and data["predicate"] not in \
                        backward_only:
                    continue
                key = (a, data["predicate"], b)
                confidence = self._expand(data.get("confidence", ""))
                found.append(Link(
                    data["predicate"], self.prefixed(data["predicate"]),
                    Text(data["label_nl"], data["label_en"]), forward, bool(data["inferred"]),
                    self._text(confidence, RDFS.label) if confidence else None,
                    self.notes.get(key)))
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


def _sort_key(entity: Entity, lang: str = "nl") -> tuple[str, str]:
    return (fold(entity.label.get(lang)), entity.iri)


def _suggestions(net: Network, name: str, limit: int = 5) -> list[Entity]:
    """Labels that contain every word of ``name``, then close matches of labels and ids."""
    key = fold(name)
    words = key.replace(":", " ").split()
    hits = [iri for label, iris in sorted(net.by_label.items(), key=lambda kv: len(kv[0]))
            if words and all(w in label for w in words) for iri in sorted(iris)]
    for label in difflib.get_close_matches(key, list(net.by_label), n=limit, cutoff=0.6):
        hits += sorted(net.by_label[label])
    ids = {fold(e.id.split(":", 1)[-1]): e.iri for e in net.entities.values()}
    hits += [ids[k] for k in difflib.get_close_matches(key.split(":", 1)[-1], list(ids),
                                                         n=limit, cutoff=0.7)]
    return [net.entities[iri] for iri in dict.fromkeys(hits)][:limit]


def _as_iri(kg: KnowledgeGraph, text: str) -> str | None:
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1].strip()
    if re.match(r"^(https?|urn|file):", text):
        return text
    match = _PREFIXED.match(text)
    if match and match.group(1) in dict(kg.graph.namespaces()):
        return str(kg.graph.namespace_manager.expand_curie(text))
    return None


def resolve(kg: KnowledgeGraph, name: str) -> Entity:
    """The entity ``name`` denotes; raises :class:`EntityNotFound` or :class:`AmbiguousName`."""
    net = network(kg)
    text = name.strip()
    iri = _as_iri(kg, text) if text else None
    if iri is not None:
        if iri in net.entities:
            return net.entities[iri]
        known = (URIRef(iri), None, None) in kg.graph
        raise EntityNotFound(name, _suggestions(net, text), "not_entity" if known else "no_iri")
    matches = sorted((net.entities[i] for i in net.by_label.get(fold(text), ())), key=_sort_key)
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise AmbiguousName(name, matches)
    if re.fullmatch(r"[\w.-]+", text) and str(KG) + text in net.entities:
        return net.entities[str(KG) + text]  # a bare kg: local name
    raise EntityNotFound(name, _suggestions(net, text), "no_match")


def _entity(kg: KnowledgeGraph, ref: str | Entity) -> Entity:
    return ref if isinstance(ref, Entity) else resolve(kg, ref)


def check_steps(max_steps: int) -> int:
    if not isinstance(max_steps, int) or not 1 <= max_steps <= MAX_STEPS:
        raise TraceError(f"max_steps must be an integer from 1 to {MAX_STEPS}, not {max_steps!r}")
    return max_steps


@dataclass(frozen=True)
class TraceResult:
    source: Entity
    target: Entity
    max_steps: int
    paths: tuple[Path, ...]
    truncated: bool  # more paths exist within max_steps than are listed

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {"from": self.source.to_dict(lang), "to": self.target.to_dict(lang),
                "max_steps": self.max_steps, "count": len(self.paths),
                "truncated": self.truncated, "paths": [p.to_dict(lang) for p in self.paths]}


def trace(kg: KnowledgeGraph, source: str | Entity, target: str | Entity, max_steps: int = 4,
          *, lang: str = "nl", statistics: bool = False, limit: int = MAX_PATHS) -> TraceResult:
    """All simple paths of at most ``max_steps`` between two entities (see the docstring)."""
    check_steps(max_steps)
    a, b = _entity(kg, source), _entity(kg, target)
    if a.iri == b.iri:
        raise TraceError("from and to are the same entity")
    net = network(kg)
    view = net.view(statistics or bool({a.iri, b.iri} & net.statistical))
    found: list[list[str]] = []
    truncated = False
    if nx.has_path(view, a.iri, b.iri):
        for nodes in nx.shortest_simple_paths(view, a.iri, b.iri):
            if len(nodes) - 1 > max_steps:
                break
            if len(found) >= SEARCH_LIMIT or (len(found) >= limit and len(nodes) > len(found[-1])):
                truncated = True
                break
            found.append(nodes)
    found.sort(key=lambda ns: (len(ns), [_sort_key(net.entities[n], lang) for n in ns]))
    truncated = truncated or len(found) > limit
    paths = tuple(Path(tuple(net.step(u, v) for u, v in pairwise(ns))) for ns in found[:limit])
    return TraceResult(a, b, max_steps, paths, truncated)


@dataclass(frozen=True)
class Reached:
    entity: Entity
    distance: int
    via: Step

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {**self.entity.to_dict(lang), "distance": self.distance,
                "via": self.via.to_dict(lang)}


@dataclass(frozen=True)
class ImpactResult:
    entity: Entity
    max_steps: int
    undirected: bool
    reached: tuple[Reached, ...]

    def levels(self, lang: str) -> list[tuple[int, list[tuple[Text, str, list[Reached]]]]]:
        """``[(distance, [(class label, class, [reached...]), ...]), ...]``, sorted."""
        out = []
        for distance in sorted({r.distance for r in self.reached}):
            groups: dict[str, list[Reached]] = {}
            for r in self.reached:
                if r.distance == distance:
                    groups.setdefault(r.entity.cls, []).append(r)
            classes = [(rs[0].entity.cls_label, cls, sorted(rs, key=lambda r: _sort_key(
                r.entity, lang))) for cls, rs in groups.items()]
            out.append((distance, sorted(classes, key=lambda g: (fold(g[0].get(lang)), g[1]))))
        return out

    def to_dict(self, lang: str) -> dict[str, Any]:
        by_class: dict[str, int] = {}
        for r in self.reached:
            by_class[r.entity.cls] = by_class.get(r.entity.cls, 0) + 1
        return {"entity": self.entity.to_dict(lang), "max_steps": self.max_steps,
                "mode": "undirected" if self.undirected else "directed",
                "count": len(self.reached), "by_class": dict(sorted(by_class.items())),
                "levels": [{"distance": d, "classes": [
                    {"class": cls, "class_label": label.get(lang),
                     "entities": [r.to_dict(lang) for r in rs]} for label, cls, rs in groups]}
                    for d, groups in self.levels(lang)]}


def impact(kg: KnowledgeGraph, entity: str | Entity, max_steps: int = 3, *,
           undirected: bool = False, statistics: bool = False) -> ImpactResult:
    """Everything reachable from ``entity`` within ``max_steps``, with the step that reached
    it (breadth first; the first parent in label order wins)."""
    check_steps(max_steps)
    start = _entity(kg, entity)
    net = network(kg)
    skip = set() if statistics or start.iri in net.statistical else net.statistical
    backward = None if undirected else BACKWARD
    seen, frontier, reached = {start.iri}, [start.iri], []
    for distance in range(1, max_steps + 1):
        nxt: list[str] = []
        for u in sorted(frontier, key=lambda i: _sort_key(net.entities[i])):
            candidates = set(net.multi.successors(u))
            candidates |= {v for v, _, d in net.multi.in_edges(u, data=True)
                           if backward is None or d["predicate"] in backward}
            for v in sorted(candidates - seen - skip, key=lambda i: _sort_key(net.entities[i])):
                seen.add(v)
                nxt.append(v)
                reached.append(Reached(net.entities[v], distance, net.step(u, v, backward)))
        frontier = nxt
    return ImpactResult(start, max_steps, undirected, tuple(reached))


@dataclass(frozen=True)
class Hub:
    entity: Entity
    degree: int
    degree_centrality: float
    betweenness: float

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {**self.entity.to_dict(lang), "degree": self.degree,
                "degree_centrality": round(self.degree_centrality, 6),
                "betweenness": round(self.betweenness, 6)}


def hubs(kg: KnowledgeGraph, top: int = 10, *, by: str = "degree",
         statistics: bool = False) -> list[Hub]:
    """The ``top`` entities by degree or betweenness centrality on the undirected view."""
    if by not in ("degree", "betweenness"):
        raise TraceError(f"by must be 'degree' or 'betweenness', not {by!r}")
    if top < 1:
        raise TraceError("top must be at least 1")
    net = network(kg)
    view = net.view(statistics)
    degree, betweenness = net.centrality(statistics)
    all_hubs = [Hub(net.entities[n], view.degree(n), degree[n], betweenness[n]) for n in view]
    first, second = ("degree_centrality", "betweenness") if by == "degree" else (
        "betweenness", "degree_centrality")
    all_hubs.sort(key=lambda h: (-getattr(h, first), -getattr(h, second), _sort_key(h.entity)))
    return all_hubs[:top]
