"""Chart geometry and table cells for the figures page (``webui/views/figures.py``).

:func:`bar_chart` computes a horizontal bar chart that the template draws as SVG (no script,
no inline style); the cell helpers turn query rows into table cells.
"""

from __future__ import annotations

import math
import textwrap
from decimal import Decimal
from typing import Any

from rdflib import Literal
from rdflib.term import Node

from .common import KG

CHART_W, LABEL_W, BAR_H, GAP, GROUP_GAP, TOP = 900, 300, 16, 3, 14, 26


def fmt(value: float | int | None, lang: str, digits: int = 0) -> str:
    """A number as the language writes it: 72.500 (nl), 72,500 (en)."""
    if value is None:
        return ""
    text = f"{value:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".") if lang == "nl" else text


def nice_step(top: float) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving at most five intervals."""
    raw = max(top, 1e-9) / 5
    exp = 10 ** math.floor(math.log10(raw))
    return next(m * exp for m in (1, 2, 2.5, 5, 10) if m * exp >= raw)


def bar_chart(
    groups: list[dict[str, Any]], series: list[str], lang: str, unit: str = ""
) -> dict[str, Any]:
    """Geometry of a horizontal bar chart. ``groups``: ``[{label, bars: [{label, segments:
    [(series index, value)], note}]}]``; several segments stack, several bars group."""
    top = max((sum(v for _, v in b["segments"]) for g in groups for b in g["bars"]), default=1) or 1
    step = nice_step(top)
    n_ticks = math.ceil(top / step - 1e-9) or 1
    scale_max = step * n_ticks
    span = CHART_W - LABEL_W - 130
    y = TOP
    out_groups = []
    for g in groups:
        lines = textwrap.wrap(g["label"], 42)[:3] or [""]
        first_y = y
        bars = []
        for b in g["bars"]:
            x = LABEL_W
            segs = []
            for idx, value in b["segments"]:
                w = span * value / scale_max
                segs.append(
                    {
                        "x": round(x, 2),
                        "w": round(max(w, 0.5), 2),
                        "css": f"s{idx % 8}",
                        "series": series[idx] if idx < len(series) else "",
                    }
                )
                x += w
            total = sum(v for _, v in b["segments"])
            bars.append(
                {
                    "y": y,
                    "label": b.get("label", ""),
                    "segments": segs,
                    "value_x": round(x + 5, 2),
                    "text_y": y + BAR_H - 4,
                    "value": b.get("note") or fmt(total, lang, b.get("digits", 0)) + unit,
                }
            )
            y += BAR_H + GAP
        y = max(y, first_y + 14 * len(lines))
        mid = (first_y + y - GAP) / 2 + 4 - 7 * (len(lines) - 1)
        out_groups.append(
            {"label": g["label"], "lines": lines, "y": first_y, "mid": round(mid, 2), "bars": bars}
        )
        y += GROUP_GAP
    digits = 0 if step >= 1 else 1
    ticks = [
        {"x": round(LABEL_W + span * i / n_ticks, 2), "label": fmt(step * i, lang, digits)}
        for i in range(n_ticks + 1)
    ]
    return {
        "width": CHART_W,
        "height": y + 4,
        "label_w": LABEL_W,
        "bar_h": BAR_H,
        "ticks": ticks,
        "axis_y": TOP - 8,
        "groups": out_groups,
        "series": [{"label": s, "css": f"s{i % 8}"} for i, s in enumerate(series)],
    }


def num_value(row: dict[str, Node], key: str) -> Any:
    value = row.get(key)
    if not isinstance(value, Literal):
        return str(value) if value else None
    py = value.toPython()
    return float(py) if isinstance(py, Decimal) else py


def row_label(row: dict[str, Node], key: str, lang: str) -> str:
    return str(row.get(key + ("En" if lang == "en" else "Nl")) or row.get(key + "Nl") or "")


def table_cell(text: Any, url: str | None = None, num: bool = False) -> dict[str, Any]:
    return {"text": "" if text is None else str(text), "url": url, "num": num}


def entity_url(node: Node | None) -> str | None:
    return (
        "/id/" + str(node)[len(str(KG)) :]
        if node is not None and str(node).startswith(str(KG))
        else None
    )
