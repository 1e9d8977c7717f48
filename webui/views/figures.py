"""The figures (/cijfers): every dataset of the deck as a chart and as a table, from the graph.

Each figure comes from a catalogue query (``queries/catalogue``), so the page shows the same
numbers an analyst gets from /queries. Charts are horizontal bar charts whose geometry is
computed here (:func:`bar_chart`) and drawn by the template as SVG; every chart has a table.
Datasets whose numbers the text extraction lost (``amkg:dataLost``) say so.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF
from rdflib.term import Node

from queries.catalogue import run

from .common import AMKG, KG, KG_, Labeler, is_true, local_name, select
from .provenance import citations_of

QB_DATASET = "http://purl.org/linked-data/cube#DataSet"
CHART_W, LABEL_W, BAR_H, GAP, GROUP_GAP, TOP = 900, 300, 16, 3, 14, 26


def fmt(value: float | int | None, lang: str, digits: int = 0) -> str:
    """A number as the language writes it: 72.500 (nl), 72,500 (en)."""
    if value is None:
        return ""
    text = f"{value:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".") if lang == "nl" else text


def _nice_step(top: float) -> float:
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
    step = _nice_step(top)
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


def _v(row: dict[str, Node], key: str) -> Any:
    value = row.get(key)
    if not isinstance(value, Literal):
        return str(value) if value else None
    py = value.toPython()
    return float(py) if isinstance(py, Decimal) else py


def _lbl(row: dict[str, Node], key: str, lang: str) -> str:
    return str(row.get(key + ("En" if lang == "en" else "Nl")) or row.get(key + "Nl") or "")


def _cell(text: Any, url: str | None = None, num: bool = False) -> dict[str, Any]:
    return {"text": "" if text is None else str(text), "url": url, "num": num}


def _url(node: Node | None) -> str | None:
    return (
        "/id/" + str(node)[len(str(KG)) :]
        if node is not None and str(node).startswith(str(KG))
        else None
    )


def eu_stocks(kg: KG_, lang: str, t: Callable[[str], str]) -> dict[str, Any]:
    rows = run(kg, "eu-arbeidsmigranten-per-jaar", {}).rows
    keys = list(dict.fromkeys((str(r["countryGroup"]), str(r["employmentType"])) for r in rows))
    names = dict.fromkeys(keys, "")
    by_year: dict[int, dict[tuple[str, str], dict[str, Node]]] = {}
    for r in rows:
        key = (str(r["countryGroup"]), str(r["employmentType"]))
        group, kind = _lbl(r, "countryGroupLabel", lang), _lbl(r, "employmentTypeLabel", lang)
        names[key] = f"{group} · {kind}"
        by_year.setdefault(int(_v(r, "year")), {})[key] = r
    series = [names[k] for k in keys]
    groups = [
        {
            "label": str(year),
            "bars": [
                {
                    "segments": [(i, _v(cells[k], "value") or 0)],
                    "note": None
                    if _v(cells[k], "value") is not None
                    else t("an.fig.not_available"),
                }
                for i, k in enumerate(keys)
                if k in cells
            ],
        }
        for year, cells in sorted(by_year.items())
    ]
    table = {
        "columns": [t("an.fig.year"), *series],
        "rows": [
            [
                _cell(year),
                *(
                    _cell(_v(cells[k], "printedValue") if k in cells else "", num=True)
                    for k in keys
                ),
            ]
            for year, cells in sorted(by_year.items())
        ],
    }
    return {
        "query": "eu-arbeidsmigranten-per-jaar",
        "chart": bar_chart(groups, series, lang),
        "table": table,
    }


def decisions(kg: KG_, lang: str, t: Callable[[str], str]) -> dict[str, Any]:
    rows = run(kg, "beslissingen-inwilligingen", {}).rows
    for r in rows:  # the computed count (its column name changed once)
        r["approvals"] = r.get("approvalsComputed") or r.get("approvals")  # type: ignore[assignment]
    series = [t("an.fig.decisions"), t("an.fig.approvals")]
    groups = [
        {
            "label": str(_v(r, "year")),
            "bars": [
                {"segments": [(0, _v(r, "decisions") or 0)]},
                {
                    "segments": [(1, _v(r, "approvals") or 0)],
                    "note": f"≈ {fmt(_v(r, 'approvals'), lang)} ({_v(r, 'approvalPrinted')})",
                },
            ],
        }
        for r in rows
    ]
    table = {
        "columns": [
            t("an.fig.year"),
            series[0],
            t("an.fig.approval_rate"),
            t("an.fig.approvals_computed"),
        ],
        "rows": [
            [
                _cell(_v(r, "year")),
                _cell(_v(r, "decisionsPrinted"), num=True),
                _cell(_v(r, "approvalPrinted"), num=True),
                _cell(fmt(_v(r, "approvals"), lang), num=True),
            ]
            for r in rows
        ],
    }
    inferred = any(is_true(r.get("inferred")) for r in rows)
    return {
        "query": "beslissingen-inwilligingen",
        "chart": bar_chart(groups, series, lang),
        "table": table,
        "inferred": inferred,
    }


def inflow(kg: KG_, lang: str, t: Callable[[str], str]) -> dict[str, Any]:
    rows = run(kg, "instroom-derde-landen", {}).rows
    parts = [r for r in rows if not is_true(r.get("isTotal"))]
    cats = list(dict.fromkeys(str(r["category"]) for r in parts))
    label = {str(r["category"]): _lbl(r, "categoryLabel", lang) for r in parts}
    years = sorted({int(_v(r, "year")) for r in rows})
    cell = {(str(r["category"]), int(_v(r, "year"))): r for r in parts}
    totals = {int(_v(r, "year")): r for r in rows if is_true(r.get("isTotal"))}
    groups = [
        {
            "label": str(y),
            "bars": [
                {
                    "segments": [
                        (i, _v(cell[(c, y)], "value") or 0)
                        for i, c in enumerate(cats)
                        if (c, y) in cell
                    ],
                    "note": _v(totals[y], "printedValue") if y in totals else None,
                }
            ],
        }
        for y in years
    ]
    table = {
        "columns": [t("an.fig.category"), *map(str, years)],
        "rows": [
            [
                _cell(
                    label[c],
                    _url(next(iter(r["category"] for r in parts if str(r["category"]) == c))),
                ),
                *(
                    _cell(_v(cell[(c, y)], "printedValue") if (c, y) in cell else "", num=True)
                    for y in years
                ),
            ]
            for c in cats
        ],
    }
    table["rows"].append(
        [
            _cell(t("an.fig.total")),
            *(_cell(_v(totals[y], "printedValue") if y in totals else "", num=True) for y in years),
        ]
    )
    return {
        "query": "instroom-derde-landen",
        "chart": bar_chart(groups, [label[c] for c in cats], lang),
        "table": table,
    }


def shortage(kg: KG_, lang: str, t: Callable[[str], str]) -> dict[str, Any]:
    rows = run(kg, "tekortberoepen", {}).rows
    groups = [
        {
            "label": _lbl(r, "occupationLabel", lang),
            "bars": [{"segments": [(0, _v(r, "openings") or 0)]}],
        }
        for r in rows
    ]
    table = {
        "columns": [
            t("an.fig.occupation"),
            t("an.fig.sector"),
            t("an.fig.openings"),
            t("an.fig.share"),
        ],
        "rows": [
            [
                _cell(_lbl(r, "occupationLabel", lang), _url(r["occupation"])),
                _cell(_lbl(r, "sectors", lang)),
                _cell(_v(r, "openingsPrinted"), num=True),
                _cell(_v(r, "sharePrinted"), num=True),
            ]
            for r in rows
        ],
    }
    return {
        "query": "tekortberoepen",
        "chart": bar_chart(groups, [t("an.fig.openings")], lang),
        "table": table,
    }


def windpark(kg: KG_, lang: str, t: Callable[[str], str]) -> dict[str, Any]:
    rows = run(kg, "windpark-vraag-aanbod", {}).rows
    series = [t("an.fig.demand"), t("an.fig.supply")]

    def name(r: dict[str, Node]) -> str:
        return t("an.fig.total") if is_true(r.get("isTotal")) else _lbl(r, "occupationLabel", lang)

    parts = [r for r in rows if not is_true(r.get("isTotal"))]
    groups = [
        {
            "label": name(r),
            "bars": [{"segments": [(0, _v(r, "demand"))]}, {"segments": [(1, _v(r, "supply"))]}],
        }
        for r in parts
    ]
    table = {
        "columns": [t("an.fig.occupation"), *series, t("an.fig.gap")],
        "rows": [
            [
                _cell(name(r), _url(r.get("occupation"))),
                _cell(fmt(_v(r, "demand"), lang), num=True),
                _cell(fmt(_v(r, "supply"), lang), num=True),
                _cell(fmt(_v(r, "gap"), lang), num=True),
            ]
            for r in rows
        ],
    }
    return {
        "query": "windpark-vraag-aanbod",
        "chart": bar_chart(groups, series, lang),
        "table": table,
    }


MARKS = {"+": "mark-plus", "+/-": "mark-plusminus", "-": "mark-minus", "?": "mark-unknown"}


def conditions(kg: KG_, lang: str, t: Callable[[str], str]) -> dict[str, Any]:
    rows = run(kg, "randvoorwaarden-sectoren", {}).rows
    sectors = list(dict.fromkeys(str(r["sector"]) for r in rows))
    sector_label = {str(r["sector"]): _lbl(r, "sectorLabel", lang) for r in rows}
    conds = list(dict.fromkeys(str(r["condition"]) for r in rows))
    cond_label = {str(r["condition"]): _lbl(r, "conditionLabel", lang) for r in rows}
    cell = {(str(r["condition"]), str(r["sector"])): r for r in rows}
    grid = {
        "sectors": [sector_label[s] for s in sectors],
        "rows": [
            {
                "label": cond_label[c],
                "cells": [
                    {
                        "mark": _v(cell[(c, s)], "printedValue") if (c, s) in cell else "",
                        "css": MARKS.get(str(_v(cell[(c, s)], "printedValue")), "mark-unknown")
                        if (c, s) in cell
                        else "mark-none",
                        "text": _lbl(cell[(c, s)], "markLabel", lang) if (c, s) in cell else "",
                        "inferred": is_true(cell[(c, s)].get("inferred"))
                        if (c, s) in cell
                        else False,
                    }
                    for s in sectors
                ],
            }
            for c in conds
        ],
    }
    table = {
        "columns": [t("an.fig.condition"), *grid["sectors"]],
        "rows": [
            [_cell(row["label"]), *(_cell(x["text"] or x["mark"]) for x in row["cells"])]
            for row in grid["rows"]
        ],
    }
    return {
        "query": "randvoorwaarden-sectoren",
        "grid": grid,
        "table": table,
        "inferred": any(x["inferred"] for row in grid["rows"] for x in row["cells"]),
    }


def vacancies(kg: KG_, lang: str, t: Callable[[str], str]) -> dict[str, Any]:
    rows = run(kg, "vacatures-baanopeningen-sector", {}).rows
    series = [t("an.fig.vacancies"), t("an.fig.openings")]

    def name(r: dict[str, Node]) -> str:
        return t("an.fig.total") if is_true(r.get("isTotal")) else _lbl(r, "sectorLabel", lang)

    groups = [
        {
            "label": name(r),
            "bars": [
                {"segments": [(0, _v(r, "vacancies") or 0)]},
                {"segments": [(1, _v(r, "openings") or 0)]},
            ],
        }
        for r in rows
        if not is_true(r.get("isTotal"))
    ]
    table = {
        "columns": [
            t("an.fig.sector"),
            f"{series[0]} ({_v(rows[0], 'vacanciesPeriod') or ''})" if rows else series[0],
            f"{series[1]} ({_v(rows[0], 'openingsPeriod') or ''})" if rows else series[1],
        ],
        "rows": [
            [
                _cell(name(r), _url(r.get("sector"))),
                _cell(fmt(_v(r, "vacancies"), lang), num=True),
                _cell(fmt(_v(r, "openings"), lang), num=True),
            ]
            for r in rows
        ],
    }
    return {
        "query": "vacatures-baanopeningen-sector",
        "chart": bar_chart(groups, series, lang),
        "table": table,
    }


def family(kg: KG_, lang: str, t: Callable[[str], str]) -> dict[str, Any]:
    rows = run(kg, "gezinsmigratie", {}).rows
    groups = [
        {
            "label": _lbl(r, "groupLabel", lang),
            "bars": [
                {"segments": [(0, float(_v(r, "ratio") or 0))], "note": _v(r, "printedValue")}
            ],
        }
        for r in rows
    ]
    table = {
        "columns": [t("an.fig.group"), t("an.fig.ratio"), t("an.fig.printed")],
        "rows": [
            [
                _cell(_lbl(r, "groupLabel", lang), _url(r["group"])),
                _cell(fmt(_v(r, "ratio"), lang, 1), num=True),
                _cell(_v(r, "printedValue")),
            ]
            for r in rows
        ],
    }
    return {
        "query": "gezinsmigratie",
        "chart": bar_chart(groups, [t("an.fig.ratio")], lang),
        "table": table,
    }


RANKS = """
SELECT ?dataset ?item ?rank ?printed WHERE {
  ?obs qb:dataSet ?dataset ; amkg:value ?rank ; amkg:printedValue ?printed ;
       amkg:occupationGroup|amkg:sector|amkg:occupation ?item .
} ORDER BY ?rank ?item
"""


def ranks(kg: KG_, lab: Labeler, dataset: URIRef, t: Callable[[str], str]) -> dict[str, Any]:
    """A ranking (top-5 tables): a table only; a chart of ranks would suggest amounts."""
    rows = select(kg, "PREFIX qb: <http://purl.org/linked-data/cube#>\n" + RANKS, dataset=dataset)
    table = {
        "columns": [t("an.fig.rank"), t("an.fig.name")],
        "rows": [[_cell(_v(r, "printed")), _cell(lab(r["item"]), _url(r["item"]))] for r in rows],
    }
    return {"query": None, "table": table, "ranking": True}


#: Dataset local name -> (figure key, builder). Datasets sharing a key share one figure.
BUILDERS: dict[str, tuple[str, Callable[..., dict[str, Any]]]] = {
    "dataset-eu-arbeidsmigranten-standen": ("eu", eu_stocks),
    "dataset-beslissingen-kennis-en-talent": ("decisions", decisions),
    "dataset-instroom-beleidscategorie": ("inflow", inflow),
    "dataset-roa-tekortberoepen": ("shortage", shortage),
    "dataset-windpark-op-land": ("windpark", windpark),
    "dataset-randvoorwaarden-sectoren": ("conditions", conditions),
    "dataset-vacatures-techniek-ict-q3-2022": ("vacancies", vacancies),
    "dataset-baanopeningen-techniek-ict-2026": ("vacancies", vacancies),
    "dataset-gezinsmigratie-per-arbeidsmigrant": ("family", family),
}


def build(kg: KG_, lang: str, t: Callable[[str], str]) -> dict[str, Any]:
    """The figures, in slide order; ``t`` translates the UI words of the tables."""
    lab = Labeler(kg.graph, lang)
    g = kg.graph
    figures: dict[str, dict[str, Any]] = {}
    for ds in g.subjects(RDF.type, URIRef(QB_DATASET)):
        name = local_name(str(ds))
        cites = citations_of(kg, lab, ds)
        key, builder = BUILDERS.get(name, (name, None))
        entry = figures.setdefault(
            key,
            {
                "key": key,
                "datasets": [],
                "citations": [],
                "slide_index": 999,
                "lost": False,
                "body": None,
                "builder": builder,
            },
        )
        entry["datasets"].append(
            {
                **lab.ref(ds),
                "lost": is_true(g.value(ds, AMKG.dataLost)),
                "description": lab.text(ds, DCTERMS.description),
                "sources": lab.refs(g.objects(ds, AMKG.sourceOrganisation)),
            }
        )
        entry["citations"] += cites
        entry["slide_index"] = min(
            [entry["slide_index"]] + [c["slide_index"] or 999 for c in cites]
        )
    out = []
    for entry in sorted(figures.values(), key=lambda e: (e["slide_index"], e["key"])):
        builder = entry.pop("builder")
        entry["lost"] = all(d["lost"] for d in entry["datasets"])
        if not entry["lost"]:
            entry["body"] = (
                builder(kg, lang, t)
                if builder
                else ranks(kg, lab, URIRef(entry["datasets"][0]["iri"]), t)
            )
        entry["datasets"].sort(key=lambda d: d["label"].casefold())
        entry["title"] = " · ".join(d["label"] for d in entry["datasets"])
        entry["id"] = "fig-" + entry["key"].removeprefix("dataset-")
        out.append(entry)
    return {"figures": out, "count": len(out), "lost": sum(1 for f in out if f["lost"])}
