"""Validation page (/validatie): the SHACL report of the graph, readable by a coordinator."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rdflib import URIRef
from rdflib.namespace import SH

from amkg.graph.errors import GraphLoadError

from .common import KG_, Labeler, local_name, url_for_node

SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}


def _path_label(kg: KG_, lab: Labeler, path: str | None) -> dict[str, Any] | None:
    if not path:
        return None
    iri = None
    if ":" in path and not any(c in path for c in "^/|()*+?<>"):
        iri = kg.expand(path)
    if iri is None:
        return {"label": path, "code": path, "url": None}
    return {"label": lab(iri), "code": path, "url": url_for_node(iri)}


def build(kg: KG_, lang: str) -> dict[str, Any]:
    try:
        shacl = kg.report  # written by the build beside the store; never computed in a page
    except (GraphLoadError, LookupError) as error:
        return {
            "available": False,
            "reason": str(error),
            "conforms": None,
            "counts": {"violation": 0, "warning": 0, "info": 0},
            "results": [],
        }
    lab = Labeler(kg, lang)
    items = []
    for v in shacl.violations:
        focus = v.focus
        severity = SEVERITIES.get(v.severity, local_name(str(v.severity)).lower())
        items.append(
            {
                "focus": {
                    "iri": str(focus),
                    "label": lab(focus) if isinstance(focus, URIRef) else v.label(lang),
                    "url": url_for_node(focus),
                },
                "path": _path_label(kg, lab, v.path),
                "message": v.message(lang),
                "severity": severity,
                "shape": v.shape,
                "value": v.value,
            }
        )
    counts = Counter(i["severity"] for i in items)
    return {
        "available": True,
        "reason": None,
        "conforms": bool(shacl.conforms),
        "counts": {
            "violation": counts.get("violation", 0),
            "warning": counts.get("warning", 0),
            "info": counts.get("info", 0),
        },
        "triples": shacl.triple_count,
        "resources": shacl.resource_count,
        "shapes": shacl.shape_count,
        "results": items,
    }
