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

Name resolution lives in :mod:`graph.resolve`, the cached network in :mod:`graph.trace_network`,
the result types and errors in :mod:`graph.trace_types`; their public names are re-exported here.
"""

from __future__ import annotations

from itertools import pairwise

import networkx as nx

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.limits import MAX_PATHS, MAX_STEPS
from amkg.graph.load import AMKG
from amkg.graph.resolve import resolve
from amkg.graph.trace_network import Network, network
from amkg.graph.trace_types import (
    REASONS,
    AmbiguousName,
    Entity,
    EntityNotFound,
    Hub,
    ImpactResult,
    Link,
    Path,
    Reached,
    Step,
    Text,
    TraceError,
    TraceResult,
    fold,
    sort_key,
)

__all__ = [
    "BACKWARD", "MAX_PATHS", "MAX_STEPS", "REASONS", "SEARCH_LIMIT", "AmbiguousName",
    "Entity", "EntityNotFound", "Hub", "ImpactResult", "Link", "Network", "Path", "Reached",
    "Step", "Text", "TraceError", "TraceResult", "check_steps", "fold", "hubs", "impact",
    "network", "resolve", "trace",
]  # fmt: skip

#: Paths pulled from the search at most (then the result says ``truncated``).
SEARCH_LIMIT = 1000
#: Predicates that impact also follows against their direction (see the module docstring).
BACKWARD = frozenset(
    str(AMKG[name])
    for name in (
        "belongsToTrack",
        "subActionOf",
        "effectOf",
        "assesses",
        "compares",
        "argumentAbout",
        "relatedTo",
        "hangsTogetherWith",
    )
)


def _entity(kg: KnowledgeGraph, ref: str | Entity) -> Entity:
    return ref if isinstance(ref, Entity) else resolve(kg, ref)


def check_steps(max_steps: int) -> int:
    if not isinstance(max_steps, int) or not 1 <= max_steps <= MAX_STEPS:
        raise TraceError(f"max_steps must be an integer from 1 to {MAX_STEPS}, not {max_steps!r}")
    return max_steps


def trace(
    kg: KnowledgeGraph,
    source: str | Entity,
    target: str | Entity,
    max_steps: int = 4,
    *,
    lang: str = "nl",
    statistics: bool = False,
    limit: int = MAX_PATHS,
) -> TraceResult:
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
    found.sort(key=lambda ns: (len(ns), [sort_key(net.entities[n], lang) for n in ns]))
    truncated = truncated or len(found) > limit
    paths = tuple(Path(tuple(net.step(u, v) for u, v in pairwise(ns))) for ns in found[:limit])
    return TraceResult(a, b, max_steps, paths, truncated)


def impact(
    kg: KnowledgeGraph,
    entity: str | Entity,
    max_steps: int = 3,
    *,
    undirected: bool = False,
    statistics: bool = False,
) -> ImpactResult:
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
        for u in sorted(frontier, key=lambda i: sort_key(net.entities[i])):
            candidates = set(net.multi.successors(u))
            candidates |= {
                v
                for v, _, d in net.multi.in_edges(u, data=True)
                if backward is None or d["predicate"] in backward
            }
            for v in sorted(candidates - seen - skip, key=lambda i: sort_key(net.entities[i])):
                seen.add(v)
                nxt.append(v)
                reached.append(Reached(net.entities[v], distance, net.step(u, v, backward)))
        frontier = nxt
    return ImpactResult(start, max_steps, undirected, tuple(reached))


def hubs(
    kg: KnowledgeGraph, top: int = 10, *, by: str = "degree", statistics: bool = False
) -> list[Hub]:
    """The ``top`` entities by degree or betweenness centrality on the undirected view."""
    if by not in ("degree", "betweenness"):
        raise TraceError(f"by must be 'degree' or 'betweenness', not {by!r}")
    if top < 1:
        raise TraceError("top must be at least 1")
    net = network(kg)
    view = net.view(statistics)
    degree, betweenness = net.centrality(statistics)
    all_hubs = [Hub(net.entities[n], view.degree(n), degree[n], betweenness[n]) for n in view]
    first, second = (
        ("degree_centrality", "betweenness")
        if by == "degree"
        else ("betweenness", "degree_centrality")
    )
    all_hubs.sort(key=lambda h: (-getattr(h, first), -getattr(h, second), sort_key(h.entity)))
    return all_hubs[:top]
