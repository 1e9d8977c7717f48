"""Ontology page (/ontologie): every class and property of the amkg: vocabulary with labels,
comments, domain and range, and the SHACL shapes that apply; generated from the graph.

The terms come from ``queries/internal/vocabulary.rq`` (with ``vocabulary-unions.rq``,
``subclass-pairs.rq``, ``instance-counts.rq`` and ``predicate-counts.rq``), the shapes from
:mod:`.shapes`. The page data is built once per graph and language.
"""

from __future__ import annotations

from typing import Any

from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import OWL
from rdflib.term import Node

from amkg.queries import internal

from .common import KG_, Labeler, local_name, pick_texts
from .shapes import shapes_for

__all__ = ["CLASS_TYPES", "PROPERTY_TYPES", "build", "shapes_for"]

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

Values = dict[Node, dict[Node, list[Node]]]


def _vocabulary(kg: KG_) -> Values:
    """Each amkg: term's values by predicate (types, labels, comments, links), sorted."""
    terms: Values = {}
    for r in internal.select(kg, "vocabulary"):
        terms.setdefault(r["term"], {}).setdefault(r["p"], []).append(r["o"])
    for values in terms.values():
        for objects in values.values():
            objects.sort(key=lambda o: (not isinstance(o, Literal), str(o), repr(o)))
    return terms


def _counts(kg: KG_, name: str, key: str) -> dict[Node, int]:
    return {r[key]: int(str(r["n"])) for r in internal.select(kg, name)}


def _joined(values: list[Node], lang: str) -> str | None:
    return " ".join(str(t["text"]) for t in pick_texts(values, lang)) or None


def _entry(lab: Labeler, term: Node, values: dict[Node, list[Node]]) -> dict[str, Any]:
    return {
        **lab.ref(term),
        "name": local_name(str(term)),
        "comment": _joined(values.get(RDFS.comment, []), lab.lang),
        "labels": [t["text"] for t in pick_texts(values.get(RDFS.label, []), lab.lang)],
    }


def build(kg: KG_, lang: str) -> dict[str, Any]:
    return kg.derived("ontology-" + lang, lambda: _build(kg, lang))


def _build(kg: KG_, lang: str) -> dict[str, Any]:
    lab = Labeler(kg, lang)
    terms = _vocabulary(kg)
    unions: dict[tuple[Node, Node], list[Node]] = {}
    for r in internal.select(kg, "vocabulary-unions"):
        unions.setdefault((r["term"], r["p"]), []).append(r["member"])
    subclasses: dict[Node, list[Node]] = {}
    for r in internal.select(kg, "subclass-pairs"):
        subclasses.setdefault(r["super"], []).append(r["sub"])
    instances = _counts(kg, "instance-counts", "class")
    usage = _counts(kg, "predicate-counts", "p")

    def of_type(types: tuple[URIRef, ...]) -> list[Node]:
        return sorted(
            (t for t, v in terms.items() if any(x in types for x in v.get(RDF.type, []))), key=str
        )

    def members(term: Node, p: URIRef) -> list[Node]:
        named = [o for o in terms[term].get(p, []) if isinstance(o, URIRef)]
        return named + unions.get((term, p), [])

    classes = []
    class_nodes = of_type(CLASS_TYPES)
    for c in class_nodes:
        values = terms[c]
        classes.append(
            {
                **_entry(lab, c, values),
                "superclasses": lab.refs(
                    o for o in values.get(RDFS.subClassOf, []) if isinstance(o, URIRef)
                ),
                "subclasses": lab.refs(subclasses.get(c, [])),
                "instances": instances.get(c, 0),
                "shapes": shapes_for(kg, lab, c),
            }
        )
    props = []
    for p in of_type(PROPERTY_TYPES):
        values = terms[p]
        props.append(
            {
                **_entry(lab, p, values),
                "kinds": [local_name(str(t)) for t in values.get(RDF.type, [])],
                "domain": lab.refs(members(p, RDFS.domain)),
                "range": lab.refs(members(p, RDFS.range)),
                "superproperties": lab.refs(values.get(RDFS.subPropertyOf, [])),
                "inverse": lab.refs(values.get(OWL.inverseOf, [])),
                "usage": usage.get(p, 0),
                "shapes": shapes_for(kg, lab, p),
            }
        )
    known = set(class_nodes) | {URIRef(p["iri"]) for p in props}
    concepts: dict[str, list[dict[str, Any]]] = {}
    for s in sorted(terms, key=str):
        if s in known:
            continue
        for t in terms[s].get(RDF.type, []):
            if t != OWL.NamedIndividual:
                concepts.setdefault(lab(t), []).append(_entry(lab, s, terms[s]))
    key = lambda e: e["label"].casefold()  # noqa: E731
    return {
        "classes": sorted(classes, key=key),
        "properties": sorted(props, key=key),
        "vocabularies": [
            {"type": t, "members": sorted(m, key=key)} for t, m in sorted(concepts.items())
        ],
    }
