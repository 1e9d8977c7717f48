"""Provenance: every quote is verbatim from the deck, and the deck is the shared source."""

from __future__ import annotations

import re

import pytest
import rdflib
from rdflib import Literal

from amkg.graph.kg import KnowledgeGraph
from amkg.graph.load import AMKG
from amkg.graph.paths import DECK_PATH, REPO_ROOT

SEED = REPO_ROOT.parent / "shared" / "seed" / "000_dc3d1dec2b553ae8.txt"
BULLETS = ("\uf0a7", "•")


def fold(text: str) -> str:
    """Bullet glyphs removed, runs of white space folded to one space (docs/model.md)."""
    for glyph in BULLETS:
        text = text.replace(glyph, " ")
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def deck() -> str:
    return fold(DECK_PATH.read_text(encoding="utf-8"))


def test_fold() -> None:
    assert (
        fold("  Voorbeelden\n\n\uf0a7 Wettelijk  verbod\t• x ") == "Voorbeelden Wettelijk verbod x"
    )


def test_every_quote_is_verbatim_from_the_deck(
    kg: KnowledgeGraph, graph: rdflib.Graph, deck: str
) -> None:
    quotes = list(graph.subject_objects(AMKG.quote))
    assert quotes, "the graph has no amkg:quote yet"
    missing = [(kg.prefixed(s), str(q)) for s, q in quotes if fold(str(q)) not in deck]
    assert not missing, "quotes not in graph/bron/deck.txt:\n" + "\n".join(
        f"  {s}: {q[:100]!r}" for s, q in missing
    )


def test_quotes_are_dutch_and_not_empty(kg: KnowledgeGraph, graph: rdflib.Graph) -> None:
    bad = [
        kg.prefixed(s)
        for s, q in graph.subject_objects(AMKG.quote)
        if not isinstance(q, Literal) or q.language != "nl" or not fold(str(q))
    ]
    assert not bad


def test_deck_is_the_shared_seed() -> None:
    if not SEED.is_file():
        pytest.skip(f"{SEED} is not present in this checkout")
    assert DECK_PATH.read_bytes() == SEED.read_bytes()
