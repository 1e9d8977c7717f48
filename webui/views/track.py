"""Track page (/spoor/<n>): lever, texts, questions, measures, effects, assessments,
comparisons, related tracks and cross-references, trajectories, sources.

Every section is one query of ``queries/internal/`` (``track-*.rq``); which trajectories reach
a track is the one rule ``trajectory-reaches-track.rq``."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from amkg.queries import internal

from .common import AMKG, KG_, Labeler, is_true, pick_text, pick_texts
from .provenance import citation_index, citations_of, statement_info
from .track_queries import track_card, trajectory_details

DIRECTIONS = {AMKG.increase: "increase", AMKG.decrease: "decrease"}
STANCES = {AMKG.pro: "pro", AMKG.contra: "contra"}
ROUTES = {"domein": "domain", "maatregel": "measure", "kruisverwijzing": "reference"}
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
    rows = internal.select(kg, "track-by-number", n=Literal(number))
    return rows[0]["track"] if rows else None  # type: ignore[return-value]


def track_numbers(kg: KG_) -> list[int]:
    return [int(r["number"].toPython()) for r in internal.select(kg, "tracks")]  # type: ignore[attr-defined]


def trajectories(kg: KG_, lab: Labeler, track: URIRef | None = None) -> dict[Node, list[dict]]:
    """Per track: the trajectories that affect it, each with its ways in and stated/inferred."""
    per: dict[Node, dict[Node, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for r in reaches(kg):
        if track is not None and r["track"] != track:
            continue
        via = {
            "kind": ROUTES[str(r["route"])],
            "through": lab.ref(r["via"]),
            "inferred": is_true(r.get("inferred")),
        }
        if via not in per[r["track"]][r["trajectory"]]:
            per[r["track"]][r["trajectory"]].append(via)
    details = trajectory_details(kg) if per else {}
    out: dict[Node, list[dict]] = {}
    for t, trajs in per.items():
        items = []
        for traj, vias in trajs.items():
            d = details.get(traj, {})
            planning, start, row = d.get("planning"), d.get("start"), d.get("annexRow")
            items.append(
                {
                    **lab.ref(traj),
                    "annex_row": int(row.toPython()) if isinstance(row, Literal) else None,
                    "coordinators": lab.refs(d.get(AMKG.coordinatedBy, [])),
                    "cooperation": lab.refs(d.get(AMKG.inCooperationWith, [])),
                    "coordinator_not_stated": is_true(d.get("coordinatorNotStated")),
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


def reaches(kg: KG_) -> list[dict[str, Node]]:
    """Every (trajectory, track, route, via, inferred) of the rule
    ``trajectory-reaches-track.rq``, computed once per graph."""
    return kg.derived(
        "trajectory-reaches-track", lambda: internal.select(kg, "trajectory-reaches-track")
    )


def _statement_nodes(kg: KG_, lab: Labeler, rows: list[dict[str, Node]], key: str) -> dict:
    """Group rows of (owner, node, value, description) into one dict per statement node."""
    descriptions: dict[Node, list[Node]] = defaultdict(list)
    for r in rows:
        d = r.get("description")
        if d is not None and d not in descriptions[r[key]]:
            descriptions[r[key]].append(d)
    nodes: dict[Node, dict[str, Any]] = {}
    for r in rows:
        n = r[key]
        if n not in nodes:
            desc = pick_texts(sorted(descriptions[n], key=str), lab.lang)
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
    rows = internal.select(kg, "track-effects", track=track)
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
    for e in nodes.values():
        e["factors"].sort(key=lambda f: (f["label"].casefold(), f["iri"]))
    return _in_order(nodes, track)


def _legal(kg: KG_, lab: Labeler, track: URIRef) -> list[dict[str, Any]]:
    rows = internal.select(kg, "track-legal", track=track)
    nodes = _statement_nodes(kg, lab, rows, "a")
    linked: dict[tuple[Node, Node], list[Node]] = defaultdict(list)
    feasibility: dict[Node, Node] = {}
    for r in rows:
        if "p" in r:
            linked[(r["a"], r["p"])].append(r["o"])
        if "feasibility" in r:
            feasibility.setdefault(r["a"], r["feasibility"])
    for n, a in nodes.items():
        f = feasibility.get(n)
        a["feasibility"] = lab.ref(f) if f is not None else None
        a["instruments"] = lab.refs(linked[(n, AMKG.citesInstrument)])
        a["requires_change_to"] = lab.refs(linked[(n, AMKG.requiresChangeTo)])
    return _in_order(nodes, track)


def _comparisons(kg: KG_, lab: Labeler, track: URIRef) -> list[dict[str, Any]]:
    rows = internal.select(kg, "track-comparisons", track=track)
    nodes = _statement_nodes(kg, lab, rows, "c")
    for n, c in nodes.items():
        c["countries"] = lab.refs(r["country"] for r in rows if r["c"] == n and "country" in r)
    return _in_order(nodes, track)


def _in_order(nodes: dict[Node, dict[str, Any]], track: URIRef) -> list[dict[str, Any]]:
    """Statement nodes of the track first, then those of its measures by measure; by label."""
    return sorted(
        nodes.values(),
        key=lambda n: (
            n["owner_iri"] != str(track),
            n["owner"]["label"].casefold(),
            n["label"].casefold(),
            n["iri"],
        ),
    )


def _measures(kg: KG_, lab: Labeler, track: URIRef) -> list[dict[str, Any]]:
    measures: dict[Node, dict[str, Any]] = {}
    statuses: dict[Node, list[Node]] = defaultdict(list)
    for r in internal.select(kg, "track-measures", track=track):
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
        if "status" in r and r["status"] not in statuses[m]:
            statuses[m].append(r["status"])
        item["action_line"] = is_true(r.get("actionLine"))
    for m, item in measures.items():
        item["status"] = lab_text(lab, statuses[m])
    links: dict[tuple[Node, str], list[Node]] = defaultdict(list)
    for r in internal.select(kg, "track-measure-links", track=track):
        links[(r["m"], MEASURE_LINK_KEYS[r["p"]])].append(r["o"])  # type: ignore[index]
    for (m, key), objs in links.items():
        measures[m][key] = lab.refs(objs)
    _arguments(kg, lab, track, measures)
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


def lab_text(lab: Labeler, values: list[Node]) -> str | None:
    """One text of ``values`` in the labeler's language (as :meth:`Labeler.text`)."""
    return pick_text(sorted(values, key=str), lab.lang)


def _arguments(kg: KG_, lab: Labeler, track: URIRef, measures: dict[Node, dict]) -> None:
    rows = internal.select(kg, "track-arguments", track=track)
    descriptions: dict[Node, list[Node]] = defaultdict(list)
    for r in rows:
        if "description" in r and r["description"] not in descriptions[r["arg"]]:
            descriptions[r["arg"]].append(r["description"])
    for r in rows:
        given = r.get("stance")
        stance = STANCES.get(given, "other") if isinstance(given, URIRef) else "other"
        arg = r["arg"]
        if any(a["iri"] == str(arg) for a in measures[r["m"]]["arguments"]):
            continue
        measures[r["m"]]["arguments"].append(
            {
                **lab.ref(arg),
                "stance": stance,
                "description": lab_text(lab, descriptions[arg]),
                "citations": citations_of(kg, lab, arg),
            }
        )


def _relations(kg: KG_, lab: Labeler, track: URIRef) -> tuple[list[dict], list[dict]]:
    """(related tracks, other cross-references), each with quotes where a statement has them.

    Links that share property, direction, status and quotes are one item with several targets.
    """
    items: dict[tuple[Node, Node, str], dict[str, Any]] = {}
    for r in internal.select(kg, "track-relations", track=track):
        key = (r["p"], r["other"], str(r["dir"]))
        item = items.setdefault(
            key,
            {
                "property": lab.ref(r["p"]),
                "direction": str(r["dir"]),
                "targets": [lab.ref(r["other"])],
                "is_track": is_true(r.get("otherIsTrack")),
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
        same = (
            item["property"]["iri"],
            item["direction"],
            item["is_track"],
            item["inferred"],
            tuple(c["iri"] for c in item["citations"]),
            tuple(item["notes"]),
        )
        if same in merged:
            merged[same]["targets"] += item["targets"]
        else:
            merged[same] = item
    for item in merged.values():
        item["targets"].sort(key=lambda t: t["label"].casefold())
    ordered = sorted(merged.values(), key=lambda i: (i["direction"], i["targets"][0]["label"]))
    return [i for i in ordered if i["is_track"]], [i for i in ordered if not i["is_track"]]


def _sources(kg: KG_, lab: Labeler, track: URIRef) -> list[dict[str, Any]]:
    """The slides cited by the track and what hangs on it, each with its quotes."""
    cited = citation_index(kg).cited
    slides: dict[Node, dict[str, Any]] = {}
    for r in internal.select(kg, "track-cited", track=track):
        c = cited.get(r["c"])
        if c is None or c.slide is None or not c.quotes:
            continue
        s = slides.setdefault(
            c.slide,
            {
                **lab.ref(c.slide),
                "citations": [],
                "index": int(c.index.toPython()) if isinstance(c.index, Literal) else 0,
            },
        )
        section = str(c.section) if c.section is not None else None
        for quote in c.quotes:
            cit = {"quote": str(quote), "section": section}
            if cit not in s["citations"]:
                s["citations"].append(cit)
    for s in slides.values():
        s["citations"].sort(key=lambda c: (c["section"] or "", c["quote"]))
    return sorted(slides.values(), key=lambda s: s["index"])


def build(kg: KG_, number: int, lang: str) -> dict[str, Any] | None:
    """The track page data, or None when there is no track with that number."""
    track = track_iri(kg, number)
    if track is None:
        return None
    lab = Labeler(kg, lang)
    card = track_card(kg, track).get(track, {})
    lever = card.get("lever")
    numbers = track_numbers(kg)
    related, xrefs = _relations(kg, lab, track)
    return {
        **lab.ref(track),
        "number": number,
        "types": lab.types(track),
        "alt_labels": [t["text"] for t in pick_texts(card.get("alt_labels", []), lang)],
        "starting_point": is_true(card.get("starting_point")),
        "lever": {**lab.ref(lever), "phrase": lab.text(lever, AMKG.leverPhrase)}
        if lever is not None
        else None,
        "description": lab_text(lab, card.get("description", [])),
        "overview_text": lab_text(lab, card.get("overview_text", [])),
        "effect_text": lab_text(lab, card.get("effect_text", [])),
        "questions": [lab.ref(n) for n in card.get("questions", [])],
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
