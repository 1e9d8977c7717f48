"""Provenance: citations (slide, section, quote) and rdf:Statement readings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import Literal
from rdflib.term import Node

from amkg.graph.footprint import Delta, reread
from amkg.queries import internal

from .common import AMKG, KG_, Labeler, is_true, pick_texts


@dataclass
class Cited:
    """One citation: its quotes, slide, the slide's index and section (each may be missing)."""

    quotes: list[Node] = field(default_factory=list)
    slide: Node | None = None
    index: Node | None = None
    section: Node | None = None


@dataclass
class CitationIndex:
    """Every citation of the deck (``deck-citations.rq``), built once per graph."""

    of: dict[Node, list[Node]] = field(default_factory=dict)  # resource -> its citations
    cited: dict[Node, Cited] = field(default_factory=dict)  # citation -> what it says


def citation_index(kg: KG_) -> CitationIndex:
    """The deck's citations by resource and by citation (``kg.derived``; the sources of later
    changes: :func:`change_citations`)."""
    return kg.derived("citation-index", lambda: _citation_index(kg))


def _citation_index(kg: KG_) -> CitationIndex:
    index = CitationIndex()
    for r in internal.select(kg, "deck-citations"):
        citation = r["citation"]
        owned = index.of.setdefault(r["node"], [])
        if citation not in owned:
            owned.append(citation)
        c = index.cited.setdefault(citation, Cited())
        if "quote" in r and r["quote"] not in c.quotes:
            c.quotes.append(r["quote"])
        c.slide = c.slide if c.slide is not None else r.get("slide")
        c.index = c.index if c.index is not None else r.get("index")
        c.section = c.section if c.section is not None else r.get("section")
    for owned in index.of.values():
        owned.sort(key=str)
    for c in index.cited.values():
        c.quotes.sort(key=str)
    return index


def change_sources(kg: KG_) -> dict[Node, dict[str, str]]:
    """The sources of later changes (issue 11) by IRI: title, date, link, meeting and the change
    set's id (``kg.derived``; after a change, the sources it touched are read again)."""

    def read(bindings: dict[str, Node] | None = None) -> dict[Node, dict[str, str]]:
        found = {}
        for r in internal.select(kg, "change-citations", bindings):
            change = str(r["change"]).rsplit("/", 1)[-1]
            found[r["source"]] = {name: str(r[name]) if r.get(name) is not None else ""
                                  for name in ("title", "date", "url", "meeting")}  # fmt: skip
            found[r["source"]]["change"] = change
        return found

    def update(older: dict[Node, dict[str, str]], delta: Delta) -> dict[Node, dict[str, str]]:
        subjects = {s for s, _p, _o in delta.triples}
        changed = {str(s).rsplit("/", 1)[-1] for s in subjects}  # a change set's own triples
        again = subjects | {s for s, row in older.items() if row["change"] in changed}
        return reread(older, again, lambda source: read({"source": source}))

    return kg.derived("change-sources", read, update)


def change_citations(kg: KG_) -> dict[Node, list[Node]]:
    """Resource -> the sources of later changes it cites (``kg.derived``; after a change, the
    citations of the subjects it touched are read again)."""

    def read(bindings: dict[str, Node] | None = None) -> dict[Node, list[Node]]:
        found: dict[Node, list[Node]] = {}
        for r in internal.select(kg, "change-cited", bindings):
            found.setdefault(r["node"], []).append(r["citation"])
        return found

    def update(older: dict[Node, list[Node]], delta: Delta) -> dict[Node, list[Node]]:
        subjects = {s for s, _p, _o in delta.triples}
        return reread(older, subjects, lambda node: read({"node": node}))

    return kg.derived("change-citations", read, update)


def citations_of(kg: KG_, lab: Labeler, node: Node) -> list[dict[str, Any]]:
    """The citations of one resource, in slide order; the sources of later changes (which
    have no slide) last, each as ``change``."""
    index = citation_index(kg)
    changed = change_citations(kg).get(node, [])
    later = change_sources(kg) if changed else {}
    out = []
    for citation in [*index.of.get(node, []), *changed]:
        c = index.cited.get(citation) or Cited()
        out.append(
            {
                "iri": str(citation),
                "quote": " ".join(t["text"] for t in pick_texts(c.quotes, "nl")),
                "section": str(c.section) if c.section is not None else None,
                "slide": lab.ref(c.slide) if c.slide is not None else None,
                "slide_index": int(c.index.toPython()) if isinstance(c.index, Literal) else None,
                "change": later.get(citation),
            }
        )
    return sorted(
        out,
        key=lambda c: (
            c["change"] is not None,
            c["slide_index"] or 0,
            c["section"] or "",
            c["quote"],
            c["iri"],
        ),
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
