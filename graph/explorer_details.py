"""What the explorer's side panel says about a node: label, type, key properties, links and
provenance (the citations with their quotes and slides), all plain text: the page puts them
into the DOM as text, never as HTML."""

from __future__ import annotations

from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from amkg.graph.explorer_source import Source
from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import AMKG, KG

MAX_VALUE_CHARS = 1200
MAX_LINKS = 40
#: Literal properties shown first in the panel, in this order.
FIRST = (
    SKOS.altLabel,
    DCTERMS.description,
    AMKG.leverPhrase,
    AMKG.overviewText,
    AMKG.effectText,
    AMKG.status,
)
SKIP = {RDFS.label, AMKG.citation}

#: Names of standard properties the ontology does not label.
PROPERTY_NAMES = {
    "skos:altLabel": {"nl": "ook genoemd", "en": "also called"},
    "skos:notation": {"nl": "afkorting", "en": "abbreviation"},
    "rdfs:comment": {"nl": "toelichting", "en": "comment"},
    "dcterms:description": {"nl": "beschrijving", "en": "description"},
    "dcterms:title": {"nl": "titel", "en": "title"},
    "skos:closeMatch": {"nl": "vergelijkbaar met", "en": "close match"},
}


def entity_url(iri: str) -> str | None:
    """``/id/<local>`` for a ``kg:`` IRI (its page in the web app), else None."""
    return "/id/" + iri[len(str(KG)) :] if iri.startswith(str(KG)) else None


def _pick(values: list[Literal], lang: str) -> list[str]:
    for wanted in (lang, "nl", "en"):
        found = [str(v) for v in values if v.language == wanted]
        if found:
            return found
    return [str(v) for v in values if not v.language] or [str(v) for v in values[:1]]


def _clip(text: str) -> str:
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _properties(kg: KnowledgeGraph, node: URIRef, lang: str) -> list[dict[str, Any]]:
    by_predicate: dict[URIRef, list[Literal]] = {}
    for p, o in kg.graph.predicate_objects(node):
        if isinstance(o, Literal) and isinstance(p, URIRef) and p not in SKIP:
            by_predicate.setdefault(p, []).append(o)
    order = {p: i for i, p in enumerate(FIRST)}
    out = []
    for p in sorted(by_predicate, key=lambda p: (order.get(p, len(order)), kg.label(p, lang))):
        values = sorted(by_predicate[p], key=str)
        name = kg.prefixed(p)
        label = PROPERTY_NAMES.get(name, {}).get(lang) or kg.label(p, lang)
        out.append(
            {"label": label, "predicate": name, "values": [_clip(v) for v in _pick(values, lang)]}
        )
    return out


def _provenance(kg: KnowledgeGraph, node: URIRef) -> list[dict[str, Any]]:
    g = kg.graph
    out = []
    for citation in g.objects(node, AMKG.citation):
        slide = g.value(citation, AMKG.slide)
        index = g.value(slide, AMKG.slideIndex) if slide is not None else None
        section = g.value(citation, AMKG.section)
        out.append(
            {
                "quote": " ".join(str(q) for q in g.objects(citation, AMKG.quote)),
                "slide": kg.label(slide, "nl") if slide is not None else "",
                "slide_index": int(index.toPython()) if isinstance(index, Literal) else None,
                "section": str(section) if section is not None else "",
            }
        )
    return sorted(out, key=lambda c: (c["slide_index"] or 0, c["section"], c["quote"]))


def _links(source: Source, node: str, lang: str) -> list[dict[str, Any]]:
    out = []
    for direction, edges in (
        ("out", source.graph.out_edges(node, keys=True, data=True)),
        ("in", source.graph.in_edges(node, keys=True, data=True)),
    ):
        for u, v, key, data in edges:
            other = v if direction == "out" else u
            out.append(
                {
                    "direction": direction,
                    "predicate": key,
                    "label": str(data.get(f"label_{lang}") or key),
                    "inferred": bool(data.get("inferred")),
                    "iri": other,
                    "ref": source.prefixed(other),
                    "target": source.label(other, lang),
                }
            )
    out.sort(key=lambda x: (x["direction"] != "out", x["label"], x["target"]))
    return out


def node_details(
    source: Source, kg: KnowledgeGraph | None, name: str, lang: str = "nl"
) -> dict[str, Any] | None:
    """What the side panel shows for the node ``name`` (None when there is no such node)."""
    node = source.resolve(name)
    if node is None:
        return None
    cls = source.cls(node)
    links = _links(source, node, lang)
    in_kg = kg is not None and (URIRef(node), None, None) in kg.graph
    return {
        "iri": node,
        "ref": source.prefixed(node),
        "label": source.label(node, lang),
        "cls": cls,
        "cls_label": source.class_label(cls, lang),
        "url": entity_url(node),
        "properties": _properties(kg, URIRef(node), lang) if kg is not None and in_kg else [],
        "links": links[:MAX_LINKS],
        "links_total": len(links),
        "provenance": _provenance(kg, URIRef(node)) if kg is not None and in_kg else [],
    }
