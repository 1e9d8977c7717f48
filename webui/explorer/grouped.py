"""The grouped layout (issue 12): every node in a cell of its own, so no two labels overlap.

The nodes come in *bands* (a class each in an overview: ministries, trajectories, domains,
tracks, measures, ...; around a focus: the focus, then each step away). A band is a run of
columns left to right; each column is as tall as the picture allows, and the height is chosen
so that the whole fits a laptop's canvas at the largest scale. A cell is as wide as the widest
label may be (the page wraps labels at :data:`WRAP`) and as tall as its node and up to
:data:`LINES` lines of label below it; within a band the nodes follow the mean row of their
neighbours in the bands before (fewer crossings), then their labels. Deterministic: the same
bands give the same picture.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence

import networkx as nx

Pos = dict[Hashable, tuple[float, float]]

#: Labels wrap at this width (vis-network ``widthConstraint.maximum``) ...
WRAP = 170
#: ... and take at most this many lines (labels are shortened to fit them).
LINES = 3
#: Width of a cell: the label and a margin on either side.
CELL_WIDTH = WRAP + 40
#: Extra room between bands.
BAND_GAP = 70.0
#: The canvas the layout aims to fill (a laptop's, in CSS pixels).
CANVAS = (1150.0, 620.0)
LINE_HEIGHT = 1.25
VERTICAL_MARGIN = 12.0


def cell_height(size: float, font: float, lines: int = LINES) -> float:
    """Room for a node of radius ``size`` and ``lines`` lines of label in ``font`` px below it."""
    return 2 * size + lines * font * LINE_HEIGHT + VERTICAL_MARGIN


#: Room between two bands that share a column.
BAND_VGAP = 28.0
#: Small bands share columns only when that makes the picture this much larger.
SHARE_GAIN = 1.25

#: A placed cell: (band, index in band, column, top within the column).
Cell = tuple[int, int, int, float]


def _flow(
    bands: Sequence[Sequence[float]], limit: float, shared: bool
) -> tuple[list[Cell], list[float], list[float]]:
    """The cells of ``bands`` in columns no taller than ``limit`` (one cell at least): each band
    starts a new column, unless ``shared`` and it fits under the band before. Returns the
    cells, each column's height and each column's left edge."""
    cells: list[Cell] = []
    heights: list[float] = []
    lefts: list[float] = []
    used = 0.0
    for b, band in enumerate(bands):
        fresh = not heights or not (shared and used + BAND_VGAP + band[0] <= limit)
        if heights and not fresh:
            used += BAND_VGAP
        for i, h in enumerate(band):
            if fresh or (used > 0 and used + h > limit):
                gap = BAND_GAP if fresh and heights else 0.0
                lefts.append((lefts[-1] + CELL_WIDTH + gap) if lefts else 0.0)
                heights.append(0.0)
                used = 0.0
                fresh = False
            cells.append((b, i, len(heights) - 1, used))
            used += h
            heights[-1] = used
    return cells, heights, lefts


def _scale(bands: Sequence[Sequence[float]], limit: float, shared: bool) -> float:
    _, heights, lefts = _flow(bands, limit, shared)
    width = (lefts[-1] + CELL_WIDTH) if lefts else 1.0
    return min(CANVAS[0] / width, CANVAS[1] / max(max(heights, default=1.0), 1.0))


def best_flow(bands: Sequence[Sequence[float]]) -> tuple[float, bool]:
    """The column height (and whether small bands share columns) at which the bands fit a
    laptop's canvas at the largest scale; separate bands unless sharing gains a lot."""
    tallest = max((h for heights in bands for h in heights), default=1.0)
    total = max(sum(sum(heights) for heights in bands), tallest)
    best: dict[bool, tuple[float, float]] = {}
    steps = 60
    for shared in (False, True):
        for k in range(steps + 1):
            limit = tallest + (total - tallest) * k / steps
            scale = _scale(bands, limit, shared)
            if scale > best.get(shared, (0.0, 0.0))[0] + 1e-9:
                best[shared] = (scale, limit)
    shared = best[True][0] > SHARE_GAIN * best[False][0]
    return best[shared][1], shared


def grouped_layout(
    g: nx.Graph,
    bands: Sequence[Sequence[Hashable]],
    heights: Mapping[Hashable, float],
    sizes: Mapping[Hashable, float],
    names: Mapping[Hashable, str],
) -> Pos:
    """Positions of the nodes in ``bands`` (each node once), a cell each: ``heights`` is a
    node's cell height, ``sizes`` its radius (the node sits at the top of its cell, its label
    below it), ``names`` orders ties."""
    row: dict[Hashable, float] = {}
    ordered: list[list[Hashable]] = []
    for band in (b for b in bands if b):

        def key(n: Hashable) -> tuple[float, str]:
            seen = [row[m] for m in g[n] if m in row] if n in g else []
            return (sum(seen) / len(seen) if seen else math.inf, names.get(n, str(n)))

        members = sorted(band, key=key)
        ordered.append(members)
        for i, n in enumerate(members):
            row[n] = i / max(len(members), 1)
    cell_heights = [[heights[n] for n in band] for band in ordered]
    if not cell_heights:
        return {}
    limit, shared = best_flow(cell_heights)
    cells, column_heights, lefts = _flow(cell_heights, limit, shared)
    total = max(column_heights)
    pos: Pos = {}
    for b, i, col, top in cells:
        node = ordered[b][i]
        y = (total - column_heights[col]) / 2 + top + sizes[node]
        pos[node] = (round(lefts[col] + CELL_WIDTH / 2, 1), round(y, 1))
    return pos
