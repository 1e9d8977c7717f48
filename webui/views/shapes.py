"""The SHACL shapes that apply to an ontology term, for the ontology page and the /def/ pages.

The shapes sit in the store's named graph ``amkg.graph.store.SHAPES_GRAPH``. Their triples are
read with one query (``queries/internal/shapes-graph.rq``) into a small index kept on the
knowledge graph; shapes hold nested paths and RDF lists, which are walked here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from rdflib import RDF, RDFS, BNode, Literal, Namespace, URIRef
from rdflib.term import Node

from amkg.graph.store import SHAPES_GRAPH
from amkg.queries import internal

from .common import KG_, Labeler, local_name, pick_text, pick_texts
from .standard_labels import STANDARD_LABELS

SH = Namespace("http://www.w3.org/ns/shacl#")
TARGETS = {
    SH.targetClass: "class",
    SH.targetSubjectsOf: "subjects_of",
    SH.targetObjectsOf: "objects_of",
    SH.targetNode: "node",
}
_NAMING = (RDFS.label, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"),
           URIRef("http://purl.org/dc/terms/title"),
           URIRef("http://www.w3.org/2004/02/skos/core#notation"))  # fmt: skip


class ShapesIndex:
    """The shapes graph's triples by subject and by object, each list in a stable order."""

    def __init__(self, triples: list[tuple[Node, Node, Node]]) -> None:
        self._out: dict[Node, dict[Node, list[Node]]] = {}
        self._in: dict[Node, dict[Node, list[Node]]] = {}
        for s, p, o in sorted(triples, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
            self._out.setdefault(s, {}).setdefault(p, []).append(o)
            self._in.setdefault(o, {}).setdefault(p, []).append(s)

    def objects(self, s: Node, p: Node) -> list[Node]:
        return list(self._out.get(s, {}).get(p, []))

    def value(self, s: Node, p: Node) -> Node | None:
        values = self._out.get(s, {}).get(p)
        return values[0] if values else None

    def subjects(self, p: Node, o: Node) -> list[Node]:
        return list(self._in.get(o, {}).get(p, []))

    def items(self, head: Node) -> Iterator[Node]:
        """The members of the RDF list starting at ``head``, in order."""
        seen: set[Node] = set()
        node: Node | None = head
        while node is not None and node != RDF.nil and node not in seen:
            seen.add(node)
            first = self.value(node, RDF.first)
            if first is not None:
                yield first
            node = self.value(node, RDF.rest)


def shapes_index(kg: KG_) -> ShapesIndex:
    """The shapes graph of ``kg``, read once."""

    def make() -> ShapesIndex:
        rows = internal.select(kg, "shapes-graph", g=URIRef(SHAPES_GRAPH))
        return ShapesIndex([(r["s"], r["p"], r["o"]) for r in rows])

    return kg.derived("shapes-index", make)


def _label(sg: ShapesIndex, node: Node, lang: str) -> str:
    """A shape's name, as :class:`Labeler` names a resource, from the shapes' own labels."""
    own = [o for o in sg.objects(node, RDFS.label) if isinstance(o, Literal) and o.language == lang]
    if own:
        return str(min(own))
    if node in STANDARD_LABELS:
        return STANDARD_LABELS[node][lang]  # type: ignore[index]
    for prop in _NAMING:
        text = pick_text(sg.objects(node, prop), lang)
        if text:
            return text
    if isinstance(node, BNode):
        return "(" + str(node)[:8] + ")"
    return local_name(str(node))


def _path(sg: ShapesIndex, lab: Labeler, path: Node) -> str:
    if isinstance(path, URIRef):
        return lab(path)
    inverse = sg.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path(sg, lab, inverse)
    alt = sg.value(path, SH.alternativePath)
    if alt is not None:
        return " | ".join(_path(sg, lab, p) for p in sg.items(alt))
    if sg.value(path, RDF.first) is not None:
        return " / ".join(_path(sg, lab, p) for p in sg.items(path))
    return "?"


def _num(value: Node | None) -> int | None:
    return int(value.toPython()) if isinstance(value, Literal) else None


def _ref(lab: Labeler, node: Node | None) -> dict[str, Any] | None:
    return lab.ref(node) if node is not None else None


def _messages(sg: ShapesIndex, node: Node, lang: str) -> list[str]:
    return [str(t["text"]) for t in pick_texts(sg.objects(node, SH.message), lang)]


def _name(value: Node | None) -> str | None:
    return local_name(str(value)) if value is not None else None


def _text(value: Node | None) -> str | None:
    return str(value) if value is not None else None


def _property_shape(sg: ShapesIndex, lab: Labeler, ps: Node) -> dict[str, Any]:
    path = sg.value(ps, SH.path)
    ins = sg.value(ps, SH["in"])
    has_value = sg.value(ps, SH.hasValue)
    return {
        "path": _path(sg, lab, path) if path is not None else None,
        "path_iri": str(path) if isinstance(path, URIRef) else None,
        "min": _num(sg.value(ps, SH.minCount)),
        "max": _num(sg.value(ps, SH.maxCount)),
        "class": _ref(lab, sg.value(ps, SH["class"])),
        "datatype": _name(sg.value(ps, SH.datatype)),
        "node_kind": _name(sg.value(ps, SH.nodeKind)),
        "in": [lab(v) for v in sg.items(ins)] if ins is not None else [],
        "has_value": lab(has_value) if has_value is not None else None,
        "pattern": _text(sg.value(ps, SH.pattern)),
        "severity": _name(sg.value(ps, SH.severity)),
        "messages": _messages(sg, ps, lab.lang),
    }


def _shape(sg: ShapesIndex, lab: Labeler, shape: Node) -> dict[str, Any]:
    targets = [
        {"kind": kind, **ref}
        for p, kind in TARGETS.items()
        for ref in lab.refs(sg.objects(shape, p))  # by label: the store keeps no file order
    ]
    return {
        "iri": str(shape),
        "label": _label(sg, shape, lab.lang),
        "comment": " ".join(
            str(t["text"]) for t in pick_texts(sg.objects(shape, RDFS.comment), lab.lang)
        )
        or None,
        "targets": targets,
        "messages": _messages(sg, shape, lab.lang),
        "properties": _sorted(
            [_property_shape(sg, lab, ps) for ps in sg.objects(shape, SH.property)]
        ),
        "sparql": [m for c in sg.objects(shape, SH.sparql) for m in _messages(sg, c, lab.lang)],
    }


def shapes_for(kg: KG_, lab: Labeler, node: Node) -> list[dict[str, Any]]:
    """The shapes that target a class or property (in full), and, for a property, the
    constraints other shapes put on it as a path (only those constraints)."""
    sg = shapes_index(kg)
    by_label = lambda s: (_label(sg, s, lab.lang).casefold(), str(s))  # noqa: E731
    targeting = sorted({s for p in TARGETS for s in sg.subjects(p, node)}, key=by_label)
    out = {s: _shape(sg, lab, s) for s in targeting}
    for ps in sg.subjects(SH.path, node):
        for parent in sg.subjects(SH.property, ps):
            if parent in targeting:
                continue
            if parent not in out:
                out[parent] = {**_shape(sg, lab, parent), "properties": [], "sparql": []}
            out[parent]["properties"].append(_property_shape(sg, lab, ps))
    for shape in out.values():
        shape["properties"] = _sorted(shape["properties"])
    others = sorted((s for s in out if s not in targeting), key=by_label)
    return [out[s] for s in [*targeting, *others]]


def _sorted(properties: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Property shapes by path, then by content (blank nodes have no order of their own)."""
    return sorted(
        properties, key=lambda p: (p["path"] or "", json.dumps(p, sort_keys=True, default=str))
    )
