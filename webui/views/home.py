"""Home page (/): the deck's guiding question, the five tracks as cards, the challenges."""

from __future__ import annotations

from typing import Any

from rdflib import Literal
from rdflib.namespace import RDF, SKOS

from . import track_queries as q
from .common import AMKG, KG_, Labeler, is_true, pick_texts, select
from .track import trajectories

CHALLENGES = """
SELECT ?c ?order WHERE {
  ?c a amkg:Challenge .
  OPTIONAL { ?c amkg:order ?order . }
}
"""


def build(kg: KG_, lang: str) -> dict[str, Any]:
    lab = Labeler(kg.graph, lang)
    g = kg.graph
    counts = {r["track"]: int(r["measures"].toPython()) for r in select(kg, q.MEASURE_COUNTS)}
    trajs = trajectories(kg, lab)
    tracks = []
    for r in select(kg, q.TRACKS):
        t = r["track"]
        lever = r.get("lever")
        affecting = trajs.get(t, [])
        tracks.append(
            {
                **lab.ref(t),
                "number": int(r["n"].toPython()),
                "page": f"/spoor/{int(r['n'].toPython())}",
                "alt_labels": [x["text"] for x in pick_texts(g.objects(t, SKOS.altLabel), lang)],
                "starting_point": is_true(g.value(t, AMKG.isStartingPoint)),
                "lever": {**lab.ref(lever), "phrase": lab.text(lever, AMKG.leverPhrase)}
                if lever is not None
                else None,
                "overview_text": lab.text(t, AMKG.overviewText),
                "underpins": sorted(
                    int(n.toPython())
                    for o in g.objects(t, AMKG.underpins)
                    for n in g.objects(o, AMKG.trackNumber)
                ),
                "measures": counts.get(t, 0),
                "trajectories": len(affecting),
                "trajectories_stated": sum(1 for a in affecting if not a["inferred"]),
            }
        )
    question = next(iter(g.subjects(RDF.type, AMKG.GuidingQuestion)), None)
    challenges = sorted(
        select(kg, CHALLENGES),
        key=lambda r: (
            r["order"].toPython() if isinstance(r.get("order"), Literal) else 99,
            str(r["c"]),
        ),
    )
    return {
        "question": lab.ref(question) if question is not None else None,
        "tracks": tracks,
        "challenges": [lab.ref(r["c"]) for r in challenges],
    }
