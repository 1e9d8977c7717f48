"""What a trajectory's own page adds to the generic resource page (issue 12): the tracks it
touches (stated or inferred, with the route; the one rule of
``queries/internal/trajectory-reaches-track.rq``), its ministries and its planning, and a link
to its impact page."""

from __future__ import annotations

from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from amkg.queries import internal

from .common import AMKG, KG_, Labeler, is_true

# the route names of trajectory-reaches-track.rq -> the UI's words (an.route.<key>)
ROUTES = {"domein": "domain", "maatregel": "measure", "kruisverwijzing": "reference"}


def _number(kg: KG_, track: Node) -> int:
    value = kg.describe(track).value(AMKG.trackNumber) if isinstance(track, URIRef) else None
    return int(value.toPython()) if isinstance(value, Literal) else 0


def tracks(kg: KG_, lab: Labeler, node: URIRef) -> list[dict[str, Any]]:
    """The tracks ``node`` reaches, each with its routes; a track is inferred only when every
    route to it is."""
    found: dict[Node, dict[str, Any]] = {}
    for r in internal.select(kg, "trajectory-reaches-track", trajectory=node):
        track = r["track"]
        number = _number(kg, track)
        entry = found.setdefault(
            track,
            {**lab.ref(track), "number": number, "page": f"/spoor/{number}", "routes": []},
        )
        confidence = r.get("confidence")
        entry["routes"].append(
            {
                "route": ROUTES.get(str(r["route"]), str(r["route"])),
                "via": lab.ref(r["via"]),
                "inferred": is_true(r.get("inferred")),
                "confidence": lab(confidence) if confidence is not None else None,
            }
        )
    out = []
    for entry in found.values():
        entry["routes"].sort(key=lambda x: (x["route"], x["via"]["label"].casefold()))
        entry["inferred"] = all(x["inferred"] for x in entry["routes"])
        out.append(entry)
    return sorted(out, key=lambda e: e["number"])


def build(kg: KG_, node: URIRef, lang: str) -> dict[str, Any] | None:
    """The trajectory section, or None when ``node`` is no amkg:Trajectory."""
    if AMKG.Trajectory not in kg.describe(node).types:
        return None
    lab = Labeler(kg, lang)
    coordinators: list[Node] = []
    partners: list[Node] = []
    for r in internal.select(kg, "trajectory-ministries", trajectory=node):
        (coordinators if r["role"] == AMKG.coordinatedBy else partners).append(r["ministry"])
    planning = None
    not_stated = False
    for r in internal.select(kg, "trajectory-summaries", trajectory=node):
        not_stated = not_stated or is_true(r.get("coordinatorNotStated"))
        if r.get("planning") is not None and planning is None:
            plan = kg.describe(r["planning"])
            start, end = plan.value(AMKG.periodStart), plan.value(AMKG.periodEnd)
            planning = {
                **lab.ref(r["planning"]),
                "start": str(start) if start is not None else None,
                "end": str(end) if end is not None else None,
                "not_planned": is_true(plan.value(AMKG.notYetPlanned)),
            }
    prefixed = kg.prefixed(node)
    return {
        "tracks": tracks(kg, lab, node),
        "coordinators": lab.refs(coordinators),
        "partners": lab.refs(partners),
        "coordinator_not_stated": not_stated,
        "planning": planning,
        "impact_url": f"/impact?entity={prefixed}",
    }
