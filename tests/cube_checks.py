"""Running the RDF Data Cube integrity constraints (tests/data/datacube-ic/) on a graph.

The constraints run in pyoxigraph on a copy: the graph is written as N-Triples into a fresh
in-memory store, normalised there (the Recommendation's phase 1 and 2 updates), then asked.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

IC_DIR = Path(__file__).resolve().parent / "data" / "datacube-ic"
#: IC-1 .. IC-21, by number.
IC_NUMBERS = list(range(1, 22))
#: The constraints that are templates over a parameter ``<$p>`` (IC-20, IC-21).
TEMPLATES = {20, 21}


def store_of(graph: Graph) -> ox.Store:
    """A fresh pyoxigraph store holding a copy of ``graph``."""
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def normalise(store: ox.Store) -> None:
    """Phase 1 and phase 2 of the Recommendation's normalisation algorithm, in place."""
    for phase in ("normalize-phase1.ru", "normalize-phase2.ru"):
        store.update((IC_DIR / phase).read_text(encoding="utf-8"))


def ic_text(number: int) -> str:
    return (IC_DIR / f"ic-{number:02d}.rq").read_text(encoding="utf-8")


def violated(store: ox.Store, number: int) -> bool:
    """True when IC-``number`` is violated in the (normalised) ``store``."""
    text = ic_text(number)
    if number not in TEMPLATES:
        return bool(store.query(text))
    parameters = (IC_DIR / f"ic-{number:02d}-parameters.rq").read_text(encoding="utf-8")
    for solution in store.query(parameters):
        p = solution["p"]
        assert isinstance(p, ox.NamedNode)
        if store.query(text.replace("<$p>", f"<{p.value}>")):
            return True
    return False
