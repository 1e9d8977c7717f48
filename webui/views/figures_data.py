"""The figure builders: one per dataset of the deck, each from its catalogue query.

Each returns the figure's body: a chart (``webui/views/charts.py``) and a table, or a table
only. ``webui/views/figures.py`` chooses the builder per dataset.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rdflib import URIRef
from rdflib.term import Node

from amkg.queries import internal
from amkg.queries.catalogue import run

from .charts import bar_chart, fmt
from .charts import entity_url as _url
from .charts import num_value as _v
from .charts import row_label as _lbl
from .charts import table_cell as _cell
from .common import KG_, Labeler, is_true


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
    table: dict[str, Any] = {
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
        approvals = r.get("approvalsComputed") or r.get("approvals")
        if approvals is not None:
            r["approvals"] = approvals
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
    table: dict[str, Any] = {
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
    table: dict[str, Any] = {
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
    table: dict[str, Any] = {
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
    table: dict[str, Any] = {
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
    grid: dict[str, Any] = {
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
    table: dict[str, Any] = {
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
    table: dict[str, Any] = {
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
    table: dict[str, Any] = {
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


def ranks(kg: KG_, lab: Labeler, dataset: URIRef, t: Callable[[str], str]) -> dict[str, Any]:
    """A ranking (top-5 tables): a table only; a chart of ranks would suggest amounts."""
    rows = internal.select(kg, "dataset-ranks", dataset=dataset)
    table: dict[str, Any] = {
        "columns": [t("an.fig.rank"), t("an.fig.name")],
        "rows": [[_cell(_v(r, "printed")), _cell(lab(r["item"]), _url(r["item"]))] for r in rows],
    }
    return {"query": None, "table": table, "ranking": True}
