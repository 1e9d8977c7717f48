"""The explorer's grouped layout (issue 12): a cell per node, so labels cannot overlap; bands
left to right; labels wrapped and shortened to the lines a cell holds; loose nodes counted."""

from __future__ import annotations

import itertools

import networkx as nx

from amkg.webui.explorer import grouped
from amkg.webui.explorer.drawing import fit_label, wrap_label
from amkg.webui.explorer.source import Source
from amkg.webui.explorer.synthetic import synthetic_graph
from amkg.webui.explorer.view import ViewState, build_view, select


def test_cells_never_overlap_and_bands_read_left_to_right() -> None:
    g = nx.path_graph(40)
    bands = [list(range(0, 5)), list(range(5, 30)), list(range(30, 40))]
    heights = {n: 40.0 + (n % 3) * 10 for n in g}
    sizes = dict.fromkeys(g, 10.0)
    pos = grouped.grouped_layout(g, bands, heights, sizes, {n: str(n) for n in g})
    assert pos == grouped.grouped_layout(g, bands, heights, sizes, {n: str(n) for n in g})
    cells = {
        n: (x - grouped.CELL_WIDTH / 2, y - sizes[n], grouped.CELL_WIDTH, heights[n])
        for n, (x, y) in pos.items()
    }
    for a, b in itertools.combinations(cells, 2):
        ax, ay, aw, ah = cells[a]
        bx, by, bw, bh = cells[b]
        assert (
            min(ax + aw, bx + bw) - max(ax, bx) <= 0.01
            or min(ay + ah, by + bh) - max(ay, by) <= 0.01
        ), (a, b)
    for left, right in itertools.pairwise(bands):
        assert max(pos[n][0] for n in left) < min(pos[n][0] for n in right)
    # the long band is cut into several columns to fit a laptop's canvas
    assert len({pos[n][0] for n in bands[1]}) > 1


def test_labels_wrap_into_at_most_three_lines() -> None:
    text = "Ministerie van Sociale Zaken en Werkgelegenheid en nog veel meer woorden erbij"
    lines = wrap_label(text, 15)
    assert 1 < len(lines) <= grouped.LINES
    assert fit_label(text, 15).endswith("…")
    assert fit_label("Spoor 3", 20) == "Spoor 3"


def test_loose_nodes_are_counted_and_drawn_on_request() -> None:
    g = synthetic_graph(60, seed=3)
    g.add_node("https://w3id.org/amkg/id/lonely", cls="amkg:Measure", label_nl="Alleen")
    source = Source(g)
    state = ViewState.from_query([("hide", "")])
    sel = select(source, state, 500)
    assert sel.loose == 1
    assert "https://w3id.org/amkg/id/lonely" not in sel.shown
    shown = select(source, ViewState.from_query([("hide", ""), ("loose", "1")]), 500)
    assert shown.loose == 0
    assert "https://w3id.org/amkg/id/lonely" in shown.shown
    assert build_view(source, state, 500)["meta"]["loose"] == 1


def test_many_small_bands_share_columns_a_few_do_not() -> None:
    few = [[60.0] * 4, [60.0] * 4]
    assert grouped.best_flow(few)[1] is False
    many = [[60.0] * 2 for _ in range(30)]
    _, shared = grouped.best_flow(many)
    assert shared is True
    g = nx.empty_graph(60)
    bands = [[2 * k, 2 * k + 1] for k in range(30)]
    pos = grouped.grouped_layout(
        g, bands, dict.fromkeys(g, 60.0), dict.fromkeys(g, 10.0), {n: str(n) for n in g}
    )
    assert len({x for x, _ in pos.values()}) < 30  # fewer columns than bands
    assert len(set(pos.values())) == 60
