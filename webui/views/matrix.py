"""The trace matrix (/matrix): every trajectory the deck names against the five tracks.

A cell says whether the trajectory affects the track and how: via an annex domain (the X
marks, read onto a track), via a measure of the track that the trajectory concerns, or via a
cross-reference ('hangt samen met', 'zie'). A cell is *inferred* when no route to it is stated.
The cells come from one SPARQL query; the filters (ministry, planning) are bound variables of
the rows query, never pasted into it.
"""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote

from rdflib import Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from .common import AMKG, KG, KG_, Labeler, is_true, local_name, select

ROUTES = ("domain", "measure", "reference")

# The rows: every trajectory, with its annex row and planning. The optional filters are extra
# fixed patterns joined in; the values are bound (?ministry, ?period), never pasted.
ROWS = """
SELECT ?ministry ?period ?trajectory ?annexRow ?planning ?start WHERE {
  ?trajectory a amkg:Trajectory .
  %s
  OPTIONAL { ?trajectory amkg:annexRow ?annexRow }
  OPTIONAL { ?trajectory amkg:planning ?planning .
             OPTIONAL { ?planning amkg:periodStart|amkg:periodEnd ?start } }
}
"""
BY_MINISTRY = "?trajectory amkg:coordinatedBy|amkg:inCooperationWith ?ministry ."
BY_PERIOD = "?trajectory amkg:planning ?period ."

# The cells: each route from a trajectory to a track, and whether a link on it is a reading.
CELLS = """
SELECT DISTINCT ?trajectory ?track ?route ?via ?inferred ?confidence WHERE {
  ?track a amkg:Track .
  ?trajectory a amkg:Trajectory .
  {
    ?trajectory amkg:touchesDomain ?via . ?via amkg:correspondsToTrack ?track .
    BIND("domain" AS ?route)
    OPTIONAL { ?sc rdf:subject ?trajectory ; rdf:predicate amkg:touchesDomain ;
                   rdf:object ?via ; amkg:confidence ?confidence }
    BIND((EXISTS { ?s1 rdf:subject ?trajectory ; rdf:predicate amkg:touchesDomain ;
                     rdf:object ?via ; amkg:inferred true }
          || EXISTS { ?s2 rdf:subject ?via ; rdf:predicate amkg:correspondsToTrack ;
                        rdf:object ?track ; amkg:inferred true }) AS ?inferred)
  } UNION {
    ?trajectory amkg:concernsMeasure ?via . ?via amkg:belongsToTrack ?track .
    BIND("measure" AS ?route)
    BIND(EXISTS { ?s3 rdf:subject ?trajectory ; rdf:predicate amkg:concernsMeasure ;
                    rdf:object ?via ; amkg:inferred true } AS ?inferred)
  } UNION {
    ?via rdfs:subPropertyOf* amkg:relatedTo .
    { ?track ?via ?trajectory } UNION { ?trajectory ?via ?track }
    BIND("reference" AS ?route)
    BIND((EXISTS { ?s4 rdf:subject ?track ; rdf:predicate ?via ; rdf:object ?trajectory ;
                     amkg:inferred true }
          || EXISTS { ?s5 rdf:subject ?trajectory ; rdf:predicate ?via ; rdf:object ?track ;
                        amkg:inferred true }) AS ?inferred)
  }
}
"""

TRACKS = "SELECT ?track ?n WHERE { ?track a amkg:Track ; amkg:trackNumber ?n . } ORDER BY ?n"
MINISTRIES = "SELECT DISTINCT ?m WHERE { ?m a amkg:Ministry . }"
PLANNINGS = """
SELECT DISTINCT ?p ?start ?end ?pm WHERE {
  ?t a amkg:Trajectory ; amkg:planning ?p .
  OPTIONAL { ?p amkg:periodStart ?start } OPTIONAL { ?p amkg:periodEnd ?end }
  OPTIONAL { ?p amkg:notYetPlanned ?pm }
}
"""


class FilterError(ValueError):
    """A filter value that names nothing usable; ``param`` is the query parameter."""

    def __init__(self, param: str, reason: str) -> None:
        super().__init__(f"{param}: {reason}")
        self.param = param
        self.reason = reason


def prefixed(node: Node) -> str:
    """``kg:local`` for a resource of the data, else the IRI."""
    iri = str(node)
    return "kg:" + iri[len(str(KG)) :] if iri.startswith(str(KG)) else iri


def _num(value: Node | None) -> int | None:
    return int(value.toPython()) if isinstance(value, Literal) else None


def ministries(kg: KG_, lab: Labeler) -> list[dict[str, Any]]:
    """The ministries, as filter options (value = local name)."""
    out = []
    for r in select(kg, MINISTRIES):
        m = r["m"]
        notation = kg.graph.value(m, SKOS.notation)
        out.append(
            {
                **lab.ref(m),
                "value": local_name(str(m)),
                "notation": str(notation) if notation is not None else lab(m),
            }
        )
    return sorted(out, key=lambda o: o["notation"].casefold())


def plannings(kg: KG_, lab: Labeler) -> list[dict[str, Any]]:
    """The plannings that trajectories have, in time order (PM last), as filter options."""
    out = []
    for r in select(kg, PLANNINGS):
        p = r["p"]
        when = r.get("start") or r.get("end")
        out.append(
            {
                **lab.ref(p),
                "value": local_name(str(p)),
                "sort": str(when) if when is not None else "9999",
                "not_planned": is_true(r.get("pm")),
            }
        )
    return sorted(out, key=lambda o: (o["sort"], o["value"]))


def _choose(options: list[dict[str, Any]], raw: str, param: str, kind: str) -> URIRef | None:
    raw = raw.strip()
    if not raw:
        return None
    for o in options:
        if (
            raw in (o["value"], o["iri"], "kg:" + o["value"])
            or raw.casefold() == str(o.get("notation", "")).casefold()
        ):
            return URIRef(o["iri"])
    known = ", ".join(o["value"] for o in options)
    raise FilterError(param, f"'{raw}' is not a {kind} of the graph (one of: {known})")


def _rows(kg: KG_, ministry: URIRef | None, period: URIRef | None) -> list[dict[str, Node]]:
    patterns = (
        (BY_MINISTRY if ministry is not None else "")
        + " "
        + (BY_PERIOD if period is not None else "")
    )
    bindings: dict[str, Node] = {}
    if ministry is not None:
        bindings["ministry"] = ministry
    if period is not None:
        bindings["period"] = period
    return select(kg, ROWS % patterns, **bindings)


def _route_ref(lab: Labeler, route: str, via: Node) -> dict[str, Any]:
    ref = lab.ref(via)
    if route == "domain":
        number = _num(lab.graph.value(via, AMKG.domainNumber))
        ref["number"] = number
    return ref


def build(kg: KG_, lang: str, ministry: str = "", period: str = "") -> dict[str, Any]:
    """The matrix data: tracks (columns), rows (trajectories) with cells, filter options.

    Raises :class:`FilterError` for a ministry or period that names nothing."""
    lab = Labeler(kg.graph, lang)
    g = kg.graph
    ministry_opts, planning_opts = ministries(kg, lab), plannings(kg, lab)
    chosen_m = _choose(ministry_opts, ministry, "ministerie", "ministry")
    chosen_p = _choose(planning_opts, period, "periode", "planning")
    tracks = [
        {
            **lab.ref(r["track"]),
            "id": prefixed(r["track"]),
            "number": _num(r["n"]),
            "lever": lab(g.value(r["track"], AMKG.hasLever))
            if g.value(r["track"], AMKG.hasLever) is not None
            else None,
        }
        for r in select(kg, TRACKS)
    ]
    cells: dict[tuple[Node, Node], list[dict[str, Any]]] = {}
    for r in select(kg, CELLS):
        route = str(r["route"])
        cells.setdefault((r["trajectory"], r["track"]), []).append(
            {
                "route": route,
                "via": _route_ref(lab, route, r["via"]),
                "inferred": is_true(r.get("inferred")),
                "confidence": lab(r["confidence"]) if r.get("confidence") is not None else None,
            }
        )
    seen: dict[Node, dict[str, Any]] = {}
    for r in _rows(kg, chosen_m, chosen_p):
        t = r["trajectory"]
        if t in seen:
            continue
        seen[t] = {
            "node": t,
            "annex_row": _num(r.get("annexRow")),
            "start": str(r["start"]) if r.get("start") is not None else "9999",
        }
    rows = []
    for info in sorted(
        seen.values(),
        key=lambda i: (
            i["annex_row"] is None,
            i["annex_row"] or 0,
            i["start"],
            lab(i["node"]).casefold(),
        ),
    ):
        t = info["node"]
        coordinators = lab.refs(g.objects(t, AMKG.coordinatedBy))
        partners = lab.refs(g.objects(t, AMKG.inCooperationWith))
        planning = g.value(t, AMKG.planning)
        row_cells = []
        for track in tracks:
            routes = sorted(
                cells.get((t, URIRef(track["iri"])), []),
                key=lambda c: (ROUTES.index(c["route"]), c["via"]["label"]),
            )
            row_cells.append(
                {
                    "track": track["number"],
                    "track_iri": track["iri"],
                    "affects": bool(routes),
                    "inferred": bool(routes) and all(c["inferred"] for c in routes),
                    "routes": routes,
                    "path_url": f"/pad?from={prefixed(t)}&to={track['id']}",
                }
            )
        rows.append(
            {
                **lab.ref(t),
                "id": prefixed(t),
                "annex_row": info["annex_row"],
                "in_annex": info["annex_row"] is not None,
                "coordinators": [{**c, "notation": _notation(g, c["iri"])} for c in coordinators],
                "partners": [{**c, "notation": _notation(g, c["iri"])} for c in partners],
                "coordinator_not_stated": is_true(g.value(t, AMKG.coordinatorNotStated)),
                "planning": lab.ref(planning) if planning is not None else None,
                "graph_url": "/graph?focus=" + _quote(str(t)),
                "cells": row_cells,
            }
        )
    counts = {
        "rows": len(rows),
        "stated": sum(1 for r in rows for c in r["cells"] if c["affects"] and not c["inferred"]),
        "inferred": sum(1 for r in rows for c in r["cells"] if c["inferred"]),
    }
    return {
        "tracks": tracks,
        "rows": rows,
        "counts": counts,
        "filters": {"ministerie": ministry.strip(), "periode": period.strip()},
        "ministries": [
            {k: o[k] for k in ("iri", "label", "value", "notation")} for o in ministry_opts
        ],
        "plannings": [
            {k: o[k] for k in ("iri", "label", "value", "not_planned")} for o in planning_opts
        ],
    }


def _notation(g: Any, iri: str) -> str:
    value = g.value(URIRef(iri), SKOS.notation)
    return str(value) if value is not None else local_name(iri)


def _quote(text: str) -> str:
    return quote(text, safe="")


CSV_FIELDS = (
    "annexRow",
    "trajectory",
    "trajectoryLabel",
    "coordinators",
    "planning",
    "trackNumber",
    "track",
    "affects",
    "inferred",
    "routes",
)


def to_csv(data: dict[str, Any]) -> str:
    """One line per trajectory and track (the whole matrix, filters applied)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for row in data["rows"]:
        for cell in row["cells"]:
            routes = "; ".join(
                f"{c['route']}: {c['via']['label']}" + (" (inferred)" if c["inferred"] else "")
                for c in cell["routes"]
            )
            writer.writerow(
                [
                    row["annex_row"] or "",
                    row["iri"],
                    row["label"],
                    " ".join(c["notation"] for c in row["coordinators"]),
                    row["planning"]["label"] if row["planning"] else "",
                    cell["track"],
                    cell["track_iri"],
                    str(cell["affects"]).lower(),
                    str(cell["inferred"]).lower(),
                    routes,
                ]
            )
    return out.getvalue()
