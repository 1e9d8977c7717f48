"""Positions for the graph explorer, computed before the graph reaches the browser.

Three seeded, deterministic layouts over an undirected ``networkx`` graph (same nodes and
seed: same picture), in vis-network units (about a pixel at zoom 1):

- :func:`force_layout`: Fruchterman-Reingold with grid-cell repulsion (only nodes in nearby
  cells push each other), per connected component, the components packed in rows. Started
  from a radial tree so that few rounds suffice.
- :func:`radial_layout`: the focus in the middle, each further step on a wider ring; every
  subtree of the breadth-first tree gets a wedge in proportion to its size.
- :func:`layered_layout`: columns left to right by the ``layer`` of each node (ministries,
  trajectories, domains, tracks, measures, target groups and occupations), ordered within a
  column by the mean position of their neighbours; every other node is placed by the force
  layout around the fixed columns.

Why not ``networkx.spring_layout``: every networkx layout needs numpy, which is not a
dependency of this project; these are pure Python and fast enough for the node cap.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Hashable, Iterable, Mapping
from typing import TypeAlias

import networkx as nx

Pos: TypeAlias = dict[Hashable, tuple[float, float]]

#: Ideal edge length.
K = 110.0
COLUMN_GAP = 450.0
ROW_GAP = 52.0

#: Columns of the layered layout, left to right.
LAYERS: dict[str, int] = {
    "amkg:Ministry": 0,
    "amkg:Trajectory": 1,
    "amkg:PolicyDomain": 2,
    "amkg:Track": 3,
    "amkg:Measure": 4,
    "amkg:ActionLine": 4,
    "amkg:TargetGroup": 5,
    "amkg:Occupation": 5,
}


def _bary_key(bary: dict[Hashable, float], node: Hashable) -> tuple[float, str]:
    return (bary[node], _sort_key(node))


def _sort_key(node: Hashable) -> str:
    return str(node)


def _tree_positions(g: nx.Graph, root: Hashable, ring: float) -> Pos:
    """Radial positions of one component around ``root`` (wedges by subtree size)."""
    parent: dict[Hashable, Hashable | None] = {root: None}
    order = [root]
    children: dict[Hashable, list[Hashable]] = {root: []}
    for node in order:
        for nb in sorted(g[node], key=_sort_key):
            if nb not in parent:
                parent[nb] = node
                children[nb] = []
                children[node].append(nb)
                order.append(nb)
    size = dict.fromkeys(order, 1)
    for node in reversed(order[1:]):
        size[parent[node]] += size[node]  # type: ignore[index]
    depth = {root: 0}
    per_depth: dict[int, int] = {}
    for node in order[1:]:
        depth[node] = depth[parent[node]] + 1  # type: ignore[index]
        per_depth[depth[node]] = per_depth.get(depth[node], 0) + 1
    radius = {0: 0.0}
    for d in sorted(per_depth):  # a ring is wide enough for its nodes
        radius[d] = max(radius[d - 1] + ring, per_depth[d] * ring * 0.55 / math.tau)
    pos: Pos = {root: (0.0, 0.0)}
    wedge = {root: (0.0, math.tau)}
    for node in order:
        start, width = wedge[node]
        for child in children[node]:
            share = width * size[child] / max(size[node] - 1, 1)
            wedge[child] = (start, share)
            angle = start + share / 2
            r = radius[depth[child]]
            pos[child] = (r * math.cos(angle), r * math.sin(angle))
            start += share
    return pos


def _relax(g: nx.Graph, pos: Pos, fixed: set[Hashable], iterations: int, rng: random.Random) -> Pos:
    """Fruchterman-Reingold rounds on ``pos``; ``fixed`` nodes push but do not move."""
    nodes = sorted(g, key=_sort_key)
    index = {n: i for i, n in enumerate(nodes)}
    xs = [pos[n][0] + rng.uniform(-1, 1) for n in nodes]
    ys = [pos[n][1] + rng.uniform(-1, 1) for n in nodes]
    movable = [n not in fixed for n in nodes]
    edges = [(index[u], index[v]) for u, v in g.edges() if u != v]
    cell = 1.5 * K
    k2 = K * K
    temperature = K * 1.5
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        dx = [0.0] * len(nodes)
        dy = [0.0] * len(nodes)
        grid: dict[tuple[int, int], list[int]] = {}
        for i in range(len(nodes)):
            grid.setdefault((int(xs[i] // cell), int(ys[i] // cell)), []).append(i)
        for (cx, cy), members in grid.items():
            near = [
                j
                for ox in (-1, 0, 1)
                for oy in (-1, 0, 1)
                for j in grid.get((cx + ox, cy + oy), ())
            ]
            for i in members:
                if not movable[i]:
                    continue
                xi, yi = xs[i], ys[i]
                fx = fy = 0.0
                for j in near:
                    if j == i:
                        continue
                    ex, ey = xi - xs[j], yi - ys[j]
                    d2 = ex * ex + ey * ey
                    if d2 < 0.01:
                        ex, ey, d2 = rng.uniform(-1, 1), rng.uniform(-1, 1), 1.0
                    if d2 < cell * cell:
                        f = k2 / d2
                        fx += ex * f
                        fy += ey * f
                dx[i] += fx
                dy[i] += fy
        for a, b in edges:
            ex, ey = xs[a] - xs[b], ys[a] - ys[b]
            d = math.sqrt(ex * ex + ey * ey) or 0.01
            f = d / K
            dx[a] -= ex * f
            dy[a] -= ey * f
            dx[b] += ex * f
            dy[b] += ey * f
        for i in range(len(nodes)):
            if movable[i]:
                d = math.sqrt(dx[i] * dx[i] + dy[i] * dy[i])
                if d > 0:
                    step = min(d, temperature) / d
                    xs[i] += dx[i] * step
                    ys[i] += dy[i] * step
        temperature -= cooling
    return {n: (xs[i], ys[i]) for n, i in index.items()}


def _rounds(n: int) -> int:
    """Fewer rounds for bigger components: the radial start is already untangled."""
    return max(8, min(40, 12_000 // max(n, 1)))


def _hub(g: nx.Graph, nodes: Iterable[Hashable]) -> Hashable:
    return min(nodes, key=lambda n: (-g.degree(n), _sort_key(n)))


def _pack(parts: list[Pos], gap: float = K) -> Pos:
    """Put the laid-out components side by side in rows, biggest first."""
    boxes = []
    for part in parts:
        xs = [p[0] for p in part.values()]
        ys = [p[1] for p in part.values()]
        boxes.append((min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys), part))
    boxes.sort(key=lambda b: (-(len(b[4])), -b[2] * b[3]))
    area = sum((w + gap) * (h + gap) for _, _, w, h, _ in boxes)
    row_width = max(max((w for _, _, w, _, _ in boxes), default=0.0), math.sqrt(area) * 1.5)
    out: Pos = {}
    x = y = row_height = 0.0
    for left, top, w, h, part in boxes:
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y + row_height + gap, 0.0
        for node, (px, py) in part.items():
            out[node] = (px - left + x, py - top + y)
        x += w + gap
        row_height = max(row_height, h)
    return _centre(out)


def _centre(pos: Pos) -> Pos:
    if not pos:
        return pos
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    mx, my = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    return {n: (round(x - mx, 1), round(y - my, 1)) for n, (x, y) in pos.items()}


def force_layout(g: nx.Graph, seed: int = 7) -> Pos:
    """Force-directed positions, per component, the components packed in rows."""
    rng = random.Random(seed)
    parts: list[Pos] = []
    singles: list[Hashable] = []
    for component in sorted(nx.connected_components(g), key=lambda c: -len(c)):
        if len(component) == 1:
            singles.extend(component)
            continue
        sub = g.subgraph(component)
        start = _tree_positions(sub, _hub(sub, component), K)
        parts.append(_relax(sub, start, set(), _rounds(len(component)), rng))
    if singles:
        per_row = max(1, math.ceil(math.sqrt(len(singles) * 2)))
        ordered = sorted(singles, key=_sort_key)
        parts.append(
            {n: ((i % per_row) * K, (i // per_row) * K * 0.7) for i, n in enumerate(ordered)}
        )
    return _pack(parts)


def radial_layout(g: nx.Graph, focus: Hashable, seed: int = 7) -> Pos:
    """The focus in the middle and its neighbourhood on rings; other components packed."""
    rng = random.Random(seed)
    component = nx.node_connected_component(g, focus)
    pos = _tree_positions(g.subgraph(component), focus, K * 1.6)
    pos = {n: (x + rng.uniform(-2, 2), y + rng.uniform(-2, 2)) for n, (x, y) in pos.items()}
    pos[focus] = (0.0, 0.0)
    rest = g.subgraph(set(g) - component)
    if len(rest):
        return _pack([pos, force_layout(rest, seed)])
    return _centre(pos)


def layered_layout(g: nx.Graph, layer: Mapping[Hashable, int], seed: int = 7) -> Pos:
    """Columns by ``layer`` (0 = leftmost); nodes without a layer placed around them."""
    rng = random.Random(seed)
    columns: dict[int, list[Hashable]] = {}
    for node in sorted(g, key=_sort_key):
        if node in layer:
            columns.setdefault(layer[node], []).append(node)
    rank: dict[Hashable, float] = {}
    for nodes in columns.values():
        rank.update({n: float(i) for i, n in enumerate(nodes)})
    keys = sorted(columns)
    for sweep in range(4):  # barycentre ordering, forward then backward
        order = keys if sweep % 2 == 0 else list(reversed(keys))
        for col in order[1:]:
            nodes = columns[col]
            bary = {}
            for n in nodes:
                ranks = [rank[m] for m in g[n] if m in layer and layer[m] != col]
                bary[n] = sum(ranks) / len(ranks) if ranks else rank[n]
            nodes.sort(key=functools.partial(_bary_key, bary))
            rank.update({n: float(i) for i, n in enumerate(nodes)})
    tallest = max((len(nodes) for nodes in columns.values()), default=0)
    pos: Pos = {}
    for col, nodes in columns.items():
        offset = (tallest - len(nodes)) * ROW_GAP / 2
        for i, n in enumerate(nodes):
            pos[n] = (col * COLUMN_GAP, offset + i * ROW_GAP)
    attached: set[Hashable] = set()
    parts: list[Pos] = []
    for component in sorted(nx.connected_components(g), key=lambda c: -len(c)):
        if component & pos.keys():
            attached |= component
        else:
            parts.append(force_layout(g.subgraph(component), seed))
    free = [n for n in sorted(attached, key=_sort_key) if n not in pos]
    if free:
        sub = g.subgraph(attached)
        queue = [n for n in pos if n in attached]
        seen = set(queue)
        for node in queue:  # start each free node next to a placed neighbour
            for nb in sorted(sub[node], key=_sort_key):
                if nb not in seen:
                    seen.add(nb)
                    px, py = pos[node]
                    angle = rng.uniform(0, math.tau)
                    pos[nb] = (px + K * math.cos(angle), py + K * math.sin(angle))
                    queue.append(nb)
        placed = {n: pos[n] for n in attached}
        pos.update(_relax(sub, placed, set(columns_nodes(columns)), _rounds(len(free)), rng))
    if not parts:
        return _centre(pos)
    top = max((p[1] for p in pos.values()), default=0.0) + 2 * K
    below = _pack(parts) if parts else {}
    if below:
        left = min(p[0] for p in pos.values()) if pos else 0.0
        bx = min(p[0] for p in below.values())
        by = min(p[1] for p in below.values())
        pos.update({n: (x - bx + left, y - by + top) for n, (x, y) in below.items()})
    return _centre(pos)


def columns_nodes(columns: Mapping[int, list[Hashable]]) -> list[Hashable]:
    return [n for nodes in columns.values() for n in nodes]


def radial_ring(centre: tuple[float, float], nodes: list[Hashable], radius: float) -> Pos:
    """``nodes`` evenly on a circle of ``radius`` around ``centre`` (for an expansion)."""
    cx, cy = centre
    step = math.tau / max(len(nodes), 1)
    return {
        n: (round(cx + radius * math.cos(i * step), 1), round(cy + radius * math.sin(i * step), 1))
        for i, n in enumerate(nodes)
    }
