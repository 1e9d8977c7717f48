"""The figures (/cijfers): every dataset of the deck as a chart and as a table, from the graph.

Each figure comes from a catalogue query (``queries/catalogue``), so the page shows the same
numbers an analyst gets from /queries. Charts are horizontal bar charts whose geometry is
computed in ``webui/views/charts.py`` and drawn by the template as SVG; every chart has a table.
Datasets whose numbers the text extraction lost (``amkg:dataLost``) say so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rdflib import URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from amkg.queries import internal

from .common import AMKG, KG_, Labeler, is_true, local_name, pick_text
from .figures_data import (
    conditions,
    decisions,
    eu_stocks,
    family,
    inflow,
    ranks,
    shortage,
    vacancies,
    windpark,
)
from .provenance import citations_of

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
    lab = Labeler(kg, lang)
    datasets: dict[Node, dict[Node, list[Node]]] = {}
    for r in internal.select(kg, "datasets"):
        values = datasets.setdefault(r["dataset"], {})
        if "p" in r:
            values.setdefault(r["p"], []).append(r["o"])
    figures: dict[str, dict[str, Any]] = {}
    for ds in sorted(datasets, key=str):  # a stable order
        values = datasets[ds]
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
                "lost": any(is_true(v) for v in values.get(AMKG.dataLost, [])),
                "description": pick_text(
                    sorted(values.get(DCTERMS.description, []), key=repr), lang
                ),
                "sources": lab.refs(values.get(AMKG.sourceOrganisation, [])),
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
