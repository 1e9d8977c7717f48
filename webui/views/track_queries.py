"""What the track page and the home cards read about tracks and trajectories, each from one
query of ``queries/internal/`` (values bound, never pasted)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS
from rdflib.term import Node

from amkg.queries import internal

from .common import AMKG, KG_

CARD_KEYS = {
    AMKG.hasLever: "lever",
    AMKG.isStartingPoint: "starting_point",
    SKOS.altLabel: "alt_labels",
    DCTERMS.description: "description",
    AMKG.overviewText: "overview_text",
    AMKG.effectText: "effect_text",
    AMKG.asksQuestion: "questions",
    AMKG.underpins: "underpins",
}
SINGLE = {"lever", "starting_point"}


def track_card(kg: KG_, track: URIRef | None = None) -> dict[Node, dict[str, Any]]:
    """Per track (or only ``track``): its lever and starting-point flag (one value each), its
    alternative labels and texts (lists, sorted), its questions (in their order) and the
    numbers of the tracks it underpins (sorted), from ``track-card.rq``."""
    bound = {"track": track} if track is not None else {}
    cards: dict[Node, dict[str, Any]] = defaultdict(dict)
    orders: dict[Node, Any] = {}
    for r in internal.select(kg, "track-card", bound):
        key = CARD_KEYS[r["p"]]  # type: ignore[index]
        card = cards[r["track"]]
        if key in SINGLE:
            if key not in card or str(r["o"]) < str(card[key]):
                card[key] = r["o"]
            continue
        values = card.setdefault(key, [])
        if r["o"] not in values:
            values.append(r["o"])
        if key == "questions":
            order = r.get("order")
            orders[r["o"]] = order.toPython() if isinstance(order, Literal) else 0
    for card in cards.values():
        for key in ("alt_labels", "description", "overview_text", "effect_text"):
            card.get(key, []).sort(key=str)
        card.get("questions", []).sort(key=lambda q: (orders.get(q, 0), str(q)))
        card["underpins"] = sorted(int(n.toPython()) for n in card.get("underpins", []))
    return cards


def trajectory_details(kg: KG_) -> dict[Node, dict[Any, Any]]:
    """Per trajectory: ``annexRow``, ``planning``, ``start``, ``coordinatorNotStated`` (from
    ``trajectory-summaries.rq``) and its ministries under ``amkg:coordinatedBy`` and
    ``amkg:inCooperationWith`` (from ``trajectory-ministries.rq``)."""
    details: dict[Node, dict[Any, Any]] = defaultdict(dict)
    for r in internal.select(kg, "trajectory-summaries"):
        d = details[r["trajectory"]]
        for key in ("annexRow", "planning", "start", "coordinatorNotStated"):
            if key in r and key not in d:
                d[key] = r[key]
    for r in internal.select(kg, "trajectory-ministries"):
        details[r["trajectory"]].setdefault(r["role"], []).append(r["ministry"])
    return details


def measure_counts(kg: KG_) -> dict[Node, int]:
    """Per track, its number of measures (``track-measure-counts.rq``)."""
    return {
        r["track"]: int(r["measures"].toPython())  # type: ignore[attr-defined]
        for r in internal.select(kg, "track-measure-counts")
    }
