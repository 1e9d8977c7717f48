"""What the graph explorer draws: a view of the projection for a view state (no Flask here).

A :class:`ViewState` (focus, hops, hidden classes, tracks, ministries, layout, physics) is the
whole state of the explorer; it round-trips through the URL (:meth:`ViewState.from_query`,
:meth:`ViewState.query`). :func:`build_view` selects the nodes (the focus's neighbourhood to
``hops`` steps or the whole graph, narrowed by track and ministry, classes hidden), keeps the
most central ``cap`` of them (nearest to the focus first), lays them out
(:mod:`.layout`), builds a :class:`pyvis.network.Network` from them (:mod:`.drawing`) and returns
its nodes, edges and options as plain JSON-able data for the page's own script. Every label
and title in it is plain text: the page never puts graph data into HTML.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from amkg.webui.explorer import layout as explorer_layout
from amkg.webui.explorer.drawing import (
    base_options,
    build_network,
    edge_data,
    grouped_positions,
    groups,
    node_data,
    style_of,
)
from amkg.webui.explorer.source import Source

MAX_HOPS = 6
DEFAULT_HOPS = 2
LAYOUTS = ("grouped", "force", "layered", "radial")
#: Hidden unless the URL says otherwise: the statistical cells outnumber everything else.
DEFAULT_HIDDEN = frozenset({"qb:Observation"})
#: The overview (no focus, filter or chosen classes) shows these classes only, in this order:
#: the tracks with their trajectories, ministries and measures.
STORY = (
    "amkg:Ministry",
    "amkg:Trajectory",
    "amkg:PolicyDomain",
    "amkg:Track",
    "amkg:Measure",
)
TRACK_CLASS = "amkg:Track"
MINISTRY_CLASS = "amkg:Ministry"

#: A track filter keeps what hangs around the track, passing through these classes only.
TRACK_THROUGH = frozenset(
    {
        "amkg:PolicyDomain",
        "amkg:Trajectory",
        "amkg:Measure",
        "amkg:ActionLine",
        "amkg:Effect",
        "amkg:Argument",
        "amkg:LegalAssessment",
        "amkg:MemberStateComparison",
        "amkg:Lever",
        "amkg:CabinetQuestion",
    }
)
#: A ministry filter: its trajectories (and their domains, tracks, plannings) and measures.
MINISTRY_THROUGH = frozenset(
    {
        "amkg:Trajectory",
        "amkg:PolicyDomain",
        "amkg:Measure",
        "amkg:ActionLine",
    }
)


class UnknownEntity(LookupError):
    """A focus, track or ministry in the view state that the graph does not have."""

    def __init__(self, name: str, role: str) -> None:
        super().__init__(f"unknown {role}: {name!r}")
        self.name, self.role = name, role


def _split(values: Iterable[str]) -> tuple[str, ...]:
    out = [part.strip() for value in values for part in value.split(",")]
    return tuple(dict.fromkeys(p for p in out if p))


@dataclass(frozen=True)
class ViewState:
    """Everything that decides what the explorer shows; hashable, so views can be cached."""

    focus: str = ""
    hops: int = DEFAULT_HOPS
    hide: frozenset[str] = DEFAULT_HIDDEN
    tracks: tuple[str, ...] = ()
    ministries: tuple[str, ...] = ()
    layout: str = ""  # "" = the default: grouped
    physics: bool = False
    hide_given: bool = False  # the URL names the hidden classes (else: the default for the view)
    loose: bool = False  # also draw the nodes without a link in the view

    @classmethod
    def from_query(cls, pairs: Iterable[tuple[str, str]]) -> ViewState:
        """From URL query arguments (repeated keys and comma-separated values both work)."""
        args: dict[str, list[str]] = {}
        for key, value in pairs:
            args.setdefault(key, []).append(value)
        try:
            hops = int((args.get("hops") or [str(DEFAULT_HOPS)])[-1])
        except ValueError:
            hops = DEFAULT_HOPS
        layout = (args.get("layout") or [""])[-1]
        return cls(
            focus=(args.get("focus") or [""])[-1].strip()[:500],
            hops=max(1, min(MAX_HOPS, hops)),
            hide=frozenset(_split(args["hide"])) if "hide" in args else DEFAULT_HIDDEN,
            tracks=_split(args.get("track", [])),
            ministries=_split(args.get("ministry", [])),
            layout=layout if layout in LAYOUTS else "",
            physics=(args.get("physics") or ["0"])[-1] in ("1", "true", "on"),
            hide_given="hide" in args,
            loose=(args.get("loose") or ["0"])[-1] in ("1", "true", "on"),
        )

    @property
    def effective_layout(self) -> str:
        return self.layout or "grouped"

    @property
    def overview(self) -> bool:
        """The first view: no focus, no filter, no classes chosen (the story classes only)."""
        return not (self.focus or self.tracks or self.ministries or self.hide_given)

    def hidden(self, classes: Iterable[str]) -> frozenset[str]:
        """The classes hidden in this view (of ``classes``, the classes there are)."""
        if self.overview:
            return frozenset(c for c in classes if c not in STORY)
        return self.hide

    def query(self) -> list[tuple[str, str]]:
        """The canonical URL query arguments (defaults left out)."""
        out: list[tuple[str, str]] = []
        if self.focus:
            out += [("focus", self.focus), ("hops", str(self.hops))]
        out += [("track", t) for t in self.tracks] + [("ministry", m) for m in self.ministries]
        if self.hide_given and (self.hide != DEFAULT_HIDDEN or not self.overview):
            out.append(("hide", ",".join(sorted(self.hide))))
        if self.layout:
            out.append(("layout", self.layout))
        if self.physics:
            out.append(("physics", "1"))
        if self.loose:
            out.append(("loose", "1"))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "focus": self.focus,
            "hops": self.hops,
            "hide": sorted(self.hide),
            "tracks": list(self.tracks),
            "ministries": list(self.ministries),
            "layout": self.effective_layout,
            "physics": self.physics,
            "loose": self.loose,
            "overview": self.overview,
        }


def territory(source: Source, start: str, through: frozenset[str], depth: int = 3) -> set[str]:
    """``start`` and what hangs around it: breadth-first up to ``depth`` steps, passing only
    through nodes whose class is in ``through`` (a track reaches its measures and their target
    groups, its domains and their trajectories and ministries, but not the other tracks)."""
    seen = {start}
    frontier = [start]
    for _ in range(depth):
        nxt = []
        for node in frontier:
            if node != start and source.cls(node) not in through:
                continue
            for nb in source.simple[node]:
                if nb not in seen:
                    seen.add(nb)
                    nxt.append(nb)
        frontier = nxt
    return seen


def _resolve_all(source: Source, names: Iterable[str], role: str) -> list[str]:
    found = []
    for name in names:
        node = source.resolve(name)
        if node is None:
            raise UnknownEntity(name, role)
        found.append(node)
    return found


@dataclass
class Selection:
    focus: str | None
    shown: list[str]
    total: int  # nodes that match the state (before the cap)
    classes: Counter[str]  # every class in the neighbourhood, hidden ones too
    distance: dict[str, int]
    hidden: frozenset[str] = frozenset()  # the classes hidden
    loose: int = 0  # nodes left out because they have no link in the view


def select(source: Source, state: ViewState, cap: int) -> Selection:
    """The nodes of the view, most central first (nearest the focus first), at most ``cap``."""
    focus = None
    distance: dict[str, int] = {}
    if state.focus:
        focus = source.resolve(state.focus)
        if focus is None:
            raise UnknownEntity(state.focus, "focus")
        distance = nx.single_source_shortest_path_length(source.simple, focus, cutoff=state.hops)
        candidates = set(distance)
    else:
        candidates = set(source.graph)
    for names, role, through in (
        (state.tracks, "track", TRACK_THROUGH),
        (state.ministries, "ministry", MINISTRY_THROUGH),
    ):
        if names:
            allowed: set[str] = set()
            for node in _resolve_all(source, names, role):
                allowed |= territory(source, node, through)
            candidates &= allowed | ({focus} if focus else set())
    classes = Counter(source.cls(n) for n in candidates)
    hidden = state.hidden(source.classes)
    kept = [n for n in candidates if n == focus or source.cls(n) not in hidden]
    loose = 0
    if not state.loose:  # nodes without a link in the view are counted, not scattered
        sub = source.simple.subgraph(kept)
        linked = [n for n in kept if n == focus or any(m != n for m in sub[n])]
        loose = len(kept) - len(linked)
        kept = linked
    kept.sort(key=lambda n: (distance.get(n, 0), -source.degree[n], source.label(n, "nl"), n))
    return Selection(focus, kept[: max(cap, 1)], len(kept), classes, distance, hidden, loose)


def _bands(source: Source, sel: Selection) -> list[list[str]]:
    """The grouped layout's bands: around a focus, the focus and then each step away (by class
    within a step); else one band per class, the story's classes first."""
    order = {cls: i for i, cls in enumerate(STORY)}
    if sel.focus is not None:
        steps: dict[int, list[str]] = {}
        for n in sel.shown:
            steps.setdefault(sel.distance.get(n, 0), []).append(n)
        return [
            sorted(steps[d], key=lambda n: (order.get(source.cls(n), 99), source.cls(n)))
            for d in sorted(steps)
        ]
    by_class: dict[str, list[str]] = {}
    for n in sel.shown:
        by_class.setdefault(source.cls(n), []).append(n)
    return [
        by_class[c]
        for c in sorted(by_class, key=lambda c: (order.get(c, len(order)), -len(by_class[c]), c))
    ]


def _positions(source: Source, sel: Selection, state: ViewState, lang: str) -> explorer_layout.Pos:
    sub = source.simple.subgraph(sel.shown)
    layout = state.effective_layout
    if layout == "grouped":
        return grouped_positions(source, sub, _bands(source, sel), lang)
    if layout == "radial" and sel.focus is not None:
        return explorer_layout.radial_layout(sub, sel.focus)
    if layout == "layered":
        layers = {
            n: explorer_layout.LAYERS[source.cls(n)]
            for n in sub
            if source.cls(n) in explorer_layout.LAYERS
        }
        return explorer_layout.layered_layout(sub, layers)
    return explorer_layout.force_layout(sub)


def build_view(source: Source, state: ViewState, cap: int, lang: str = "nl") -> dict[str, Any]:
    """The explorer's data for ``state``: nodes, edges, options, legend, filters and counts.

    Raises :class:`UnknownEntity` for a focus, track or ministry the graph does not have."""
    return source.cached(("view", state, cap, lang), lambda: _build(source, state, cap, lang))


def _build(source: Source, state: ViewState, cap: int, lang: str) -> dict[str, Any]:
    sel = select(source, state, cap)
    pos = _positions(source, sel, state, lang)
    net = build_network(source, sel.shown, pos, lang, sel.hidden, state.physics)
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    drawn = Counter(source.cls(n) for n in sel.shown)
    legend = []
    for cls in sorted(sel.classes, key=lambda c: (c in sel.hidden, -sel.classes[c], c)):
        colour, shape, _size = style_of(cls)
        legend.append(
            {
                "cls": cls,
                "label": source.class_label(cls, lang),
                "color": colour,
                "shape": shape,
                "total": sel.classes[cls],
                "shown": drawn[cls],
                "hidden": cls in sel.hidden,
            }
        )
    focus = None
    if sel.focus is not None:
        focus = {
            "iri": sel.focus,
            "ref": source.prefixed(sel.focus),
            "label": source.label(sel.focus, lang),
            "cls": source.cls(sel.focus),
        }
    return {
        "nodes": nodes,
        "edges": edges,
        "options": {
            **base_options(json.loads(options), state.physics, len(nodes)),
            "groups": groups(source.classes),
        },
        "legend": legend,
        "filters": {
            key: [
                {"ref": source.prefixed(n), "label": source.label(n, lang)}
                for n in source.of_class(cls)
            ]
            for key, cls in (("tracks", TRACK_CLASS), ("ministries", MINISTRY_CLASS))
        },
        "meta": {
            "total": sel.total,
            "shown": len(sel.shown),
            "hidden": sel.total - len(sel.shown),
            "loose": sel.loose,
            "cap": cap,
            "focus": focus,
            "state": {**state.to_dict(), "hide": sorted(sel.hidden)},
            "query": state.query(),
            "lang": lang,
        },
    }


def expand(
    source: Source,
    state: ViewState,
    name: str,
    cap: int,
    lang: str = "nl",
    around: tuple[float, float] = (0.0, 0.0),
) -> dict[str, Any]:
    """The neighbours of one node (classes hidden in ``state`` left out), most central first,
    at most ``cap``, on a circle ``around`` it; and every link of theirs (the page keeps the
    links whose both ends it draws)."""
    node = source.resolve(name)
    if node is None:
        raise UnknownEntity(name, "node")
    neighbours = sorted(
        (nb for nb in source.simple[node] if source.cls(nb) not in state.hide),
        key=lambda n: (-source.degree[n], source.label(n, lang), n),
    )[:cap]
    ring = max(explorer_layout.K * 1.4, len(neighbours) * 14.0)
    pos = explorer_layout.radial_ring(around, neighbours, ring)
    added = [*neighbours, node]
    known = set(added)
    nodes = []
    for n in neighbours:  # ``more``: their neighbours beyond this expansion (the page may
        more = sum(
            1
            for nb in source.simple[n]  # already draw some of them)
            if nb not in known and source.cls(nb) not in state.hide
        )
        nodes.append(
            {"id": source.prefixed(n), **node_data(source, n, pos[n], lang, more, state.physics)}
        )
    edges = {}
    links = (
        *source.graph.out_edges(added, keys=True, data=True),
        *source.graph.in_edges(added, keys=True, data=True),
    )
    for u, v, key, data in links:
        edge = edge_data(source, u, v, key, data, lang)
        edges[edge["id"]] = {
            "from": source.prefixed(u),
            "to": source.prefixed(v),
            "arrows": "to",
            **edge,
        }
    return {
        "node": source.prefixed(node),
        "nodes": nodes,
        "edges": list(edges.values()),
        "total": sum(1 for nb in source.simple[node] if source.cls(nb) not in state.hide),
    }
