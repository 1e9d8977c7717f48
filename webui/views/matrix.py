"""The trace matrix (/matrix): every trajectory the deck names against the five tracks.

A cell says whether the trajectory affects the track and how: via an annex domain (the X
marks, read onto a track), via a measure of the track that the trajectory concerns, or via a
cross-reference ('hangt samen met', 'zie'). A cell is *inferred* when no route to it is stated.
The cells come from the one rule ``queries/internal/trajectory-reaches-track.rq`` (the
catalogue's trajecten-per-spoor / sporen-per-traject state it alike); the rows, the tracks and
the filter options from the other internal queries named below. The filters (ministry,
planning) only pick rows: a value is matched against the graph's own, never put in a query.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from rdflib import Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from amkg.queries import internal

from .common import AMKG, KG, KG_, Labeler, is_true, local_name

ROUTES = ("domain", "measure", "reference")
#: The rule's route names (as the catalogue writes them) -> the page's.
ROUTE_OF = {"domein": "domain", "maatregel": "measure", "kruisverwijzing": "reference"}


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
    for r in internal.select(kg, "ministries"):
        m = r["ministry"]
        short = _first(kg.values(m, SKOS.notation))
        out.append(
            {
                **lab.ref(m),
                "value": local_name(str(m)),
                "notation": str(short) if short is not None else lab(m),
            }
        )
    return sorted(out, key=lambda o: o["notation"].casefold())


def plannings(kg: KG_, lab: Labeler) -> list[dict[str, Any]]:
    """The plannings that trajectories have, in time order (PM last), as filter options."""
    out = []
    for r in internal.select(kg, "trajectory-plannings"):
        p = r["planning"]
        when = r.get("start") or r.get("end")
        out.append(
            {
                **lab.ref(p),
                "value": local_name(str(p)),
                "sort": str(when) if when is not None else "9999",
                "not_planned": is_true(r.get("notYetPlanned")),
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


def trajectory_ministries(kg: KG_) -> dict[Node, dict[Node, list[Node]]]:
    """Per trajectory, its ministries by role (amkg:coordinatedBy, amkg:inCooperationWith);
    built once per graph."""

    def make() -> dict[Node, dict[Node, list[Node]]]:
        out: dict[Node, dict[Node, list[Node]]] = {}
        for r in internal.select(kg, "trajectory-ministries"):
            out.setdefault(r["trajectory"], {}).setdefault(r["role"], []).append(r["ministry"])
        return out

    return kg.derived("trajectory-ministries", make)


def notation(kg: KG_, ministry: Node) -> str:
    """A ministry's notation (``SZW``), else its local name."""
    value = _first(kg.values(ministry, SKOS.notation))
    return str(value) if value is not None else local_name(str(ministry))


def _rows(
    kg: KG_,
    ministries: dict[Node, dict[Node, list[Node]]],
    ministry: URIRef | None,
    period: URIRef | None,
) -> dict[Node, dict[str, Any]]:
    """Each trajectory that passes the filters: its annex row, planning and first date."""
    seen: dict[Node, dict[str, Any]] = {}
    for r in internal.select(kg, "matrix-rows"):
        t = r["trajectory"]
        named = ministries.get(t, {})
        if ministry is not None and not any(ministry in ms for ms in named.values()):
            continue
        if period is not None and r.get("planning") != period:
            continue
        start = str(r["start"]) if r.get("start") is not None else "9999"
        info = seen.get(t)
        if info is not None and (info["start"], str(info["planning"])) <= (
            start,
            str(r.get("planning")),
        ):
            continue  # several plannings: the earliest
        seen[t] = {
            "node": t,
            "annex_row": _num(r.get("annexRow")),
            "start": start,
            "planning": r.get("planning"),
            "not_stated": is_true(r.get("coordinatorNotStated")),
            "revised": str(r["revised"]) if r.get("revised") is not None else None,
        }
    return seen


def _first(values: Iterable[Node]) -> Node | None:
    return next(iter(values), None)


def _route_ref(lab: Labeler, route: str, via: Node, numbers: dict[Node, Node]) -> dict[str, Any]:
    ref = lab.ref(via)
    if route == "domain":
        ref["number"] = _num(numbers.get(via))
    return ref


def build(kg: KG_, lang: str, ministry: str = "", period: str = "") -> dict[str, Any]:
    """The matrix data: tracks (columns), rows (trajectories) with cells, filter options.

    Raises :class:`FilterError` for a ministry or period that names nothing."""
    lab = Labeler(kg, lang)
    ministry_opts, planning_opts = ministries(kg, lab), plannings(kg, lab)
    chosen_m = _choose(ministry_opts, ministry, "ministerie", "ministry")
    chosen_p = _choose(planning_opts, period, "periode", "planning")
    tracks: dict[Node, dict[str, Any]] = {}
    for r in internal.select(kg, "tracks"):
        lever = r.get("lever")
        track = tracks.setdefault(
            r["track"],
            {
                **lab.ref(r["track"]),
                "id": prefixed(r["track"]),
                "number": _num(r["number"]),
                "lever": None,
            },
        )
        if lever is not None and (track["lever"] is None or lab(lever) < track["lever"]):
            track["lever"] = lab(lever)
    numbers = {r["domain"]: r["number"] for r in internal.select(kg, "domain-numbers")}
    cells: dict[tuple[Node, Node], list[dict[str, Any]]] = {}
    for r in internal.select(kg, "trajectory-reaches-track"):
        route = ROUTE_OF[str(r["route"])]
        cells.setdefault((r["trajectory"], r["track"]), []).append(
            {
                "route": route,
                "via": _route_ref(lab, route, r["via"], numbers),
                "inferred": is_true(r.get("inferred")),
                "confidence": lab(r["confidence"]) if r.get("confidence") is not None else None,
            }
        )
    named = trajectory_ministries(kg)
    seen = _rows(kg, named, chosen_m, chosen_p)
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
        coordinators = lab.refs(named.get(t, {}).get(AMKG.coordinatedBy, []))
        partners = lab.refs(named.get(t, {}).get(AMKG.inCooperationWith, []))
        planning = info["planning"]
        row_cells = []
        for track in tracks.values():
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
                "coordinators": [
                    {**c, "notation": notation(kg, URIRef(c["iri"]))} for c in coordinators
                ],
                "partners": [{**c, "notation": notation(kg, URIRef(c["iri"]))} for c in partners],
                "coordinator_not_stated": info["not_stated"],
                "planning": lab.ref(planning) if planning is not None else None,
                "revised": info["revised"],  # set after the deck (issue 11)
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
        "tracks": list(tracks.values()),
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
