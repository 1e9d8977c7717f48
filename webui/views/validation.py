"""Validation page (/validatie): the SHACL report of the graph, readable by a coordinator."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rdflib import URIRef
from rdflib.namespace import SH

from amkg.graph.errors import GraphLoadError

from .cache import memo
from .common import KG_, Labeler, local_name, url_for_node

SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}


def _report(kg: KG_) -> Any:
    from amkg.graph.validate import validate  # pyshacl is slow to import; only load it here

    return validate(kg)  # type: ignore[arg-type]


def _path_label(kg: KG_, lab: Labeler, path: str | None) -> dict[str, Any] | None:
    if not path:
        return None
    iri = None
    if ":" in path and not any(c in path for c in "^/|()*+?<>"):
        try:
            iri = kg.graph.namespace_manager.expand_curie(path)
        except ValueError:
            iri = None
    if iri is None:
        return {"label": path, "code": path, "url": None}
    return {"label": lab(iri), "code": path, "url": url_for_node(iri)}


def report(kg: KG_) -> Any:
    """The SHACL report of ``kg``, computed once per graph (a few seconds on the real one)."""
    return memo(kg, "shacl-report", lambda: _report(kg))


def build(kg: KG_, lang: str) -> dict[str, Any]:
    try:
        shacl = report(kg)
    except GraphLoadError as error:
        return {
            "available": False,
            "reason": str(error),
            "conforms": None,
            "counts": {"violation": 0, "warning": 0, "info": 0},
            "results": [],
        }
    lab = Labeler(kg.graph, lang)
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
        "triples": getattr(shacl, "triple_count", len(kg.graph)),
        "resources": getattr(shacl, "resource_count", None),
        "shapes": getattr(report, "shape_count", None),
        "results": items,
    }
