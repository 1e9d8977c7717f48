"""Home page (/): the deck's guiding question, the five tracks as cards, the challenges."""

from __future__ import annotations

from typing import Any

from rdflib import Literal

from amkg.queries import internal

from .common import AMKG, KG_, Labeler, is_true, pick_text, pick_texts
from .track import trajectories
from .track_queries import measure_counts, track_card


def build(kg: KG_, lang: str) -> dict[str, Any]:
    lab = Labeler(kg, lang)
    counts = measure_counts(kg)
    cards = track_card(kg)
    trajs = trajectories(kg, lab)
    tracks = []
    for r in internal.select(kg, "tracks"):
        t = r["track"]
        number = int(r["number"].toPython())  # type: ignore[attr-defined]
        card = cards.get(t, {})
        lever = r.get("lever")
        affecting = trajs.get(t, [])
        tracks.append(
            {
                **lab.ref(t),
                "number": number,
                "page": f"/spoor/{number}",
                "alt_labels": [x["text"] for x in pick_texts(card.get("alt_labels", []), lang)],
                "starting_point": is_true(card.get("starting_point")),
                "lever": {**lab.ref(lever), "phrase": lab.text(lever, AMKG.leverPhrase)}
                if lever is not None
                else None,
                "overview_text": pick_text(card.get("overview_text", []), lang),
                "underpins": card.get("underpins", []),
                "measures": counts.get(t, 0),
                "trajectories": len(affecting),
                "trajectories_stated": sum(1 for a in affecting if not a["inferred"]),
            }
        )
    questions = internal.select(kg, "guiding-questions")
    question = questions[0]["question"] if questions else None
    challenges = sorted(
        internal.select(kg, "challenges"),
        key=lambda r: (
            o.toPython() if isinstance(o := r.get("order"), Literal) else 99,
            str(r["c"]),
        ),
    )
    return {
        "question": lab.ref(question) if question is not None else None,
        "tracks": tracks,
        "challenges": [lab.ref(r["c"]) for r in challenges],
    }
