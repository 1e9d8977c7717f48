"""Track page (/spoor/<n>): lever, texts, questions, measures, effects, assessments,
comparisons, related tracks and cross-references, trajectories, sources."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS
from rdflib.term import Node

from . import track_queries as q
from .common import AMKG, KG_, Labeler, is_true, pick_texts, select
from .provenance import citations_of, statement_info

DIRECTIONS = {AMKG.increase: "increase", AMKG.decrease: "decrease"}
STANCES = {AMKG.pro: "pro", AMKG.contra: "contra"}
MEASURE_LINK_KEYS = {
    AMKG.targetsGroup: "target_groups",
    AMKG.concernsOccupation: "occupations",
    AMKG.concernsSector: "sectors",
    AMKG.citesCountry: "countries",
    AMKG.involvesOrganisation: "organisations",
    AMKG.usesInstrument: "instruments",
    AMKG.asksQuestion: "questions",
}


def track_iri(kg: KG_, number: int) -> URIRef | None:
    rows = select(kg, q.TRACK_BY_NUMBER, n=Literal(number))
    return rows[0]["track"] if rows else None  # type: ignore[return-value]


def track_numbers(kg: KG_) -> list[int]:
    return [int(r["n"].toPython()) for r in select(kg, q.TRACKS)]


def trajectories(kg: KG_, lab: Labeler, track: URIRef | None = None) -> dict[Node, list[dict]]:
    """Per track: the trajectories that affect it, each with its ways in and stated/inferred."""
    rows = select(kg, q.TRAJECTORIES, **({"track": track} if track is not None else {}))
    per: dict[Node, dict[Node, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        t = r.get("track", track)
        inferred = is_true(r.get("inf1")) or is_true(r.get("inf2"))
        via = {"kind": str(r["via"]), "through": lab.ref(r["mid"]), "inferred": inferred}
        if via not in per[t][r["traj"]]:
            per[t][r["traj"]].append(via)
    g = kg.graph
    out: dict[Node, list[dict]] = {}
    for t, trajs in per.items():
        items = []
        for traj, vias in trajs.items():
            planning = g.value(traj, AMKG.planning)
            start = g.value(planning, AMKG.periodStart) if planning is not None else None
            row = g.value(traj, AMKG.annexRow)
            items.append(
                {
                    **lab.ref(traj),
                    "annex_row": int(row.toPython()) if isinstance(row, Literal) else None,
                    "coordinators": lab.refs(g.objects(traj, AMKG.coordinatedBy)),
                    "cooperation": lab.refs(g.objects(traj, AMKG.inCooperationWith)),
                    "coordinator_not_stated": is_true(g.value(traj, AMKG.coordinatorNotStated)),
                    "planning": {**lab.ref(planning), "start": str(start) if start else None}
                    if planning is not None
                    else None,
                    "via": sorted(vias, key=lambda v: (v["kind"], v["through"]["label"])),
                    "inferred": all(v["inferred"] for v in vias),
                }
            )
        items.sort(key=lambda i: ((i["planning"] or {}).get("start") or "9999", i["label"]))
        out[t] = items
    return out


def _statement_nodes(kg: KG_, lab: Labeler, rows: list[dict[str, Node]], key: str) -> dict:
    """Group rows of (owner, node, value) into one dict per statement node."""
    nodes: dict[Node, dict[str, Any]] = {}
    for r in rows:
        n = r[key]
        if n not in nodes:
            desc = pick_texts(kg.graph.objects(n, DCTERMS.description), lab.lang)
            nodes[n] = {
                **lab.ref(n),
                "owner": lab.ref(r["owner"]),
                "owner_iri": str(r["owner"]),
                "inferred": is_true(r.get("inferred")),
                "description": " ".join(d["text"] for d in desc) or None,
                "citations": citations_of(kg, lab, n),
            }
    return nodes


def _effects(kg: KG_, lab: Labeler, track: URIRef) -> list[dict[str, Any]]:
    rows = select(kg, q.EFFECTS, track=track)
    nodes = _statement_nodes(kg, lab, rows, "effect")
    for r in rows:
        e = nodes[r["effect"]]
        e.setdefault("factors", [])
        if "factor" in r and lab.ref(r["factor"]) not in e["factors"]:
            e["factors"].append(lab.ref(r["factor"]))
        d = r.get("direction")
        e["direction"] = lab.ref(d) if d is not None else None
        e["direction_key"] = DIRECTIONS.get(d, "unspecified")  # type: ignore[call-overload]
        e["magnitude"] = lab(r["magnitude"]) if "magnitude" in r else None
    return list(nodes.values())


def _legal(kg: KG_, lab: Labeler, track: URIRef) -> list[dict[str, Any]]:
    rows = select(kg, q.LEGAL, track=track)
    nodes = _statement_nodes(kg, lab, rows, "a")
    g = kg.graph
    for n, a in nodes.items():
        f = g.value(n, AMKG.feasibility)
        a["feasibility"] = lab.ref(f) if f is not None else None
        a["instruments"] = lab.refs(g.objects(n, AMKG.citesInstrument))
        a["requires_change_to"] = lab.refs(g.objects(n, AMKG.requiresChangeTo))
    return list(nodes.values())


def _comparisons(kg: KG_, lab: Labeler, track: URIRef) -> list[dict[str, Any]]:
    rows = select(kg, q.COMPARISONS, track=track)
    nodes = _statement_nodes(kg, lab, rows, "c")
    for n, c in nodes.items():
        c["countries"] = lab.refs(r["country"] for r in rows if r["c"] == n and "country" in r)
    return list(nodes.values())


def _measures(kg: KG_, lab: Labeler, track: URIRef) -> list[dict[str, Any]]:
    g = kg.graph
    measures: dict[Node, dict[str, Any]] = {}
    for r in select(kg, q.MEASURES, track=track):
        m = r["m"]
        item = measures.setdefault(
            m,
            {
                **lab.ref(m),
                "parent": None,
                "children": [],
                "arguments": [],
                **{k: [] for k in MEASURE_LINK_KEYS.values()},
            },
        )
        if "parent" in r:
            item["parent"] = lab.ref(r["parent"])
        status = lab.text(m, AMKG.status)
        item["status"] = status
        item["action_line"] = (m, RDF.type, AMKG.ActionLine) in g
    links: dict[tuple[Node, str], list[Node]] = defaultdict(list)
    for r in select(kg, q.MEASURE_LINKS, track=track):
        links[(r["m"], MEASURE_LINK_KEYS[r["p"]])].append(r["o"])  # type: ignore[index]
    for (m, key), objs in links.items():
        measures[m][key] = lab.refs(objs)
    for r in select(kg, q.ARGUMENTS, track=track):
        stance = STANCES.get(r.get("stance"), "other")  # type: ignore[arg-type]
        arg = r["arg"]
        if any(a["iri"] == str(arg) for a in measures[r["m"]]["arguments"]):
            continue
        measures[r["m"]]["arguments"].append(
            {
                **lab.ref(arg),
                "stance": stance,
                "description": lab.text(arg, DCTERMS.description),
                "citations": citations_of(kg, lab, arg),
            }
        )
    top = []
    for item in measures.values():
        parent = item["parent"]
        if parent and URIRef(parent["iri"]) in measures:
            measures[URIRef(parent["iri"])]["children"].append(item)
        else:
            top.append(item)
    for item in measures.values():
        item["children"].sort(key=lambda i: i["label"].casefold())
        item["arguments"].sort(key=lambda a: (a["stance"] != "pro", a["iri"]))
    return sorted(top, key=lambda i: i["label"].casefold())


def _relations(kg: KG_, lab: Labeler, track: URIRef) -> tuple[list[dict], list[dict]]:
    """(related tracks, other cross-references), each with quotes where a statement has them.

    Links that share property, direction, status and quotes are one item with several targets.
    """
    items: dict[tuple[Node, Node, str], dict[str, Any]] = {}
    for r in select(kg, q.RELATIONS, track=track):
        key = (r["p"], r["other"], str(r["dir"]))
        item = items.setdefault(
            key,
            {
                "property": lab.ref(r["p"]),
                "direction": str(r["dir"]),
                "targets": [lab.ref(r["other"])],
                "is_track": (r["other"], RDF.type, AMKG.Track) in kg.graph,
                "inferred": False,
                "citations": [],
                "notes": [],
            },
        )
        if "st" in r:
            info = statement_info(kg, lab, r["st"])
            item["inferred"] = item["inferred"] or info["inferred"]
            item["notes"] += [n for n in info["notes"] if n not in item["notes"]]
            item["citations"] += [c for c in info["citations"] if c not in item["citations"]]
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for item in items.values():
        key = (
            item["property"]["iri"],
            item["direction"],
            item["is_track"],
            item["inferred"],
            tuple(c["iri"] for c in item["citations"]),
            tuple(item["notes"]),
        )
        if key in merged:
            merged[key]["targets"] += item["targets"]
        else:
            merged[key] = item
    for item in merged.values():
        item["targets"].sort(key=lambda t: t["label"].casefold())
    ordered = sorted(merged.values(), key=lambda i: (i["direction"], i["targets"][0]["label"]))
    return [i for i in ordered if i["is_track"]], [i for i in ordered if not i["is_track"]]


def _sources(kg: KG_, lab: Labeler, track: URIRef) -> list[dict[str, Any]]:
    slides: dict[Node, dict[str, Any]] = {}
    for r in select(kg, q.SOURCES, track=track):
        s = slides.setdefault(
            r["slide"],
            {
                **lab.ref(r["slide"]),
                "citations": [],
                "index": int(r["idx"].toPython()) if "idx" in r else 0,
            },
        )
        cit = {"quote": str(r["quote"]), "section": str(r["section"]) if "section" in r else None}
        if cit not in s["citations"]:
            s["citations"].append(cit)
    return sorted(slides.values(), key=lambda s: s["index"])


def build(kg: KG_, number: int, lang: str) -> dict[str, Any] | None:
    """The track page data, or None when there is no track with that number."""
    track = track_iri(kg, number)
    if track is None:
        return None
    lab = Labeler(kg.graph, lang)
    g = kg.graph
    lever = g.value(track, AMKG.hasLever)
    numbers = track_numbers(kg)
    related, xrefs = _relations(kg, lab, track)
    questions = sorted(
        g.objects(track, AMKG.asksQuestion),
        key=lambda n: (g.value(n, AMKG.order) or Literal(0)).toPython(),
    )
    return {
        **lab.ref(track),
        "number": number,
        "types": lab.types(track),
        "alt_labels": [t["text"] for t in pick_texts(g.objects(track, SKOS.altLabel), lang)],
        "starting_point": is_true(g.value(track, AMKG.isStartingPoint)),
        "lever": {**lab.ref(lever), "phrase": lab.text(lever, AMKG.leverPhrase)}
        if lever is not None
        else None,
        "description": lab.text(track, DCTERMS.description),
        "overview_text": lab.text(track, AMKG.overviewText),
        "effect_text": lab.text(track, AMKG.effectText),
        "questions": [lab.ref(n) for n in questions],
        "measures": _measures(kg, lab, track),
        "effects": _effects(kg, lab, track),
        "legal": _legal(kg, lab, track),
        "comparisons": _comparisons(kg, lab, track),
        "related_tracks": related,
        "cross_references": xrefs,
        "trajectories": trajectories(kg, lab, track).get(track, []),
        "sources": _sources(kg, lab, track),
        "all_tracks": numbers,
    }
