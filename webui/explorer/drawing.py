"""How the explorer draws: colour, shape and size per class, the vis-network options, and the
pyvis Network built from a selection (nodes at fixed positions, bounded physics, plain-text
titles; their words are UI strings, ``ex.*``)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

import networkx as nx
from pyvis.network import Network

from amkg.webui.explorer import grouped
from amkg.webui.i18n import t

if TYPE_CHECKING:
    from amkg.webui.explorer.source import Source

# (colour, vis shape, size). Shapes with the label below the node only, so labels line up.
STYLES: dict[str, tuple[str, str, int]] = {
    "amkg:Ministry": ("#154273", "square", 17),
    "amkg:Trajectory": ("#7b3f98", "diamond", 14),
    "amkg:PolicyDomain": ("#e17000", "hexagon", 18),
    "amkg:Track": ("#d52b1e", "star", 26),
    "amkg:Lever": ("#f092cd", "triangleDown", 12),
    "amkg:CabinetQuestion": ("#b8a26b", "dot", 8),
    "amkg:Challenge": ("#b8a26b", "dot", 10),
    "amkg:GuidingQuestion": ("#b8a26b", "star", 14),
    "amkg:Measure": ("#39870c", "triangle", 14),
    "amkg:ActionLine": ("#76b82a", "triangle", 11),
    "amkg:Effect": ("#007bc7", "dot", 9),
    "amkg:Argument": ("#8fcae7", "dot", 8),
    "amkg:LegalAssessment": ("#673327", "square", 9),
    "amkg:MemberStateComparison": ("#a90061", "square", 9),
    "amkg:TargetGroup": ("#009e8f", "dot", 12),
    "amkg:Occupation": ("#b35c00", "dot", 10),
    "amkg:OccupationGroup": ("#cf8a3a", "hexagon", 11),
    "amkg:Sector": ("#e0a800", "dot", 11),
    "amkg:Factor": ("#d6b400", "triangleDown", 10),
    "amkg:Organisation": ("#01689b", "square", 12),
    "amkg:GovernmentBody": ("#01689b", "square", 12),
    "amkg:AdvisoryBody": ("#3f8fc4", "square", 12),
    "amkg:ResearchOrganisation": ("#5fa8d3", "square", 11),
    "amkg:InterestGroup": ("#42145f", "square", 11),
    "amkg:EUBody": ("#2a5d84", "square", 12),
    "amkg:EUInstrument": ("#275937", "diamond", 10),
    "amkg:LegalAct": ("#275937", "square", 10),
    "amkg:EUPrinciple": ("#4e8a5e", "diamond", 10),
    "amkg:EUPractice": ("#4e8a5e", "diamond", 10),
    "amkg:Country": ("#6f9fc8", "dot", 9),
    "amkg:CountryGroup": ("#2f6a96", "hexagon", 11),
    "amkg:Planning": ("#8c8c8c", "dot", 7),
    "amkg:Document": ("#6c7a89", "square", 8),
    "qb:DataSet": ("#5a5a5a", "square", 11),
    "qb:Observation": ("#b4b4b4", "dot", 5),
    "amkg:StatVariable": ("#9a9a9a", "dot", 7),
    "amkg:Condition": ("#9a9a9a", "dot", 7),
    "amkg:PolicyCategory": ("#9a9a9a", "dot", 7),
    "amkg:EmploymentType": ("#9a9a9a", "dot", 7),
}
FALLBACK = ("#a7a7a7", "dot", 8)

#: Physics, when on, stops after this many stabilisation rounds.
STABILIZATION_ITERATIONS = 150


def style_of(cls: str) -> tuple[str, str, int]:
    return STYLES.get(cls, FALLBACK)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def base_options(pyvis_options: dict[str, Any], physics: bool, n_nodes: int) -> dict[str, Any]:
    """pyvis's options with ours on top: fixed layout, bounded physics, plain tooltips."""
    big = n_nodes > 400
    return _merge(
        pyvis_options,
        {
            "autoResize": True,
            "layout": {"improvedLayout": False, "randomSeed": 7},
            "physics": {
                "enabled": physics,
                "solver": "barnesHut",
                "barnesHut": {
                    "gravitationalConstant": -2500,
                    "centralGravity": 0.05,
                    "springLength": 110,
                    "springConstant": 0.02,
                    "damping": 0.4,
                    "avoidOverlap": 0.1,
                },
                "stabilization": {
                    "enabled": physics,
                    "iterations": STABILIZATION_ITERATIONS,
                    "updateInterval": 25,
                    "fit": True,
                },
                "minVelocity": 1.5,
                "maxVelocity": 40,
                "timestep": 0.5,
            },
            "interaction": {
                "hover": True,
                "tooltipDelay": 150,
                "hideEdgesOnDrag": big,
                "hideEdgesOnZoom": big,
                "navigationButtons": False,
                "keyboard": {"enabled": True, "bindToWindow": False, "autoFocus": False},
                "multiselect": False,
            },
            "nodes": {"font": {**FONT, "size": 13}},
            "edges": {
                "arrows": {"to": {"enabled": True, "scaleFactor": 0.45}},
                "width": 1,
                "selectionWidth": 1.5,
                "hoverWidth": 0.8,
                "smooth": {"enabled": False},
                "color": {
                    "color": "#9fb1c4",
                    "highlight": "#154273",
                    "hover": "#01689b",
                    "inherit": False,
                },
                "font": {
                    "size": 11,
                    "face": "system-ui, sans-serif",
                    "color": "#154273",
                    "strokeWidth": 4,
                    "strokeColor": "#ffffff",
                    "align": "top",
                },
            },
            "configure": {"enabled": False},
        },
    )


#: A generous estimate of a character's width, in ems, for wrapping labels ahead of the page.
CHAR_WIDTH = 0.62


def wrap_label(
    text: str, font: float, width: float = grouped.WRAP, lines: int = grouped.LINES
) -> list[str]:
    """``text`` in lines as vis-network wraps it at ``width`` px (at spaces), estimated
    generously for ``font`` px, shortened (with "…") to at most ``lines`` lines."""
    per_line = max(4, int(width / (font * CHAR_WIDTH)))
    out: list[str] = []
    line = ""
    for word in text.split():
        word = word if len(word) <= per_line else word[: per_line - 1] + "…"
        candidate = f"{line} {word}" if line else word
        if len(candidate) <= per_line:
            line = candidate
            continue
        out.append(line)
        line = word
        if len(out) == lines:
            last = out[-1][: per_line - 1].rstrip()
            return [*out[:-1], last + "…"]
    return [*out, line] if line else out


def fit_label(text: str, font: float) -> str:
    """``text`` shortened to the lines a label may take (the full text is in the tooltip)."""
    return " ".join(wrap_label(text, font))


def font_size(cls: str) -> int:
    return FONT_SIZES.get(cls, 13)


def importance_size(source: Source, node: str) -> float:
    """A node's radius: its class's size, larger the more links it has (up to 1.8 times)."""
    base = style_of(source.cls(node))[2]
    factor = min(1.8, max(0.85, 0.8 + 0.2 * math.log1p(source.degree.get(node, 0))))
    return round(base * factor, 1)


def grouped_positions(
    source: Source, sub: nx.Graph, bands: list[list[str]], lang: str
) -> dict[Any, tuple[float, float]]:
    """The grouped layout of ``bands`` (:mod:`.grouped`), a cell per node sized by its node
    and the lines of its label."""
    sizes = {n: importance_size(source, n) for band in bands for n in band}
    heights = {}
    for n in sizes:
        font = font_size(source.cls(n))
        lines = len(wrap_label(source.label(n, lang), font))
        heights[n] = grouped.cell_height(sizes[n], font, lines)
    names = {n: source.label(n, "nl") for n in sizes}
    return grouped.grouped_layout(sub, bands, heights, sizes, names)  # type: ignore[arg-type]


class _Ids(list[str]):
    """pyvis's list of node ids, with a set beside it for constant-time ``in``."""

    def __init__(self) -> None:
        super().__init__()
        self._set: set[str] = set()

    def append(self, item: str) -> None:
        super().append(item)
        self._set.add(item)

    def __contains__(self, item: object) -> bool:
        return item in self._set


class _Network(Network):  # type: ignore[misc]
    """pyvis's Network; its duplicate checks (``id in node_ids``) take constant time."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.node_ids = _Ids()


#: Label sizes of the classes that carry the picture; every other class gets the default.
FONT_SIZES = {
    "amkg:Track": 20,
    "amkg:Ministry": 17,
    "amkg:PolicyDomain": 17,
    "amkg:Trajectory": 15,
    "amkg:Measure": 15,
}
FONT = {
    "face": "system-ui, sans-serif",
    "color": "#1a1a1a",
    "strokeWidth": 3,
    "strokeColor": "#ffffff",
}


def groups(classes: Iterable[str]) -> dict[str, Any]:
    """The vis-network groups, one per class: colour, shape, size, label size."""
    out = {}
    for cls in sorted(classes):
        colour, shape, size = style_of(cls)
        out[cls] = {
            "shape": shape,
            "size": size,
            "borderWidth": 1,
            "color": {
                "background": colour,
                "border": colour,
                "highlight": {"background": colour, "border": "#154273"},
                "hover": {"background": colour, "border": "#154273"},
            },
            "font": {**FONT, "size": FONT_SIZES.get(cls, 13)},
        }
    return out


def node_data(
    source: Source,
    node: str,
    pos: tuple[float, float],
    lang: str,
    more: int = 0,
    physics: bool = False,
) -> dict[str, Any]:
    """The keyword arguments of ``Network.add_node`` for one node (all text plain). The node's
    class is its vis-network group; ``more`` neighbours not shown give it a dotted border."""
    cls = source.cls(node)
    label = source.label(node, lang)
    title = f"{label}\n{source.class_label(cls, lang)}"
    out: dict[str, Any] = {
        "group": cls,
        "label": fit_label(label, font_size(cls)),
        "size": importance_size(source, node),
        "widthConstraint": {"maximum": grouped.WRAP},
        "x": pos[0],
        "y": pos[1],
        "physics": physics,
        "more": more,
        "shape": style_of(cls)[1],
    }  # pyvis gives every node a shape
    if label != out["label"]:
        out["full"] = label
    if more:
        title += "\n" + t("ex.more_neighbours", lang, n=more)
        out.update(MORE_STYLE)
    out["title"] = title
    return out


#: A node with neighbours not shown.
MORE_STYLE = {
    "borderWidth": 2.5,
    "shapeProperties": {"borderDashes": [3, 2]},
    "color": {"border": "#1a1a1a"},
}


def edge_id(source: Source, u: str, key: str, v: str) -> str:
    return f"{source.prefixed(u)}|{key}|{source.prefixed(v)}"


def edge_data(
    source: Source, u: str, v: str, key: str, data: dict[str, Any], lang: str, parallel: int = 0
) -> dict[str, Any]:
    """The keyword arguments of ``Network.add_edge`` for one link: its property's label as the
    title (plain text); an inferred link dashed and orange; parallel links curved apart."""
    label = str(data.get(f"label_{lang}") or data.get("label") or key)
    out: dict[str, Any] = {"id": edge_id(source, u, key, v), "title": label}
    if data.get("inferred"):
        out.update(
            title=f"{label} ({t('ex.inferred_word', lang)})",
            inferred=True,
            dashes=[6, 5],
            color={"color": "#c98a3d", "highlight": "#a34f00", "hover": "#a34f00"},
        )
    if parallel:
        out["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": 0.18 * parallel}
    return out


def build_network(
    source: Source,
    shown: list[str],
    pos: dict[Any, tuple[float, float]],
    lang: str,
    hidden: Collection[str] = (),
    physics: bool = False,
) -> Network:
    """A pyvis Network of the nodes ``shown`` (in that order) and the links between them, at
    the positions ``pos``; a node says how many of its neighbours (classes in ``hidden`` not
    counted) are not shown. Node ids are prefixed names (``kg:spoor-3``)."""
    net = _Network(directed=True, cdn_resources="remote")  # its template is never rendered
    present = set(shown)
    for node in shown:
        more = sum(
            1 for nb in source.simple[node] if nb not in present and source.cls(nb) not in hidden
        )
        net.add_node(
            source.prefixed(node), **node_data(source, node, pos[node], lang, more, physics)
        )
    pairs: Counter[frozenset[str]] = Counter()
    for u, v, key, data in source.graph.out_edges(shown, keys=True, data=True):
        if v not in present:
            continue
        pair = frozenset((u, v))
        net.add_edge(
            source.prefixed(u),
            source.prefixed(v),
            **edge_data(source, u, v, key, data, lang, pairs[pair]),
        )
        pairs[pair] += 1
    net.toggle_physics(physics)
    net.toggle_stabilization(physics)
    return net
