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


def _columns(heights: Sequence[float], limit: float) -> list[list[int]]:
    """Indices of ``heights`` cut into columns no taller than ``limit`` (one cell at least)."""
    out: list[list[int]] = [[]]
    used = 0.0
    for i, h in enumerate(heights):
        if out[-1] and used + h > limit:
            out.append([])
            used = 0.0
        out[-1].append(i)
        used += h
    return out


def _extent(bands: Sequence[Sequence[float]], limit: float) -> tuple[float, float]:
    width = height = 0.0
    for heights in bands:
        cols = _columns(heights, limit)
        width += len(cols) * CELL_WIDTH + BAND_GAP
        height = max(height, *(sum(heights[i] for i in col) for col in cols))
    return width - BAND_GAP, height


def best_height(bands: Sequence[Sequence[float]], canvas: tuple[float, float] = CANVAS) -> float:
    """The column height at which the bands fit ``canvas`` at the largest scale."""
    tallest = max((h for heights in bands for h in heights), default=1.0)
    total = max(sum(sum(heights) for heights in bands), tallest)
    best, best_scale = total, 0.0
    steps = 60
    for k in range(steps + 1):
        limit = tallest + (total - tallest) * k / steps
        width, height = _extent(bands, limit)
        scale = min(canvas[0] / max(width, 1.0), canvas[1] / max(height, 1.0))
        if scale > best_scale + 1e-9:
            best, best_scale = limit, scale
    return best


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
    limit = best_height(cell_heights)
    _, total_height = _extent(cell_heights, limit)
    pos: Pos = {}
    x = 0.0
    for members, hs in zip(ordered, cell_heights, strict=True):
        for col in _columns(hs, limit):
            used = sum(hs[i] for i in col)
            y = (total_height - used) / 2
            for i in col:
                node = members[i]
                pos[node] = (round(x + CELL_WIDTH / 2, 1), round(y + sizes[node], 1))
                y += hs[i]
            x += CELL_WIDTH
        x += BAND_GAP
    return pos
