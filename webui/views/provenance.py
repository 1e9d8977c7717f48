"""Provenance: citations (slide, section, quote) and rdf:Statement readings."""

from __future__ import annotations

from typing import Any

from rdflib import Literal
from rdflib.term import Node

from .common import AMKG, KG_, Labeler, is_true, pick_texts, select

STATEMENTS_ABOUT = """
SELECT ?node ?st ?s ?p ?o WHERE {
  { ?st rdf:subject ?node . } UNION { ?st rdf:object ?node . }
  ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
}
"""


def citations_of(kg: KG_, lab: Labeler, node: Node) -> list[dict[str, Any]]:
    """The citations of one resource, in slide order."""
    g = kg.graph
    out = []
    for c in g.objects(node, AMKG.citation):
        slide = g.value(c, AMKG.slide)
        idx = g.value(slide, AMKG.slideIndex) if slide is not None else None
        section = g.value(c, AMKG.section)
        out.append(
            {
                "iri": str(c),
                "quote": " ".join(t["text"] for t in pick_texts(g.objects(c, AMKG.quote), "nl")),
                "section": str(section) if section is not None else None,
                "slide": lab.ref(slide) if slide is not None else None,
                "slide_index": int(idx.toPython()) if isinstance(idx, Literal) else None,
            }
        )
    return sorted(out, key=lambda c: (c["slide_index"] or 0, c["section"] or "", c["quote"]))


def statement_info(kg: KG_, lab: Labeler, st: Node) -> dict[str, Any]:
    """What an rdf:Statement node says about its triple: inferred, confidence, notes, quotes."""
    g = kg.graph
    conf = g.value(st, AMKG.confidence)
    return {
        "iri": str(st),
        "inferred": is_true(g.value(st, AMKG.inferred)),
        "confidence": lab.ref(conf) if conf is not None else None,
        "notes": [t["text"] for t in pick_texts(g.objects(st, AMKG.inferenceNote), lab.lang)],
        "citations": citations_of(kg, lab, st),
    }


def statements_about(kg: KG_, lab: Labeler, node: Node) -> list[dict[str, Any]]:
    """Every rdf:Statement whose subject or object is `node`, with the triple it reifies."""
    out = []
    for r in select(kg, STATEMENTS_ABOUT, node=node):
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
        out, key=lambda s: (s["direction"], s["predicate"]["label"], s["object"]["label"])
    )
