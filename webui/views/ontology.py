"""Ontology page (/ontologie): every class and property of the amkg: vocabulary with labels,
comments, domain and range, and the SHACL shapes that apply; generated from the graph."""

from __future__ import annotations

from typing import Any

from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL
from rdflib.term import Node

from amkg.graph.errors import GraphLoadError

from .cache import memo
from .common import DEF_BASE, KG_, Labeler, local_name, pick_texts

SH = Namespace("http://www.w3.org/ns/shacl#")
CLASS_TYPES = (OWL.Class, RDFS.Class)
PROPERTY_TYPES = (
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    RDF.Property,
    URIRef("http://purl.org/linked-data/cube#DimensionProperty"),
    URIRef("http://purl.org/linked-data/cube#MeasureProperty"),
    URIRef("http://purl.org/linked-data/cube#AttributeProperty"),
)
TARGETS = {
    SH.targetClass: "class",
    SH.targetSubjectsOf: "subjects_of",
    SH.targetObjectsOf: "objects_of",
    SH.targetNode: "node",
}


def _shapes_graph(kg: KG_) -> Graph:
    """The SHACL shapes, or an empty graph when the shapes file is missing or broken."""
    try:
        shapes = getattr(kg, "shapes", None)
    except GraphLoadError:
        return Graph()
    return shapes if shapes is not None else Graph()


def _members(g: Graph, node: Node) -> list[Node]:
    """A class expression's named members: the node itself or its owl:unionOf list."""
    if isinstance(node, BNode):
        union = g.value(node, OWL.unionOf)
        if union is not None:
            return list(Collection(g, union))
        return []
    return [node]


def _path(sg: Graph, lab: Labeler, path: Node) -> str:
    if isinstance(path, URIRef):
        return lab(path)
    inverse = sg.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path(sg, lab, inverse)
    alt = sg.value(path, SH.alternativePath)
    if alt is not None:
        return " | ".join(_path(sg, lab, p) for p in Collection(sg, alt))
    if sg.value(path, RDF.first) is not None:
        return " / ".join(_path(sg, lab, p) for p in Collection(sg, path))
    return "?"


def _num(value: Node | None) -> int | None:
    return int(value.toPython()) if isinstance(value, Literal) else None


def _ref(lab: Labeler, node: Node | None) -> dict[str, Any] | None:
    return lab.ref(node) if node is not None else None


def _joined(g: Graph, node: Node, prop: URIRef, lang: str) -> str | None:
    return " ".join(t["text"] for t in pick_texts(g.objects(node, prop), lang)) or None


def _messages(sg: Graph, node: Node, lang: str) -> list[str]:
    return [t["text"] for t in pick_texts(sg.objects(node, SH.message), lang)]


def _name(value: Node | None) -> str | None:
    return local_name(str(value)) if value is not None else None


def _text(value: Node | None) -> str | None:
    return str(value) if value is not None else None


def _property_shape(sg: Graph, lab: Labeler, ps: Node) -> dict[str, Any]:
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
        "in": [lab(v) for v in Collection(sg, ins)] if ins is not None else [],
        "has_value": lab(has_value) if has_value is not None else None,
        "pattern": _text(sg.value(ps, SH.pattern)),
        "severity": _name(sg.value(ps, SH.severity)),
        "messages": _messages(sg, ps, lab.lang),
    }


def _shape(kg: KG_, lab: Labeler, shape: Node) -> dict[str, Any]:
    sg = _shapes_graph(kg)
    shape_lab = Labeler(sg, lab.lang)
    targets = [
        {"kind": kind, **lab.ref(t)} for p, kind in TARGETS.items() for t in sg.objects(shape, p)
    ]
    return {
        "iri": str(shape),
        "label": shape_lab(shape),
        "comment": _joined(sg, shape, RDFS.comment, lab.lang),
        "targets": targets,
        "messages": _messages(sg, shape, lab.lang),
        "properties": sorted(
            (_property_shape(sg, lab, ps) for ps in sg.objects(shape, SH.property)),
            key=lambda p: p["path"] or "",
        ),
        "sparql": [m for c in sg.objects(shape, SH.sparql) for m in _messages(sg, c, lab.lang)],
    }


def shapes_for(kg: KG_, lab: Labeler, node: Node) -> list[dict[str, Any]]:
    """The shapes that target a class or property (in full), and, for a property, the
    constraints other shapes put on it as a path (only those constraints)."""
    sg = _shapes_graph(kg)
    targeting = list(dict.fromkeys(s for p in TARGETS for s in sg.subjects(p, node)))
    out = {s: _shape(kg, lab, s) for s in targeting}
    for ps in sg.subjects(SH.path, node):
        for parent in sg.subjects(SH.property, ps):
            if parent in targeting:
                continue
            if parent not in out:
                out[parent] = {**_shape(kg, lab, parent), "properties": [], "sparql": []}
            out[parent]["properties"].append(_property_shape(sg, lab, ps))
    return list(out.values())


def _terms(g: Graph, types: tuple[URIRef, ...]) -> list[Node]:
    found = {
        s
        for t in types
        for s in g.subjects(RDF.type, t)
        if isinstance(s, URIRef) and str(s).startswith(DEF_BASE)
    }
    return sorted(found, key=str)


def _entry(kg: KG_, lab: Labeler, term: Node) -> dict[str, Any]:
    g = kg.graph
    return {
        **lab.ref(term),
        "name": local_name(str(term)),
        "comment": _joined(g, term, RDFS.comment, lab.lang),
        "labels": [t["text"] for t in pick_texts(g.objects(term, RDFS.label), lab.lang)],
    }


def build(kg: KG_, lang: str) -> dict[str, Any]:
    return memo(kg, "ontology-" + lang, lambda: _build(kg, lang))


def _build(kg: KG_, lang: str) -> dict[str, Any]:
    g = kg.graph
    lab = Labeler(g, lang)
    classes = []
    class_nodes = _terms(g, CLASS_TYPES)
    for c in class_nodes:
        classes.append(
            {
                **_entry(kg, lab, c),
                "superclasses": lab.refs(
                    o for o in g.objects(c, RDFS.subClassOf) if isinstance(o, URIRef)
                ),
                "subclasses": lab.refs(g.subjects(RDFS.subClassOf, c)),
                "instances": len(set(g.subjects(RDF.type, c))),
                "shapes": shapes_for(kg, lab, c),
            }
        )
    props = []
    for p in _terms(g, PROPERTY_TYPES):
        props.append(
            {
                **_entry(kg, lab, p),
                "kinds": [local_name(str(t)) for t in g.objects(p, RDF.type)],
                "domain": lab.refs(m for d in g.objects(p, RDFS.domain) for m in _members(g, d)),
                "range": lab.refs(m for r in g.objects(p, RDFS.range) for m in _members(g, r)),
                "superproperties": lab.refs(g.objects(p, RDFS.subPropertyOf)),
                "inverse": lab.refs(g.objects(p, OWL.inverseOf)),
                "usage": sum(1 for _ in g.subject_objects(p)),
                "shapes": shapes_for(kg, lab, p),
            }
        )
    known = set(class_nodes) | {URIRef(p["iri"]) for p in props}
    concepts: dict[str, list[dict[str, Any]]] = {}
    for s in sorted(
        {
            s
            for s in g.subjects()
            if isinstance(s, URIRef) and str(s).startswith(DEF_BASE) and len(str(s)) > len(DEF_BASE)
        },
        key=str,
    ):
        if s in known:
            continue
        for t in g.objects(s, RDF.type):
            if t != OWL.NamedIndividual:
                concepts.setdefault(lab(t), []).append(_entry(kg, lab, s))
    key = lambda e: e["label"].casefold()  # noqa: E731
    return {
        "classes": sorted(classes, key=key),
        "properties": sorted(props, key=key),
        "vocabularies": [
            {"type": t, "members": sorted(m, key=key)} for t, m in sorted(concepts.items())
        ],
    }
