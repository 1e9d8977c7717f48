"""Entity page (/id/<local>) and ontology-term page (/def/<name>): types, properties with
readable labels, incoming links grouped by property, provenance; and the resource's own
triples (its concise bounded description) for Turtle / JSON-LD."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS, XSD
from rdflib.term import Node

from amkg.queries import internal
from amkg.webui.views import changes_page
from amkg.webui.views.changes_page import ON_ENTITY_PAGE

from .common import (
    AMKG,
    DEF_BASE,
    ID_BASE,
    KG_,
    Labeler,
    inferred_triples,
    is_internal,
    local_name,
    pick_texts,
    url_for_node,
)
from .ontology import shapes_for
from .provenance import citations_of, statements_about
from .standard_labels import BOOLEANS
from .trajectory import build as trajectory_section

HIDDEN_OUT = {RDF.type, AMKG.citation}
ALL_LANGS = {RDFS.label, SKOS.altLabel}
INCOMING_CAP = 100
PREFIXES = {
    "amkg": DEF_BASE,
    "kg": ID_BASE,
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "qb": "http://purl.org/linked-data/cube#",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "schema": "https://schema.org/",
}


def iri_for(kind: str, local: str) -> URIRef:
    return URIRef((ID_BASE if kind == "id" else DEF_BASE) + local)


def exists(kg: KG_, node: URIRef) -> bool:
    return kg.has_resource(node)


def _union_members(kg: KG_, node: Node) -> list[Node]:
    """The named members of an owl:unionOf class expression (else the node itself)."""
    rows = internal.select(kg, "union-members", node=node)
    if not rows:
        return [node]
    return list(dict.fromkeys(r["member"] for r in rows if "member" in r))


def _union_users(kg: KG_, cell: Node) -> list[tuple[Node, Node]]:
    """For a list cell of an owl:unionOf list: (predicate, subject) of each use of the union."""
    return [(r["p"], r["s"]) for r in internal.select(kg, "union-users", cell=cell)]


def _inferred(kg: KG_) -> set[tuple[Node, Node, Node]]:
    return inferred_triples(kg)


def _value(lab: Labeler, node: Node, inferred: bool) -> dict[str, Any]:
    if isinstance(node, Literal):
        text = str(node)
        if node.datatype == XSD.boolean and isinstance(node.toPython(), bool):
            text = BOOLEANS[lab.lang][node.toPython()]
        return {
            "kind": "literal",
            "text": text,
            "lang": node.language,
            "datatype": local_name(str(node.datatype)) if node.datatype else None,
            "inferred": inferred,
        }
    url = url_for_node(node)
    return {
        "kind": "iri",
        "iri": str(node),
        "label": lab(node),
        "url": url,
        "external": bool(url) and not is_internal(node),
        "inferred": inferred,
    }


def _properties(kg: KG_, lab: Labeler, node: URIRef) -> list[dict[str, Any]]:
    inferred = _inferred(kg)
    by_prop: dict[Node, list[Node]] = defaultdict(list)
    for p, o in kg.describe(node).pairs():
        if p not in HIDDEN_OUT:
            by_prop[p].extend(_union_members(kg, o) if isinstance(o, BNode) else [o])
    out: list[dict[str, Any]] = []
    for p, objs in by_prop.items():
        lits = [o for o in objs if isinstance(o, Literal)]
        if p in ALL_LANGS:
            keep = lits
        else:
            texts = {(t["text"], t["lang"]) for t in pick_texts(lits, lab.lang)}
            keep = [o for o in lits if (str(o), o.language) in texts]
        keep.sort(key=lambda o: (o.language != lab.lang, o.language or "", str(o)))
        vals = [_value(lab, o, (node, p, o) in inferred) for o in keep]
        vals += sorted(
            (_value(lab, o, (node, p, o) in inferred) for o in objs if not isinstance(o, Literal)),
            key=lambda v: (v["label"].casefold(), v["iri"]),
        )
        out.append({"property": lab.ref(p), "values": vals})
    label_first = {str(RDFS.label): 0, str(SKOS.altLabel): 1, str(DCTERMS.description): 2}
    out.sort(
        key=lambda e: (label_first.get(e["property"]["iri"], 3), e["property"]["label"].casefold())
    )
    return out


def _incoming(kg: KG_, lab: Labeler, node: URIRef) -> list[dict[str, Any]]:
    inferred = _inferred(kg)
    by_prop: dict[Node, list[Node]] = defaultdict(list)
    for s, p in kg.incoming(node):
        if p in (RDF.subject, RDF.object):
            continue  # shown with the statements
        if isinstance(s, BNode):  # a member of an owl:unionOf list: who uses the union, how
            for prop, user in _union_users(kg, s):
                by_prop[prop].append(user)
            continue
        by_prop[p].append(s)
    out = []
    for p, subs in by_prop.items():
        refs = sorted(
            ({**lab.ref(s), "inferred": (s, p, node) in inferred} for s in set(subs)),
            key=lambda r: (r["label"].casefold(), r["iri"]),
        )
        out.append(
            {
                "property": lab.ref(p),
                "count": len(refs),
                "subjects": refs[:INCOMING_CAP],
                "truncated": len(refs) > INCOMING_CAP,
            }
        )
    return sorted(out, key=lambda e: e["property"]["label"].casefold())


def build(kg: KG_, node: URIRef, lang: str) -> dict[str, Any]:
    lab = Labeler(kg, lang)
    own = kg.describe(node)
    data: dict[str, Any] = {
        **lab.ref(node),
        "kind": "term" if str(node).startswith(DEF_BASE) else "entity",
        "local": local_name(str(node)),
        "types": lab.types(node),
        "description": " ".join(
            t["text"] for t in pick_texts(own.objects(DCTERMS.description), lang)
        )
        or None,
        "comment": " ".join(t["text"] for t in pick_texts(own.objects(RDFS.comment), lang)) or None,
        "properties": _properties(kg, lab, node),
        "incoming": _incoming(kg, lab, node),
        "provenance": [],
        "statements": statements_about(kg, lab, node),
        "track_page": None,
        "shapes": shapes_for(kg, lab, node),
        "trajectory": trajectory_section(kg, node, lang) if isinstance(node, URIRef) else None,
    }
    cited = citations_of(kg, lab, node)  # the deck's; of later changes the newest few
    later = sorted((c for c in cited if c["change"]), key=_change_number, reverse=True)
    data["provenance"] = [c for c in cited if not c["change"]] + later[:ON_ENTITY_PAGE]
    data["provenance_older"] = max(len(later) - ON_ENTITY_PAGE, 0)  # listed with the changes
    found = changes_page.entity_history(kg, node, lang)  # issue 11: the newest, and the count
    data["history"] = found["changes"]
    data["history_total"] = found["total"]
    data["history_url"] = found["url"]  # all of them, when the page shows only the newest
    data["changes_url"] = changes_page.changes_url(about=changes_page.local_name(node))
    number = own.value(AMKG.trackNumber)
    if AMKG.Track in own.types and isinstance(number, Literal):
        data["track_page"] = f"/spoor/{int(number.toPython())}"
    return data


def cbd(kg: KG_, node: URIRef) -> Graph:
    """Outgoing triples, plus the citation nodes and the rdf:Statement nodes about it
    (``queries/internal/resource-rdf.rq``)."""
    found = internal.run(kg, "resource-rdf", node=node).graph
    out = Graph()
    for prefix, ns in PREFIXES.items():
        out.bind(prefix, ns)
    for triple in found if found is not None else ():
        out.add(triple)
    return out


def serialize(graph: Graph, fmt: str) -> str:
    if fmt == "json-ld":
        return graph.serialize(format="json-ld", context=PREFIXES, indent=2)
    return graph.serialize(format="turtle")


def _change_number(citation: dict[str, Any]) -> int:
    number = str(citation["change"].get("change", ""))
    return int(number) if number.isdigit() else 0
