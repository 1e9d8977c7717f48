"""Provenance: citations (slide, section, quote) and rdf:Statement readings."""

from __future__ import annotations

from typing import Any

from rdflib import Literal
from rdflib.term import Node

from amkg.queries import internal

from .common import AMKG, KG_, Labeler, is_true, pick_texts


def citations_of(kg: KG_, lab: Labeler, node: Node) -> list[dict[str, Any]]:
    """The citations of one resource, in slide order (``queries/internal/node-citations.rq``)."""
    found: dict[Node, dict[str, Any]] = {}
    for r in internal.select(kg, "node-citations", node=node):
        c = found.setdefault(
            r["citation"], {"quotes": [], "slide": None, "index": None, "section": None}
        )
        if "quote" in r and r["quote"] not in c["quotes"]:
            c["quotes"].append(r["quote"])
        for key in ("slide", "index", "section"):
            if c[key] is None and key in r:
                c[key] = r[key]
    out = []
    for citation, c in found.items():
        slide, idx, section = c["slide"], c["index"], c["section"]
        out.append(
            {
                "iri": str(citation),
                "quote": " ".join(t["text"] for t in pick_texts(c["quotes"], "nl")),
                "section": str(section) if section is not None else None,
                "slide": lab.ref(slide) if slide is not None else None,
                "slide_index": int(idx.toPython()) if isinstance(idx, Literal) else None,
            }
        )
    return sorted(
        out, key=lambda c: (c["slide_index"] or 0, c["section"] or "", c["quote"], c["iri"])
    )


def statement_info(kg: KG_, lab: Labeler, st: Node) -> dict[str, Any]:
    """What an rdf:Statement node says about its triple: inferred, confidence, notes, quotes."""
    d = kg.describe(st)
    conf = d.value(AMKG.confidence)
    return {
        "iri": str(st),
        "inferred": is_true(d.value(AMKG.inferred)),
        "confidence": lab.ref(conf) if conf is not None else None,
        "notes": [t["text"] for t in pick_texts(d.objects(AMKG.inferenceNote), lab.lang)],
        "citations": citations_of(kg, lab, st),
    }


def statements_about(kg: KG_, lab: Labeler, node: Node) -> list[dict[str, Any]]:
    """Every rdf:Statement whose subject or object is `node`, with the triple it reifies."""
    out = []
    for r in internal.select(kg, "statements-about", node=node):
        out.append(
            {
                **statement_info(kg, lab, r["st"]),
                "subject": lab.ref(r["s"]),
                "predicate": lab.ref(r["p"]),
                "object": lab.ref(r["o"]),
                "direction": "out" if r["s"] == node else "in",
            }
        )
    return sorted(
        out,
        key=lambda s: (
            s["direction"],
            s["predicate"]["label"],
            s["object"]["label"],
            s["subject"]["label"],
            s["iri"],
        ),
    )
