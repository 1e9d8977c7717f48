"""Shared pieces of the lever pages (/knoppen, /scenario, /signalen, /ministerie, briefing,
/gezinsmigratie): references, citations and steps as plain JSON-able dicts.

Everything is read through the store (``amkg.queries.internal``) and ``kg.label`` /
``kg.prefixed``; nothing here touches the rdflib graph of the data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, TypedDict

from rdflib import Literal, URIRef
from rdflib.term import Node

from amkg.graph import scenario
from amkg.graph.store import Store

from .common import url_for_node

SIGN_TEXT = {1: "+", -1: "-", 0: "?"}
DIRECTION_OF_SIGN = {1: "up", -1: "down", 0: "unknown"}


class LeverKG(Protocol):
    @property
    def store(self) -> Store: ...

    def label(self, iri: Node, lang: str = "nl") -> str: ...

    def labels(self, iri: Node) -> dict[str, str]: ...

    def prefixed(self, iri: Node) -> str: ...


class Ref(TypedDict):
    """A link to a resource as the pages and their ``.json`` twins show it."""

    iri: str
    id: str
    label: str
    url: str | None


def link(kg: LeverKG, iri: str | Node, lang: str) -> Ref:
    """A link to a resource that is surely there: iri, prefixed id, label in ``lang``, url."""
    node = URIRef(str(iri))
    return {
        "iri": str(node),
        "id": kg.prefixed(node),
        "label": kg.label(node, lang),
        "url": url_for_node(node),
    }


def ref(kg: LeverKG, iri: str | Node | None, lang: str) -> Ref | None:
    """A link to a resource (see :func:`link`), None when there is no resource."""
    if iri is None or str(iri) == "":
        return None
    return link(kg, iri, lang)


def integer(term: Node) -> int:
    """The value of an integer literal (``xsd:integer`` in the data)."""
    return int(str(term))


def true(term: Node | None) -> bool:
    """Whether ``term`` is the literal ``true`` (absent or any other term: False)."""
    return isinstance(term, Literal) and term.toPython() is True


def citation(kg: LeverKG, c: scenario.Citation, lang: str) -> dict[str, Any]:
    return {
        "iri": c.iri,
        "quote": c.quote,
        "slide": ref(kg, c.slide, lang),
        "slide_index": c.slide_index,
        "section": c.section,
    }


def step(kg: LeverKG, s: scenario.Step, lang: str) -> dict[str, Any]:
    notes = dict(s.notes)
    return {
        "kind": s.kind,
        "from": ref(kg, s.source, lang),
        "to": ref(kg, s.target, lang),
        "sign": SIGN_TEXT[s.sign],
        "direction": DIRECTION_OF_SIGN[s.sign],
        "node": ref(kg, s.node, lang) if s.node else None,
        "inferred": s.inferred,
        "status": "inferred" if s.inferred else "stated",
        "confidence": ref(kg, s.confidence, lang),
        "magnitude": s.magnitude,
        "note": notes.get(lang) or notes.get("nl") or notes.get("en"),
        "citations": [citation(kg, c, lang) for c in s.citations],
    }


def path(kg: LeverKG, p: scenario.Path, lang: str) -> dict[str, Any]:
    return {
        "item": ref(kg, p.item, lang),
        "sign": SIGN_TEXT[p.sign],
        "direction": DIRECTION_OF_SIGN[p.sign],
        "inferred": p.inferred,
        "steps": [step(kg, s, lang) for s in p.steps],
    }


def cycle(kg: LeverKG, c: scenario.Cycle, lang: str) -> dict[str, Any]:
    return {
        "factors": [ref(kg, f, lang) for f in c.factors],
        "sign": SIGN_TEXT[c.sign],
        "loop": "reinforcing" if c.sign == 1 else "balancing",
        "inferred": any(s.inferred for s in c.steps),
        "steps": [step(kg, s, lang) for s in c.steps],
    }


def sorted_refs(refs: Iterable[Ref | None]) -> list[Ref]:
    return sorted((r for r in refs if r), key=lambda r: r["label"].casefold())
