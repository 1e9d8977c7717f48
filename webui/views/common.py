"""Shared helpers for the page-data builders: namespaces, labels, links."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeAlias, TypedDict

from rdflib import RDFS, BNode, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS
from rdflib.term import Node

from amkg.graph.kg import KnowledgeGraph
from amkg.queries import internal

from .standard_labels import STANDARD_LABELS

AMKG = Namespace("https://w3id.org/amkg/def#")
KG = Namespace("https://w3id.org/amkg/id/")
AMKGSH = Namespace("https://w3id.org/amkg/shapes#")
ID_BASE = str(KG)
DEF_BASE = str(AMKG)
LANGS = ("nl", "en")

KG_: TypeAlias = KnowledgeGraph
"""What the builders take: the knowledge graph (read through its store and named methods)."""


class Text(TypedDict):
    """A text and its language tag (``None`` when untagged)."""

    text: str
    lang: str | None


def other_lang(lang: str) -> str:
    return "en" if lang == "nl" else "nl"


def local_name(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            tail = iri.rsplit(sep, 1)[1]
            if tail:
                return tail
    return iri


def url_for_node(node: Node) -> str | None:
    """The page of a resource: /id/<local> for kg:, /def/<name> for amkg:, else the IRI."""
    if not isinstance(node, URIRef):
        return None
    iri = str(node)
    if iri.startswith(ID_BASE) and len(iri) > len(ID_BASE):
        return "/id/" + iri[len(ID_BASE) :]
    if iri.startswith(DEF_BASE) and len(iri) > len(DEF_BASE):
        return "/def/" + iri[len(DEF_BASE) :]
    if iri.startswith(("http://", "https://")):
        return iri
    return None


def is_internal(node: Node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith((ID_BASE, DEF_BASE))


def pick_text(values: Iterable[Node], lang: str) -> str | None:
    """One text in `lang`, else in the other language, else any; None when there is none."""
    vals = [v for v in values if isinstance(v, Literal)]
    for want in (lang, other_lang(lang), None):
        for v in vals:
            if v.language == want:
                return str(v)
    return str(vals[0]) if vals else None


def pick_texts(values: Iterable[Node], lang: str) -> list[Text]:
    """All texts in `lang` (plus untagged), or else those in the other language."""
    vals = [v for v in values if isinstance(v, Literal)]
    chosen = [v for v in vals if v.language in (lang, None)]
    if not any(v.language == lang for v in vals):
        chosen = [v for v in vals if v.language in (other_lang(lang), None)] or vals
    return [Text(text=str(v), lang=v.language) for v in chosen]


class Labeler:
    """Readable labels in one language with fallback to the other (cached per instance).

    Reads only through the knowledge graph: the label index (``kg.values``) for the naming
    predicates and ``kg.describe`` for any other property."""

    ORDER = (RDFS.label, SKOS.prefLabel, DCTERMS.title, SKOS.notation)
    NAMING = frozenset((RDFS.label, SKOS.prefLabel, SKOS.altLabel, DCTERMS.title, SKOS.notation))

    def __init__(self, kg: KG_, lang: str) -> None:
        self.kg = kg
        self.lang = lang
        self._cache: dict[Node, str] = {}

    def __call__(self, node: Node | None) -> str:
        if node is None:
            return ""
        if isinstance(node, Literal):
            return str(node)
        if node not in self._cache:
            self._cache[node] = self._find(node)
        return self._cache[node]

    def _find(self, node: Node) -> str:
        own = [o for o in self.kg.values(node, RDFS.label) if o.language == self.lang]
        if own:
            return str(min(own))
        if node in STANDARD_LABELS:
            return STANDARD_LABELS[node][self.lang]  # type: ignore[index]
        for prop in self.ORDER:
            text = pick_text(self.kg.values(node, prop), self.lang)
            if text:
                return text
        if isinstance(node, BNode):
            return "(" + str(node)[:8] + ")"
        return local_name(str(node))

    def objects(self, node: Node, prop: Node) -> list[Node]:
        """The values of ``prop`` on ``node`` (the label index for naming predicates, else
        the resource's description)."""
        if prop in self.NAMING:
            return list(self.kg.values(node, prop))
        return self.kg.describe(node).objects(prop)

    def text(self, node: Node, prop: Node) -> str | None:
        """One text of ``prop`` on ``node`` in this language (see :func:`pick_text`)."""
        return pick_text(self.objects(node, prop), self.lang)

    def ref(self, node: Node) -> dict[str, Any]:
        """A link to a resource: {iri, label, url}."""
        return {"iri": str(node), "label": self(node), "url": url_for_node(node)}

    def refs(self, nodes: Iterable[Node]) -> list[dict[str, Any]]:
        uniq = list(dict.fromkeys(nodes))
        return sorted((self.ref(n) for n in uniq), key=lambda r: r["label"].casefold())

    def types(self, node: Node) -> list[dict[str, Any]]:
        return self.refs(self.kg.describe(node).types)


def inferred_triples(kg: KG_) -> set[tuple[Node, Node, Node]]:
    """Triples that an rdf:Statement marks ``amkg:inferred true`` (built once per graph)."""
    return kg.derived("inferred-triples", lambda: _inferred_triples(kg))


def _inferred_triples(kg: KG_) -> set[tuple[Node, Node, Node]]:
    return {(r["s"], r["p"], r["o"]) for r in internal.select(kg, "inferred-triples")}


def is_true(value: Node | None) -> bool:
    return isinstance(value, Literal) and value.toPython() is True
