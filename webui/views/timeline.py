"""The timeline (/tijdlijn): the trajectories on a month axis, coloured by coordinating ministry.

Geometry is computed here and drawn by the template as SVG (attributes only, colours by CSS
class: the page's CSP allows no inline style). Trajectories planned 'PM' have no date and are
listed apart, as are those whose coordinating ministry the deck does not state.
"""

from __future__ import annotations

import datetime
import textwrap
from typing import Any

from rdflib import Literal
from rdflib.term import Node

from amkg.queries import internal
from amkg.webui.i18n import t

from .common import AMKG, KG_, Labeler, is_true
from .matrix import notation, trajectory_ministries

WIDTH = 1000
LABEL_W = 400
RIGHT_PAD = 16
ROW_H = 46
BAR_H = 18
AXIS_H = 48
WRAP = 50
TAIL_W = 190  # room for the planning text after a bar
PALETTE = 6  # CSS classes .tl-c0 .. .tl-c5 (analysis.css)


def _date(value: Node | None) -> datetime.date | None:
    if isinstance(value, Literal) and isinstance(value.toPython(), datetime.date):
        return value.toPython()
    return None


def _month_index(day: datetime.date, first: datetime.date) -> float:
    """Months since ``first`` (fractional: the day within its month)."""
    nxt = datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    length = (nxt - datetime.date(day.year, day.month, 1)).days
    return (day.year - first.year) * 12 + day.month - first.month + (day.day - 1) / length


def _lines(text: str) -> list[str]:
    lines = textwrap.wrap(text, WRAP) or [""]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), WRAP, placeholder=" …")]
    return lines


def build(kg: KG_, lang: str) -> dict[str, Any]:
    lab = Labeler(kg, lang)
    named = trajectory_ministries(kg)
    rows: dict[Node, dict[str, Any]] = {}
    for r in internal.select(kg, "timeline"):
        traj = r["trajectory"]
        if traj in rows:
            continue
        by_role = named.get(traj, {})
        coordinators = sorted(
            by_role.get(AMKG.coordinatedBy, []), key=lambda m: (notation(kg, m), str(m))
        )
        partners = sorted(
            by_role.get(AMKG.inCooperationWith, []), key=lambda m: (notation(kg, m), str(m))
        )
        rows[traj] = {
            **lab.ref(traj),
            "annex_row": int(str(r["annexRow"])) if r.get("annexRow") else None,
            "planning": lab.ref(r["planning"]) if r.get("planning") is not None else None,
            "start": _date(r.get("start")),
            "end": _date(r.get("end")),
            "not_planned": is_true(r.get("notYetPlanned")) or r.get("planning") is None,
            "end_inferred": is_true(r.get("endInferred")),
            "coordinators": [{**lab.ref(m), "notation": notation(kg, m)} for m in coordinators],
            "partners": [{**lab.ref(m), "notation": notation(kg, m)} for m in partners],
            "coordinator_not_stated": is_true(r.get("coordinatorNotStated")) or not coordinators,
            # changed after the deck (issue 11): shown beside the deck's planning
            "revised": str(r["revised"]) if r.get("revised") is not None else None,
            "completed": str(r["completed"]) if r.get("completed") is not None else None,
            "status": lab(r["status"]) if r.get("status") is not None else None,
        }
    dated = [
        row for row in rows.values() if not row["not_planned"] and (row["start"] or row["end"])
    ]
    unplanned = [row for row in rows.values() if row not in dated]
    ministries = sorted(
        {c["iri"]: c for row in dated for c in row["coordinators"]}.values(),
        key=lambda c: c["notation"].casefold(),
    )
    colour = {m["iri"]: f"tl-c{i % PALETTE}" for i, m in enumerate(ministries)}
    for row in unplanned:
        for c in row["coordinators"]:
            colour.setdefault(c["iri"], "tl-none")
    legend = [{**m, "css": colour[m["iri"]]} for m in ministries]
    chart = _chart(dated, colour, lang) if dated else None
    for row in rows.values():
        row["start"] = row["start"].isoformat() if row["start"] else None
        row["end"] = row["end"].isoformat() if row["end"] else None
        for c in row["coordinators"]:
            c["css"] = colour[c["iri"]]
    return {
        "chart": chart,
        "legend": legend,
        "dated": sorted(
            dated,
            key=lambda r: (r["start"] or r["end"] or "", r["end"] or "", r["annex_row"] or 99),
        ),
        "unplanned": unplanned,
        "no_coordinator": [r for r in rows.values() if r["coordinator_not_stated"]],
    }


def _chart(dated: list[dict[str, Any]], colour: dict[str, str], lang: str) -> dict[str, Any]:
    days = [d for r in dated for d in (r["start"], r["end"]) if d]
    first = datetime.date(min(days).year, 1, 1)
    last = datetime.date(max(days).year, 12, 31)
    n_months = (last.year - first.year) * 12 + last.month - first.month + 1
    span = WIDTH - LABEL_W - RIGHT_PAD
    unit = span / n_months

    def x(day: datetime.date, end: bool = False) -> float:
        offset = _month_index(day, first)
        if end:  # the bar covers the whole last day
            offset += 1 / 31
        return round(LABEL_W + offset * unit, 2)

    ticks = []
    for i in range(n_months):
        month = (first.month - 1 + i) % 12
        year = first.year + (first.month - 1 + i) // 12
        ticks.append(
            {
                "x": round(LABEL_W + i * unit, 2),
                "mid": round(LABEL_W + (i + 0.5) * unit, 2),
                "label": t(f"an.timeline.month.{month + 1}", lang),
                "year": year if month == 0 else None,
            }
        )
    bars = []
    for i, r in enumerate(sorted(dated, key=lambda r: (r["start"] or r["end"], r["end"]))):
        top = AXIS_H + i * ROW_H
        open_start = r["start"] is None
        x0 = LABEL_W if open_start else x(r["start"])
        x1 = x(r["end"] or r["start"], end=True)
        stripes = r["coordinators"] or [None]
        h = BAR_H / len(stripes)
        bar_y = top + (ROW_H - BAR_H) / 2
        bars.append(
            {
                "iri": r["iri"],
                "url": r["url"],
                "label": r["label"],
                "lines": _lines(r["label"]),
                "y": top,
                "text_y": top + 18,
                "bar_y": round(bar_y, 2),
                "x": x0,
                "width": round(max(x1 - x0, 3), 2),
                "open_start": open_start,
                "end_inferred": r["end_inferred"],
                "planning": r["planning"]["label"] if r["planning"] else "",
                "who": ", ".join(c["notation"] for c in r["coordinators"]),
                "stripes": [
                    {
                        "y": round(bar_y + k * h, 2),
                        "h": round(h, 2),
                        "css": colour[c["iri"]] if c else "tl-none",
                    }
                    for k, c in enumerate(stripes)
                ],
                "tail_x": round(x1 + 6, 2) if x1 + 6 + TAIL_W < WIDTH else round(x0 - 6, 2),
                "tail_anchor": "start" if x1 + 6 + TAIL_W < WIDTH else "end",
                "row_line": top + ROW_H,
            }
        )
    height = AXIS_H + len(bars) * ROW_H + 8
    return {
        "width": WIDTH,
        "height": height,
        "label_w": LABEL_W,
        "axis_h": AXIS_H,
        "right": WIDTH - RIGHT_PAD,
        "ticks": ticks,
        "bars": bars,
        "bar_h": BAR_H,
        "from": first.isoformat(),
        "to": last.isoformat(),
    }
