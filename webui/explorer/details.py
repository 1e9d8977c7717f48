"""What the explorer's side panel says about a node: label, type, key properties, links and
provenance (the citations with their quotes and slides), all plain text: the page puts them
into the DOM as text, never as HTML.

The properties come from ``kg.describe``, the citations from ``queries/internal/
node-citations.rq``, the links from the projection the explorer draws (:class:`Source`).
"""

from __future__ import annotations

from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS
from rdflib.term import Node

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import AMKG, KG
from amkg.queries import internal
from amkg.webui.explorer.source import Source
from amkg.webui.i18n import has, t

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
#: Standard properties the ontology does not label are named by the UI strings
#: ``ex.property.<prefixed name>`` (e.g. ``ex.property.skos:altLabel``).
PROPERTY_KEY = "ex.property."


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


def _property_label(kg: KnowledgeGraph, predicate: URIRef, lang: str) -> str:
    key = PROPERTY_KEY + kg.prefixed(predicate)
    return t(key, lang) if has(key) else kg.label(predicate, lang)


def _properties(
    kg: KnowledgeGraph, pairs: list[tuple[Node, Node]], lang: str
) -> list[dict[str, Any]]:
    by_predicate: dict[URIRef, list[Literal]] = {}
    for p, o in pairs:
        if isinstance(o, Literal) and isinstance(p, URIRef) and p not in SKIP:
            by_predicate.setdefault(p, []).append(o)
    order = {p: i for i, p in enumerate(FIRST)}
    out = []
    for p in sorted(by_predicate, key=lambda p: (order.get(p, len(order)), kg.label(p, lang))):
        values = sorted(by_predicate[p], key=str)
        out.append(
            {
                "label": _property_label(kg, p, lang),
                "predicate": kg.prefixed(p),
                "values": [_clip(v) for v in _pick(values, lang)],
            }
        )
    return out


def _provenance(kg: KnowledgeGraph, node: URIRef) -> list[dict[str, Any]]:
    by_citation: dict[Node, dict[str, Any]] = {}
    for row in internal.select(kg, "node-citations", node=node):
        slide, index, section = row.get("slide"), row.get("index"), row.get("section")
        entry = by_citation.setdefault(
            row["citation"],
            {
                "quotes": [],
                "slide": kg.label(slide, "nl") if slide is not None else "",
                "slide_index": int(index.toPython()) if isinstance(index, Literal) else None,
                "section": str(section) if section is not None else "",
            },
        )
        if row.get("quote") is not None:
            entry["quotes"].append(str(row["quote"]))
    out = [
        {
            "quote": " ".join(sorted(entry.pop("quotes"))),
            **entry,
        }
        for entry in by_citation.values()
    ]
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


#: Links shown per group in the panel (the rest counted).
GROUP_LINKS = 25


def link_groups(links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The links by direction and relation (outgoing first), each group with its count and at
    most :data:`GROUP_LINKS` links, for the panel's folded lists."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for link in links:
        groups.setdefault((link["direction"], link["label"]), []).append(link)
    return [
        {
            "direction": direction,
            "label": label,
            "count": len(members),
            "links": members[:GROUP_LINKS],
        }
        for (direction, label), members in sorted(
            groups.items(), key=lambda kv: (kv[0][0] != "out", -len(kv[1]), kv[0][1])
        )
    ]


def node_details(
    source: Source, kg: KnowledgeGraph | None, name: str, lang: str = "nl"
) -> dict[str, Any] | None:
    """What the side panel shows for the node ``name`` (None when there is no such node)."""
    node = source.resolve(name)
    if node is None:
        return None
    cls = source.cls(node)
    links = _links(source, node, lang)
    said = kg.describe(URIRef(node)) if kg is not None else None
    cited = said is not None and bool(said.objects(AMKG.citation))
    return {
        "iri": node,
        "ref": source.prefixed(node),
        "label": source.label(node, lang),
        "cls": cls,
        "cls_label": source.class_label(cls, lang),
        "url": entity_url(node),
        "properties": _properties(kg, said.pairs(), lang) if kg is not None and said else [],
        "links": links[:MAX_LINKS],
        "links_total": len(links),
        "link_groups": link_groups(links),
        "provenance": _provenance(kg, URIRef(node)) if kg is not None and cited else [],
    }
